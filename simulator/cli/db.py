"""`python -m simulator db …`: bring the database's schema up to date and say where it stands;
purge the attempts older than the retention period."""

from __future__ import annotations

from typing import Annotated

import typer

from simulator.core.settings import Settings

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The database: upgrade its schema, purge old attempts."
)


@app.command()
def upgrade() -> None:
    """Upgrade the database (SPARRING_DATABASE_URL, else SQLite in SPARRING_DATA_DIR) in place.

    Nothing is dropped; a database made by release 0.1.0 is recognised and upgraded too.
    The app runs this itself when it starts."""
    from simulator.storage.database import make_engine
    from simulator.storage.database import upgrade as run_upgrade

    settings = Settings.from_env()
    engine = make_engine(settings.db_url)
    before, after = run_upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"{where}: up to date (revision {after}).")
    else:
        typer.echo(f"{where}: upgraded from {before or 'an empty database'} to revision {after}.")


@app.command()
def purge(
    days: Annotated[
        int | None, typer.Option(min=1, help="Purge attempts older than this many days, whatever the set period")
    ] = None,
) -> None:
    """Delete the attempts older than the retention period an admin set (the app does this when it starts).

    An attempt goes with its turns, report, comments and corrections; the audit log stays."""
    from simulator.storage.store import Store

    store = Store(Settings.from_env().db_url)
    period = days or store.retention.retention_days()
    if period is None:
        typer.echo("No retention period is set, so attempts are kept until deleted: nothing purged.")
        typer.echo("An admin sets one in the app, or pass --days N.")
        return
    purged = store.retention.purge(days=period)
    typer.echo(f"Purged {purged} attempt(s) last active more than {period} day(s) ago.")
