"""`python -m evals`: code and score rehearsal transcripts against the rubric (docs/rubric.md).

Commands work offline with the trained coder; with an OpenAI-compatible model configured
(`SPARRING_LLM=openai`) coding and goal judging also use it. A file that is not a valid
transcript is reported on stderr (file and line) and the other files are still processed;
the exit code is 1 if any file failed.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from evals.coding.coded_turn import Coder, describe_coder, fallback_notes
from evals.coding.speech import code_spoken, report_line
from simulator.core.codes import CODES
from simulator.core.transcript import TranscriptError, coachee_turns_with_context, load_transcript

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Code and score rehearsal transcripts against the rubric (offline by default; an LLM when configured).",
)

TranscriptPaths = Annotated[list[Path], typer.Argument(help="Transcript files (JSON Lines)", show_default=False)]


@app.callback()
def _commands() -> None:
    """Keeps the commands named, even while there is only one."""


ScenarioOption = Annotated[
    str | None,
    typer.Option("--scenario", help="Scenario id; default: the transcript's own, or general weights without one."),
]


@app.command()
def code(transcripts: TranscriptPaths) -> None:
    """Print one JSON object per coachee turn: {"file", "turn", "text", "codes"}."""
    coder = _coder()
    failed = False
    for path in transcripts:
        try:
            transcript = load_transcript(path)
            turns = coachee_turns_with_context(transcript)
            own = _own_names(transcript.scenario)
            coded = code_spoken(coder, [(text, context) for _, text, context in turns], own)
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the run
            _report(path, err, "coded")
            failed = True
            continue
        for (turn, text, _), result in zip(turns, coded, strict=True):
            record = {"file": str(path), "turn": turn, "text": text, "codes": ordered_codes(result.codes)}
            typer.echo(json.dumps(record, ensure_ascii=False))
        pasted = [report_line(turn, result) for (turn, _, _), result in zip(turns, coded, strict=True)]
        for note in fallback_notes(coded) + [said for said in pasted if said]:
            _warn(f"{path}: {note}")
    raise typer.Exit(1 if failed else 0)


@app.command()
def score(transcripts: TranscriptPaths, scenario: ScenarioOption = None) -> None:
    """Print one JSON object per transcript: overall and per-dimension scores with evidence."""
    scorer = _scorer()
    failed = False
    for path in transcripts:
        try:
            result = scorer.score(load_transcript(path), scenario)
        except Exception as err:  # noqa: BLE001 - one bad file must not stop the run
            _report(path, err, "scored")
            failed = True
            continue
        typer.echo(result.model_dump_json(exclude={"lines"}))
        for note in result.notes:
            _warn(f"{path}: {note}")
    raise typer.Exit(1 if failed else 0)


CorrectionsOption = Annotated[
    Path | None,
    typer.Option(
        "--corrections",
        help="Coach corrections exported by `python -m evals.dataset export-corrections`; "
        "default: corrections.jsonl in the data folder (SPARRING_DATA_DIR) if it is there.",
        show_default=False,
    ),
]


@app.command()
def train(
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Only when the data, the coder's code or scikit-learn changed.")
    ] = False,
    corrections: CorrectionsOption = None,
    no_corrections: Annotated[
        bool, typer.Option("--no-corrections", help="Train on the labelled data only, even if corrections exist.")
    ] = False,
) -> None:
    """Train the offline coder on the labelled data's training split, plus the coach corrections'
    training part (set-up runs this)."""
    from evals.harness.train import run_training

    raise typer.Exit(run_training(if_stale=if_stale, corrections=corrections, use_corrections=not no_corrections))


@app.command()
def benchmark(
    baseline_transcripts: Annotated[
        int, typer.Option(help="Test conversations the LLM-judge baseline scores (slow on the local model; 0 skips).")
    ] = 6,
    by_slice: Annotated[
        bool, typer.Option("--by-slice", help="Also cross-validate by writer's slice (a few minutes more).")
    ] = False,
    corrections: CorrectionsOption = None,
) -> None:
    """Coder accuracy on the test split (with and without the coach corrections, when there are
    some), good-vs-poor gaps, speed, and the one-prompt LLM-judge baseline."""
    from evals.harness.benchmark import run_benchmark

    raise typer.Exit(
        run_benchmark(baseline_transcripts=baseline_transcripts, by_slice=by_slice, corrections=corrections)
    )


dataset_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The labelled coachee turns (evals/data/labelled), their frozen train/test split, coach corrections.",
)
app.add_typer(dataset_app, name="dataset")


@dataset_app.command("check")
def dataset_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Labelled files (JSON Lines); default: all of evals/data/labelled", show_default=False),
    ] = None,
) -> None:
    """Validate labelled data and count the turns per code (needs no model)."""
    from evals.harness.dataset import LABELLED_DIR, DatasetError, describe, load_file

    paths = files or sorted(LABELLED_DIR.glob("*.jsonl"))
    try:
        examples = [example for path in paths for example in load_file(path)]
    except (DatasetError, OSError) as err:
        _fail(err)
    typer.echo(describe(examples))


@dataset_app.command("split")
def dataset_split() -> None:
    """Assign new labelled conversations to train or test (about a quarter); earlier ones never move."""
    from evals.harness.dataset import DatasetError, assign_new, load_all

    try:
        new, test = assign_new(load_all())
    except DatasetError as err:
        _fail(err)
    typer.echo(f"{new} new conversations assigned: {test} to the test split, {new - test} to training")


@dataset_app.command("export-corrections")
def dataset_export_corrections(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Default: SPARRING_DATABASE_URL, else the local database.", show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Default: corrections.jsonl in the data folder (SPARRING_DATA_DIR).", show_default=False
        ),
    ] = None,
) -> None:
    """Write the coaches' code corrections as labelled conversations (anonymised), for training."""
    from sqlalchemy.exc import SQLAlchemyError

    from evals.harness.corrections import corrections_file, export_corrections, write_records
    from simulator.storage.store import Store

    settings = _settings()
    url = database_url or settings.db_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        _fail(FileNotFoundError(f"no database at {url.removeprefix('sqlite:///')}"))
    try:
        export = export_corrections(Store(url))
    except (SQLAlchemyError, ImportError) as err:  # unreachable, not a database, or its driver missing
        _fail(RuntimeError(f"cannot read the database: {type(err).__name__}: {err}"))
    path = out or corrections_file(settings)
    write_records(export.records, path)
    test = export.test_records
    typer.echo(
        f"{len(export.records)} corrected lines of {export.attempts} attempts written to {path}: "
        f"{len(export.records) - test} for training, {test} held out for test"
    )
    for why in export.skipped:
        _warn(f"left out {why}")


