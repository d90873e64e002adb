"""A coach's dashboard: what a group's attempts add up to, per coachee and per skill, and its chart.

The sums are pure functions of store records (attempts, assignments, users), so they are tested
without Streamlit; `progress_chart` draws the group's scores over time with Altair.

Scores come from the report saved on an ended attempt (`report["score"]["overall"]` and
`report["score"]["dimensions"][name]["score"]`), as the sessions CSV reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from evals.scoring import charts
from evals.scoring.report import DIMENSION_TITLES
from simulator.storage.coaching import last_practice, status_of
from simulator.storage.exports import DIMENSIONS, SESSION_COLUMNS, Exports, to_csv
from simulator.storage.models import Assignment, Attempt, User
from simulator.storage.policy import Viewer

OVERALL = "overall"
SKILLS = (OVERALL, *DIMENSIONS)  # overall, listening, limit_setting, goals
SKILL_TITLES = {OVERALL: "Overall", **DIMENSION_TITLES}
STATUSES = ("done", "in progress", "not started", "overdue")  # status_of's words, in the order shown
MEASURES = ("first", "best", "latest")
MEASURE_HELP = {
    "first": "The score of the coachee's first scored attempt",
    "best": "The coachee's best score",
    "latest": "The score of the coachee's latest scored attempt",
}


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def oldest_first(attempts: Iterable[Attempt]) -> list[Attempt]:
    """By the time they were started, then by id (two started in the same instant)."""
    return sorted(attempts, key=lambda a: (_utc(a.created_at), a.id or 0))


def practised_at(attempt: Attempt) -> datetime:
    """When the attempt was practised: when it ended, or when it started while it runs."""
    return _utc(attempt.ended_at or attempt.created_at)


def _score(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def scores(attempt: Attempt, coach: Mapping[str, int] | None = None) -> dict[str, int]:
    """The attempt's overall and per-dimension scores; {} until it ended with a report. A
    dimension the report did not score (not applicable) is left out. Where a coach adjusted
    a dimension (`coach`), their score counts, and the overall is weighted again with it."""
    report = attempt.report
    if attempt.status != "ended" or not isinstance(report, dict) or not isinstance(report.get("score"), dict):
        return {}
    score = report["score"]
    found = {OVERALL: _score(score.get(OVERALL))}
    dimensions = score.get("dimensions")
    for name in DIMENSIONS:
        item = dimensions.get(name) if isinstance(dimensions, dict) else None
        found[name] = _score(item.get("score")) if isinstance(item, dict) else None
    found = {skill: value for skill, value in found.items() if value is not None}
    if coach:
        found |= {name: value for name, value in coach.items() if name in found}
        found[OVERALL] = _reweighted(found, score.get("weights"), found.get(OVERALL))
    return found


def _reweighted(found: Mapping[str, int], weights: Any, fallback: int | None) -> int | None:
    if not isinstance(weights, dict):
        return fallback
    used = {name: float(weights[name]) for name in DIMENSIONS if name in found and name in weights}
    total = sum(used.values())
    return round(sum(found[name] * w for name, w in used.items()) / total) if total else fallback


@dataclass(frozen=True)
class SkillProgress:
    """One skill across a coachee's scored attempts, oldest first (all None with no score)."""

    first: int | None = None
    best: int | None = None
    latest: int | None = None
    scored: int = 0  # how many attempts scored it


def skill_progress(
    attempts: Iterable[Attempt], coach: Mapping[int, Mapping[str, int]] | None = None
) -> dict[str, SkillProgress]:
    """First, best and latest score per skill (overall first) over the attempts' saved reports,
    with the coach's scores (by attempt id) where they adjusted one."""
    coach = coach or {}
    ordered = [scores(attempt, coach.get(attempt.id)) for attempt in oldest_first(attempts)]
    progress = {}
    for skill in SKILLS:
        values = [found[skill] for found in ordered if skill in found]
        progress[skill] = SkillProgress(values[0], max(values), values[-1], len(values)) if values else SkillProgress()
    return progress


