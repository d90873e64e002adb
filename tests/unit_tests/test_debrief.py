"""A round's debrief (app_pages/components/debrief.py): the sums on takes built in memory, the
comparison of two rounds (simulator/engine/debrief.py), the Markdown and PDF take-away, and
the debrief on the rounds page (AppTest, sign-in on): the trainer's picks kept with the round,
names only by the lines of those who agreed, a round run again compared with the first."""

from __future__ import annotations

import pytest

from app_pages.components import debrief
from app_pages.components.debrief import Example, Take
from simulator.core.settings import Settings
from simulator.engine.debrief import RoundSide, Spread, code_shares, code_shifts, compare, spreads
from simulator.storage.models import Role, Round, Turn
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from tests.unit_tests.app_harness import PASSWORD, app_environment, by_label, ok, page_text, signed_in
from tests.unit_tests.test_rounds_page import ROUNDS, SCENARIO, score


def persona(idx: int, trust: float | None) -> Turn:
    return Turn(idx=idx, role="persona", text="…", state=None if trust is None else {"trust": trust})


def coachee(idx: int, said: str, *codes: str) -> Turn:
    return Turn(idx=idx, role="coachee", text=said, codes=list(codes))


def report(overall: int, *weakest: tuple[str, str | None], **dimensions: int) -> dict:
    moments = [{"turn": 2 * n + 1, "text": t, "why": "w", "better": b} for n, (t, b) in enumerate(weakest)]
    return {"headline": "h", "score": score(overall, **dimensions), "weakest": moments}


# Two high scorers who ask questions, two low scorers who interrupt; one unscored talker.
TAKES = [
    Take(
        "Participant 1",
        report(80, ("Just do it.", "Could we agree on Friday?"), listening=85),
        [
            persona(0, 40),
            coachee(1, "What do you need?", "open_question"),
            persona(2, 55),
            coachee(3, "Just do it.", "directive"),
            persona(4, 50),
        ],
    ),
    Take(
        "Participant 2",
        report(70, listening=60),
        [persona(0, 40), coachee(1, "Tell me more.", "open_question", "reflection"), persona(2, 45)],
    ),
    Take(
        "Participant 3",
        report(40, ("No.", "I can't take this on, but <b>Tom</b> can."), listening=30),
        [
            persona(0, 40),
            coachee(1, "No.", "interrupt"),
            persona(2, 20),
            coachee(3, "Fine, *whatever*.", "interrupt", "open_question"),
            persona(4, 22),
        ],
    ),
    Take("Participant 4", report(30, ("Hmm", None)), [persona(0, 50), coachee(1, "Hmm", "interrupt"), persona(2, 49)]),
    Take("Participant 5", {}, [persona(0, 10), coachee(1, "Hi!", "open_question"), persona(2, 90)]),
]


def test_halves_split_the_scored_by_overall():
    top, bottom = debrief.halves(TAKES)
    assert [t.participant for t in top] == ["Participant 1", "Participant 2"]
    assert [t.participant for t in bottom] == ["Participant 3", "Participant 4"]
    middle_out = debrief.halves(TAKES[:3])  # odd: the middle one is in neither half
    assert [[t.participant for t in half] for half in middle_out] == [["Participant 1"], ["Participant 3"]]
    assert debrief.halves(TAKES[:1]) == ([], [])
    assert debrief.codes_by_band(TAKES[:1]) == []


def test_codes_by_score_band():
    bands = {b.code: b for b in debrief.codes_by_band(TAKES)}
    # top half: 3 coachee lines (open_question ×2, directive, reflection); bottom: 3 (interrupt ×3, open_question)
    assert bands["open_question"].high == pytest.approx(2 / 3) and bands["open_question"].low == pytest.approx(1 / 3)
    assert bands["interrupt"].high == 0 and bands["interrupt"].low == pytest.approx(1)
    high, low = debrief.split_codes(debrief.codes_by_band(TAKES))
    assert {b.code for b in high} == {"open_question", "directive", "reflection"}  # each +1/3 a line
    assert [b.code for b in low] == ["interrupt"]
    ordered = [b.difference for b in debrief.codes_by_band(TAKES)]
    assert ordered == sorted(ordered, reverse=True)


