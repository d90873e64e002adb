"""A conversation's turns as chat messages, for any reader, with a coach's details on demand.

Each line gets an invisible `#turn-<index>` anchor, the target of the report's evidence links.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app_pages.components.reader import YOU, Reader
from app_pages.formatting import badges, label, plain, quote
from simulator.core.schema import Note
from simulator.engine.state import PersonaState
from simulator.storage.models import Turn

COACHEE_AVATAR = ":material/face:"
COACHEE_ROLE = "user"  # the chat message's author: Streamlit's "user" style, whoever reads
MOOD_COLORS = {"open": "green", "warming": "blue", "guarded": "gray", "upset": "red"}


def transcript(
    turns: Sequence[Turn], persona_name: str, notes: Sequence[Note], *, reader: Reader = YOU, coach: bool = False
) -> None:
    """Every turn in order. `notes` are the scenario's, for the coach's details."""
    for turn in turns:
        anchor(turn.idx)
        if turn.role == "coachee":
            coachee_line(turn.text, turn.codes, reader=reader, coach=coach, cues=turn.cues)
        else:
            persona_line(turn, persona_name, notes, coach=coach)


def anchor(turn: int) -> None:
    """An invisible target for `#turn-<index>` links, placed just above a transcript line."""
    st.html(f'<div id="turn-{turn}"></div>')


def line_markdown(speaker: str, text: str) -> str:
    """A line as the transcript shows it: the speaker in bold, then the words as typed."""
    return f"**{speaker}**  \n{plain(text)}"


def coachee_line(
    text: str,
    codes: list[str] | None,
    *,
    reader: Reader = YOU,
    coach: bool = False,
    cues: dict[str, str] | None = None,
) -> None:
    """A coachee line; for a coach, its codes and the words each was given for."""
    with st.chat_message(COACHEE_ROLE, avatar=COACHEE_AVATAR):
        st.markdown(line_markdown(reader.name, text))
        if coach and codes:
            st.caption("Coded as " + badges([label(c) for c in codes], "gray"))
            given_for = [f"{label(c)}: “{quote(cues[c])}”" for c in codes if cues and cues.get(c)]
            if given_for:
                st.caption("For the words " + " · ".join(given_for))


def persona_line(turn: Turn, persona_name: str, notes: Sequence[Note], *, coach: bool = False) -> None:
    with st.chat_message(persona_name):
        st.markdown(line_markdown(persona_name, turn.text))
        if coach:
            coach_details(turn, notes)


def coach_details(turn: Turn, notes: Sequence[Note]) -> None:
    """What a coach wants to see under a persona line: move, state, notes used, guard."""
    st.caption(" · ".join(_move_and_state(turn)))
    guard = turn.guard or {}
    if guard.get("reason"):
        st.caption(f"Why this move: {plain(str(guard['reason']))}")
    if said := _commitments(turn):
        st.caption(f":material/handshake: {plain(said)}")
    if guard.get("problems"):
        what = "replaced the model's line with an authored one" if guard.get("fallback") else "asked the model again"
        st.caption(f":material/shield: The guard {what}: {plain('; '.join(map(str, guard['problems'])))}")
    by_id = {note.id: note for note in notes}
    _notes_used([by_id[i] for i in turn.notes or [] if i in by_id])


def _move_and_state(turn: Turn) -> list[str]:
    state = turn.state or {}
    parts = [f":violet-badge[{label(turn.move or 'unknown')}]"]
    if turn.direction:
        parts.append(f"*{plain(turn.direction)}*")
    if state:
        mood = PersonaState.model_validate(state).mood
        parts.append(f"trust **{state.get('trust', 0):.0f}**")
        parts.append(f"frustration **{state.get('frustration', 0):.0f}**")
        parts.append(f":{MOOD_COLORS.get(mood, 'gray')}-badge[{mood}]")
    return parts


def _commitments(turn: Turn) -> str:
    """What this line committed the persona to ("offered tomorrow at ten; admitted why he
    guessed"), which later lines must not contradict."""
    if not turn.state:
        return ""
    state = PersonaState.model_validate(turn.state)
    made = [c for c in state.commitments if c.turn == state.turn]
    verbs = {"offered": "offered", "agreed": "agreed to", "admitted": "admitted"}
    return "; ".join(f"{verbs[c.kind]} {c.what}" for c in made).capitalize()


def _notes_used(notes: list[Note]) -> None:
    if not notes:
        return
    with st.expander(f"Scenario notes drawn on ({len(notes)})", icon=":material/sticky_note_2:"):
        for note in notes:
            hidden = " :orange-badge[revealed when trust is earned]" if note.reveal == "on_trust" else ""
            st.markdown(f"**{note.topic}**{hidden}  \n{note.text}")
            if note.coach_note:
                st.caption(f"Coach note: {note.coach_note}")
