"""Loading rehearsal transcripts: JSON Lines, one turn per line (docs/rubric.md).

Each non-blank line is an object with `role` ("coachee" or "persona") and `text`; other
keys are kept and ignored, except `scenario` on the first line, which names the scenario.
A turn's index is its 0-based line index in the file (blank lines are skipped but still
counted), which is the `turn` the command line reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

__all__ = ["Transcript", "TranscriptError", "Turn", "coachee_turns_with_context", "load_transcript"]


class TranscriptError(Exception):
    """A file that is not a valid transcript; `line` is 1-based, or None for the whole file."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        super().__init__(path, line, reason)
        self.path = Path(path)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.reason}"


class Turn(BaseModel):
    """One line of a transcript; keys other than role and text are kept as extras."""

    model_config = ConfigDict(extra="allow")

    role: Literal["coachee", "persona"]
    text: StrictStr


class Transcript(BaseModel):
    path: Path
    scenario: str | None = None
    turns: list[Turn]
    lines: list[int] = Field(default_factory=list)  # each turn's 0-based line index in the file

    def turn_indices(self) -> list[int]:
        """Each turn's line index; its position in `turns` when built without line numbers."""
        return self.lines if len(self.lines) == len(self.turns) else list(range(len(self.turns)))


def load_transcript(path: str | Path) -> Transcript:
    """Reads and validates a transcript; raises TranscriptError naming the file and line."""
    path = Path(path)
    turns: list[Turn] = []
    lines: list[int] = []
    scenario: str | None = None
    for index, raw in enumerate(_read_lines(path)):
        if not raw.strip():
            continue
        record = _parse_object(path, index, raw)
        if not turns:
            scenario = _scenario(path, index, record)
        turns.append(_parse_turn(path, index, record))
        lines.append(index)
    if not turns:
        raise TranscriptError(path, None, "empty transcript: no turns")
    if not any(turn.role == "coachee" for turn in turns):
        raise TranscriptError(path, None, "no coachee turns to code")
    return Transcript(path=path, scenario=scenario, turns=turns, lines=lines)


def coachee_turns_with_context(transcript: Transcript) -> list[tuple[int, str, str | None]]:
    """(line index, coachee text, the persona's previous line or None) for each coachee turn."""
    result: list[tuple[int, str, str | None]] = []
    context: str | None = None
    for index, turn in zip(transcript.turn_indices(), transcript.turns, strict=True):
        if turn.role == "persona":
            context = turn.text
        else:
            result.append((index, turn.text, context))
    return result


def _read_lines(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptError(path, None, "file not found") from None
    except IsADirectoryError:
        raise TranscriptError(path, None, "is a directory, not a transcript file") from None
    except OSError as err:
        raise TranscriptError(path, None, f"cannot read file: {err.strerror or err}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = []
    for index, raw in enumerate(data.split(b"\n")):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise TranscriptError(path, index + 1, "not valid UTF-8 text") from None
    return lines


def _parse_object(path: Path, index: int, raw: str) -> dict[str, Any]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        raise TranscriptError(path, index + 1, f"invalid JSON: {err.msg} (column {err.colno})") from None
    if not isinstance(record, dict):
        raise TranscriptError(path, index + 1, f"expected a JSON object, got {type(record).__name__}")
    return record


def _scenario(path: Path, index: int, record: dict[str, Any]) -> str | None:
    scenario = record.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise TranscriptError(path, index + 1, "'scenario' must be a string")
    return scenario


def _parse_turn(path: Path, index: int, record: dict[str, Any]) -> Turn:
    try:
        return Turn.model_validate(record)
    except ValidationError as err:
        raise TranscriptError(path, index + 1, _describe(err)) from None


def _describe(err: ValidationError) -> str:
    problems = []
    for error in err.errors():
        field = ".".join(str(part) for part in error["loc"]) or "line"
        if error["type"] == "missing":
            problems.append(f"missing '{field}'")
        elif field == "role":
            problems.append(f"'role' must be 'coachee' or 'persona', got {error.get('input')!r}")
        else:
            problems.append(f"invalid '{field}': {error['msg']}")
    return "; ".join(problems)
