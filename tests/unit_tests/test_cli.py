"""The Typer commands: `python -m simulator` (models, app, validate) and the rehearsal benchmark's options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from simulator.cli import app
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_models_is_a_sub_command_with_its_four_commands(runner: CliRunner) -> None:
    result = runner.invoke(app, ["models", "--help"])
    assert result.exit_code == 0
    for command in ("install", "build", "info", "serve"):
        assert command in result.stdout
    serve = runner.invoke(app, ["models", "serve", "--help"]).stdout
    assert "--host" in serve and "--port" in serve and "--slots" in serve
    build = runner.invoke(app, ["models", "build", "--help"]).stdout
    assert "--force" in build and "--tier" in build
    assert "--embeddings-only" in runner.invoke(app, ["models", "install", "--help"]).stdout


def test_models_info_prints_the_report(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.core.models import model_info

    monkeypatch.setattr(model_info, "report", lambda settings: [("Backend", settings.llm), ("Server", "not running")])
    monkeypatch.setenv("SPARRING_LLM", "fake")
    result = runner.invoke(app, ["models", "info"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"{'Backend:':22} fake", f"{'Server:':22} not running"]


def test_models_serve_without_a_build_says_what_is_missing(runner: CliRunner, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SPARRING_MODELS_DIR", raising=False)
    monkeypatch.delenv("SPARRING_EMBEDDED_MODEL", raising=False)
    monkeypatch.setattr(os, "execv", lambda *args: pytest.fail("must not start a server"))
    result = runner.invoke(app, ["models", "serve", "--port", "8099"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_python_dash_m_simulator_models_works() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "models", "install", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--embeddings-only" in proc.stdout


def test_app_runs_streamlit_on_the_entry_point(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(os, "execv", lambda path, args: calls.append((path, args)))
    result = runner.invoke(app, ["app", "--server.port", "8600", "--server.headless", "true"])
    assert result.exit_code == 0, result.output
    [(path, args)] = calls
    assert path == sys.executable
    assert args[:5] == [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py")]
    assert args[-4:] == ["--server.port", "8600", "--server.headless", "true"]


def test_app_without_its_entry_point_fails_clearly(runner: CliRunner, monkeypatch, tmp_path: Path) -> None:
    import simulator.core.settings

    monkeypatch.setattr(simulator.core.settings, "app_script", lambda: tmp_path / "app.py")
    monkeypatch.setattr(os, "execv", lambda *args: pytest.fail("must not start streamlit"))
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 1
    assert "entry point is missing" in result.stderr


def test_validate_and_scenarios_follow_the_content_dir(runner: CliRunner, monkeypatch, tmp_path: Path) -> None:
    for kind in ("scenarios", "personas"):
        (tmp_path / kind).mkdir()
    (tmp_path / "personas" / "dana.yaml").write_text((FIXTURES / "personas" / "dana.yaml").read_text())
    scenario = (FIXTURES / "scenarios" / "catering_dispute.yaml").read_text()
    (tmp_path / "scenarios" / "catering_dispute.yaml").write_text(scenario)
    monkeypatch.setenv("SPARRING_CONTENT_DIR", str(tmp_path))
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    assert result.stdout.startswith("catering_dispute ") and "vague_it_colleague" not in result.stdout
    assert runner.invoke(app, ["validate"]).exit_code == 0
    (tmp_path / "scenarios" / "broken.yaml").write_text("id: broken\n")
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert str(tmp_path / "scenarios" / "broken.yaml") in result.stderr


def test_rehearsal_bench_options(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import rehearsal_bench

    runs: list[dict] = []
    monkeypatch.setattr(rehearsal_bench, "run", lambda **options: runs.append(options))
    bench = typer.Typer()  # what `typer.run(main)` builds
    bench.command()(rehearsal_bench.main)
    assert runner.invoke(bench, ["--quick"]).exit_code == 0
    assert runner.invoke(bench, []).exit_code == 0
    assert runner.invoke(bench, ["--probes-only", "--scenarios", "tantrum_client,coaching_jack"]).exit_code == 0
    assert [r["quick"] for r in runs] == [True, False, False]
    assert runs[1]["probes"] and not runs[1]["probes_only"]
    assert runs[2]["probes_only"] and runs[2]["scenarios"] == ["tantrum_client", "coaching_jack"]
    assert runner.invoke(bench, ["--quik"]).exit_code == 2
    assert runner.invoke(bench, ["--probes-only", "--scenarios", "nowhere"]).exit_code == 2
    assert "--quick" in runner.invoke(bench, ["--help"]).stdout


@pytest.mark.parametrize(
    ("problems", "in_character"),
    [
        ([], True),
        (["repeats an earlier line"], True),  # stale, not out of character
        (["assistant talk or meta talk"], True),  # then a clean retry
        (["assistant talk or meta talk", "retry 1: echoes the coachee"], True),  # retry 2 was clean
        (["assistant talk or meta talk", "retry 1: echoes the coachee", "retry 2: empty reply"], False),
        (["echoes the coachee", "retry 1: repeats an earlier line", "retry 2: empty reply"], True),
    ],
)
def test_the_rehearsal_bench_counts_a_turn_in_character_if_any_try_was(problems, in_character):
    from benchmarks.rehearsal_bench import _in_character

    assert _in_character(problems) is in_character


def test_a_model_that_is_not_installed_gets_the_install_command_not_a_traceback(tmp_path: Path) -> None:
    env = os.environ | {"SPARRING_DATA_DIR": str(tmp_path), "SPARRING_LLM": "embedded"}
    env.pop("SPARRING_MODELS_DIR", None)
    script = tmp_path / "lines.txt"
    script.write_text("Hello, Howard.\n")
    command = [sys.executable, "-m", "simulator", "rehearse", "--scenario", "hypercritical_manager"]
    done = subprocess.run([*command, "--script", str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "is not installed" in done.stderr and "models install" in done.stderr and "Traceback" not in done.stderr
