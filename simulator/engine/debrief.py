"""The feedback report of a stored attempt: scored with the product's scorer, saved with it.

    stored turns ─► transcript ─► Scorer (same coder as the persona) ─► Score
                 ─► persona state per reply, earlier attempts' scores ─► Report ─► Attempt.report

Turn numbers in the report are the attempt's turn indices, so every evidence item points
at its line on the page, and replaying from a weak turn keeps exactly the turns before it.

A workshop round's debrief can set the round beside an earlier one (the same round run again,
or another with a scenario in common): `compare` takes what it needs of each round (how many
took part, the saved reports' scores, the codes of every coachee line) and gives the median
and spread per skill, the change in median, and the codes whose share of coachee lines
changed most. Pure functions over data, so they are tested without a database.
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.scoring.report import DIMENSION_TITLES, ProgressPoint, Report, StatePoint, build_report, is_current
from simulator.core.transcript import Transcript
from simulator.core.transcript import Turn as TranscriptTurn
from simulator.engine.services import Services
from simulator.storage.exports import DIMENSIONS
from simulator.storage.models import Attempt, Turn
from simulator.storage.policy import Viewer
from simulator.storage.store import Store

log = logging.getLogger(__name__)

OVERALL = "overall"
SKILLS = (OVERALL, *DIMENSIONS)  # overall, listening, limit_setting, goals
SKILL_TITLES = {OVERALL: "Overall", **DIMENSION_TITLES}
CODES_COMPARED = 5  # codes shown whose share changed most


class NothingToScore(ValueError):
    """An attempt with no line from the coachee yet."""


class ScoringFailed(RuntimeError):
    """Scoring an ended attempt failed; the attempt and its transcript are saved, and it
    can be scored again later."""


def transcript_of(attempt: Attempt, turns: Sequence[Turn]) -> Transcript:
    return Transcript(
        path=f"attempt-{attempt.id}.jsonl",
        scenario=attempt.scenario_id,
        turns=[TranscriptTurn(role=t.role, text=t.text) for t in turns],
        lines=[t.idx for t in turns],
    )


def states_of(turns: Sequence[Turn]) -> list[StatePoint]:
    return [
        StatePoint(turn=t.idx, trust=float(t.state["trust"]), frustration=float(t.state["frustration"]), move=t.move)
        for t in turns
        if t.role == "persona" and t.state and "trust" in t.state and "frustration" in t.state
    ]


def progress_of(
    store: Store, attempt: Attempt, viewer: Viewer, overall: int, dimensions: dict[str, int]
) -> list[ProgressPoint]:
    """This attempt with the same coachee's earlier scored attempts at the scenario, oldest first."""
    points = []
    for earlier in store.attempts(viewer, user_id=attempt.user_id, scenario_id=attempt.scenario_id):
        report = earlier.report
        if earlier.id == attempt.id or not is_current(report):
            continue
        if earlier.created_at and attempt.created_at and earlier.created_at > attempt.created_at:
            continue
        score = report["score"]
        dims = {name: int(d["score"]) for name, d in score.get("dimensions", {}).items()}
        points.append(
            ProgressPoint(
                attempt_id=earlier.id,
                when=earlier.ended_at or earlier.created_at,
                overall=int(score["overall"]),
                dimensions=dims,
            )
        )
    points.sort(key=lambda p: p.attempt_id)
    points.append(
        ProgressPoint(
            attempt_id=attempt.id,
            when=attempt.ended_at or attempt.created_at,
            overall=overall,
            dimensions=dimensions,
            current=True,
        )
    )
    return points


def debrief(services: Services, attempt: Attempt, viewer: Viewer) -> Report:
    """Scores the attempt and builds its report (not saved here)."""
    turns = services.store.turns(attempt.id, viewer)
    if not any(t.role == "coachee" for t in turns):
        raise NothingToScore("There is nothing to score yet: the attempt has no line from you.")
    scenario = services.catalog.scenario(attempt.scenario_id, attempt.scenario_version)
    persona = services.catalog.persona_for(scenario)
    scorer = services.scorer
    score = scorer.score_lines(scorer.code_lines(transcript_of(attempt, turns), scenario), scenario, file=None)
    dims = {name: d.score for name, d in score.dimensions.items()}
    return build_report(
        score,
        scenario,
        persona,
        attempt_id=attempt.id,
        states=states_of(turns),
        progress=progress_of(services.store, attempt, viewer, score.overall, dims),
        model=services.grader,
    )


