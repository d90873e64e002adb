"""The persona's trust and frustration, and the coachee's progress, as Altair charts.

Series names, colours and data come from evals/scoring/charts.py, which the PDF draws from too.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.components.reader import YOU, Reader
from evals.scoring import charts
from evals.scoring.report import ProgressPoint, StatePoint


def _y(field: str) -> alt.Y:
    return alt.Y(
        field, scale=alt.Scale(domain=list(charts.SCALE)), title=None, axis=alt.Axis(values=list(charts.TICKS))
    )


def state_chart(
    points: Sequence[StatePoint],
    title: str,
    *,
    axis: str = charts.TURN,
    caption: str | None = None,
    x_title: bool = True,
    height: int = 240,
) -> None:
    """Trust and frustration after each persona reply, numbered along `axis` (`charts.TURN`
    or `charts.REPLY`); nothing when there are no points. `x_title=False` leaves the axis
    unnamed, for a caption that says what it counts."""
    if not points:
        return
    names = [charts.TRUST, charts.FRUSTRATION]
    colors = alt.Scale(domain=names, range=[charts.COLORS[name] for name in names])
    chart = (
        alt.Chart(pd.DataFrame(charts.state_rows(points, axis)))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{axis}:O", title=axis if x_title else None, axis=alt.Axis(labelAngle=0)),
            y=_y("Value:Q"),
            color=alt.Color(
                "Measure:N", scale=colors, legend=alt.Legend(orient="top", title=None, padding=0, offset=4)
            ),
            tooltip=[axis, "Measure", "Value", "Move"],
        )
    )
    st.markdown(f"**{title}**")
    st.altair_chart(chart, width="stretch", height=height)
    if caption:
        st.caption(caption)


def progress_chart(points: Sequence[ProgressPoint], *, reader: Reader = YOU, height: int = 220) -> None:
    """The overall score of each scored attempt at the scenario; a note until there are two."""
    if len(points) < 2:
        st.caption(
            f"{reader.possessive} progress chart appears once {reader.has} scored two attempts at this scenario."
        )
        return
    overall = charts.OVERALL
    rows = [
        {"Attempt": name, overall: point.overall, "This one": "yes" if point.current else "no"}
        for name, point in zip(charts.attempt_labels(points), points, strict=True)
    ]
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=60), color=charts.COLORS[overall])
        .encode(
            x=alt.X("Attempt:N", sort=None, axis=alt.Axis(labelAngle=0)),
            y=_y(f"{overall}:Q"),
            tooltip=["Attempt", overall, "This one"],
        )
    )
    st.markdown(f"**{reader.possessive} progress on this scenario**")
    st.altair_chart(chart, width="stretch", height=height)