def _settings():  # noqa: ANN202 - simulator.core.settings.Settings, imported late to keep --help fast
    from simulator.core.settings import Settings

    return Settings.from_env()


def _coder() -> Coder:
    from evals.coding.coder import default_coder
    from evals.coding.llm_coder import build_coder

    settings = _settings()
    coder = build_coder(settings, default_coder(settings))
    typer.secho(f"coder: {describe_coder(coder)}", err=True, fg=typer.colors.BRIGHT_BLACK)
    return coder


@cache
def _own_names(scenario_id: str | None) -> tuple[str, ...]:
    """The coachee's name in the transcript's scenario: a line labelled with it is a script."""
    from simulator.core.catalog import load_catalog

    scenario = load_catalog().scenarios.get(scenario_id) if scenario_id else None
    return (scenario.briefing.coachee_name,) if scenario else ()


def _scorer():  # noqa: ANN202 - evals.scoring.scorer.Scorer
    from evals.scoring.llm_judge import build_goal_judge
    from evals.scoring.scorer import Scorer
    from simulator.core.catalog import load_catalog

    catalog = load_catalog()
    for problem in catalog.problems:
        _warn(f"scenario file {problem.file.name}: {problem.field}: {problem.reason}")
    return Scorer(_coder(), catalog, goal_judge=build_goal_judge(_settings()))


def ordered_codes(codes: frozenset[str] | set[str]) -> list[str]:
    """Codes in the order of simulator.core.codes.CODES."""
    return [c for c in CODES if c in codes]


def _report(path: Path, err: Exception, action: str) -> None:
    """One file's error on stderr: a transcript error names its own file and line; an
    unknown scenario gets the file's name; anything else also says what failed."""
    from evals.scoring.scorer import UnknownScenario

    if isinstance(err, TranscriptError):
        message = str(err)
    elif isinstance(err, UnknownScenario):
        message = f"{path}: {err}"
    else:
        message = f"{path}: could not be {action}: {type(err).__name__}: {err}"
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)


def _fail(err: Exception) -> NoReturn:
    typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _warn(message: str) -> None:
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


def main() -> None:
    app(prog_name=f"{Path(sys.executable).name} -m evals")
