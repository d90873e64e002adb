"""The report's chart data (evals/scoring/charts.py): one definition for the app's charts and the PDF."""

from __future__ import annotations

import pytest

import evals.scoring.report_export as report_export
from evals.scoring import charts
from evals.scoring.report import ProgressPoint, StatePoint
from tests.unit_tests.test_feedback_report import report

POINTS = [
    StatePoint(turn=0, trust=30, frustration=55, move="opening"),
    StatePoint(turn=2, trust=42.5, frustration=40, move="agree_next_step"),
    StatePoint(turn=4, trust=60, frustration=20),
]


def test_colours_are_the_ones_the_app_and_pdf_always_used():
    assert charts.COLORS == {"Trust": "#2f7d6d", "Frustration": "#c2572b", "Overall": "#3c5aaa"}
    assert [charts.rgb(charts.COLORS[name]) for name in ("Trust", "Frustration", "Overall")] == [
        (47, 125, 109),
        (194, 87, 43),
        (60, 90, 170),
    ]


def test_state_series_carry_trust_then_frustration_in_turn_order():
    trust, frustration = charts.state_series(POINTS)
    assert (trust.name, trust.values, trust.rgb) == ("Trust", (30, 42.5, 60), (47, 125, 109))
    assert (frustration.name, frustration.values, frustration.color) == ("Frustration", (55, 40, 20), "#c2572b")


@pytest.mark.parametrize(("axis", "xs"), [(charts.TURN, [0, 2, 4]), (charts.REPLY, [0, 1, 2])])
def test_state_rows_number_points_by_turn_or_by_reply(axis, xs):
    rows = charts.state_rows(POINTS, axis)
    assert len(rows) == 2 * len(POINTS)
    trust = [row for row in rows if row["Measure"] == "Trust"]
    assert [row[axis] for row in trust] == xs
    assert [row["Value"] for row in trust] == [30, 42.5, 60]
    assert [row["Move"] for row in trust] == ["Opening", "Agree next step", ""]
    assert set(rows[0]) == {axis, "Measure", "Value", "Move"}


def test_progress_series_and_labels():
    points = [ProgressPoint(attempt_id=3, overall=40), ProgressPoint(attempt_id=7, overall=65, current=True)]
    series = charts.progress_series(points)
    assert (series.name, series.values, series.rgb) == ("Overall", (40.0, 65.0), (60, 90, 170))
    assert charts.attempt_labels(points) == ["#3", "#7"]


def test_the_pdf_draws_the_shared_series(scenario, monkeypatch):
    drawn = []
    monkeypatch.setattr(
        report_export._Pdf, "chart", lambda self, title, series, labels: drawn.append((list(series), labels))
    )
    built = report(scenario)
    assert report_export.to_pdf(built)[:5] == b"%PDF-"
    (states, state_labels), (progress, progress_labels) = drawn
    assert states == list(charts.state_series(built.states))
    assert state_labels == [str(p.turn) for p in built.states]
    assert progress == [charts.progress_series(built.progress)] and progress_labels == ["#3", "#5"]


@pytest.fixture
def scenario(fixture_catalog):
    return fixture_catalog.scenarios["catering_dispute"]
