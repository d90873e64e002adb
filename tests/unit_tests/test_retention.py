"""Deleting attempts (one, or a whole history) and purging them after the retention period,
checked against the database's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update
from typer.testing import CliRunner

from simulator.cli import app
from simulator.core.settings import Settings
from simulator.storage.models import Attempt, Role
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.retention import RetentionError
from simulator.storage.store import Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def rows(store: Store, table: str, attempt_id: int) -> int:
    with store.engine.connect() as c:
        return c.execute(text(f"SELECT count(*) FROM {table} WHERE attempt_id = :id"), {"id": attempt_id}).scalar()


def set_times(store: Store, attempt_id: int, created: datetime, ended: datetime | None = None) -> None:
    with store.db.session() as s:
        s.execute(update(Attempt).where(Attempt.id == attempt_id).values(created_at=created, ended_at=ended))


def reviewed_attempt(store: Store) -> tuple[Attempt, Viewer, Viewer]:
    """Ana's attempt with turns, a report, comments, a correction and an adjustment by her coach."""
    ana = store.user("ana")
    coach = Viewer.of(store.accounts.create_user("cora", "password1", Role.coach))
    group = store.coaching.create_group(coach, "g")
    store.coaching.add_member(coach, group.id, ana.id)
    attempt = store.create_attempt(ana, "tantrum_client", "standard", "fake")
    store.add_turn(attempt.id, "persona", "Hello.")
    store.add_turn(attempt.id, "coachee", "What happened?", codes=["open_question"])
    store.end_attempt(attempt.id)
    store.save_report(attempt.id, {"score": {"overall": 70}})
    first = store.reviews.comment(coach, attempt.id, "Good opening.", turn_idx=1)
    store.reviews.comment(Viewer.of(ana), attempt.id, "Thanks!", reply_to=first.id)
    store.reviews.correct_codes(coach, attempt.id, 1, ["reflection"], "It reflects her words.")
    store.reviews.adjust_score(coach, attempt.id, "listening", 60, 75, "Better than counted.")
    assert store.attempt(attempt.id, coach) is not None  # an audit entry for ana
    return attempt, Viewer.of(ana), coach


def test_owner_deletes_an_attempt_and_everything_hanging_off_it(store: Store) -> None:
    attempt, ana, coach = reviewed_attempt(store)
    replay = store.branch(attempt.id, keep=2)
    for table in ("turns", "comments", "code_corrections", "score_adjustments"):
        assert rows(store, table, attempt.id) > 0

    assert store.retention.delete_attempt(ana, attempt.id) is True

    for table in ("turns", "comments", "code_corrections", "score_adjustments"):
        assert rows(store, table, attempt.id) == 0, table
    with store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM attempts WHERE id = :id"), {"id": attempt.id}).scalar() == 0
        parent = c.execute(text("SELECT parent_id FROM attempts WHERE id = :id"), {"id": replay.id}).scalar()
    assert parent is None
    assert rows(store, "turns", replay.id) == 2  # the replay keeps its own copies
    assert [(e.attempt_id, name) for e, name in store.reviews.reads_of(ana, ana.user_id)] == [(attempt.id, "cora")]
    assert store.attempt(attempt.id, ana) is None and store.attempt(attempt.id, coach) is None


def test_only_the_owner_or_an_admin_deletes(store: Store) -> None:
    attempt, ana, coach = reviewed_attempt(store)
    other = Viewer.of(store.user("bo"))
    assert store.retention.delete_attempt(other, attempt.id) is False  # looks like it does not exist
    assert store.retention.delete_attempt(ana, 999) is False
    with pytest.raises(PermissionError):
        store.retention.delete_attempt(coach, attempt.id)  # may read, not delete
    assert rows(store, "turns", attempt.id) == 2
    admin = Viewer.of(store.accounts.create_user("adam", "password1", Role.admin))
    assert store.retention.delete_attempt(admin, attempt.id) is True
    assert rows(store, "turns", attempt.id) == 0