def made_for(assignment: Assignment, attempts: Iterable[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.assignment_id == assignment.id]


def overdue(assignments: Iterable[Assignment], attempts: Sequence[Attempt], today: date) -> int:
    """How many of the assignments are overdue for the coachee whose attempts these are."""
    return sum(status_of(a, made_for(a, attempts), today) == "overdue" for a in assignments)


def completion(
    assignment: Assignment, members: Iterable[User], attempts: Sequence[Attempt], today: date
) -> dict[str, int]:
    """How many of the members stand at each status with the assignment (every status, 0 included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for member in members:
        counts[status_of(assignment, made_for(assignment, of_user(member, attempts)), today)] += 1
    return counts


def of_user(user: User, attempts: Iterable[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.user_id == user.id]


@dataclass(frozen=True)
class CoacheeSummary:
    """One row of the dashboard: a coachee and what their attempts add up to."""

    user: User
    attempts: int
    last_practice: datetime | None
    overdue: int
    skills: dict[str, SkillProgress] = field(default_factory=dict)
    status: str | None = None  # with one assignment: how they stand with it


def summarize(
    members: Iterable[User],
    attempts: Sequence[Attempt],
    assignments: Sequence[Assignment],
    today: date,
    assignment: Assignment | None = None,
    coach: Mapping[int, Mapping[str, int]] | None = None,
) -> list[CoacheeSummary]:
    """One summary per member, in the members' order; `assignment` adds each one's status with it."""
    out = []
    for member in members:
        mine = of_user(member, attempts)
        practised = last_practice(mine)
        out.append(
            CoacheeSummary(
                user=member,
                attempts=len(mine),
                last_practice=_utc(practised) if practised else None,
                overdue=overdue(assignments, mine, today),
                skills=skill_progress(mine, coach),
                status=status_of(assignment, made_for(assignment, mine), today) if assignment else None,
            )
        )
    return out


def column(skill: str, measure: str) -> str:
    """`limit_setting`, `best` -> `Limit-setting best`."""
    return f"{SKILL_TITLES[skill]} {measure}"


def table_rows(summaries: Iterable[CoacheeSummary], target: int | None = None) -> list[dict[str, Any]]:
    """The dashboard table: one row per coachee; with an assignment, its status (and whether
    the best overall score reached its target, when it has one)."""
    rows = []
    for summary in summaries:
        row: dict[str, Any] = {"Coachee": summary.user.name}
        if summary.status is not None:
            row["Status"] = summary.status
        row |= {"Attempts": summary.attempts, "Last practice": summary.last_practice, "Overdue": summary.overdue}
        if target is not None:
            best = summary.skills[OVERALL].best if summary.skills else None
            row["Target reached"] = "–" if best is None else "yes" if best >= target else "not yet"
        for skill in SKILLS:
            progress = summary.skills.get(skill, SkillProgress())
            row |= {column(skill, measure): getattr(progress, measure) for measure in MEASURES}
        rows.append(row)
    return rows


def chart_rows(
    attempts: Iterable[Attempt],
    names: Mapping[int, str],
    titles: Mapping[str, str],
    skill: str = OVERALL,
    coach: Mapping[int, Mapping[str, int]] | None = None,
) -> list[dict[str, Any]]:
    """One point per scored attempt of the named users, oldest first: who, when, the skill's
    score (the coach's, where they adjusted it)."""
    rows, coach = [], coach or {}
    for attempt in oldest_first(attempts):
        value = scores(attempt, coach.get(attempt.id)).get(skill)
        if value is None or attempt.user_id not in names:
            continue
        rows.append(
            {
                "Coachee": names[attempt.user_id],
                "When": practised_at(attempt),
                "Score": value,
                "Scenario": titles.get(attempt.scenario_id, attempt.scenario_id),
                "Attempt": f"#{attempt.id}",
            }
        )
    return rows


def sessions_csv(exports: Exports, viewer: Viewer, group_id: int, assignment_id: int | None = None) -> str:
    """The group's sessions as CSV (one row per attempt), narrowed to one assignment when given."""
    rows = exports.sessions(viewer, group_id=group_id, assignment_id=assignment_id)
    return to_csv(rows, SESSION_COLUMNS)


def deferred_csv(exports: Exports, viewer: Viewer, group_id: int, assignment_id: int | None) -> Callable[[], str]:
    """The CSV made only when the coach clicks the download: making it logs an export of each attempt."""
    return lambda: sessions_csv(exports, viewer, group_id, assignment_id)


# ---- drawing --------------------------------------------------------------------------------
def progress_chart(rows: Sequence[Mapping[str, Any]], skill: str, *, height: int = 280) -> None:
    """The skill's score of each scored attempt over time, one line per coachee; a note with no score yet."""
    if not rows:
        st.caption(f"No {SKILL_TITLES[skill].lower()} score yet: the chart appears once a coachee's attempt is scored.")
        return
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=alt.X("When:T", title=None),
            y=alt.Y(
                "Score:Q",
                scale=alt.Scale(domain=list(charts.SCALE)),
                title=SKILL_TITLES[skill],
                axis=alt.Axis(values=list(charts.TICKS)),
            ),
            color=alt.Color("Coachee:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=["Coachee", "Scenario", "Attempt", alt.Tooltip("When:T", format="%d %b %Y, %H:%M"), "Score"],
        )
    )
    st.altair_chart(chart, width="stretch", height=height)


def summary_table(rows: Sequence[Mapping[str, Any]]) -> None:
    """The per-coachee table, scores as plain numbers (blank where there is none)."""
    config: dict[str, Any] = {
        "Last practice": st.column_config.DatetimeColumn("Last practice", format="D MMM YYYY, HH:mm"),
        "Overdue": st.column_config.NumberColumn("Overdue", help="Assignments past their due date and not done"),
    }
    for skill in SKILLS:
        for measure in MEASURES:
            name = column(skill, measure)
            config[name] = st.column_config.NumberColumn(name, format="%d", help=f"{MEASURE_HELP[measure]}, of 100")
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=config, width="stretch")
