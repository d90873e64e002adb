"""An attempt as a transcript: JSON Lines in the rubric's format, and Markdown for people."""

from __future__ import annotations

import json
from collections.abc import Sequence

from simulator.core.schema import Persona, Scenario
from simulator.storage.models import Turn


def transcript_records(scenario_id: str, turns: Sequence[Turn]) -> list[dict]:
    """One record per turn; the first carries `scenario`, persona turns their `state` and `move`."""
    records = []
    for i, turn in enumerate(turns):
        record: dict = {"role": turn.role, "text": turn.text}
        if i == 0:
            record = {"scenario": scenario_id, **record}
        if turn.role == "persona":
            record |= {"state": turn.state, "move": turn.move, "notes": turn.notes or []}
        else:
            record["codes"] = turn.codes or []
        records.append(record)
    return records


def to_jsonl(scenario_id: str, turns: Sequence[Turn]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in transcript_records(scenario_id, turns))


def transcript_markdown(scenario: Scenario, persona: Persona, turns: Sequence[Turn], *, difficulty: str = "") -> str:
    coachee = scenario.briefing.coachee_name
    lines = [
        f"# {scenario.title}",
        "",
        f"*You played {scenario.briefing.coachee_role}; {persona.name} is {persona.role}.*"
        + (f" Difficulty: {difficulty}." if difficulty else ""),
        "",
    ]
    for turn in turns:
        who = coachee if turn.role == "coachee" else persona.name
        lines.append(f"**{who}:** {turn.text}")
        lines.append("")
    return "\n".join(lines)
