"""The feedback report of one attempt: scores in plain words, moments, state and progress.

Built when an attempt ends and saved with it (`Attempt.report`), so it reads the same
later even if the coder improves; the app shows it, and it exports as Markdown and PDF
(evals/scoring/report_export.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from evals.scoring.dimensions import Evidence, Score
from evals.scoring.feedback import Moment, build_moments

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from simulator.core.schema import Persona, Scenario

REPORT_VERSION = 1
DIMENSION_TITLES = {"listening": "Listening", "limit_setting": "Limit-setting", "goals": "Scenario goals"}
LEVELS = ((80, "strong"), (65, "solid"), (50, "mixed"), (35, "needs work"), (0, "weak"))
MAX_EVIDENCE = 10  # per dimension, the items that moved it most
NOTHING_LOST = "No line of yours lost ground: each one did something the rubric rewards."


class StatePoint(BaseModel):
    turn: int
    trust: float
    frustration: float
    move: str | None = None


class ProgressPoint(BaseModel):
    attempt_id: int
    when: datetime | None = None
    overall: int
    dimensions: dict[str, int] = Field(default_factory=dict)
    current: bool = False


class Report(BaseModel):
    version: int = REPORT_VERSION
    attempt_id: int | None = None
    scenario_title: str = ""
    persona_name: str = "the persona"
    coachee_name: str = "You"
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    headline: str
    score: Score
    best: Moment | None = None
    weakest: list[Moment] = Field(default_factory=list)
    states: list[StatePoint] = Field(default_factory=list)
    progress: list[ProgressPoint] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def is_current(saved: dict | None) -> bool:
    """Whether a saved report (`Attempt.report`) is of this version: older ones are not
    shown, badged or charted, since their fields may differ."""
    return bool(saved) and saved.get("version") == REPORT_VERSION and "score" in saved


def top_evidence(items: Sequence[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """The items that moved a score most, in transcript order."""
    ranked = sorted(items, key=lambda e: -abs(e.points))[:limit]
    return sorted(ranked, key=lambda e: e.turn)


def evidence_why(e: Evidence) -> str:
    """Why an evidence item counts, what gave its code, and whether the coder was unsure."""
    said = e.why
    if e.because:
        said += f"; coded from {e.because}"
    if e.unsure:
        said += "; the coder was unsure here, so read the line yourself"
    return said


def unsure_lines(score: Score) -> list[str]:
    """One sentence per coachee turn whose coding was a near call, for a coach to check."""
    said = []
    for line in score.lines:
        if line.role != "coachee" or not line.unsure:
            continue
        given = [label(c) for c in line.unsure if c in line.codes]
        nearly = [label(c) for c in line.unsure if c not in line.codes]
        parts = ([f"coded {', '.join(given)} by a narrow margin"] if given else []) + (
            [f"nearly coded {', '.join(nearly)}"] if nearly else []
        )
        said.append(f"Turn {line.turn}: " + "; ".join(parts) + ".")
    return said


def label(code: str) -> str:
    return code.replace("_", " ")


def turn_link(turn: int) -> str:
    """A Markdown link to the turn's anchor in the transcript (`#turn-<index>`)."""
    return f"[turn {turn}](#turn-{turn})"


def nothing_lost(report: Report) -> bool:
    """True when there is a best moment and no weak one: say so rather than leave a gap."""
    return report.best is not None and not report.weakest


def level(score: int) -> str:
    return next(word for floor, word in LEVELS if score >= floor)


def headline(score: Score, persona_name: str) -> str:
    """One or two plain sentences: how it went overall and what mattered most."""
    overall = f"Overall {score.overall}/100: {level(score.overall)}."
    dims = score.dimensions
    if not dims:
        return overall
    strongest = max(dims, key=lambda d: dims[d].score)
    weakest = min(dims, key=lambda d: dims[d].score)
    said = f" Your strongest area was {DIMENSION_TITLES[strongest].lower()} ({dims[strongest].score})"
    if weakest != strongest:
        said += f"; work next on {DIMENSION_TITLES[weakest].lower()} ({dims[weakest].score})"
    said += "."
    if score.limit.needed and score.limit.stated and score.limit.held is False:
        said += f" You set the limit but gave in when {persona_name} pushed."
    elif score.limit.needed and not score.limit.stated:
        said += " The limit this scenario needed was never stated."
    return overall + said


def build_report(
    score: Score,
    scenario: Scenario | None,
    persona: Persona | None = None,
    *,
    attempt_id: int | None = None,
    states: Sequence[StatePoint] = (),
    progress: Sequence[ProgressPoint] = (),
    model: BaseChatModel | None = None,
) -> Report:
    persona_name = persona.name if persona else "the persona"
    best, weakest, notes = build_moments(score, scenario, model)
    return Report(
        attempt_id=attempt_id,
        scenario_title=scenario.title if scenario else (score.scenario or "Conversation"),
        persona_name=persona_name,
        coachee_name=scenario.briefing.coachee_name if scenario else "You",
        headline=headline(score, persona_name),
        score=score,
        best=best,
        weakest=weakest,
        states=list(states),
        progress=list(progress),
        notes=list(score.notes) + notes,
    )
