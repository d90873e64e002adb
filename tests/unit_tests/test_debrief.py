"""A round's debrief (app_pages/components/debrief.py): the sums on takes built in memory, the
Markdown and PDF take-away, and the debrief on the rounds page (AppTest, sign-in on)."""

from __future__ import annotations

import pytest

from app_pages.components import debrief
from app_pages.components.debrief import Example, Take
from simulator.core.settings import Settings
from simulator.storage.models import Role, Turn
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from tests.unit_tests.app_harness import PASSWORD, app_environment, by_label, ok, signed_in
from tests.unit_tests.test_rounds_page import ROUNDS, SCENARIO, score, text


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
    shown = text(at)
    assert "Participant 1" in shown and "What matters to you?" in shown and "A better line." in shown
    assert "Guest 0" not in shown  # the board is anonymous
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the round (CSV)", "Debrief (Markdown)", "Debrief (PDF)"]

    store.workshops.end(viewer, round_.id)
    after = signed_in("tara", ROUNDS)  # a fresh visit after the end: the debrief is open by itself
    assert by_label(after.toggle, "Show the debrief").value and "A better line." in text(after)
