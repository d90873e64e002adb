"""The feedback report of a stored attempt: scored with the product's scorer, saved with it.

    stored turns ─► transcript ─► Scorer (same coder as the persona) ─► Score
                 ─► persona state per reply, earlier attempts' scores ─► Report ─► Attempt.report

Turn numbers in the report are the attempt's turn indices, so every evidence item points
at its line on the page, and replaying from a weak turn keeps exactly the turns before it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from evals.scoring.report import ProgressPoint, Report, StatePoint, build_report, is_current
from simulator.core.transcript import Transcript
from simulator.core.transcript import Turn as TranscriptTurn
from simulator.engine.services import Services
from simulator.storage.models import Attempt, Turn
from simulator.storage.policy import Viewer
from simulator.storage.store import Store

log = logging.getLogger(__name__)


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
    scenario = services.catalog.scenario(attempt.scenario_id)
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
