"""A workshop round's join link and QR code, and the live board drawn: the table of who is
where and the distribution of the scores so far. The sums they draw are pure functions in
simulator/engine/round_results.py, shared with the round-load benchmark."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import altair as alt
import pandas as pd
import segno
import streamlit as st

from evals.scoring import charts
from simulator.engine.debrief import SKILL_TITLES, SKILLS
from simulator.engine.round_results import table_rows
from simulator.storage.workshops import BoardRow


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
