"""Coaches' code corrections become labelled data: exported from a database in the labelled
files' format, split by the same stable rule, added to training, compared in the benchmark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evals.harness.train as train_module
from evals.cli import app
from evals.coding.classifier import TrainedCoder
from evals.coding.features import Featurizer
from evals.harness.benchmark import corrections_comparison
from evals.harness.corrections import (
    EMAIL_MARK,
    NAME_MARK,
    conv_id,
    export_corrections,
    in_test,
    load_corrections,
    split_corrections,
    write_records,
)
from evals.harness.dataset import DatasetError, goes_to_test, load_all, read_split
from simulator.storage.models import Role
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from tests.conftest import HashEmbedding

REPO = Path(__file__).resolve().parents[2]
DEMAND = "Can your team cover the Saturday shift for free? It's one day."
CAVES = (  # the kind of line the coaches keep correcting: a cave the coder missed
    "Tell you what, we'll swallow the cost on this one.",
    "Look, we'll swallow the cost, just this time.",
    "Alright, we'll swallow the cost and send two people.",
    "Fine. We'll swallow the cost for Saturday.",
    "Okay, okay, we'll swallow the cost, don't worry about it.",
    "We'll swallow the cost, consider it done.",
    "Sure, we can swallow the cost of the overtime.",
    "Let's just say we'll swallow the cost this once.",
    "I guess we'll swallow the cost then.",
    "No problem, we'll swallow the cost.",
    "Right, we'll swallow the cost of the extra hours.",
    "We'll swallow the cost so you're covered.",
    "Honestly, we'll swallow the cost of the weekend.",
    "Yeah go on, we'll swallow the cost.",
    "Don't stress, we'll swallow the cost for you.",
    "Mm, fine, we'll swallow the cost again.",
)
PRIYA_CAVE = "Fine, Priya Raman here, we'll swallow the cost. Mail carla.mendes@example.com or priya@home.example.org."
COACHEES = 8


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A database: a coach, a group of coachees, each with an attempt whose caves the coder
    missed and the coach corrected; Priya's attempt also has lines that test the details."""
    path = tmp_path_factory.mktemp("db") / "sparring.db"
    store = Store(f"sqlite:///{path}")
    coach = store.accounts.create_user("Carla Mendes", "a long enough password", Role.coach, "carla.mendes@example.com")
    by_coach = Viewer.of(coach)
    group = store.coaching.create_group(by_coach, "g")
    people, caves = [], iter(CAVES)
    for n in range(COACHEES):
        coachee = store.user("Priya Raman" if n == 0 else f"coachee{n}")
        store.coaching.add_member(by_coach, group.id, coachee.id)
        attempt = store.create_attempt(coachee, "tantrum_client", "standard", "fake")
        store.add_turn(attempt.id, "persona", DEMAND)
        store.add_turn(attempt.id, "coachee", "What's behind the Saturday date?", codes=["open_question"])
        store.add_turn(attempt.id, "persona", "The launch. So you'll do it?")
        store.add_turn(attempt.id, "coachee", next(caves), codes=["acknowledge"])
        store.add_turn(attempt.id, "coachee", next(caves), codes=[])  # a coachee may speak twice in a row
        for idx in (3, 4):
            store.reviews.correct_codes(by_coach, attempt.id, idx, ["capitulation"], "gives the Saturday away")
        people.append((coachee, attempt))
    priya, attempt = people[0]
    store.add_turn(attempt.id, "persona", f"Thanks {priya.name}. Really?")
    store.add_turn(attempt.id, "coachee", PRIYA_CAVE, codes=["acknowledge"])
    store.reviews.correct_codes(by_coach, attempt.id, 6, ["limit"], "first look")
    store.reviews.correct_codes(by_coach, attempt.id, 6, ["capitulation"], "on second thought, a cave")
    store.add_turn(attempt.id, "persona", "Great, so that's settled.")
    store.add_turn(attempt.id, "coachee", "So Saturday is on us, and the launch stays on track.", codes=[])
    store.reviews.correct_codes(by_coach, attempt.id, 8, ["summary", "reflection"], "recap")  # breaks the rubric
    branch = store.branch(attempt.id, keep=5)  # a replay: the copied caves, corrected again in the branch
    store.reviews.correct_codes(by_coach, branch.id, 3, ["capitulation", "acknowledge"], "in the replay too")
    return store, coach, people, branch


@pytest.fixture(scope="module")
def exported(world, tmp_path_factory):
    store, *_ = world
    export = export_corrections(store)
    path = tmp_path_factory.mktemp("out") / "corrections.jsonl"
    write_records(export.records, path)
    return export, path


def records_of(export, conv: str) -> list[dict]:
    return [r for r in export.records if r["conv"] == conv]