def test_trust_swings_across_the_room():
    rises, falls = debrief.trust_swings(TAKES)
    assert [(s.participant, s.turn, s.text, s.change) for s in rises] == [
        ("Participant 5", 1, "Hi!", 80),
        ("Participant 1", 1, "What do you need?", 15),
        ("Participant 2", 1, "Tell me more.", 5),
    ]
    assert [(s.participant, s.text, s.change) for s in falls] == [
        ("Participant 3", "No.", -20),
        ("Participant 1", "Just do it.", -5),
        ("Participant 4", "Hmm", -1),
    ]
    # no trust before the line, or no reply after it: left out
    lonely = Take("P", {}, [persona(0, None), coachee(1, "a"), persona(2, 30), coachee(3, "b")])
    assert debrief.swings([lonely]) == []
    dicts = Take("P", {}, [{"idx": 0, "role": "persona", "state": {"trust": "50"}}, {"idx": 1, "role": "coachee"}])
    assert debrief.swings([dicts]) == []


def test_examples_pair_the_line_with_the_better_one():
    found = debrief.examples(TAKES)
    assert found == [
        Example("Participant 1", 1, "Just do it.", "Could we agree on Friday?"),
        Example("Participant 3", 1, "No.", "I can't take this on, but <b>Tom</b> can."),
    ]  # the moment without a better line is left out
    assert debrief.examples([Take("P", {"weakest": "broken"}), Take("Q", {"weakest": [None, {"text": 1}]})]) == []


def test_distribution_per_skill():
    rows = {d["Skill"]: d for d in debrief.distribution(TAKES)}
    assert rows["Overall"] == {"Skill": "Overall", "Scored": 4, "Lowest": 30, "Median": 55.0, "Highest": 80}
    assert rows["Listening"]["Scored"] == 3 and "Scenario goals" not in rows


def test_markdown_has_the_parts_and_escapes_dialogue():
    md = debrief.debrief_markdown("Team <leads> #1", TAKES)
    for part in ("# Debrief: Team \\<leads\\> \\#1", "## Scores per skill", "| Overall | 4 | 30 | 55 | 80 |"):
        assert part in md
    assert "**Went with high scores**" in md and "- Open question: 0.67 vs 0.33" in md
    assert "**Went with low scores**" in md and "- Interrupt: 0.00 vs 1.00" in md
    assert "Participant 5, turn 1: “Hi\\!” (10 → 90, +80)" in md
    assert "Fine" not in md.split("## Where trust moved most")[0]
    assert "Try instead: *“I can't take this on, but \\<b\\>Tom\\</b\\> can.”*" in md
    assert "<b>" not in md and "<leads>" not in md
    one = debrief.debrief_markdown("R", TAKES, picked=debrief.examples(TAKES)[:1])
    assert "Could we agree on Friday?" in one and "Tom" not in one
    empty = debrief.debrief_markdown("R", [])
    assert "Too few scored conversations" in empty and "No example lines picked." in empty


def test_pdf_is_a_pdf():
    pdf = debrief.debrief_pdf("Team leads — Tuesday", TAKES)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert debrief.debrief_pdf("Empty", []).startswith(b"%PDF")
    compared = debrief.debrief_pdf("Team leads — Tuesday", TAKES, comparison=compare(BEFORE, AFTER))
    assert compared.startswith(b"%PDF") and len(compared) > len(pdf)


