"""Loads and validates scenario files and persona cards.

A broken file never stops the others from loading: every problem is collected with the
file, the field and the reason, so the app can start and name what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from simulator.core.schema import Persona, Scenario
from simulator.core.settings import Settings

M = TypeVar("M", bound=BaseModel)


def __getattr__(name: str) -> Path:
    """SCENARIOS_DIR and PERSONAS_DIR: the folders the settings name (SPARRING_CONTENT_DIR),
    read when asked for."""
    if name == "SCENARIOS_DIR":
        return Settings.from_env().scenarios_dir
    if name == "PERSONAS_DIR":
        return Settings.from_env().personas_dir
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Problem:
    file: Path
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


DraftLoader = Callable[[str], "tuple[Scenario, Persona] | None"]


@dataclass
class Catalog:
    """The built-in library (the files) and the scenarios published in the app.

    `scenarios` maps each id to the scenario a new attempt gets: the file, or the latest
    published version. Every published version stays reachable (`scenario(id, version)`), so
    an attempt goes on with the version it started with. Version 0 is an author's draft,
    read afresh through `drafts` each time (test chats).
    """

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)  # the built-in cards
    problems: list[Problem] = field(default_factory=list)
    versions: dict[tuple[str, int], tuple[Scenario, Persona]] = field(default_factory=dict)
    drafts: DraftLoader | None = None
    builtin: frozenset[str] = frozenset()  # the ids that come from files

    def scenario(self, scenario_id: str, version: int | None = None) -> Scenario:
        if version == 0 and self.drafts is not None and (draft := self.drafts(scenario_id)):
            return draft[0]
        if version:
            if (scenario_id, version) in self.versions:
                return self.versions[scenario_id, version][0]
            raise KeyError(f"unknown version {version} of scenario {scenario_id!r}")
        try:
            return self.scenarios[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.scenarios)) or "none"
            raise KeyError(f"unknown scenario {scenario_id!r} (known: {known})") from None

    def persona_for(self, scenario: Scenario) -> Persona:
        if scenario.version == 0 and self.drafts is not None and (draft := self.drafts(scenario.id)):
            return draft[1]
        if scenario.version:
            return self.versions[scenario.id, scenario.version][1]
        return self.personas[scenario.persona]

    def publish(self, scenario: Scenario, persona: Persona) -> None:
        """Adds a published version (`scenario.version` set); the newest becomes the one new
        attempts get. Built-in ids are never replaced."""
        if scenario.id in self.builtin or not scenario.version:
            raise ValueError(f"{scenario.id!r} version {scenario.version} cannot be published over the library")
        self.versions[scenario.id, scenario.version] = (scenario, persona)
        current = self.scenarios.get(scenario.id)
        if current is None or (current.version or 0) < scenario.version:
            self.scenarios[scenario.id] = scenario

    def is_builtin(self, scenario_id: str) -> bool:
        return scenario_id in self.builtin


def _read_yaml(path: Path) -> tuple[object | None, Problem | None]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), None
    except OSError as exc:
        return None, Problem(path, "(file)", f"cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return None, Problem(path, "(file)", "not UTF-8 text")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, Problem(path, "(yaml)", f"invalid YAML{where}: {reason}")


def _validation_problems(path: Path, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "(root)"
        problems.append(Problem(path, loc, item["msg"]))
    return problems


def _load_one(path: Path, model: type[M]) -> tuple[M | None, list[Problem]]:
    data, problem = _read_yaml(path)
    if problem:
        return None, [problem]
    if not isinstance(data, dict):
        return None, [Problem(path, "(root)", "expected a mapping of fields")]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        return None, _validation_problems(path, exc)
    if item.id != path.stem:
        return None, [Problem(path, "id", f"id {item.id!r} must match the file name {path.stem!r}")]
    return item, []


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.is_file())


def load_catalog(
    scenarios_dir: Path | None = None, personas_dir: Path | None = None, *, settings: Settings | None = None
) -> Catalog:
    """Loads every persona and scenario it can; problems are collected, not raised.

    The folders default to the settings' (SPARRING_CONTENT_DIR's scenarios/ and personas/)."""
    if scenarios_dir is None or personas_dir is None:
        settings = settings or Settings.from_env()
        scenarios_dir = scenarios_dir or settings.scenarios_dir
        personas_dir = personas_dir or settings.personas_dir
    catalog = Catalog()
    for path in _yaml_files(personas_dir):
        persona, problems = _load_one(path, Persona)
        catalog.problems += problems
        if persona:
            catalog.personas[persona.id] = persona
    for path in _yaml_files(scenarios_dir):
        scenario, problems = _load_one(path, Scenario)
        catalog.problems += problems
        if scenario and scenario.version is not None:
            catalog.problems.append(Problem(path, "version", "is set by the app for published scenarios: leave it out"))
        elif scenario and scenario.persona not in catalog.personas:
            catalog.problems.append(
                Problem(path, "persona", f"no valid persona card {scenario.persona!r} in {personas_dir}")
            )
        elif scenario:
            catalog.scenarios[scenario.id] = scenario
    catalog.builtin = frozenset(catalog.scenarios)
    return catalog


def validate_paths(paths: Iterable[Path]) -> list[Problem]:
    """Validates the given files or folders; the kind is told by the parent folder's name."""
    problems: list[Problem] = []
    for path in paths:
        files = _yaml_files(path) if path.is_dir() else [path]
        if path.is_dir() and not files:
            problems.append(Problem(path, "(folder)", "no .yaml files here"))
        for file in files:
            if not file.exists():
                problems.append(Problem(file, "(file)", "no such file"))
                continue
            problems += _validate_file(file)
    return problems


def _validate_file(file: Path) -> list[Problem]:
    if file.parent.name == "personas":
        return _load_one(file, Persona)[1]
    scenario, problems = _load_one(file, Scenario)
    persona_file = file.parent.parent / "personas" / f"{scenario.persona}.yaml" if scenario else None
    if persona_file and not persona_file.exists():
        problems.append(Problem(file, "persona", f"no persona card {persona_file}"))
    return problems