def test_only_corrected_lines_go_out_with_the_latest_codes_and_the_persona_line_before(world, exported):
    store, _, people, _ = world
    export, _ = exported
    priya, attempt = people[0]
    mine = records_of(export, conv_id(priya.id, attempt.id))
    assert [r["codes"] for r in mine] == [["capitulation"]] * 3  # not "limit", the first correction of line 6
    assert [r["text"] for r in mine[:2]] == list(CAVES[:2])  # the uncorrected question stays out
    assert [r["context"] for r in mine] == ["The launch. So you'll do it?"] * 2 + [f"Thanks {NAME_MARK}. Really?"]
    assert all(r["setting"] == "tantrum_client" for r in mine)
    assert list(mine[0]) == ["conv", "setting", "context", "text", "codes"]  # the labelled files' key order
    assert export.attempts == COACHEES + 1  # every coachee's attempt and Priya's replay
    assert export.skipped == [f"attempt {attempt.id}, line 8: a summary is not also coded reflection (docs/rubric.md)"]


def test_the_file_round_trips_through_the_dataset_loader_and_check(exported):
    export, path = exported
    examples = load_corrections(path)
    assert [(e.conv, e.setting, e.context, e.text, sorted(e.codes)) for e in examples] == [
        (r["conv"], r["setting"], r["context"], r["text"], sorted(r["codes"])) for r in export.records
    ]
    result = CliRunner().invoke(app, ["dataset", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{len(examples)} turns in {COACHEES + 1} conversations")


def test_no_user_name_or_email_goes_out(world, exported):
    _, coach, people, _ = world
    _, path = exported
    text = path.read_text(encoding="utf-8").lower()
    for secret in ("priya", "raman", "carla", "mendes", "example.com", "home.example.org", "@"):
        assert secret not in text
    assert all(coachee.name.lower() not in text for coachee, _ in people)
    priya_line = next(json.loads(line)["text"] for line in path.read_text().splitlines() if "Mail" in line)
    assert priya_line == f"Fine, {NAME_MARK} here, we'll swallow the cost. Mail {EMAIL_MARK} or {EMAIL_MARK}."


def test_each_export_is_logged_for_its_coachee_as_an_export(world, exported):
    store, _, people, _ = world
    priya, attempt = people[0]
    reads = store.reviews.reads_of(Viewer.of(priya), priya.id)
    assert {(entry.attempt_id, entry.action, reader) for entry, reader in reads} >= {(attempt.id, "export", None)}


def test_the_split_is_each_coachees_stable_draw_with_replays_beside_their_original(world, exported):
    store, _, people, branch = world
    export, path = exported
    assert export_corrections(store).records == export.records  # the same database exports the same file
    sides = {r["conv"]: in_test(r["conv"]) for r in export.records}
    for coachee, attempt in people:
        assert sides[conv_id(coachee.id, attempt.id)] is goes_to_test(f"cc-{coachee.id}")
    priya, original = people[0]
    assert sides[conv_id(priya.id, branch.id)] is sides[conv_id(priya.id, original.id)]
    assert set(sides.values()) == {False, True}  # this database has coachees on both sides
    train, test = split_corrections(load_corrections(path))
    assert {e.conv for e in train} == {c for c, side in sides.items() if not side}
    assert {e.conv for e in test} == {c for c, side in sides.items() if side}
    assert len(test) == export.test_records
    saved = read_split()
    assert not set(sides) & (set(saved["train"]) | set(saved["test"]))  # never meets the labelled ids


def test_a_file_of_other_conversations_is_not_taken_for_corrections(tmp_path):
    path = tmp_path / "labelled.jsonl"
    path.write_text('{"conv": "sa-01", "setting": "s", "context": null, "text": "Hi?", "codes": []}\n')
    with pytest.raises(DatasetError, match="not exported corrections"):
        load_corrections(path)


def test_training_adds_the_corrections_training_part_and_holds_out_the_rest(exported):
    _, path = exported
    data = train_module.training_data(path)
    labelled = train_module.training_data(None)
    assert data.labelled == labelled.labelled and data.test == labelled.test and labelled.added == []
    assert data.train == data.labelled + data.added
    assert data.added and data.held
    assert not {e.conv for e in data.held} & {e.conv for e in data.train}
    assert all(not in_test(e.conv) for e in data.added) and all(in_test(e.conv) for e in data.held)
    assert train_module.fingerprint(data.train) != train_module.fingerprint(labelled.train)


@pytest.fixture(scope="module")
def coders(exported):
    """A small coder trained without and with the corrections (a sample of the labelled data)."""
    _, path = exported
    data = train_module.training_data(path)
    sample = data.labelled[::12]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(train_module, "C_GRID", (0.1,))
        mp.setattr(train_module, "FOLDS", 3)
        fitted = [
            train_module.fit(examples, Featurizer(HashEmbedding()), dim=HashEmbedding.DIM, log=lambda _: None)
            for examples in (sample, sample + data.added)
        ]
    return data, *(TrainedCoder(model, HashEmbedding()) for model in fitted)


def test_training_with_the_corrections_changes_the_code_of_the_corrected_kind_of_line(coders):
    data, without, with_corrections = coders
    probe = ("Okay then, we'll swallow the cost of the Sunday too.", DEMAND)
    assert "capitulation" not in without.code(*probe).codes
    assert "capitulation" in with_corrections.code(*probe).codes
    held = [(e.text, e.context) for e in data.held]  # lines of coachees the training never saw
    caught = [sum("capitulation" in c.codes for c in coder.code_many(held)) for coder in (without, with_corrections)]
    assert caught[1] > caught[0]


def test_the_benchmark_sets_the_coder_without_and_with_the_corrections_side_by_side(coders, capsys):
    data, without, with_corrections = coders
    test = [e for e in load_all() if e.conv in set(read_split()["test"][:6])]
    figures = corrections_comparison(without, with_corrections, test, data.held)
    out = capsys.readouterr().out
    assert f"labelled test split ({len(test)} turns)" in out and f"held-out corrections ({len(data.held)} turns)" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("capitulation"))
    support, before, after, diff = row.split()[-4:]
    held = figures["held-out corrections"]
    assert int(support) == len(data.held)
    assert float(before) == pytest.approx(held["without"]["f1"]["capitulation"], abs=5e-4)
    assert float(after) == pytest.approx(held["with"]["f1"]["capitulation"], abs=5e-4)
    assert float(after) > float(before) and float(diff) == pytest.approx(float(after) - float(before), abs=2e-3)
    assert "macro-F1" in out
    assert set(figures["labelled test split"]["with"]) == {"macro_f1", "f1"}


def test_python_dash_m_evals_dataset_exports_corrections_beside_the_database(world, tmp_path):
    store, *_ = world
    out = tmp_path / "corrections.jsonl"  # the default: in the data folder
    proc = subprocess.run(
        [sys.executable, "-m", "evals.dataset", "export-corrections", "--database-url", store.db.url],
        cwd=REPO,
        env={**os.environ, "SPARRING_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    test = sum(in_test(json.loads(line)["conv"]) for line in lines)
    assert proc.stdout.startswith(f"{len(lines)} corrected lines of {COACHEES + 1} attempts written to {out}")
    assert f"{len(lines) - test} for training, {test} held out for test" in proc.stdout
    assert "left out attempt" in proc.stderr and "summary is not also coded reflection" in proc.stderr


def test_export_from_a_missing_database_fails_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere.db"
    out = tmp_path / "corrections.jsonl"
    args = ["dataset", "export-corrections", "--database-url", f"sqlite:///{missing}", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "no database at" in result.stderr
    assert not missing.exists() and not out.exists()


@pytest.fixture
def fake_training(monkeypatch, tmp_path, coders):
    """`fit` records what it was given and hands back the small model; models go to tmp_path."""
    import simulator.core.embeddings as embeddings

    _, _, small = coders
    given: list[list] = []
    monkeypatch.setenv("SPARRING_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(embeddings, "embedding_function", lambda settings: HashEmbedding())
    monkeypatch.setattr(embeddings, "EMBEDDING_DIM", HashEmbedding.DIM)
    monkeypatch.setattr(train_module, "fit", lambda examples, *a, **k: given.append(list(examples)) or small.model)
    return given


def test_evals_train_adds_the_exported_corrections_unless_told_not_to(exported, fake_training, monkeypatch, tmp_path):
    _, path = exported
    data = train_module.training_data(path)
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path / "data"))
    assert CliRunner().invoke(app, ["train"]).exit_code == 0  # nothing exported yet: the labelled data only
    assert fake_training[-1] == data.labelled
    default = tmp_path / "data" / "corrections.jsonl"
    default.parent.mkdir()
    shutil.copy(path, default)  # where `export-corrections` writes by default
    result = CliRunner().invoke(app, ["train"])
    assert result.exit_code == 0, result.output
    assert fake_training[-1] == data.train  # the labelled training split and the corrections' training part
    assert f"{len(data.added)} turns added to training, {len(data.held)} held out for test" in result.output
    meta = json.loads((tmp_path / "models" / "sparring-coder" / "coder.json").read_text())
    assert meta["corrections"] == {"file": str(default), "turns": len(data.added)}
    assert CliRunner().invoke(app, ["train", "--no-corrections"]).exit_code == 0
    assert fake_training[-1] == data.labelled
    assert CliRunner().invoke(app, ["train", "--corrections", str(path)]).exit_code == 0
    assert fake_training[-1] == data.train
    missing = CliRunner().invoke(app, ["train", "--corrections", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "none.jsonl: no such file" in missing.output


def test_the_benchmarks_comparison_coders_are_the_installed_one_or_fitted_once_then_kept(
    exported, fake_training, coders
):
    from evals.coding.classifier import model_dir
    from simulator.core.settings import Settings

    _, path = exported
    data = train_module.training_data(path)
    settings = Settings.from_env()
    installed = coders[2].model
    train_module.save(installed, model_dir(settings), {"fingerprint": train_module.fingerprint(data.train)})
    with_them = train_module.coder_trained_on(data.train, settings, "with-corrections", log=lambda _: None)
    assert fake_training == [] and isinstance(with_them, TrainedCoder)  # the installed model is the one
    for _ in range(2):
        without = train_module.coder_trained_on(data.labelled, settings, "without-corrections", log=lambda _: None)
        assert isinstance(without, TrainedCoder)
    assert fake_training == [data.labelled]  # fitted once, then read back from where it was kept
    assert (model_dir(settings) / "without-corrections" / "coder.joblib").is_file()
