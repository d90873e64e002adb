"""`python -m simulator` (or `sparring`): serve the web app, validate and list scenarios,
(re)build the notes index, install models, rehearse in the terminal (interactively or
from a script of coachee lines), upgrade the database and manage users."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.db import app as db_app
from simulator.cli.export import app as export_app
from simulator.cli.models import app as models_app
from simulator.cli.users import app as users_app
from simulator.core.catalog import load_catalog, validate_paths
from simulator.core.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (default: scenarios/ and personas/ of SPARRING_CONTENT_DIR)"),
    ] = None,
) -> None:
    """Check scenario files and persona cards against the schema."""
    settings = Settings.from_env()
    targets = paths or [settings.personas_dir, settings.scenarios_dir]
    problems = validate_paths(targets)
    if paths is None:
        problems += [p for p in load_catalog(settings=settings).problems if p.field == "persona"]
    for problem in problems:
        typer.echo(f"{problem.file}: {problem.field}: {problem.reason}", err=True)
    if problems:
        _fail(f"{len(problems)} problem(s) found.")
    typer.echo("All files are valid.")


@app.command()
def scenarios() -> None:
    """List the scenarios you can rehearse."""
    catalog = load_catalog()
    for scenario in catalog.scenarios.values():
        persona = catalog.persona_for(scenario)
        typer.echo(f"{scenario.id:28} {scenario.title}")
        typer.echo(f"{'':28} with {persona.name}, {persona.role}; skills: {', '.join(scenario.skills)}")
    for problem in catalog.problems:
        typer.secho(f"skipped: {problem}", fg=typer.colors.YELLOW, err=True)


@app.command()
def ingest(
    force: Annotated[bool, typer.Option(help="Rebuild every scenario's index, changed or not")] = False,
) -> None:
    """(Re)build the Chroma index of scenario notes; unchanged scenarios are left alone."""
    from simulator.core.embeddings import embedding_function
    from simulator.engine.retrieval import NotesIndex, make_client

    settings = Settings.from_env()
    catalog = load_catalog()
    index = NotesIndex(make_client(settings), embedding_function(settings))
    for scenario in catalog.scenarios.values():
        changed = index.ensure(scenario, force=force)
        typer.echo(f"{scenario.id}: {'indexed' if changed else 'up to date'} ({len(scenario.notes)} notes)")


app.add_typer(models_app, name="models")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(export_app, name="export")


@app.command("app", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run_app(ctx: typer.Context) -> None:
    """Serve the web app on http://localhost:8501 (`streamlit run`, installed or in a checkout).

    Further arguments go to `streamlit run`, e.g. `--server.port 8080`."""
    from simulator.core.settings import app_script

    script = app_script()
    if not script.is_file():
        _fail(f"error: the app's entry point is missing ({script}); reinstall the package.")
    args = [sys.executable, "-m", "streamlit", "run", str(script), "--browser.gatherUsageStats", "false", *ctx.args]
    os.execv(sys.executable, args)


@app.command()
def rehearse(
    scenario: Annotated[str, typer.Option(help="Scenario id (see `scenarios`)")],
    difficulty: Annotated[str | None, typer.Option(help="easy, standard or hard")] = None,
    script: Annotated[Path | None, typer.Option(help="Coachee lines, one per line; no prompts")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the transcript here (JSON Lines)")] = None,
    user: Annotated[str, typer.Option(help="Your name, to keep your attempts together")] = "guest",
    show_state: Annotated[bool, typer.Option(help="Show the persona's state and move after each reply")] = False,
) -> None:
    """Rehearse a scenario in the terminal."""
    from simulator.cli import terminal

    settings = Settings.from_env()
    catalog = load_catalog()
    if scenario not in catalog.scenarios:
        _fail(f"Unknown scenario {scenario!r}. Known: {', '.join(sorted(catalog.scenarios))}", 2)
    if difficulty and difficulty not in {"easy", "standard", "hard"}:
        _fail(f"Unknown difficulty {difficulty!r}: use easy, standard or hard.", 2)
    lines = terminal.read_script(script) if script else None
    code = terminal.run(settings, catalog, scenario, difficulty, user, lines=lines, out=out, show_state=show_state)
    raise typer.Exit(code)


def main() -> None:
    from sqlalchemy.exc import OperationalError

    from simulator.core.models.llama_build import BuildMissing
    from simulator.core.models.weights import ModelNotInstalled

    try:
        app(prog_name=f"{Path(sys.executable).name} -m simulator")
    except OperationalError as exc:  # a database server that is down or refuses: say so, no traceback
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        message = f"The database could not be reached ({reason}). Check SPARRING_DATABASE_URL and that the server runs."
        typer.secho(message, fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None
    except (ModelNotInstalled, BuildMissing) as exc:  # their message says what to install and how
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise SystemExit(1) from None
