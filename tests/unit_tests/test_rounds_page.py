"""The trainer's rounds page (app_pages/rounds.py), its board sums (simulator/engine/round_results.py) and drawing.

The sums are checked on board rows built in memory; the page is driven with AppTest, sign-in
on, over the real engine and the fake model; the board's render time for a room of 30 is
measured (printed, not asserted tightly).
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.components import board
from app_pages.session import SESSION_KEY, Session
from simulator.core.settings import Settings
from simulator.engine import round_results as results
from simulator.engine.debrief import skill_scores
from simulator.storage.models import Attempt, Role, Round, now
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from simulator.storage.workshops import BoardRow
from tests.unit_tests.app_harness import PASSWORD, ROOT, TIMEOUT, app_environment, by_label, ok, page_text, signed_in

ROUNDS = "app_pages/rounds.py"
SCENARIO = "vague_it_colleague"
T0 = datetime(2025, 3, 1, 9, 0)


# ---- the sums ---------------------------------------------------------------------------------
def score(overall: int, **dimensions: int) -> dict:
    return {"overall": overall, "dimensions": {k: {"score": v} for k, v in dimensions.items()}}


def row(n: int, state: str = "joined", lines: int = 0, trust: float | None = None, scores=None, attempt=None):  # noqa: ANN001, ANN201
    return BoardRow(f"Participant {n}", n, attempt, state, lines, trust, scores or {})


ROWS = [
    row(1),
    row(2, "talking", 3, 42.6, attempt=20),
    row(3, "ended", 5, 70.0, score(72, listening=80, limit_setting=60, goals=75), attempt=30),
    row(4, "ended", 4, 55.0, score(50, listening=40), attempt=40),
]


def test_join_link_qr_and_clock():
    assert board.join_link("https://sparring.example/base/rounds", "AB2CD3") == (
        "https://sparring.example/base/join?code=AB2CD3"
    )
    assert board.join_link("http://localhost:8501/rounds", "X") == "http://localhost:8501/join?code=X"
    assert board.join_link(None, "X") == "/join?code=X"
    assert board.qr_png("http://localhost:8501/join?code=X").startswith(b"\x89PNG")
    assert board.clock(None) == "–"
    assert board.clock(timedelta(minutes=12, seconds=5)) == "12:05"
    assert board.clock(timedelta(0)) == "0:00"


def test_counts_table_and_score_distribution():
    assert results.counts(ROWS) == {"joined": 4, "talking": 1, "ended": 2}
    assert results.counts([]) == {"joined": 0, "talking": 0, "ended": 0}
    table = results.table_rows(ROWS)
    assert [(r["State"], r["Lines"], r["Trust"], r["Score"]) for r in table] == [
        ("joined", 0, None, None),
        ("talking", 3, 43, None),
        ("ended", 5, 70, 72),
        ("ended", 4, 55, 50),
    ]
    points = results.score_rows(ROWS)
    assert [(p["Participant"], p["Skill"], p["Score"]) for p in points] == [
        ("Participant 3", "Overall", 72),
        ("Participant 3", "Listening", 80),
        ("Participant 3", "Limit-setting", 60),
        ("Participant 3", "Scenario goals", 75),
        ("Participant 4", "Overall", 50),
        ("Participant 4", "Listening", 40),
    ]
    assert skill_scores({"overall": "n/a", "dimensions": {"listening": None}}) == {}
    assert skill_scores("broken") == {}  # type: ignore[arg-type]


def test_csv_rows_join_the_board_and_the_attempts():
    attempts = {
        30: Attempt(id=30, scenario_id=SCENARIO, difficulty="hard", created_at=T0, ended_at=T0 + timedelta(minutes=7)),
        20: Attempt(id=20, scenario_id="gone", difficulty="easy", created_at=T0, ended_at=None),
    }
    rows = results.csv_rows(ROWS[:3], attempts, {SCENARIO: "The vague request"})
    assert list(rows[0]) == list(results.CSV_COLUMNS)
    assert rows[0]["participant"] == "Participant 1" and rows[0]["scenario"] == "" and rows[0]["turns"] == 0
    assert (rows[1]["scenario"], rows[1]["difficulty"], rows[1]["duration_min"], rows[1]["ended"]) == (
        "gone",
        "easy",
        "",
        "",
    )
    third = rows[2]
    assert (third["scenario"], third["overall"], third["goals"], third["turns"], third["duration_min"]) == (
        "The vague request",
        72,
        75,
        5,
        7.0,
    )
    assert third["started"] == "2025-03-01T09:00:00+00:00"


# ---- the page ---------------------------------------------------------------------------------
@pytest.fixture
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


def metric(at: AppTest, name: str) -> str:
    return by_label(at.metric, name).value


def test_a_trainer_creates_starts_and_watches_a_round(app_env):
    store = Store(Settings.from_env().db_url)
    tara = store.accounts.create_user("tara", PASSWORD, Role.trainer)
    ana = store.accounts.create_user("ana", PASSWORD)
    at = signed_in("tara", ROUNDS)
    assert "No round yet" in page_text(at)

    by_label(at.text_input, "Round name").set_value("Team leads")
    by_label(at.multiselect, "Scenarios").set_value([SCENARIO])
    by_label(at.toggle, "Show names on the board").set_value(True)
    ok(by_label(at.button, "Create round").click().run())
    (round_,) = store.workshops.rounds(Viewer.of(tara))
    assert (round_.name, round_.scenario_ids, round_.difficulty, round_.minutes) == (
        "Team leads",
        [SCENARIO],
        "standard",
        15,
    )
    assert round_.anonymous is False and round_.guests is False and round_.status == "draft"
    assert by_label(at.selectbox, "Round").value == round_.id
    assert round_.join_code in page_text(at) and f"/join?code={round_.join_code}" in page_text(at)
    assert [i.captions for i in at.get("image")] == [["Scan to join"]]  # the QR code

    ok(by_label(at.button, "Start").click().run())
    assert store.workshops.rounds(Viewer.of(tara))[0].status == "running" and "The round started" in page_text(at)
    assert metric(at, "Joined") == "0" and "Nobody has joined yet" in page_text(at)

    store.workshops.join(round_.join_code, ana)
    attempt = store.create_attempt(ana, SCENARIO, "standard", "fake", round_id=round_.id)
    store.add_turn(attempt.id, "persona", "Hi.", state={"trust": 40, "frustration": 20})
    store.add_turn(attempt.id, "coachee", "Hello, what do you need?")
    ok(at.run())
    table = at.dataframe[0].value
    assert table["Participant"].tolist() == ["ana"] and table["State"].tolist() == ["talking"]
    assert table["Lines"].tolist() == [1] and table["Trust"].tolist() == [40]
    assert metric(at, "Talking") == "1" and metric(at, "Ended") == "0"

    store.end_attempt(attempt.id)
    store.save_report(attempt.id, {"version": 1, "score": score(66, listening=70)})
    ok(at.run())
    assert at.dataframe[0].value["Score"].tolist() == [66] and metric(at, "Ended") == "1"
    assert [b.label for b in at.get("download_button")] == ["Download the round (CSV)"]

    ok(by_label(at.button, "Pause").click().run())
    assert store.workshops.rounds(Viewer.of(tara))[0].status == "paused"
    ok(by_label(at.button, "Carry on").click().run())
    ok(by_label(at.button, "Extend +5 min").click().run())
    assert "5 more minutes" in page_text(at)
    ok(by_label(at.button, "End").click().run())
    assert store.workshops.rounds(Viewer.of(tara))[0].status == "ended"

    ok(by_label(at.button, "Delete for good").click().run())
    assert store.workshops.rounds(Viewer.of(tara)) == [] and "deleted" in page_text(at)


def test_a_trainer_runs_an_ended_round_again(app_env):
    store = Store(Settings.from_env().db_url)
    viewer = Viewer.of(store.accounts.create_user("tara", PASSWORD, Role.trainer))
    first = store.workshops.create_round(
        viewer, "Team leads", [SCENARIO, "career_unsure"], "hard", 20, guests=True, anonymous=False
    )
    store.workshops.start(viewer, first.id)
    store.workshops.end(viewer, first.id)
    at = signed_in("tara", ROUNDS)
    ok(by_label(at.button, "Run it again").click().run())
    again = store.workshops.rounds(viewer)[0]
    assert again.id != first.id and (again.follows_id, again.status) == (first.id, "draft")
    assert (again.name, again.scenario_ids, again.difficulty, again.minutes, again.guests, again.anonymous) == (
        "Team leads",
        [SCENARIO, "career_unsure"],
        "hard",
        20,
        True,
        False,
    )
    assert by_label(at.selectbox, "Round").value == again.id  # picked at once
    assert "set up again" in page_text(at) and again.join_code in page_text(at)
    ok(by_label(at.button, "Start").click().run())
    assert store.workshops.get(again.id).status == "running"


def test_a_round_whose_time_is_up_shows_as_ended(app_env):
    store = Store(Settings.from_env().db_url)
    viewer = Viewer.of(store.accounts.create_user("tara", PASSWORD, Role.trainer))
    round_ = store.workshops.create_round(viewer, "Timed", [SCENARIO], "standard", 5)
    store.workshops.start(viewer, round_.id)
    at = signed_in("tara", ROUNDS)
    assert by_label(at.button, "Pause") and metric(at, "Time left").startswith("4:")
    with store.db.session() as s:
        s.get(Round, round_.id).ends_at = now() - timedelta(seconds=1)
    ok(at.run())
    with store.db.session() as s:
        assert s.get(Round, round_.id).status == "ended"  # the page's read ended it
    assert "Ended" in page_text(at) and metric(at, "Time left") == "0:00"
    assert not [b for b in at.button if b.label in ("Pause", "End", "Extend +5 min")]


def test_a_round_needs_a_scenario(app_env):
    store = Store(Settings.from_env().db_url)
    store.accounts.create_user("tara", PASSWORD, Role.trainer)
    at = signed_in("tara", ROUNDS)
    by_label(at.text_input, "Round name").set_value("Empty")
    ok(by_label(at.button, "Create round").click().run())
    assert "Pick at least one scenario" in page_text(at)


def test_a_coach_cannot_use_the_page(app_env):
    store = Store(Settings.from_env().db_url)
    carla = store.accounts.create_user("carla", PASSWORD, Role.coach)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        signed_in("carla", ROUNDS)  # not in a coach's navigation
    page = AppTest.from_file(str(ROOT / ROUNDS), default_timeout=TIMEOUT)  # the page itself, opened directly
    page.session_state[SESSION_KEY] = Session(user_id=carla.id, session_version=carla.session_version)
    ok(page.run())
    assert "no such page" in page_text(page)
    assert not page.title and not [b for b in page.button if b.label == "Create round"]


# ---- the board's speed ------------------------------------------------------------------------
def board_render_times(store: Store, trainer_id: int, runs: int = 5) -> list[float]:
    """Seconds for one board read plus its table and chart rows, for the trainer's first round."""
    viewer = Viewer(trainer_id, Role.trainer)
    round_id = store.workshops.rounds(viewer)[0].id
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = store.workshops.board(viewer, round_id)
        results.counts(rows), results.table_rows(rows), results.score_rows(rows)
        times.append(time.perf_counter() - started)
    return times


