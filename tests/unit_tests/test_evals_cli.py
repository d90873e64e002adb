"""`python -m evals code`: one JSON object per coachee turn; bad files reported, others still coded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cli import app, ordered_codes
from evals.codes import CODES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(path: Path, *records: dict | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(
        tmp_path / "good.jsonl",
        {"role": "persona", "text": "I need weekend cover, free.", "scenario": "tantrum_client"},
        "",
        {
            "role": "coachee",
            "text": "I hear you. Weekend cover is outside our scope; I can quote it as a change request.",
        },
        {"role": "persona", "text": "That's not good enough."},
        {"role": "coachee", "text": "Can we meet Monday?"},
    )


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_code_prints_one_object_per_coachee_turn(runner: CliRunner, good: Path) -> None:
    result = runner.invoke(app, ["code", str(good)])
    assert result.exit_code == 0, result.output
    records = json_lines(result.stdout)
    assert [r["turn"] for r in records] == [2, 4]
    assert all(set(r) == {"file", "turn", "text", "codes"} for r in records)
    assert records[0]["file"] == str(good)
    assert records[0]["text"].startswith("I hear you.")
    assert records[0]["codes"] == ["limit", "alternative", "acknowledge"]
    assert records[1]["codes"] == ["closed_question", "next_step"]


def test_codes_follow_the_order_of_CODES() -> None:
    assert ordered_codes(frozenset(reversed(CODES))) == list(CODES)
    assert ordered_codes({"next_step", "open_question"}) == ["open_question", "next_step"]


def test_several_files_in_one_run(runner: CliRunner, good: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "other.jsonl", {"role": "coachee", "text": "What happened?"})
    result = runner.invoke(app, ["code", str(good), str(other)])
    assert result.exit_code == 0
    assert [(Path(r["file"]).name, r["turn"]) for r in json_lines(result.stdout)] == [
        ("good.jsonl", 2),
        ("good.jsonl", 4),
        ("other.jsonl", 0),
    ]


def test_bad_file_is_reported_and_others_still_processed(runner: CliRunner, good: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", {"role": "coachee", "text": "fine"}, "{broken")
    missing = tmp_path / "missing.jsonl"
    result = runner.invoke(app, ["code", str(bad), str(missing), str(good)])
    assert result.exit_code == 1
    assert [r["file"] for r in json_lines(result.stdout)] == [str(good), str(good)]
    assert f"{bad}:2: invalid JSON" in result.stderr
    assert f"{missing}: file not found" in result.stderr


def test_no_coachee_turns_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    only_persona = write(tmp_path / "persona.jsonl", {"role": "persona", "text": "Hello?"})
    result = runner.invoke(app, ["code", str(only_persona)])
    assert result.exit_code == 1
    assert "no coachee turns" in result.stderr
    assert result.stdout == ""


def test_context_reaches_the_coder(runner: CliRunner, tmp_path: Path) -> None:
    path = write(
        tmp_path / "demand.jsonl",
        {"role": "persona", "text": "I need the extra reports by Monday at no cost."},
        {"role": "coachee", "text": "Fine, okay."},
    )
    result = runner.invoke(app, ["code", str(path)])
    assert json_lines(result.stdout)[0]["codes"] == ["capitulation"]


def test_non_ascii_text_round_trips(runner: CliRunner, tmp_path: Path) -> None:
    text = "I can\u2019t commit the team to weekends \u2014 sorry."
    path = write(tmp_path / "u.jsonl", {"role": "coachee", "text": text})
    result = runner.invoke(app, ["code", str(path)])
    assert json_lines(result.stdout)[0]["text"] == text


def test_code_needs_at_least_one_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["code"])
    assert result.exit_code != 0


def test_python_dash_m_evals(good: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", '{"role": "persona"}')
    proc = subprocess.run(
        [sys.executable, "-m", "evals", "code", str(good), str(bad)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert len(json_lines(proc.stdout)) == 2
    assert f"{bad}:1: missing 'text'" in proc.stderr