def test_picks_are_found_again_by_attempt_and_turn():
    takes = [Take(t.participant, t.report, t.turns, attempt_id=10 * n) for n, t in enumerate(TAKES, start=1)]
    found = debrief.examples(takes)
    assert [(e.attempt_id, e.turn) for e in found] == [(10, 1), (30, 1)]
    assert debrief.picked_examples(found, None) == [0, 1]  # before any pick: the first few
    assert debrief.picked_examples(found, [{"attempt_id": 30, "turn_idx": 1}]) == [1]
    assert debrief.picked_examples(found, [{"attempt_id": 10, "turn_idx": 3}, "junk"]) == []
    assert debrief.picked_examples(found, []) == []
    dangling = Take("P", {"weakest": [{"turn": None, "text": "Hm", "better": "Tell me more."}]})
    assert debrief.examples([dangling]) == []  # a line that names no turn cannot be picked again


# ---- two rounds side by side ------------------------------------------------------------------
BEFORE = RoundSide(
    "Team leads · AAA",
    4,
    [score(40, listening=30), score(60, listening=50), score(50)],
    [["interrupt"], ["interrupt", "open_question"], ["directive"], []],
)
AFTER = RoundSide(
    "Team leads · BBB",
    3,
    [score(70, listening=60, goals=80), score(64, listening=70)],
    [["open_question"], ["open_question", "reflection", "reflection"], ["interrupt"]],
)


def test_spreads_and_code_shares():
    assert spreads(BEFORE.scores) == {"overall": Spread(3, 40, 50, 60), "listening": Spread(2, 30, 40, 50)}
    assert spreads([{}, {"overall": "n/a"}]) == {}
    assert code_shares(BEFORE.lines) == {"interrupt": 0.5, "open_question": 0.25, "directive": 0.25}
    assert code_shares(AFTER.lines)["reflection"] == pytest.approx(1 / 3)  # twice in one line counts once
    assert code_shares([]) == {}


def test_two_rounds_side_by_side():
    compared = compare(BEFORE, AFTER)
    assert [(s.skill, s.change) for s in compared.skills] == [("overall", 17), ("listening", 25), ("goals", None)]
    goals = compared.skills[2]
    assert goals.before is None and goals.after == Spread(1, 80, 80, 80)
    # shares before: interrupt 1/2, open question 1/4, directive 1/4; after: open question 2/3, the others 1/3
    assert [(c.code, round(c.change, 3)) for c in compared.codes] == [
        ("open_question", 0.417),
        ("reflection", 0.333),
        ("directive", -0.25),
        ("interrupt", -0.167),
    ]
    assert [c.code for c in compare(BEFORE, AFTER, limit=2).codes] == ["open_question", "reflection"]
    assert code_shifts([["a"], ["b"]], [["b"], ["a"]], 5) == []  # nothing moved
    silent = RoundSide("Nobody spoke", 2)
    assert compare(silent, AFTER).codes == [] and compare(silent, AFTER).skills[0].change is None


def test_the_comparison_in_the_take_away():
    compared = compare(BEFORE, AFTER)
    rows = debrief.comparison_rows(compared)
    assert rows[0] == {"": "Participants", debrief.EARLIER: "4", debrief.LATER: "3", debrief.CHANGE: ""}
    assert rows[1] == {
        "": "Overall",
        debrief.EARLIER: "50 (40–60, 3 scored)",
        debrief.LATER: "67 (64–70, 2 scored)",
        debrief.CHANGE: "+17",
    }
    assert rows[3][debrief.EARLIER] == "–" and rows[3][debrief.CHANGE] == ""  # goals: scored in the later only
    assert debrief.shift_lines(compared)[0] == "Open question: 25% → 67% (+42 points)"
    md = debrief.debrief_markdown("R", TAKES, comparison=compared)
    assert "## Against an earlier round" in md and "Earlier round: Team leads · AAA." in md
    assert "| Overall | 50 (40–60, 3 scored) | 67 (64–70, 2 scored) | +17 |" in md
    assert "- Directive: 25% → 0% (-25 points)" in md
    assert "Against an earlier round" not in debrief.debrief_markdown("R", TAKES)
    takes = [*TAKES, Take("Participant 6", {}, [coachee(1, "Hi", "open_question", "open_question")])]
    side = debrief.round_side("This", 7, takes)
    assert (side.participants, len(side.scores), side.lines[-1]) == (7, 4, ["open_question", "open_question"])


