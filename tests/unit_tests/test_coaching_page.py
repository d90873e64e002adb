"""The coach's page (app_pages/coaching.py) and its sums (app_pages/components/dashboard.py).

The sums are checked on attempts built in memory; the page is driven with AppTest, sign-in
on, over the real engine and the fake model, as in test_app_pages.py.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.components import dashboard as board
from simulator.core.settings import Settings
from simulator.storage.models import Assignment, Attempt, Role, User
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from tests.unit_tests.app_harness import PASSWORD, app_environment, by_label, ok, signed_in

COACHING = "app_pages/coaching.py"
SCENARIO = "vague_it_colleague"
T0 = datetime(2025, 3, 1, 9, 0)


# ---- the sums ---------------------------------------------------------------------------------
def report(overall: int, **dimensions: int) -> dict:
    return {"version": 1, "score": {"overall": overall, "dimensions": {k: {"score": v} for k, v in dimensions.items()}}}


def attempt(
    id_: int, minutes: int, saved: dict | None = None, *, user_id: int = 1, status: str = "ended", **fields
) -> Attempt:
    started = T0 + timedelta(minutes=minutes)
    return Attempt(
        id=id_,
        user_id=user_id,
        scenario_id=SCENARIO,
        difficulty="standard",
        status=status,
        report=saved,
        created_at=started,
        ended_at=started + timedelta(minutes=5) if status == "ended" else None,
        **fields,
    )


def test_first_best_and_latest_per_skill_go_by_when_attempts_started():
    attempts = [  # given newest first, as a store may hand them
        attempt(3, 30, report(60, listening=50, limit_setting=80, goals=40)),
        attempt(4, 40, None, status="active"),  # still running: no score
        attempt(2, 20, report(75, listening=90, limit_setting=70)),  # goals not scored here
        attempt(1, 10, report(55, listening=60, limit_setting=45, goals=70)),
    ]
    progress = board.skill_progress(attempts)
    assert list(progress) == ["overall", "listening", "limit_setting", "goals"]
    assert progress["overall"] == board.SkillProgress(first=55, best=75, latest=60, scored=3)
    assert progress["listening"] == board.SkillProgress(first=60, best=90, latest=50, scored=3)
    assert progress["limit_setting"] == board.SkillProgress(first=45, best=80, latest=80, scored=3)
    assert progress["goals"] == board.SkillProgress(first=70, best=70, latest=40, scored=2)


def test_a_coachs_adjusted_score_counts_and_the_overall_is_weighted_again():
    saved = report(60, listening=50, limit_setting=80, goals=40)
    saved["score"]["weights"] = {"listening": 0.5, "limit_setting": 0.25, "goals": 0.25}
    reviewed = attempt(1, 10, saved)
    assert board.scores(reviewed, {"listening": 70}) == {
        "overall": round(70 * 0.5 + 80 * 0.25 + 40 * 0.25),
        "listening": 70,
        "limit_setting": 80,
        "goals": 40,
    }
    progress = board.skill_progress([reviewed], {1: {"listening": 70}})
    assert progress["listening"].best == 70 and progress["overall"].latest == 65
    assert board.scores(reviewed) == {"overall": 60, "listening": 50, "limit_setting": 80, "goals": 40}


def test_no_scores_without_an_ended_attempt_with_a_report():
    broken = {"score": {"overall": "n/a", "dimensions": {"listening": None}}}
    attempts = [
        attempt(1, 0, None),
        attempt(2, 1, report(80), status="active"),
        attempt(3, 2, broken),
        attempt(4, 3, {"headline": "no score"}),
    ]
    assert all(board.scores(a) == {} for a in attempts)
    assert set(board.skill_progress(attempts).values()) == {board.SkillProgress()}


def test_overdue_completion_and_the_table_rows():
    today = date(2025, 3, 10)
    ana, bob = User(id=1, name="ana"), User(id=2, name="bob")
    late = Assignment(id=7, group_id=1, scenario_id=SCENARIO, difficulty="hard", due_on=date(2025, 3, 5))
    open_ = Assignment(id=8, group_id=1, scenario_id=SCENARIO, difficulty="easy", due_on=None, target_score=70)
    attempts = [
        attempt(1, 0, report(72, listening=70), assignment_id=7),
        attempt(2, 60, None, user_id=2, status="active", assignment_id=8),
    ]
    assert board.completion(late, [ana, bob], attempts, today) == {
        "done": 1,
        "in progress": 0,
        "not started": 0,
        "overdue": 1,
    }
    assert board.completion(open_, [ana, bob], attempts, today)["in progress"] == 1
    summaries = board.summarize([ana, bob], attempts, [late, open_], today)
    assert [(s.user.name, s.attempts, s.overdue) for s in summaries] == [("ana", 1, 0), ("bob", 1, 1)]
    assert summaries[0].last_practice == datetime(2025, 3, 1, 9, 5, tzinfo=UTC)

    only = board.summarize([ana, bob], board.made_for(open_, attempts), [open_], today, open_)
    rows = board.table_rows(only, open_.target_score)
    assert [r["Status"] for r in rows] == ["not started", "in progress"]
    assert [r["Target reached"] for r in rows] == ["–", "–"]
    rows = board.table_rows(summaries, 70)
    assert rows[0]["Overall first"] == rows[0]["Overall best"] == 72 and rows[0]["Listening latest"] == 70
    assert rows[0]["Target reached"] == "yes" and rows[0]["Scenario goals best"] is None
    points = board.chart_rows(attempts, {1: "ana"}, {SCENARIO: "The vague request"}, "listening")
    assert [(p["Coachee"], p["Score"], p["Scenario"]) for p in points] == [("ana", 70, "The vague request")]


def test_the_sessions_csv_holds_only_the_groups_attempts_and_follows_the_filter(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    coach = store.accounts.create_user("carla", PASSWORD, Role.coach)
    ana, eve = store.accounts.create_user("ana"), store.accounts.create_user("eve")
    viewer = Viewer.of(coach)
    group = store.coaching.create_group(viewer, "Team")
    store.coaching.add_member(viewer, group.id, ana.id)
    assignment = store.coaching.assign(viewer, group.id, SCENARIO, "standard")
    store.create_attempt(ana, SCENARIO, "standard", "fake", assignment.id)
    store.create_attempt(ana, SCENARIO, "hard", "fake")
    store.create_attempt(eve, SCENARIO, "standard", "fake")
    every = board.sessions_csv(store.exports, viewer, group.id).splitlines()
    assert every[0].startswith("participant,scenario,difficulty,score,listening")
    assert [line.split(",")[:3] for line in every[1:]] == [["ana", SCENARIO, "standard"], ["ana", SCENARIO, "hard"]]
    assigned = board.deferred_csv(store.exports, viewer, group.id, assignment.id)().splitlines()
    assert len(assigned) == 2 and assigned[1].startswith(f"ana,{SCENARIO},standard")


# ---- the page ---------------------------------------------------------------------------------
@pytest.fixture
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


def text(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error]
    return " ".join(p.value for p in parts).replace("\\", "")


def signed_in_coach(name: str = "carla") -> AppTest:
    """A browser tab where the coach signed in, on the coaching page."""
    return signed_in(name, COACHING)


def test_a_coach_builds_a_group_assigns_and_reads_the_dashboard(app_env):
    store = Store(Settings.from_env().db_url)
    coach = store.accounts.create_user("carla", PASSWORD, Role.coach)
    ana = store.accounts.create_user("ana", PASSWORD, email="ana@example.org")
    gone = store.accounts.create_user("gone", PASSWORD)
    store.accounts.set_active(Viewer(None, Role.admin), gone.id, False)
    # another coach's group, with a scored attempt the coach must not see
    other = Viewer.of(store.accounts.create_user("otto", PASSWORD, Role.coach))
    eve = store.accounts.create_user("eve", PASSWORD)
    store.coaching.add_member(other, store.coaching.create_group(other, "Otto's team").id, eve.id)
    hidden = store.create_attempt(eve, SCENARIO, "standard", "fake")
    store.end_attempt(hidden.id)
    store.save_report(hidden.id, report(99, listening=99))

    at = signed_in_coach()
    assert "no group yet" in text(at)
    by_label(at.text_input, "Group name").set_value("Team A")
    ok(by_label(at.button, "Create group").click().run())
    group = store.coaching.groups(Viewer.of(coach))[0]
    assert group.name == "Team A" and by_label(at.selectbox, "Group").value == group.id
    assert "“Team A” created" in text(at)

    for login, said in [("nobody", "There is no user “nobody”"), ("gone", "deactivated"), ("ANA@example.org", "")]:
        by_label(at.text_input, "User name or email").set_value(login)
        ok(by_label(at.button, "Add to the group").click().run())
        assert said in " ".join(e.value for e in at.error).replace("\\", "")
    assert [m.name for m in store.coaching.members(Viewer.of(coach), group.id)] == ["ana"]
    assert "ana joined Team A" in text(at)

    by_label(at.selectbox, "Scenario").set_value(SCENARIO)
    by_label(at.number_input, "Target score (optional)").set_value(80)
    by_label(at.text_area, "Note for the coachees (optional)").set_value("Ask before you answer.")
    ok(by_label(at.button, "Assign").click().run())
    (assignment,) = store.coaching.assignments(Viewer.of(coach), group.id)
    assert (assignment.scenario_id, assignment.target_score, assignment.note) == (
        SCENARIO,
        80,
        "Ask before you answer.",
    )
    assert assignment.difficulty == "standard" and "1 not started" in text(at)

    scored = store.create_attempt(ana, SCENARIO, "standard", "fake", assignment.id)
    store.end_attempt(scored.id)
    store.save_report(scored.id, report(70, listening=65, limit_setting=75, goals=60))
    store.create_attempt(ana, SCENARIO, "hard", "fake")  # not for the assignment, still running
    ok(at.run())
    table = at.dataframe[0].value
    assert list(table["Coachee"]) == ["ana"] and table["Attempts"].tolist() == [2]
    assert table["Overall first"].tolist() == [70] and table["Limit-setting best"].tolist() == [75]
    assert at.button(key=f"coaching_open_{scored.id}").label == "Open"
    assert "1 done" in text(at)
    page = text(at) + str(table.to_dict())
    # the other group's coachee, her coach and her score (as words: a timestamp's digits may hold "99")
    assert not re.search(r"\b(?:eve|Otto|99)\b", page)
    assert f"coaching_open_{hidden.id}" not in [b.key for b in at.button]
    assert [o for o in by_label(at.selectbox, "Group").options] == ["Team A"]

    by_label(at.selectbox, "Assignment").set_value(assignment.id)
    table = ok(at.run()).dataframe[0].value
    assert table["Attempts"].tolist() == [1] and table["Status"].tolist() == ["done"]
    assert table["Target reached"].tolist() == ["not yet"]
    assert [b.label for b in at.get("download_button")] == [
        "Download sessions CSV",
        "Download coachees CSV",
        "Download groups CSV",
    ]

    ok(at.button(key=f"remove_{group.id}_{ana.id}").click().run())
    assert store.coaching.members(Viewer.of(coach), group.id) == [] and "ana left Team A" in text(at)
