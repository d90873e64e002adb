"""A workshop round as the pages and the load benchmark see it: a participant's round and
whether its time is up, the live board's sums and the round's CSV.

Pure functions of `BoardRow`s (simulator/storage/workshops.py) and attempts, kept out of the
Streamlit pages so the round-load benchmark runs exactly what the pages run.

A board row's scores are the saved report's "score" dict: `{"overall": int, "dimensions":
{name: {"score": int}}}`; a dimension the report did not score is left out (`skill_scores`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.engine.debrief import OVERALL, SKILL_TITLES, SKILLS, skill_scores
from simulator.engine.rehearsal import Rehearsal
from simulator.storage.exports import to_csv
from simulator.storage.models import Attempt, Round
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from simulator.storage.workshops import BoardRow, time_left

CSV_COLUMNS = (
    "participant",
    "scenario",
    "difficulty",
    *SKILLS,
    "turns",
    "duration_min",
    "started",
    "ended",
)


# ---- a participant's round --------------------------------------------------------------------
def round_of(rehearsal: Rehearsal) -> Round | None:
    """The workshop round of an attempt while it has not ended (None once it ended or went)."""
    round_id = rehearsal.attempt.round_id
    round_ = rehearsal.services.store.workshops.get(round_id) if round_id is not None else None
    return None if round_ is None or round_.status == "ended" else round_


def time_is_up(rehearsal: Rehearsal) -> bool:
    """The round's time box closed (or the round ended or went): the attempt ends and is scored."""
    round_ = round_of(rehearsal)
    return round_ is None or time_left(round_) == timedelta(0)


# ---- the board's sums -------------------------------------------------------------------------
def counts(rows: Iterable[BoardRow]) -> dict[str, int]:
    """How many participants have joined (all of them), are talking, have ended."""
    rows = list(rows)
    return {
        "joined": len(rows),
        "talking": sum(row.state == "talking" for row in rows),
        "ended": sum(row.state == "ended" for row in rows),
    }


def table_rows(rows: Iterable[BoardRow]) -> list[dict[str, Any]]:
    """The board's table: one row per participant, in the order they joined."""
    out = []
    for row in rows:
        overall = skill_scores(row.scores).get(OVERALL)
        trust = None if row.trust is None else round(row.trust)
        out.append(
            {"Participant": row.participant, "State": row.state, "Lines": row.lines, "Trust": trust, "Score": overall}
        )
    return out


def score_rows(rows: Iterable[BoardRow]) -> list[dict[str, Any]]:
    """One point per participant and skill scored so far, for the distribution chart."""
    return [
        {"Skill": SKILL_TITLES[skill], "Score": value, "Participant": row.participant}
        for row in rows
        for skill, value in skill_scores(row.scores).items()
    ]


# ---- the round as CSV -------------------------------------------------------------------------
def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def duration_min(attempt: Attempt) -> float | None:
    """How long an ended attempt took, in minutes (one decimal); None while it runs."""
    started, ended = _utc(attempt.created_at), _utc(attempt.ended_at)
    if started is None or ended is None:
        return None
    return round((ended - started).total_seconds() / 60, 1)


def csv_rows(
    rows: Iterable[BoardRow], attempts: Mapping[int, Attempt], titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The round as CSV rows: participant, scenario, difficulty, scores, turns (the
    participant's lines), duration; blank cells for someone who joined and has not started."""
    out = []
    for row in rows:
        attempt = attempts.get(row.attempt_id) if row.attempt_id is not None else None
        line: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")
        line |= {"participant": row.participant, "turns": row.lines}
        line |= skill_scores(row.scores)
        if attempt is not None:
            line |= {
                "scenario": titles.get(attempt.scenario_id, attempt.scenario_id),
                "difficulty": attempt.difficulty,
                "duration_min": _blank(duration_min(attempt)),
                "started": _iso(attempt.created_at),
                "ended": _iso(attempt.ended_at),
            }
        out.append(line)
    return out


def round_csv(store: Store, viewer: Viewer, round_id: int, titles: Mapping[str, str]) -> str:
    """The round as CSV: one board read, then each participant's latest attempt (each read is logged)."""
    rows = store.workshops.board(viewer, round_id)
    found = {row.attempt_id: store.attempt(row.attempt_id, viewer) for row in rows if row.attempt_id is not None}
    attempts = {attempt_id: attempt for attempt_id, attempt in found.items() if attempt is not None}
    return to_csv(csv_rows(rows, attempts, titles), CSV_COLUMNS)


def _blank(value: float | None) -> float | str:
    return "" if value is None else value


def _iso(moment: datetime | None) -> str:
    found = _utc(moment)
    return found.isoformat(timespec="seconds") if found else ""