def test_delete_history_takes_all_of_a_users_attempts_and_nobody_elses(store: Store) -> None:
    attempt, ana, coach = reviewed_attempt(store)
    second = store.create_attempt(store.user("ana"), "other", "easy", "fake")
    store.add_turn(second.id, "persona", "Hi.")
    bo = store.user("bo")
    kept = store.create_attempt(bo, "other", "easy", "fake")
    store.add_turn(kept.id, "persona", "Hi.")
    with pytest.raises(PermissionError):
        store.retention.delete_history(Viewer.of(bo), ana.user_id)
    with pytest.raises(PermissionError):
        store.retention.delete_history(coach, ana.user_id)

    assert store.retention.delete_history(ana, ana.user_id) == 2

    assert store.attempts(SYSTEM, user_id=ana.user_id) == []
    for table in ("turns", "comments", "code_corrections", "score_adjustments"):
        assert rows(store, table, attempt.id) == rows(store, table, second.id) == 0
    assert rows(store, "turns", kept.id) == 1
    assert store.retention.delete_history(SYSTEM, bo.id) == 1


def test_only_an_admin_sets_the_retention_period(store: Store) -> None:
    coach = Viewer.of(store.accounts.create_user("cora", "password1", Role.coach))
    admin = Viewer.of(store.accounts.create_user("adam", "password1", Role.admin))
    assert store.retention.retention_days() is None
    with pytest.raises(PermissionError):
        store.retention.set_retention_days(coach, 30)
    for wrong in (0, -1, True):
        with pytest.raises(RetentionError):
            store.retention.set_retention_days(admin, wrong)
    store.retention.set_retention_days(admin, 30)
    store.retention.set_retention_days(admin, 90)
    assert store.retention.retention_days() == 90
    store.retention.set_retention_days(admin, None)
    assert store.retention.retention_days() is None


def test_purge_deletes_only_attempts_older_than_the_period(store: Store) -> None:
    ana = store.user("ana")
    made = {}
    for name, created, ended in [
        ("old", NOW - timedelta(days=40), None),
        ("old and ended", NOW - timedelta(days=45), NOW - timedelta(days=44)),
        ("started long ago, ended lately", NOW - timedelta(days=40), NOW - timedelta(days=2)),
        ("recent", NOW - timedelta(days=3), None),
    ]:
        made[name] = store.create_attempt(ana, name, "easy", "fake")
        store.add_turn(made[name].id, "persona", "Hello.")
        set_times(store, made[name].id, created, ended)
    replay = store.branch(made["old"].id, keep=1)
    set_times(store, replay.id, NOW - timedelta(days=1))

    assert store.retention.purge(now=NOW) == 0  # no period set: kept until deleted
    store.retention.set_retention_days(SYSTEM, 30)
    assert store.retention.purge(now=NOW) == 2

    left = {a.scenario_id: a for a in store.attempts(SYSTEM)}
    assert sorted(left) == ["old", "recent", "started long ago, ended lately"]  # "old": the replay's name
    assert left["old"].id == replay.id and left["old"].parent_id is None
    assert rows(store, "turns", made["old"].id) == rows(store, "turns", made["old and ended"].id) == 0
    assert store.retention.purge(now=NOW) == 0
    assert store.retention.purge(now=NOW, days=2) == 1  # an override; "recent" is 3 days old


@pytest.fixture
def cli_store(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SPARRING_DATABASE_URL", raising=False)
    return Store(Settings.from_env().db_url)


def test_db_purge_command(cli_store: Store) -> None:
    attempt = cli_store.create_attempt(cli_store.user("ana"), "s", "easy", "fake")
    set_times(cli_store, attempt.id, datetime.now(UTC) - timedelta(days=10))
    cli_store.create_attempt(cli_store.user("ana"), "s", "easy", "fake")
    runner = CliRunner()

    result = runner.invoke(app, ["db", "purge"])
    assert result.exit_code == 0, result.output
    assert "No retention period is set" in result.stdout and "--days" in result.stdout

    cli_store.retention.set_retention_days(SYSTEM, 30)
    result = runner.invoke(app, ["db", "purge"])
    assert result.exit_code == 0 and "Purged 0 attempt(s)" in result.stdout and "30 day(s)" in result.stdout

    result = runner.invoke(app, ["db", "purge", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 attempt(s)" in result.stdout and "7 day(s)" in result.stdout
    assert len(cli_store.attempts(SYSTEM)) == 1
    assert runner.invoke(app, ["db", "purge", "--days", "0"]).exit_code == 2
