"""Scenarios written in the app: one YAML document holding the scenario and the persona it
meets, checked as the author types, with every problem named by its field, line and reason.

A document is what `scenarios/<id>.yaml` and `personas/<id>.yaml` hold, under two keys:

    scenario: {id: …, title: …, persona: dana_ortiz, …}
    persona:  {id: dana_ortiz, name: Dana, …}     # or leave it out and name a built-in persona

Authored ids must not shadow the built-in library's, so a file and a published scenario can
never be confused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from pydantic import ValidationError

from simulator.core.catalog import Catalog
from simulator.core.schema import Persona, Scenario, Strict

MAX_DOCUMENT_CHARS = 200_000


class ScenarioDocument(Strict):
    """A scenario and, unless it meets a built-in persona, the persona card it needs."""

    scenario: Scenario
    persona: Persona | None = None


@dataclass(frozen=True)
class DraftProblem:
    """One thing wrong with a draft: where (`scenario.notes.2.text`), on which line of the
    YAML if it can be told, and why."""

    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.field}{where}: {self.reason}"


@dataclass(frozen=True)
class Checked:
    """A draft as checked: the document when it is valid, else the problems."""

    document: ScenarioDocument | None
    problems: list[DraftProblem]

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.problems


def check_draft(text: str, builtin: Catalog) -> Checked:
    """Parses and validates a draft against the schema and the built-in library."""
    if len(text) > MAX_DOCUMENT_CHARS:
        return Checked(None, [DraftProblem("(document)", f"too long: at most {MAX_DOCUMENT_CHARS:,} characters")])
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return Checked(None, [DraftProblem("(yaml)", f"invalid YAML: {reason}", mark.line + 1 if mark else None)])
    if not isinstance(data, dict):
        return Checked(None, [DraftProblem("(document)", "expected the keys scenario: and persona:")])
    try:
        document = ScenarioDocument.model_validate(data)
    except ValidationError as exc:
        return Checked(None, [_problem(item, root) for item in exc.errors()])
    problems = [
        DraftProblem(field, reason, _line(root, field.split("."))) for field, reason in _clashes(document, builtin)
    ]
    return Checked(None if problems else document, problems)


def _problem(item: dict, root: yaml.Node | None) -> DraftProblem:
    loc = [str(part) for part in item["loc"]]
    return DraftProblem(".".join(loc) or "(document)", item["msg"], _line(root, loc))


def _clashes(document: ScenarioDocument, builtin: Catalog) -> list[tuple[str, str]]:
    """What the schema alone cannot tell: ids taken by the built-in library, a persona named
    but not given."""
    scenario, persona = document.scenario, document.persona
    found = []
    if builtin.is_builtin(scenario.id):
        found.append(("scenario.id", f"{scenario.id!r} is a built-in scenario's id: choose another"))
    if persona is None:
        if scenario.persona not in builtin.personas:
            known = ", ".join(sorted(builtin.personas))
            found.append(
                ("scenario.persona", f"no persona {scenario.persona!r}: add a persona: section or use one of {known}")
            )
        return found
    if persona.id in builtin.personas:
        found.append(("persona.id", f"{persona.id!r} is a built-in persona's id: choose another"))
    if scenario.persona != persona.id:
        found.append(("scenario.persona", f"must be {persona.id!r}, the id of the persona below"))
    return found


def _line(root: yaml.Node | None, loc: list[str]) -> int | None:
    """The line (1-based) of the deepest node the path reaches in the YAML."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        node = _child(node, part)
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((value for k, value in node.value if getattr(k, "value", None) == key), None)
    if isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
        return node.value[int(key)]
    return None


def to_yaml(document: ScenarioDocument | dict) -> str:
    """The document as YAML, fields in schema order, long text folded for reading."""
    data = document.model_dump(mode="json", exclude_none=True) if isinstance(document, ScenarioDocument) else document
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 80 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def template(builtin: Catalog, scenario_id: str, new_id: str) -> str:
    """A built-in scenario and its persona as a new draft: the same content under new ids
    (the persona becomes `<new_id>_persona`), to edit into the author's own case."""
    scenario = builtin.scenario(scenario_id)
    persona = builtin.persona_for(scenario)
    persona_id = f"{new_id}_persona"
    document = ScenarioDocument(
        scenario=scenario.model_copy(update={"id": new_id, "persona": persona_id, "title": f"{scenario.title} (copy)"}),
        persona=persona.model_copy(update={"id": persona_id}),
    )
    return to_yaml(document)


def slug_for(title: str) -> str:
    """An id from a title: 'The late report!' -> 'the_late_report'."""
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    if not slug:
        return "my_scenario"
    slug = slug if slug[:1].isalpha() else f"s_{slug}"
    return slug[:48].rstrip("_")


def title_of(text: str) -> str | None:
    """The draft's scenario title, or None while the YAML has none to read."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    scenario = data.get("scenario") if isinstance(data, dict) else None
    title = scenario.get("title") if isinstance(scenario, dict) else None
    return title.strip() or None if isinstance(title, str) else None
