"""`python -m simulator users …`: create users (the first admin), list them, reset a password."""

from __future__ import annotations

from typing import Annotated

import typer

from simulator.core.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Users: create the first admin, list, reset.")


Password = Annotated[str | None, typer.Option(envvar="SPARRING_NEW_PASSWORD", help="Asked for when not given")]


def _store():  # noqa: ANN202 - a Store; imported late so `--help` stays fast
    from simulator.storage.store import Store

    return Store(Settings.from_env().db_url)


def _password(given: str | None) -> str:
    if given:
        return given
    return typer.prompt("Password (at least 8 characters)", hide_input=True, confirmation_prompt=True)


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="User name (they can sign in with it or the email)")],
    role: Annotated[str, typer.Option(help="coachee, coach, trainer or admin")] = "coachee",
    email: Annotated[str | None, typer.Option(help="Email, to sign in with and for single sign-on")] = None,
    password: Password = None,
) -> None:
    """Create a user with a password, e.g. the first admin: `users create ana --role admin`."""
    from simulator.storage.accounts import AccountError
    from simulator.storage.models import Role

    if role not in Role.__members__:
        typer.secho(f"Unknown role {role!r}: use coachee, coach, trainer or admin.", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    try:
        user = _store().accounts.create_user(name, _password(password), Role(role), email)
    except AccountError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Created {user.role} {user.name} (id {user.id}). They can sign in once SPARRING_AUTH=on.")


@app.command("list")
def list_users() -> None:
    """Every user, with role and whether they are active."""
    from simulator.storage.policy import SYSTEM

    for user in _store().accounts.users(SYSTEM):
        state = "" if user.active else "  (deactivated)"
        typer.echo(f"{user.id:5}  {user.name:30} {user.role:8} {user.email or '':30}{state}")


@app.command("set-password")
def set_password(
    name: Annotated[str, typer.Argument(help="User name or email")],
    password: Password = None,
) -> None:
    """Set a user's password (signs them out everywhere)."""
    from simulator.storage.accounts import AccountError

    store = _store()
    user = store.accounts.by_login(name)
    if user is None:
        typer.secho(f"No user {name!r}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    try:
        store.accounts.set_password(user.id, _password(password))
    except AccountError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Password of {user.name} changed.")
