"""The report's charts as data: which series, in which colours, from which points.

One definition for the app's Altair charts (app_pages/components/charts.py) and the PDF
(evals/scoring/report_export.py), so the screen and the paper agree on names and colours. Pure
Python: no drawing library, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evals.scoring.report import ProgressPoint, StatePoint

TRUST, FRUSTRATION, OVERALL = "Trust", "Frustration", "Overall"
COLORS = {TRUST: "#2f7d6d", FRUSTRATION: "#c2572b", OVERALL: "#3c5aaa"}
SCALE = (0, 100)  # every series is on the persona state's and the score's 0-100 scale
TICKS = (0, 25, 50, 75, 100)
TURN, REPLY = "Turn", "Reply"  # how state points are numbered along the x axis


def rgb(color: str) -> tuple[int, int, int]:
    """`#2f7d6d` -> (47, 125, 109), for drawing libraries that take channels."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass(frozen=True)
class Series:
    """One line of a chart: its name (the legend), its values in x order and its colour."""

    name: str
    values: tuple[float, ...]

    @property
    def color(self) -> str:
        return COLORS[self.name]

    @property
    def rgb(self) -> tuple[int, int, int]:
        return rgb(self.color)


def state_series(points: Sequence[StatePoint]) -> tuple[Series, Series]:
    """The persona's trust and frustration, one value per reply."""
    return (
        Series(TRUST, tuple(p.trust for p in points)),
        Series(FRUSTRATION, tuple(p.frustration for p in points)),
    )


def state_x(points: Sequence[StatePoint], axis: str = TURN) -> list[int]:
    """Where each point sits on the x axis: its turn in the transcript (`TURN`, as the
    report's evidence numbers it) or its place among the persona's replies (`REPLY`,
    0 = the opening line)."""
    if axis == REPLY:
        return list(range(len(points)))
    return [p.turn for p in points]


def move_words(move: str | None) -> str:
    """`agree_next_step` -> `Agree next step`, for tooltips."""
    return (move or "").replace("_", " ").capitalize()


def state_rows(points: Sequence[StatePoint], axis: str = TURN) -> list[dict[str, object]]:
    """Long-form rows (one per point and series) for a Vega-Lite line chart: the x value
    under `axis`, then "Measure", "Value" and "Move"."""
    xs = state_x(points, axis)
    moves = [move_words(p.move) for p in points]
    return [
        {axis: x, "Measure": series.name, "Value": value, "Move": move}
        for series in state_series(points)
        for x, value, move in zip(xs, series.values, moves, strict=True)
    ]


def progress_series(points: Sequence[ProgressPoint]) -> Series:
    """The overall score of each scored attempt at the scenario, oldest first."""
    return Series(OVERALL, tuple(float(p.overall) for p in points))


def attempt_labels(points: Sequence[ProgressPoint]) -> list[str]:
    return [f"#{p.attempt_id}" for p in points]