# ---- a workshop round against an earlier one ------------------------------------------------
def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def skill_scores(score: Mapping[str, Any]) -> dict[str, int]:
    """Overall and per-dimension scores from a saved report's "score" dict (`{"overall": int,
    "dimensions": {name: {"score": int}}}`); what is missing is left out."""
    if not isinstance(score, Mapping):
        return {}
    dimensions = score.get("dimensions")
    dimensions = dimensions if isinstance(dimensions, Mapping) else {}
    found = {OVERALL: _int(score.get(OVERALL))}
    for name in DIMENSIONS:
        item = dimensions.get(name)
        found[name] = _int(item.get("score")) if isinstance(item, Mapping) else None
    return {skill: value for skill, value in found.items() if value is not None}


@dataclass(frozen=True)
class Spread:
    """One skill's scores in a round."""

    scored: int
    lowest: int
    median: float
    highest: int


def spreads(scores: Iterable[Mapping[str, Any]]) -> dict[str, Spread]:
    """Per skill (in `SKILLS` order, those scored at least once): how many were scored, the
    lowest, median and highest score; `scores` are the reports' "score" dicts."""
    found: dict[str, list[int]] = {skill: [] for skill in SKILLS}
    for score in scores:
        for skill, value in skill_scores(score).items():
            found[skill].append(value)
    return {
        skill: Spread(len(values), min(values), statistics.median(values), max(values))
        for skill, values in found.items()
        if values
    }


def code_shares(lines: Iterable[Iterable[str]]) -> dict[str, float]:
    """Each behaviour code's share of coachee lines (a line counts once per code); `lines` are
    the codes of each coachee line."""
    counted: Counter[str] = Counter()
    n = 0
    for codes in lines:
        n += 1
        counted.update(set(codes))
    return {code: k / n for code, k in counted.items()} if n else {}


@dataclass(frozen=True)
class RoundSide:
    """What the comparison needs of one round."""

    name: str  # how the debrief names the round
    participants: int  # who joined, scored or not
    scores: Sequence[Mapping[str, Any]] = ()  # each scored report's "score" dict
    lines: Sequence[Sequence[str]] = ()  # the codes of every coachee line in the round


@dataclass(frozen=True)
class SkillChange:
    skill: str
    before: Spread | None  # the earlier round
    after: Spread | None  # this round

    @property
    def change(self) -> float | None:
        """The change in median; None unless both rounds scored the skill."""
        if self.before is None or self.after is None:
            return None
        return self.after.median - self.before.median


@dataclass(frozen=True)
class CodeShift:
    code: str
    before: float  # share of coachee lines in the earlier round
    after: float  # in this round

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    before: RoundSide  # the earlier round
    after: RoundSide  # this round
    skills: list[SkillChange]
    codes: list[CodeShift]  # the codes whose share changed most, the largest change first


def code_shifts(before: Iterable[Iterable[str]], after: Iterable[Iterable[str]], limit: int) -> list[CodeShift]:
    """The `limit` codes whose share of coachee lines changed most (either way); none when
    either round has no coachee line, since a share of nothing says nothing."""
    old, new = code_shares(before), code_shares(after)
    if not old or not new:
        return []
    shifts = [CodeShift(code, old.get(code, 0.0), new.get(code, 0.0)) for code in old.keys() | new.keys()]
    moved = [shift for shift in shifts if shift.change]
    return sorted(moved, key=lambda shift: (-abs(shift.change), shift.code))[:limit]


def compare(before: RoundSide, after: RoundSide, limit: int = CODES_COMPARED) -> Comparison:
    """This round (`after`) beside an earlier one (`before`): each skill either round scored,
    and the codes whose share of coachee lines changed most."""
    old, new = spreads(before.scores), spreads(after.scores)
    skills = [SkillChange(skill, old.get(skill), new.get(skill)) for skill in SKILLS if skill in old or skill in new]
    return Comparison(before, after, skills, code_shifts(before.lines, after.lines, limit))
