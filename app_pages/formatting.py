"""Text for the pages: labels, dates, badges, dialogue escaped for Markdown, difficulty choices."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from simulator.core.schema import Difficulty, Scenario
from simulator.storage.coaching import AssignmentStatus

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]$~#>|])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)


def difficulty_options() -> list[str]:
    return [level.value for level in Difficulty]


def valid_difficulty(scenario: Scenario, value: str | None) -> str:
    options = difficulty_options()
    return value if value in options else scenario.default_difficulty.value


def label(value: str) -> str:
    """`agree_next_step` -> `Agree next step`."""
    return value.replace("_", " ").capitalize()


def short(text: str, limit: int = 70) -> str:
    """One line of at most `limit` characters, cut at the end with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    if moment.tzinfo is None:  # SQLite keeps no time zone; the store writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def badges(items: list[str], color: str = "blue") -> str:
    """Markdown badges; brackets are dropped so a skill cannot break the directive."""
    cleaned = [item.replace("[", "(").replace("]", ")") for item in items]
    return " ".join(f":{color}-badge[{item}]" for item in cleaned)


def plain(text: str) -> str:
    """Dialogue shown as typed: no accidental Markdown, line breaks kept."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _LIST_MARKER.sub(_escape_list_marker, text)
    return text.replace(":", "\\:").replace("\n", "  \n")


def quote(text: str) -> str:
    """Dialogue quoted in running text: escaped like `plain`, on one line."""
    return plain(" ".join(text.split()))


def _escape_list_marker(match: re.Match[str]) -> str:
    lead, marker, space = match.groups()
    if marker in ("-", "+"):
        return f"{lead}\\{marker}{space}"
    return f"{lead}{marker[:-1]}\\{marker[-1]}{space}"  # "1." -> "1\."


def assignment_line(assigned: AssignmentStatus) -> str:
    """One line saying what a coach asked for: group, difficulty, due date, target, note."""
    a = assigned.assignment
    parts = [f"**Assigned by your coach** ({assigned.group_name}) at difficulty {label(a.difficulty)}"]
    if a.due_on:
        parts.append(f"due {a.due_on:%a %d %b %Y}")
    if a.target_score is not None:
        parts.append(f"target score {a.target_score}")
    line = ", ".join(parts) + "."
    return f"{line}\n\n{plain(a.note)}" if a.note else line
