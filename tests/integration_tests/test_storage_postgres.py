"""The store against a real PostgreSQL server, when one is given.

Set SPARRING_TEST_DATABASE_URL (e.g. postgresql+psycopg2://sparring:sparring@localhost/sparring_test)
to run it; the database is emptied first.
"""

from __future__ import annotations

import os

import pytest

from simulator.core.storage import Base, Role, Store

URL = os.environ.get("SPARRING_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"), reason="SPARRING_TEST_DATABASE_URL not set")


def test_turns_round_trip_and_branch_on_postgres():
    store = Store(URL)
    Base.metadata.drop_all(store.engine)
    store = Store(URL)
    user = store.user("pg-coach", Role.coach)
    attempt = store.create_attempt(user, "tantrum_client", "hard", "fake")
    store.add_turn(attempt.id, "persona", "Opening.", state={"trust": 20.0}, move="opening", notes=[])
    store.add_turn(attempt.id, "coachee", "No. [limit]", codes=["limit"], cues={"limit": "No."})
    branch = store.branch(attempt.id, keep=1)
    assert [t.text for t in Store(URL).turns(attempt.id)] == ["Opening.", "No. [limit]"]
    assert [t.text for t in store.turns(branch.id)] == ["Opening."]
    store.end_attempt(attempt.id)
    store.save_report(attempt.id, {"overall": 70})
    assert store.attempt(attempt.id).report == {"overall": 70}
    assert store.user("pg-coach").role == Role.coach
