"""Scoring a transcript end to end: code every coachee turn, judge the goals, score.

`Scorer` is built once (models load once) and scores any number of transcripts. It is
what `python -m evals score` and the app's feedback report both use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evals.coding.coded_turn import Coder, describe_coder, fallback_notes
from evals.coding.speech import code_spoken, report_line
from evals.scoring.dimensions import GoalResult, LimitCheck, Line, Score, limit_check, score_lines
from simulator.core.catalog import Catalog
from simulator.core.schema import Scenario
from simulator.core.transcript import Transcript, coachee_turns_with_context


class UnknownScenario(LookupError):
    pass


@dataclass
class Scorer:
    coder: Coder
    catalog: Catalog | None = None
    goal_judge: object | None = None  # evals.scoring.llm_judge.GoalJudge when an LLM is configured

    def scenario(self, scenario_id: str | None) -> Scenario | None:
        if scenario_id is None:
            return None
        if self.catalog is None or scenario_id not in self.catalog.scenarios:
            known = ", ".join(sorted(self.catalog.scenarios)) if self.catalog else "none loaded"
            raise UnknownScenario(f"unknown scenario {scenario_id!r} (known: {known})")
        return self.catalog.scenarios[scenario_id]

    def code_lines(self, transcript: Transcript, scenario: Scenario | None = None) -> list[Line]:
        """Each line of the transcript; coachee lines coded with the persona's previous line,
        only what was spoken (evals.coding.speech), not text pasted into the turn."""
        items = [(text, ctx) for _, text, ctx in coachee_turns_with_context(transcript)]
        own_names = [scenario.briefing.coachee_name] if scenario is not None else []
        coded = iter(code_spoken(self.coder, items, own_names))
        return [
            Line(index, turn.role, turn.text, next(coded) if turn.role == "coachee" else None)
            for index, turn in zip(transcript.turn_indices(), transcript.turns, strict=True)
        ]

    def score(self, transcript: Transcript, scenario_id: str | None = None) -> Score:
        """Scores a transcript; `scenario_id` overrides the one named in its first line."""
        scenario = self.scenario(scenario_id or transcript.scenario)
        return self.score_lines(self.code_lines(transcript, scenario), scenario, file=str(transcript.path))

    def score_lines(self, lines: Sequence[Line], scenario: Scenario | None, *, file: str | None = None) -> Score:
        notes = fallback_notes(line.coded for line in lines if line.coded)
        notes += [said for line in lines if line.coded and (said := report_line(line.turn, line.coded))]
        goal_results: list[GoalResult] | None = None
        if scenario is not None and scenario.goals and self.goal_judge is not None:
            check: LimitCheck = limit_check(lines, scenario.limit.needed, scenario=scenario)
            goal_results, judge_notes = self.goal_judge.judge(scenario, lines, check)  # type: ignore[attr-defined]
            notes += judge_notes
        return score_lines(
            lines, scenario, goal_results=goal_results, file=file, coder=describe_coder(self.coder), notes=notes
        )
