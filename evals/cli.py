"""`python -m evals`: code rehearsal transcripts with the rubric's behaviour codes.

Commands work offline, with the embedded default coder. A file that is not a valid
transcript is reported on stderr (file and line) and the other files are still processed;
the exit code is 1 if any file failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from evals.codes import CODES
from evals.transcript import TranscriptError, coachee_turns_with_context, load_transcript

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Code rehearsal transcripts with the rubric's behaviour codes (offline, embedded coder).",
)

TranscriptPaths = Annotated[list[Path], typer.Argument(help="Transcript files (JSON Lines)", show_default=False)]


@app.callback()
def _commands() -> None:
    """Keeps `code` (and later `score`) as named subcommands."""


@app.command()
def code(transcripts: TranscriptPaths) -> None:
    """Print one JSON object per coachee turn: {"file", "turn", "text", "codes"}."""
    from evals.coder import default_coder

    coder = default_coder()  # built once for all files
    failed = False
    for path in transcripts:
        try:
            transcript = load_transcript(path)
        except TranscriptError as err:
            _report(err)
            failed = True
            continue
        for turn, text, context in coachee_turns_with_context(transcript):
            coded = coder.code(text, context)
            record = {"file": str(path), "turn": turn, "text": text, "codes": ordered_codes(coded.codes)}
            typer.echo(json.dumps(record, ensure_ascii=False))
    raise typer.Exit(1 if failed else 0)


# The `score` command (per-transcript rubric scores, see shared/rubric.md) goes here.


def ordered_codes(codes: frozenset[str] | set[str]) -> list[str]:
    """Codes in the order of evals.codes.CODES."""
    return [c for c in CODES if c in codes]


def _report(err: TranscriptError) -> None:
    typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)


def main() -> None:
    app(prog_name=f"{Path(sys.executable).name} -m evals")
