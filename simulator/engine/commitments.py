"""What the persona has said stays said: times it offered, proposals it agreed to, what it
admitted. Recorded in the state with each reply, read back into later cues, so a persona
that offered "tomorrow at ten" does not forget it when the coachee proposes Wednesday.
"""

from __future__ import annotations

import re

from simulator.core.schema import Move, Note
from simulator.engine.asks import DAYS, SLOT, Ask, AskKind, read_ask
from simulator.engine.state import Commitment, PersonaState

AGREEING_MOVES = frozenset({Move.accept, Move.agree_next_step})
YES = re.compile(
    r"^\W*(?:yes|yeah|yep|sure|ok(?:ay)?|fine|alright|all right|deal|agreed|that works|works for me|let'?s)\b", re.I
)


def offered(line: str) -> tuple[str, ...]:
    """The day or time a persona line offers: any a proposal names ("How about tomorrow?"),
    else only those with a time ("Tomorrow at ten suits me", not "I'm out today")."""
    ask = read_ask(line)
    if ask.kind == AskKind.proposal:
        return ask.slots
    found = (m.group(0).lower() for m in SLOT.finditer(line))
    return tuple(slot for slot in found if not re.fullmatch(DAYS, slot, re.IGNORECASE))


def remember(state: PersonaState, reply: str, move: Move, ask: Ask, notes: list[Note]) -> PersonaState:
    """`state` with what `reply` (voiced as `move`, answering `ask`, drawing on `notes`)
    commits the persona to. A kept-back note in the reply's prompt counts as admitted: it is
    only there once trust has opened it."""
    made = [Commitment(turn=state.turn, kind="offered", what=slot) for slot in offered(reply)]
    if ask.kind == AskKind.proposal and move in AGREEING_MOVES and YES.search(reply):
        made.append(Commitment(turn=state.turn, kind="agreed", what=" and ".join(ask.slots) or ask.topic))
    known = {c.what for c in state.commitments if c.kind == "admitted"}
    made += [
        Commitment(turn=state.turn, kind="admitted", what=note.topic)
        for note in notes
        if note.reveal == "on_trust" and note.topic not in known
    ]
    return state.model_copy(update={"commitments": state.commitments + made}) if made else state


def reminder(state: PersonaState, persona: str) -> str:
    """For the cue on a proposal: the last time the persona offered or agreed to, if any."""
    times = [c for c in state.commitments if c.kind in ("offered", "agreed") and c.what]
    if not times:
        return ""
    last = times[-1]
    return f"{persona} had {'offered' if last.kind == 'offered' else 'agreed to'} {last.what}"
