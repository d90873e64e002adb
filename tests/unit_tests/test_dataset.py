"""The labelled data the coder is trained and tested on: valid, big enough, split by conversation."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from evals.harness.dataset import (
    PAIRED_DIR,
    SPLIT_FILE,
    DatasetError,
    assign_new,
    code_counts,
    conversations,
    load_all,
    make_split,
    parse_line,
    split,
)
from simulator.core.codes import CODES
from simulator.core.transcript import load_transcript


@pytest.fixture(scope="module")
def examples():
    return load_all()


def test_enough_turns_and_every_code_at_least_40_times(examples):
    assert len(examples) >= 800
    counts = code_counts(examples)
    assert min(counts[c] for c in CODES) >= 40, counts
    assert sum(len(e.codes) > 1 for e in examples) / len(examples) > 0.25
    assert 0.05 < sum(not e.codes for e in examples) / len(examples) < 0.15


def test_all_seven_scenarios_and_other_workplaces(examples):
    from simulator.core.catalog import load_catalog

    settings = Counter(e.setting for e in examples)
    for scenario in load_catalog().scenarios:
        assert settings[scenario] >= 40, scenario
    assert sum(n for s, n in settings.items() if s.startswith("other:")) >= 300


def test_short_and_long_turns(examples):
    lengths = [len(e.text.split()) for e in examples]
    assert sum(n <= 3 for n in lengths) >= 30 and sum(n >= 40 for n in lengths) >= 30


def test_the_split_is_frozen_by_conversation_and_disjoint(examples):
    train, test = split(examples)
    train_convs, test_convs = {e.conv for e in train}, {e.conv for e in test}
    assert not train_convs & test_convs
    assert set(json.loads(SPLIT_FILE.read_text())["test"]) <= set(conversations(examples))
    assert 0.2 <= len(test) / len(examples) <= 0.3
    assert min(code_counts(test)[c] for c in CODES) >= 10


def test_every_conversation_is_assigned(examples):
    saved = json.loads(SPLIT_FILE.read_text())
    assert set(saved["train"]) | set(saved["test"]) == set(conversations(examples))
    assert not set(saved["train"]) & set(saved["test"])


def test_new_data_is_assigned_by_the_same_rule_and_earlier_assignments_never_move(examples, tmp_path):
    split_file = tmp_path / "split.json"
    old = [e for e in examples if e.conv.startswith(("sa", "sb"))]
    assign_new(old, split_file)
    before = json.loads(split_file.read_text())
    with pytest.raises(DatasetError, match=r"not in split.json .*run `python -m evals dataset split`"):
        split(examples, split_file)
    new, test = assign_new(examples, split_file)
    after = json.loads(split_file.read_text())
    assert new == len(conversations(examples)) - len(conversations(old)) and 0 < test < new
    assert set(before["test"]) <= set(after["test"]) and set(before["train"]) <= set(after["train"])
    assert assign_new(examples, split_file) == (0, 0)
    singles = [e for e in examples if e.conv.startswith("sg")]
    one_by_one = tmp_path / "one-by-one.json"
    assign_new(old, one_by_one)
    for conv in conversations(singles):  # data added a conversation at a time
        assign_new(old + [e for e in singles if e.conv <= conv], one_by_one)
    added_to_test = set(json.loads(one_by_one.read_text())["test"]) & set(conversations(singles))
    assert 0.1 <= len(added_to_test) / len(conversations(singles)) <= 0.4
    train, held = split(examples, split_file)
    assert len(train) + len(held) == len(examples)


def test_a_broken_split_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "split.json"
    broken.write_text('{"train": []}')
    with pytest.raises(DatasetError, match="not a split file"):
        split([], broken)


def test_make_split_is_stable_and_takes_a_quarter_of_each_stratum(examples):
    assert make_split(examples) == make_split(list(reversed(examples)))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"conv": "x", "setting": "s", "text": "Hi", "codes": ["brilliance"]}', "unknown behaviour code"),
        ('{"conv": "x", "setting": "s", "text": "", "codes": []}', "non-empty"),
        ('{"conv": "x", "setting": "s", "text": "Hi"}', "missing codes"),
        ('{"conv": "x", "setting": "s", "text": "So...", "codes": ["summary", "reflection"]}', "not also coded"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_lines_are_named(raw, message):
    with pytest.raises(DatasetError, match=message):
        parse_line(raw, "f.jsonl:3")


def test_every_scenario_has_a_good_and_a_poor_transcript():
    from simulator.core.catalog import load_catalog

    for scenario in load_catalog().scenarios:
        for kind in ("good", "poor"):
            transcript = load_transcript(PAIRED_DIR / f"{scenario}.{kind}.jsonl")
            assert transcript.scenario == scenario
            assert sum(t.role == "coachee" for t in transcript.turns) >= 8


# ---- `python -m evals dataset …` --------------------------------------------------------------
def test_dataset_check_counts_every_labelled_file_by_default(examples):
    from typer.testing import CliRunner

    from evals.cli import app

    result = CliRunner().invoke(app, ["dataset", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(examples)} turns in {len(conversations(examples))} conversations")
    for code in CODES:
        assert f"  {code:<20} {code_counts(examples)[code]:>4}" in result.stdout


def test_dataset_check_names_a_bad_line_and_fails(tmp_path):
    from typer.testing import CliRunner

    from evals.cli import app

    good = tmp_path / "good.jsonl"
    good.write_text(
        '{"conv": "x-1", "setting": "s", "context": null, "text": "What happened?", "codes": ["open_question"]}\n'
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text() + '{"conv": "x-1", "setting": "s", "text": "Hi", "codes": ["brilliance"]}\n')
    result = CliRunner().invoke(app, ["dataset", "check", str(good)])
    assert result.exit_code == 0 and result.stdout.startswith("1 turns in 1 conversations")
    result = CliRunner().invoke(app, ["dataset", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: bad.jsonl:2: ") and "unknown behaviour code" in result.stderr
    missing = CliRunner().invoke(app, ["dataset", "check", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "none.jsonl" in missing.stderr


def test_dataset_split_assigns_new_conversations(monkeypatch):
    from typer.testing import CliRunner

    import evals.harness.dataset
    from evals.cli import app

    seen = []
    monkeypatch.setattr(evals.harness.dataset, "assign_new", lambda examples: seen.append(len(examples)) or (8, 2))
    result = CliRunner().invoke(app, ["dataset", "split"])
    assert result.exit_code == 0
    assert result.stdout == "8 new conversations assigned: 2 to the test split, 6 to training\n"
    assert seen == [len(load_all())]

    def refuse(examples):
        raise DatasetError("split.json: not a split file")

    monkeypatch.setattr(evals.harness.dataset, "assign_new", refuse)
    result = CliRunner().invoke(app, ["dataset", "split"])
    assert result.exit_code == 1 and result.stderr == "error: split.json: not a split file\n"


def test_python_dash_m_evals_dataset_runs_the_commands(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    for command in (["evals", "dataset"],):
        proc = subprocess.run(
            [sys.executable, "-m", *command, "check", str(PAIRED_DIR.parent / "labelled" / "sa_scenarios_1_3.jsonl")],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert " turns in " in proc.stdout


def test_each_example_knows_the_coachees_earlier_turns_in_its_conversation():
    from evals.harness.dataset import Example, histories

    def ex(conv: str, text: str) -> Example:
        return Example(conv, "other:x", None, text, frozenset(), f"{conv}:{text}")

    examples = [ex("a", "one"), ex("a", "two"), ex("b", "uno"), ex("a", "three")]
    assert histories(examples) == [(), ("one",), (), ("one", "two")]
