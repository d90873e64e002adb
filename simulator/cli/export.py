"""`python -m simulator export …`: sessions, users and groups as CSV files, as the operator
(who sees everything; each exported attempt goes into its owner's audit log)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from simulator.core.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Export sessions, users or groups as CSV.")

Out = Annotated[Path, typer.Option("--out", help="The CSV file to write", dir_okay=False, writable=True)]


def _write(out: Path, export: Callable[[Any], list[dict[str, Any]]], columns: tuple[str, ...]) -> None:
    """Runs `export(store)` as the operator and writes its rows to `out`."""
    from simulator.storage.exports import to_csv
    from simulator.storage.store import Store

    rows = export(Store(Settings.from_env().db_url))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_csv(rows, columns), encoding="utf-8", newline="")
    typer.echo(f"Wrote {len(rows)} row(s) to {out}.")


@app.command()
def sessions(
    out: Out,
    group: Annotated[int | None, typer.Option(help="Only this group's coachees (its id)")] = None,
    assignment: Annotated[int | None, typer.Option(help="Only the attempts made for this assignment (its id)")] = None,
    base_url: Annotated[
        str, typer.Option(help="The app's address, to make full links (e.g. https://sparring.example.org)")
    ] = "",
) -> None:
    """One row per attempt: participant, scenario, difficulty, scores, attempt number, assigned by, times, link."""
    from simulator.storage.exports import SESSION_COLUMNS
    from simulator.storage.policy import SYSTEM

    _write(out, lambda store: store.exports.sessions(SYSTEM, group, assignment, base_url), SESSION_COLUMNS)


@app.command()
def users(out: Out) -> None:
    """One row per user: name, email, role, active, created, last sign-in, groups."""
    from simulator.storage.exports import USER_COLUMNS
    from simulator.storage.policy import SYSTEM

    _write(out, lambda store: store.exports.users(SYSTEM), USER_COLUMNS)


@app.command()
def groups(out: Out) -> None:
    """One row per group member: group, coach, member, number of the group's assignments."""
    from simulator.storage.exports import GROUP_COLUMNS
    from simulator.storage.policy import SYSTEM

    _write(out, lambda store: store.exports.groups(SYSTEM), GROUP_COLUMNS)