def test_the_board_of_thirty_is_quick(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    trainer = store.accounts.create_user("tara", PASSWORD, Role.trainer)
    viewer = Viewer.of(trainer)
    round_ = store.workshops.create_round(viewer, "Big room", [SCENARIO], "standard", 15, guests=True)
    store.workshops.start(viewer, round_.id)
    for n in range(30):
        _, guest = store.workshops.join_as_guest(round_.join_code, f"Guest {n}")
        attempt = store.create_attempt(guest, SCENARIO, "standard", "fake", round_id=round_.id)
        for line in range(6):
            store.add_turn(attempt.id, "persona", "…", state={"trust": 30 + line, "frustration": 10})
            store.add_turn(attempt.id, "coachee", "…")
        if n % 2:
            store.end_attempt(attempt.id)
            store.save_report(attempt.id, {"version": 1, "score": score(50 + n, listening=60, goals=n)})
    times = board_render_times(store, trainer.id)
    lines = results.round_csv(store, viewer, round_.id, {SCENARIO: "The vague request"}).splitlines()
    assert lines[0] == ",".join(results.CSV_COLUMNS) and len(lines) == 31
    assert lines[2].startswith("Participant 2,The vague request,standard,51,60,,1,6,0.0,")
    rows = store.workshops.board(viewer, round_.id)
    assert len(rows) == 30 and results.counts(rows) == {"joined": 30, "talking": 15, "ended": 15}
    print(f"board of 30: median {statistics.median(times) * 1000:.1f} ms over {len(times)} runs")
    assert statistics.median(times) < 2.0  # generous: a refresh every few seconds must fit
