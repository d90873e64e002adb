from pathlib import Path

from typer.testing import CliRunner

from simulator.cli import app
from simulator.core.catalog import load_catalog, validate_paths
from tests.conftest import FIXTURES

SCENARIO_IDS = {
    "vague_it_colleague",
    "tantrum_client",
    "disengaged_skip_level",
    "promotion_disappointment",
    "hypercritical_manager",
    "career_unsure",
    "coaching_jack",
}


def test_shipped_scenarios_all_load_without_problems():
    catalog = load_catalog()
    assert catalog.problems == []
    assert set(catalog.scenarios) == SCENARIO_IDS
    for scenario in catalog.scenarios.values():
        assert catalog.persona_for(scenario).id == scenario.persona


def _broken_tree(tmp_path: Path, scenario_text: str) -> tuple[Path, Path]:
    scenarios, personas = tmp_path / "scenarios", tmp_path / "personas"
    scenarios.mkdir()
    personas.mkdir()
    (personas / "dana.yaml").write_text((FIXTURES / "personas" / "dana.yaml").read_text())
    (scenarios / "catering_dispute.yaml").write_text((FIXTURES / "scenarios" / "catering_dispute.yaml").read_text())
    (scenarios / "broken.yaml").write_text(scenario_text)
    return scenarios, personas


def test_broken_yaml_is_reported_with_line_and_others_still_load(tmp_path):
    scenarios, personas = _broken_tree(tmp_path, "id: broken\ntitle: [unclosed\n")
    catalog = load_catalog(scenarios, personas)
    assert list(catalog.scenarios) == ["catering_dispute"]
    [problem] = catalog.problems
    assert problem.file.name == "broken.yaml"
    assert problem.field == "(yaml)"
    assert "line" in problem.reason


def test_schema_problems_name_the_field(tmp_path):
    text = (FIXTURES / "scenarios" / "catering_dispute.yaml").read_text()
    text = text.replace("id: catering_dispute", "id: broken").replace("limit_setting: 0.5", "limit_setting: 0.9")
    scenarios, personas = _broken_tree(tmp_path, text)
    problems = load_catalog(scenarios, personas).problems
    assert any(p.file.name == "broken.yaml" and "weights must add up to 1" in p.reason for p in problems)


def test_support_reactions_are_optional_and_checked(tmp_path):
    text = (FIXTURES / "scenarios" / "catering_dispute.yaml").read_text().replace("id: catering_dispute", "id: broken")
    support = "support:\n  offer: {trust: 9}\n  ignore: [pressure]\n  concessions: [for free]\n"
    scenarios, personas = _broken_tree(tmp_path, text + support)
    catalog = load_catalog(scenarios, personas)
    assert catalog.problems == []
    assert catalog.scenario("catering_dispute").support.offer is None  # left out: the engine's default
    broken = catalog.scenario("broken").support
    assert (broken.offer.trust, broken.offer.frustration, broken.ignore) == (9, 0, ["pressure"])
    (scenarios / "broken.yaml").write_text(text + "support:\n  ignore: [praise]\n")
    [problem] = load_catalog(scenarios, personas).problems
    assert problem.file.name == "broken.yaml" and problem.field.startswith("support.ignore")


def test_unknown_persona_and_wrong_file_name(tmp_path):
    text = (FIXTURES / "scenarios" / "catering_dispute.yaml").read_text()
    scenarios, personas = _broken_tree(tmp_path, text.replace("persona: dana", "persona: nobody"))
    problems = load_catalog(scenarios, personas).problems
    fields = {p.field for p in problems}
    assert "id" in fields  # broken.yaml holds id catering_dispute


def test_validate_paths_reports_file_field_reason(tmp_path):
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: bad\ntitle: Bad\n")
    problems = validate_paths([bad])
    assert problems and all(p.file == bad for p in problems)
    assert any(p.field == "summary" and "required" in p.reason.lower() for p in problems)


def test_cli_validate_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["validate"])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("id: bad\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: title:" in result.output


def test_cli_lists_scenarios():
    result = CliRunner().invoke(app, ["scenarios"])
    assert result.exit_code == 0
    for scenario_id in SCENARIO_IDS:
        assert scenario_id in result.output