# ---- the page ---------------------------------------------------------------------------------
@pytest.fixture
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


def test_the_debrief_shows_after_the_round(app_env):
    store = Store(Settings.from_env().db_url)
    tara = store.accounts.create_user("tara", PASSWORD, Role.trainer)
    viewer = Viewer.of(tara)
    round_ = store.workshops.create_round(viewer, "Team leads", [SCENARIO], "standard", 15, guests=True)
    store.workshops.start(viewer, round_.id)
    for n, (overall, said, trust) in enumerate([(80, "What matters to you?", 70), (40, "No.", 10)]):
        _, guest = store.workshops.join_as_guest(round_.join_code, f"Guest {n}")
        attempt = store.create_attempt(guest, SCENARIO, "standard", "fake", round_id=round_.id)
        store.add_turn(attempt.id, "persona", "Hi.", state={"trust": 40, "frustration": 20})
        store.add_turn(attempt.id, "coachee", said, codes=["open_question" if overall > 50 else "interrupt"])
        store.add_turn(attempt.id, "persona", "Hm.", state={"trust": trust, "frustration": 20})
        store.end_attempt(attempt.id)
        store.save_report(attempt.id, report(overall, (said, "A better line."), listening=overall))
    at = signed_in("tara", ROUNDS)
    assert "Debrief" in [h.value for h in at.subheader]
    assert not by_label(at.toggle, "Show the debrief").value  # closed while the round runs
    ok(by_label(at.toggle, "Show the debrief").set_value(True).run())
    shown = page_text(at)
    assert "Participant 1" in shown and "What matters to you?" in shown and "A better line." in shown
    assert "Guest 0" not in shown  # the board is anonymous
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the round (CSV)", "Debrief (Markdown)", "Debrief (PDF)"]

    store.workshops.end(viewer, round_.id)
    after = signed_in("tara", ROUNDS)  # a fresh visit after the end: the debrief is open by itself
    assert by_label(after.toggle, "Show the debrief").value and "A better line." in page_text(after)


def play(store: Store, round_: Round, talks: list[tuple[str, int, str, str]]) -> list[int]:
    """Guests join the round and have a scored conversation each: (name, overall, line, code)."""
    ids = []
    for name, overall, said, code in talks:
        _, guest = store.workshops.join_as_guest(round_.join_code, name)
        attempt = store.create_attempt(guest, SCENARIO, "standard", "fake", round_id=round_.id)
        store.add_turn(attempt.id, "persona", "Hi.", state={"trust": 40, "frustration": 20})
        store.add_turn(attempt.id, "coachee", said, codes=[code])
        store.add_turn(attempt.id, "persona", "Hm.", state={"trust": overall, "frustration": 20})
        store.end_attempt(attempt.id)
        store.save_report(attempt.id, report(overall, (said, f"Better than {said}"), listening=overall))
        ids.append(attempt.id)
    return ids


def ended_round(store: Store, viewer: Viewer, talks: list[tuple[str, int, str, str]], **options) -> Round:
    round_ = store.workshops.create_round(viewer, "Team leads", [SCENARIO], "standard", 15, guests=True, **options)
    store.workshops.start(viewer, round_.id)
    play(store, round_, talks)
    store.workshops.end(viewer, round_.id)
    return round_


