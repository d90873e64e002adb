"""The store and its migrations against a real PostgreSQL server, when one is given.

Set SPARRING_TEST_DATABASE_URL (e.g. postgresql+psycopg2://sparring:sparring@localhost/sparring_test)
to run it; the database is emptied first.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from simulator.storage.database import FIRST_RELEASE, head_revision, make_engine, upgrade
from simulator.storage.models import Base
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store

URL = os.environ.get("SPARRING_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="SPARRING_TEST_DATABASE_URL not set")


def empty_database() -> None:
    engine = make_engine(URL)
    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_a_release_0_1_0_database_upgrades_on_postgres():
    empty_database()
    engine = make_engine(URL)
    upgrade(engine, FIRST_RELEASE)
    with engine.begin() as connection:  # what release 0.1.0 left: no alembic_version of its own
        connection.execute(text("DROP TABLE alembic_version"))
        now = datetime.now(UTC)
        connection.execute(
            text("INSERT INTO users (id, name, role, created_at) VALUES (1, 'ana', 'coachee', :now)"), {"now": now}
        )
        connection.execute(
            text(
                "INSERT INTO attempts (id, user_id, scenario_id, difficulty, backend, status, created_at) "
                "VALUES (1, 1, 'tantrum_client', 'hard', 'fake', 'active', :now)"
            ),
            {"now": now},
        )
        for idx, role in enumerate(["persona", "coachee", "persona"]):
            connection.execute(
                text(
                    "INSERT INTO turns (attempt_id, idx, role, text, created_at) VALUES (1, :idx, :role, :text, :now)"
                ),
                {"idx": idx, "role": role, "text": f"line {idx}", "now": now},
            )
    assert upgrade(engine) == (FIRST_RELEASE, head_revision())
    store = Store(URL)
    assert [t.text for t in store.turns(1, SYSTEM)] == ["line 0", "line 1", "line 2"]
    assert store.accounts.get(1).active


def test_turns_round_trip_and_branch_on_postgres():
    empty_database()
    store = Store(URL)
    user = store.user("pg-coachee")
    me = Viewer.of(user)
    attempt = store.create_attempt(user, "tantrum_client", "hard", "fake")
    store.add_turn(attempt.id, "persona", "Opening.", state={"trust": 20.0}, move="opening", notes=[])
    store.add_turn(attempt.id, "coachee", "No. [limit]", codes=["limit"], cues={"limit": "No."})
    branch = store.branch(attempt.id, keep=1)
    assert [t.text for t in Store(URL).turns(attempt.id, me)] == ["Opening.", "No. [limit]"]
    assert [t.text for t in store.turns(branch.id, me)] == ["Opening."]
    store.end_attempt(attempt.id)
    store.save_report(attempt.id, {"overall": 70})
    assert store.attempt(attempt.id, me).report == {"overall": 70}
    assert store.attempt(attempt.id, Viewer.of(store.user("someone-else"))) is None
