"""A workshop round's live board and its take-away: who has joined, who is talking, who has
ended, the persona's trust, the scores as they arrive, and the round as CSV rows.

The sums are pure functions of `BoardRow`s (simulator/storage/workshops.py) and attempts, so
they are tested without Streamlit; `board_table` and `score_chart` draw them.

A board row's scores are the saved report's "score" dict: `{"overall": int, "dimensions":
{name: {"score": int}}}`; a dimension the report did not score is left out (`skill_scores`, in
simulator/engine/debrief.py with the comparison of two rounds).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import altair as alt
import pandas as pd
import segno
import streamlit as st

from evals.scoring import charts
from simulator.engine.debrief import OVERALL, SKILL_TITLES, SKILLS, skill_scores
from simulator.storage.exports import to_csv
from simulator.storage.models import Attempt
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from simulator.storage.workshops import BoardRow

STATES = ("joined", "talking", "ended")
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


# ---- the join link ----------------------------------------------------------------------------
def join_link(page_url: str | None, code: str) -> str:
    """The join page's link next to this page's URL (`https://host/base/rounds` ->
    `https://host/base/join?code=CODE`); a relative link when the URL is unknown."""
    parts = urlsplit(page_url or "")
    base = parts.path.rsplit("/", 1)[0] if parts.path else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/join", f"code={quote(code)}", ""))


def qr_png(link: str, scale: int = 10) -> bytes:
    """The link as a QR code (PNG), big enough to scan from the back of a room."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def clock(left: timedelta | None) -> str:
    """`12:05` (minutes and seconds) of the time left; `–` before the start."""
    if left is None:
        return "–"
    minutes, seconds = divmod(int(left.total_seconds()), 60)
    return f"{minutes}:{seconds:02d}"


# ---- the sums ---------------------------------------------------------------------------------
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


# ---- drawing ----------------------------------------------------------------------------------
def board_table(rows: Sequence[BoardRow]) -> None:
    """Who is where: state, the participant's lines, the persona's trust, the overall score."""
    config = {
        "Lines": st.column_config.NumberColumn("Lines", help="The participant's lines so far"),
        "Trust": st.column_config.ProgressColumn(
            "Trust", min_value=0, max_value=100, format="%d", help="The persona's trust after its latest reply"
        ),
        "Score": st.column_config.NumberColumn("Score", format="%d", help="The overall score, out of 100"),
    }
    frame = pd.DataFrame(table_rows(rows))
    for column in ("Trust", "Score"):  # numbers, so a missing one shows as a blank, not "None"
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    st.dataframe(frame, hide_index=True, column_config=config, width="stretch")


def score_chart(points: Sequence[Mapping[str, Any]], *, height: int = 260) -> None:
    """The scores so far per skill, as boxes with each participant's point; a note before any."""
    if not points:
        st.caption("No score yet: the distribution appears as participants end and their reports arrive.")
        return
    order = [SKILL_TITLES[skill] for skill in SKILLS]
    y = alt.Y("Skill:N", sort=order, title=None)
    x = alt.X("Score:Q", scale=alt.Scale(domain=list(charts.SCALE)), axis=alt.Axis(values=list(charts.TICKS)))
    base = alt.Chart(pd.DataFrame(points))
    boxes = base.mark_boxplot(extent="min-max", opacity=0.4).encode(x=x, y=y)
    dots = base.mark_circle(size=70).encode(x=x, y=y, tooltip=["Participant", "Skill", "Score"])
    st.altair_chart(boxes + dots, width="stretch", height=height)
