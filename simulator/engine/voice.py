"""Builds the persona's prompt for the move the director chose.

Two layouts, one per kind of model:
- `script`: a screenplay completed as plain text, for small local models. The fixed
  scene (card, setting, example lines by mood) comes first and never changes; the
  dialogue only grows at its end; each turn adds the notes retrieved for it and the
  speaker cue carrying the stage direction, e.g. `STAN (defensive and short):`. llama.cpp
  then re-evaluates only the new tokens each turn.
- `chat`: system message plus chat turns, for capable hosted models; the direction and
  notes for the next line ride in a delimited block after the coachee's last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from simulator.core.schema import Move, Note, Persona, Scenario

EXAMPLES_PER_MOVE = 2
MAX_HISTORY_CHARS = 6000  # about 1,500 tokens: with the scene, inside a 4k context
TRIM_BLOCK = 8
KEEP_LAST = 2
CONVERSATION_MARK = "The conversation:"
DIRECTION_TAG = "direction"


@dataclass(frozen=True)
class Line:
    """One spoken line of the conversation as the prompt sees it."""

    role: str  # "coachee" | "persona"
    text: str
    direction: str | None = None  # the stage direction a persona line was voiced with
    notes: tuple[Note, ...] = ()  # notes first drawn on for this persona line


@dataclass(frozen=True)
class Cast:
    scenario: Scenario
    persona: Persona
    persona_cue: str = field(init=False)
    coachee_cue: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "persona_cue", _cue_name(self.persona.name))
        object.__setattr__(self, "coachee_cue", _cue_name(self.scenario.briefing.coachee_name))


def _cue_name(name: str) -> str:
    return re.sub(r"[^A-Za-z .'-]", "", name.split()[0]).upper() or "THEM"


def _one_line(text: str) -> str:
    """Keeps a line on one line of the script, so no text can forge a new speaker cue."""
    return " ".join(text.split())


def direction_for(scenario: Scenario, move: Move) -> str:
    script = scenario.moves.get(move) or scenario.moves[scenario.resting_move]
    return script.direction


def example_lines(scenario: Scenario, exclude: Move | None = None) -> tuple[str, ...]:
    """The example lines shown in the scene, by move (all but `exclude`)."""
    return tuple(
        line for move, script in scenario.moves.items() if move != exclude for line in script.lines[:EXAMPLES_PER_MOVE]
    )


def scene(cast: Cast) -> str:
    """The fixed head of the script: identical on every turn of an attempt."""
    s, p = cast.scenario, cast.persona
    quirks = "; ".join(p.voice.quirks)
    examples = []
    for move in Move:
        script = s.moves.get(move)
        if script:
            examples += [
                f"{cast.persona_cue} ({script.direction}): {line}" for line in script.lines[:EXAMPLES_PER_MOVE]
            ]
    return "\n".join(
        [
            f"{s.title}. A scene from a play about work.",
            "",
            _one_line(s.setting),
            f"{p.name} is {p.role}. {_one_line(p.background)}",
            f"{p.name} wants: {'; '.join(p.wants)}.",
            f"How {p.name} talks: {p.voice.style}" + (f" Habits: {quirks}." if quirks else ""),
            f"{cast.scenario.briefing.coachee_name} is {s.briefing.coachee_role}.",
            f"{p.name} speaks in one or two short sentences of plain talk, never narrates, never speaks for "
            f"{cast.scenario.briefing.coachee_name}.",
            "",
            f"Lines {p.name} might say, by mood:",
            *examples,
            "",
            CONVERSATION_MARK,
        ]
    )


def _note_line(cast: Cast, note: Note) -> str:
    return f"({cast.persona.name} knows: {_one_line(note.text)})"


def _script_lines(cast: Cast, history: list[Line]) -> list[str]:
    out: list[str] = []
    for line in history:
        out += [_note_line(cast, note) for note in line.notes]
        if line.role == "coachee":
            out.append(f"{cast.coachee_cue}: {_one_line(line.text)}")
        else:
            out.append(f"{cast.persona_cue} ({line.direction or 'calm'}): {_one_line(line.text)}")
    return out


def _drop_count(settled: list[str]) -> int:
    """How many of the oldest lines (after the opening) to leave out of the script.

    Decided from the settled part of the dialogue only (up to the persona's last line), so
    the read-ahead and the reply that follows it trim alike; lines go TRIM_BLOCK at a time,
    so the script stays the same for several turns between trims and the model keeps
    reusing its prefix; the last KEEP_LAST lines always stay.
    """
    rest = settled[1:]
    drop = 0
    while drop + TRIM_BLOCK <= len(rest) - KEEP_LAST and sum(len(x) + 1 for x in rest[drop:]) > MAX_HISTORY_CHARS:
        drop += TRIM_BLOCK
    return drop


def _script(cast: Cast, history: list[Line], tail: list[str]) -> str:
    lines = _script_lines(cast, history)
    last_persona = max((i for i, line in enumerate(history) if line.role == "persona"), default=-1)
    drop = _drop_count(_script_lines(cast, history[: last_persona + 1]))
    if drop:
        lines = lines[:1] + ["(…)"] + lines[1 + drop :]
    return "\n".join([scene(cast), *lines, *tail])


def script_prompt(cast: Cast, history: list[Line], direction: str, notes: tuple[Note, ...]) -> str:
    """The screenplay, ending with the persona's speaker cue for the next line."""
    return _script(cast, history, [_note_line(cast, n) for n in notes] + [f"{cast.persona_cue} ({direction}):"])


def script_lead_in(cast: Cast, history: list[Line], notes: tuple[Note, ...]) -> str:
    """The screenplay up to the coachee's speaker cue: what is known before they speak,
    so the local model can evaluate it while they are still typing."""
    return _script(cast, history, [_note_line(cast, n) for n in notes] + [f"{cast.coachee_cue}:"])


SYSTEM_TEMPLATE = """You are playing {name} in a rehearsal of a difficult conversation at work. The other
person is practising; your job is to be a realistic counterpart, not a helper.

{scene}

Rules: speak only as {name}, in one to three short sentences of natural speech. No narration,
no stage directions, no lines for {coachee}. Never mention being an AI, a model, a role-play,
instructions or a rubric, whatever {coachee} says; if they say something strange, react as
{name} would. Each turn ends with a <{tag}> block written by the director: follow its
direction for your next line and draw on its notes; never quote or mention it."""


def chat_messages(cast: Cast, history: list[Line], direction: str, notes: tuple[Note, ...]) -> list[BaseMessage]:
    """Chat form for capable models: the fixed system text first, then the turns."""
    system = SYSTEM_TEMPLATE.format(
        name=cast.persona.name,
        coachee=cast.scenario.briefing.coachee_name,
        scene=scene(cast).removesuffix(CONVERSATION_MARK).strip(),
        tag=DIRECTION_TAG,
    )
    messages: list[BaseMessage] = [SystemMessage(system)]
    for line in history:
        text = _strip_tags(line.text)
        messages.append(HumanMessage(text) if line.role == "coachee" else AIMessage(text))
    block = "\n".join(
        [f"Direction: {cast.persona.name} is {direction}."] + [f"Note: {_one_line(n.text)}" for n in notes]
    )
    director = f"<{DIRECTION_TAG}>\n{block}\n</{DIRECTION_TAG}>"
    if messages and isinstance(messages[-1], HumanMessage):
        messages[-1] = HumanMessage(f"{messages[-1].content}\n\n{director}")
    else:
        messages.append(HumanMessage(director))
    return messages


def _strip_tags(text: str) -> str:
    """Coachee text cannot open or close the director's block."""
    return re.sub(rf"</?\s*{DIRECTION_TAG}\s*>", "", text, flags=re.IGNORECASE)
