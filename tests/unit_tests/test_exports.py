"""CSV exports of sessions, users and groups: their columns and values, who sees which rows,
the audit log, defused formulas and the `export` commands."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from simulator.cli import app
from simulator.core.settings import Settings
from simulator.storage.exports import GROUP_COLUMNS, SESSION_COLUMNS, USER_COLUMNS, to_csv
from simulator.storage.models import Attempt, Role
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store

START = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
REPORT = {
    "score": {
        "overall": 72,
        "dimensions": {"listening": {"score": 80}, "limit_setting": {"score": 61}, "goals": {"score": 70}},
    }
}


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def build(store: Store) -> SimpleNamespace:
    """Coach cora's group has ana; coach dan's has bo. Ana tried s1 twice (the second for
    cora's assignment, scored) and s2 once; bo tried s1 once."""
    cora = store.accounts.create_user("cora", "password1", Role.coach, "cora@example.org")
    dan = store.accounts.create_user("dan", "password1", Role.coach)
    ana, bo = store.user("ana"), store.user("bo")
    mine = store.coaching.create_group(Viewer.of(cora), "Team A")
    store.coaching.add_member(Viewer.of(cora), mine.id, ana.id)
    theirs = store.coaching.create_group(Viewer.of(dan), "Team B")
    store.coaching.add_member(Viewer.of(dan), theirs.id, bo.id)
    task = store.coaching.assign(Viewer.of(cora), mine.id, "s1", "standard")
    first = store.create_attempt(ana, "s1", "easy", "fake")
    second = store.create_attempt(ana, "s1", "standard", "fake", assignment_id=task.id)
    store.save_report(second.id, REPORT)
    other = store.create_attempt(ana, "s2", "hard", "fake")
    bos = store.create_attempt(bo, "s1", "easy", "fake")
    times = {first: (START, None), second: (START + timedelta(hours=1), START + timedelta(hours=1, minutes=12.5))}
    times |= {other: (START + timedelta(hours=2), None), bos: (START + timedelta(hours=3), None)}
    with store.db.session() as s:
        for attempt, (created, ended) in times.items():
            s.execute(update(Attempt).where(Attempt.id == attempt.id).values(created_at=created, ended_at=ended))
    return SimpleNamespace(**locals())


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_session_rows_have_the_columns_and_values(store: Store) -> None:
    w = build(store)
    rows = store.exports.sessions(SYSTEM)
    assert [tuple(r) for r in rows] == [SESSION_COLUMNS] * 4
    assert [(r["participant"], r["scenario"], r["attempt_number"]) for r in rows] == [
        ("ana", "s1", 1),
        ("ana", "s1", 2),
        ("ana", "s2", 1),
        ("bo", "s1", 1),
    ]
    scored = rows[1]
    assert scored == {
        "participant": "ana",
        "scenario": "s1",
        "difficulty": "standard",
        "score": 72,
        "listening": 80,
        "limit_setting": 61,
        "goals": 70,
        "attempt_number": 2,
        "assigned_by": "cora",
        "started": "2025-03-04T10:30:00+00:00",
        "ended": "2025-03-04T10:42:30+00:00",
        "duration_min": 12.5,
        "link": f"/rehearse?attempt={w.second.id}",
    }
    unscored = {k: rows[0][k] for k in ("score", "listening", "assigned_by", "ended", "duration_min")}
    assert unscored == {"score": None, "listening": None, "assigned_by": "", "ended": "", "duration_min": None}
    full = store.exports.sessions(SYSTEM, base_url="https://sparring.example.org/")
    assert full[1]["link"] == f"https://sparring.example.org/rehearse?attempt={w.second.id}"
    assert [r["attempt_number"] for r in store.exports.sessions(SYSTEM, assignment_id=w.task.id)] == [2]


def test_a_coach_exports_only_their_groups_coachees_and_it_is_audited(store: Store) -> None:
    w = build(store)
    cora = Viewer.of(w.cora)
    rows = store.exports.sessions(cora)
    assert {r["participant"] for r in rows} == {"ana"} and len(rows) == 3
    assert [r["participant"] for r in store.exports.sessions(cora, group_id=w.mine.id)] == ["ana"] * 3
    assert store.exports.sessions(cora, group_id=w.theirs.id) == []  # not her group
    assert {r["participant"] for r in store.exports.sessions(Viewer.of(w.dan))} == {"bo"}

    reads = store.reviews.reads_of(Viewer.of(w.ana), w.ana.id)
    assert sorted((e.attempt_id, e.action, name) for e, name in reads) == [
        (attempt.id, "export", "cora") for attempt in (w.first, w.second, w.other)
    ]
    store.exports.sessions(cora)  # again at once: not noted twice
    assert len(store.reviews.reads_of(Viewer.of(w.ana), w.ana.id)) == 3


def test_a_coachee_exports_only_their_own_sessions_unaudited(store: Store) -> None:
    w = build(store)
    bo = Viewer.of(w.bo)
    assert [(r["participant"], r["scenario"]) for r in store.exports.sessions(bo)] == [("bo", "s1")]
    assert store.reviews.reads_of(bo, w.bo.id) == []


def test_users_and_groups_rows(store: Store) -> None:
    w = build(store)
    store.accounts.set_active(SYSTEM, w.bo.id, False)
    users = store.exports.users(SYSTEM)
    assert [tuple(r) for r in users] == [USER_COLUMNS] * 4
    by_name = {r["name"]: r for r in users}
    assert sorted(by_name) == ["ana", "bo", "cora", "dan"]
    assert by_name["cora"]["email"] == "cora@example.org" and by_name["cora"]["role"] == "coach"
    assert by_name["ana"]["groups"] == "Team A" and by_name["bo"]["active"] == "no"
    assert by_name["ana"]["created"].endswith("+00:00") and by_name["ana"]["last_sign_in"] == ""
    assert [r["name"] for r in store.exports.users(Viewer.of(w.cora))] == ["ana", "cora"]

    assert store.exports.groups(SYSTEM) == [
        {"group": "Team A", "coach": "cora", "member": "ana", "assignments": 1},
        {"group": "Team B", "coach": "dan", "member": "bo", "assignments": 0},
    ]
    store.coaching.create_group(Viewer.of(w.cora), "Empty")
    assert store.exports.groups(Viewer.of(w.cora)) == [
        {"group": "Empty", "coach": "cora", "member": "", "assignments": 0},
        {"group": "Team A", "coach": "cora", "member": "ana", "assignments": 1},
    ]
    assert store.exports.groups(Viewer.of(w.ana)) == []  # a member does not export the group
    assert [tuple(r) for r in store.exports.groups(SYSTEM)] == [GROUP_COLUMNS] * 3


def test_csv_has_a_header_and_defuses_formulas() -> None:
    rows = [
        {"name": '=HYPERLINK("http://evil")', "note": "+1", "score": -5},
        {"name": "-2+3", "note": "@SUM(A1)", "score": None},
        {"name": "\tx", "note": "plain, with a comma", "score": 7},
    ]
    text = to_csv(rows)
    assert text.splitlines()[0] == "name,note,score"
    assert parse(text) == [
        {"name": '\'=HYPERLINK("http://evil")', "note": "'+1", "score": "-5"},
        {"name": "'-2+3", "note": "'@SUM(A1)", "score": ""},
        {"name": "'\tx", "note": "plain, with a comma", "score": "7"},
    ]
    assert to_csv([], ["a", "b"]) == "a,b\r\n"
    assert to_csv([]) == ""


def test_a_formula_in_a_user_name_is_defused_in_the_export(store: Store) -> None:
    store.create_attempt(store.user("=cmd|'/c calc'!A1"), "s1", "easy", "fake")
    [row] = parse(to_csv(store.exports.sessions(SYSTEM)))
    assert row["participant"] == "'=cmd|'/c calc'!A1"


def test_export_commands_write_csv_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SPARRING_DATABASE_URL", raising=False)
    w = build(Store(Settings.from_env().db_url))
    runner = CliRunner()
    for command, count, columns in [
        ("sessions", 4, SESSION_COLUMNS),
        ("users", 4, USER_COLUMNS),
        ("groups", 2, GROUP_COLUMNS),
    ]:
        out = tmp_path / "out" / f"{command}.csv"
        result = runner.invoke(app, ["export", command, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert f"Wrote {count} row(s) to {out}" in result.stdout
        rows = parse(out.read_text(encoding="utf-8"))
        assert len(rows) == count and tuple(rows[0]) == columns
    out = tmp_path / "team.csv"
    result = runner.invoke(app, ["export", "sessions", "--out", str(out), "--group", str(w.theirs.id)])
    assert result.exit_code == 0 and [r["participant"] for r in parse(out.read_text())] == ["bo"]
    assert runner.invoke(app, ["export", "sessions"]).exit_code == 2  # --out is required
