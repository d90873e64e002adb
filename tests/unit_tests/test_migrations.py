"""The schema's history: a database made by release 0.1.0 upgrades in place without losing a
turn, a new one gets the same schema as the models, and `db upgrade` says what it did."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from typer.testing import CliRunner

from simulator.cli import app
from simulator.storage.database import FIRST_RELEASE, current_revision, head_revision, make_engine, upgrade
from simulator.storage.models import Base
from simulator.storage.policy import SYSTEM
from simulator.storage.store import Store

RELEASE_0_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "databases" / "release-0.1.0.sqlite.sql"


def old_database(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(RELEASE_0_1_0.read_text())
    return f"sqlite:///{path}"


def rows(url: str, query: str) -> list[tuple]:
    with make_engine(url).connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def test_a_release_0_1_0_database_upgrades_in_place_without_losing_a_turn(tmp_path: Path) -> None:
    url = old_database(tmp_path / "old.db")
    turns_before = rows(url, "SELECT id, attempt_id, idx, role, text, codes, state FROM turns ORDER BY id")
    attempts_before = rows(url, "SELECT id, user_id, scenario_id, status, parent_id, report FROM attempts ORDER BY id")
    assert len(turns_before) == 7

    before, after = upgrade(make_engine(url))

    assert (before, after) == (FIRST_RELEASE, head_revision())
    assert rows(url, "SELECT id, attempt_id, idx, role, text, codes, state FROM turns ORDER BY id") == turns_before
    assert (
        rows(url, "SELECT id, user_id, scenario_id, status, parent_id, report FROM attempts ORDER BY id")
        == attempts_before
    )
    assert rows(url, "SELECT name, active, session_version, password_hash FROM users ORDER BY id") == [
        ("ana", 1, 0, None),
        ("ben", 1, 0, None),
        ("cleo", 1, 0, None),
    ]
    assert rows(url, "PRAGMA foreign_key_check") == []
    store = Store(url)  # opening it again changes nothing
    assert [t.text for t in store.turns(1, SYSTEM)][1] == "Yes. What part of the request was hardest to pin down?"
    assert store.attempt(1, SYSTEM).report == {"version": 1, "score": {"overall": 62}}


@pytest.mark.parametrize("made_by", ["migrations", "release 0.1.0"])
def test_the_upgraded_schema_is_the_models_schema(tmp_path: Path, made_by: str) -> None:
    url = old_database(tmp_path / "old.db") if made_by == "release 0.1.0" else f"sqlite:///{tmp_path / 'new.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_downgrading_to_the_first_release_keeps_the_turns(tmp_path: Path) -> None:
    url = old_database(tmp_path / "old.db")
    engine = make_engine(url)
    upgrade(engine)
    upgrade_then = rows(url, "SELECT text FROM turns ORDER BY id")
    from alembic import command

    from simulator.storage.database import alembic_config

    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        command.downgrade(alembic_config(connection), FIRST_RELEASE)
    assert current_revision(engine) == FIRST_RELEASE
    assert rows(url, "SELECT text FROM turns ORDER BY id") == upgrade_then
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_db_upgrade_command_reports_what_it_did(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = old_database(tmp_path / "old.db")
    monkeypatch.setenv("SPARRING_DATABASE_URL", url)
    first = CliRunner().invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"upgraded from {FIRST_RELEASE} to revision {head_revision()}" in first.output
    again = CliRunner().invoke(app, ["db", "upgrade"])
    assert "up to date" in again.output


def test_a_database_server_that_is_down_gets_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = os.environ | {
        "SPARRING_DATA_DIR": str(tmp_path),
        "SPARRING_DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/sparring",
    }
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "The database could not be reached" in done.stderr and "Traceback" not in done.stderr
