"""What the persona has said stays said: offers, agreements and admissions in its state."""

import pytest

from simulator.core.schema import Move, Note
from simulator.engine.asks import read_ask
from simulator.engine.commitments import offered, remember, reminder
from simulator.engine.state import PersonaState

STATE = PersonaState(trust=50, frustration=20, turn=3)
SECRET = Note(id="stuck", topic="why he guessed", text="He never understood the ticket.", reveal="on_trust")
OPEN = Note(id="window", topic="the release window", text="Releases go out on Fridays at noon.")


@pytest.mark.parametrize(
    ("line", "slots"),
    [
        ("How about tomorrow at ten?", ("tomorrow at ten",)),
        ("Tomorrow at ten suits me.", ("tomorrow at ten",)),
        ("Let's do Thursday.", ("thursday",)),
        ("I'm out of the office today.", ()),
        ("I'll have the preview up by noon.", ("by noon",)),
    ],
)
def test_what_a_line_offers(line, slots):
    assert offered(line) == slots


def test_a_reply_records_its_offer_agreement_and_admission():
    ask = read_ask("How about a check-in on Wednesday at nine?")
    state = remember(STATE, "Sure, Wednesday at nine works.", Move.accept, ask, [OPEN, SECRET])
    kinds = {(c.kind, c.what, c.turn) for c in state.commitments}
    assert ("agreed", "wednesday at nine", 3) in kinds
    assert ("admitted", "why he guessed", 3) in kinds
    assert not any(c.what == "the release window" for c in state.commitments)  # shared freely, not admitted
    again = remember(state, "I said I'd come.", Move.engage, read_ask("Anything else?"), [SECRET])
    assert sum(c.kind == "admitted" for c in again.commitments) == 1  # admitted once


def test_a_refusal_or_a_guarded_move_agrees_to_nothing():
    ask = read_ask("How about a check-in on Wednesday at nine?")
    assert remember(STATE, "No, Wednesday doesn't work.", Move.accept, ask, []).commitments == []
    assert not remember(STATE, "Sure, whatever.", Move.deflect, ask, []).commitments


def test_the_reminder_names_the_latest_time():
    state = remember(STATE, "How about tomorrow at ten?", Move.engage, read_ask("When?"), [])
    assert reminder(state, "Stan") == "Stan had offered tomorrow at ten"
    later = remember(state, "Okay, Friday at two then.", Move.agree_next_step, read_ask("Friday at two?"), [])
    assert reminder(later, "Stan").startswith("Stan had")
    assert "friday at two" in reminder(later, "Stan")
    assert reminder(STATE, "Stan") == ""