def test_the_picked_lines_are_kept_with_the_round(app_env):
    store = Store(Settings.from_env().db_url)
    viewer = Viewer.of(store.accounts.create_user("tara", PASSWORD, Role.trainer))
    round_ = ended_round(store, viewer, [("Ann", 80, "What matters?", "open_question"), ("Bo", 40, "No.", "interrupt")])
    at = signed_in("tara", ROUNDS)
    shown = page_text(at)
    assert "Better than What matters?" in shown and "Better than No." in shown  # the first few, unpicked
    assert store.workshops.get(round_.id).debrief_picks is None  # looking saves nothing
    picker = at.multiselect(key=f"rounds_debrief_{round_.id}_examples")
    ok(picker.set_value([1]).run())
    second = store.workshops.board(viewer, round_.id)[1].attempt_id
    assert store.workshops.get(round_.id).debrief_picks == [{"attempt_id": second, "turn_idx": 1}]
    assert "Better than No." in page_text(at) and "Better than What matters?" not in page_text(at)

    elsewhere = signed_in("tara", ROUNDS)  # another device
    assert elsewhere.multiselect(key=f"rounds_debrief_{round_.id}_examples").value == [1]
    assert "Better than No." in page_text(elsewhere) and "Better than What matters?" not in page_text(elsewhere)
    ok(elsewhere.multiselect(key=f"rounds_debrief_{round_.id}_examples").set_value([]).run())
    assert store.workshops.get(round_.id).debrief_picks == []
    assert "Better than No." not in page_text(signed_in("tara", ROUNDS))


def test_lines_go_under_a_name_only_if_the_participant_agreed(app_env):
    store = Store(Settings.from_env().db_url)
    viewer = Viewer.of(store.accounts.create_user("tara", PASSWORD, Role.trainer))
    round_ = store.workshops.create_round(viewer, "Named", [SCENARIO], "standard", 15, guests=True, anonymous=False)
    store.workshops.start(viewer, round_.id)
    play(store, round_, [("Ann", 80, "What matters?", "open_question"), ("Bo", 40, "No.", "interrupt")])
    ann = store.user("Ann")
    store.workshops.set_show_lines(round_.id, ann.id, True)
    store.workshops.end(viewer, round_.id)
    at = signed_in("tara", ROUNDS)
    assert at.dataframe[0].value["Participant"].tolist() == ["Ann", "Bo"]  # the board shows names
    shown = page_text(at)
    assert "Ann said: “What matters?”" in shown and "Participant 2 said: “No.”" in shown
    assert "Bo said" not in shown and "Bo, turn" not in shown  # Bo did not agree


def test_a_round_run_again_is_compared_with_the_first(app_env):
    store = Store(Settings.from_env().db_url)
    viewer = Viewer.of(store.accounts.create_user("tara", PASSWORD, Role.trainer))
    first = ended_round(store, viewer, [("Ann", 40, "No.", "interrupt"), ("Bo", 50, "Do it.", "directive")])
    store.workshops.create_round(viewer, "Unrelated", ["career_unsure"], "standard", 15)  # no scenario in common
    again = store.workshops.run_again(viewer, first.id)
    store.workshops.start(viewer, again.id)
    play(store, again, [("Cy", 70, "What matters?", "open_question"), ("Di", 80, "Tell me more?", "open_question")])
    store.workshops.end(viewer, again.id)

    at = signed_in("tara", ROUNDS)
    assert by_label(at.selectbox, "Round").value == again.id
    compare_with = by_label(at.selectbox, "Compare with an earlier round")
    assert compare_with.value == first.id and len(compare_with.options) == 2  # none, or the first round
    (table,) = [d.value for d in at.dataframe if debrief.CHANGE in d.value.columns]
    assert table.iloc[0].tolist() == ["Participants", "2", "2", ""]
    assert table.iloc[1].tolist() == ["Overall", "45 (40–50, 2 scored)", "75 (70–80, 2 scored)", "+30"]
    assert "Open question: 0% → 100% (+100 points)" in page_text(at)

    ok(compare_with.select_index(0).run())
    assert "Against an earlier round" not in page_text(at)
    assert not [d for d in at.dataframe if debrief.CHANGE in d.value.columns]
