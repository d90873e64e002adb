"""Workshop rounds in storage: codes, joining (accounts and guests), the time box (start,
pause, carry on, extend, end), the board, and what deleting a round takes with it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from simulator.storage.models import Role, Round
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store
from simulator.storage.workshops import CODE_ALPHABET, CODE_LENGTH, WorkshopError, time_left

SCENARIO = "tantrum_client"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def trainer(store: Store) -> Viewer:
    return Viewer.of(store.accounts.create_user("tara", "password1", Role.trainer))


def make_round(store: Store, trainer: Viewer, **options) -> Round:
    return store.workshops.create_round(trainer, "Limits", [SCENARIO], "standard", 15, **options)


def test_only_trainers_and_admins_create_rounds_with_a_readable_code(store, trainer):
    round_ = make_round(store, trainer)
    assert len(round_.join_code) == CODE_LENGTH and set(round_.join_code) <= set(CODE_ALPHABET)
    assert round_.status == "draft" and round_.anonymous and not round_.guests
    coach = Viewer.of(store.accounts.create_user("cora", "password1", Role.coach))
    with pytest.raises(PermissionError):
        make_round(store, coach)
    with pytest.raises(WorkshopError, match="between 1 and"):
        store.workshops.create_round(trainer, "Too long", [SCENARIO], "standard", 999)
    assert [r.id for r in store.workshops.rounds(trainer)] == [round_.id]
    assert store.workshops.rounds(coach) == []


def test_joining_by_code_with_an_account_or_as_a_guest(store, trainer):
    round_ = make_round(store, trainer, guests=True)
    ana = store.accounts.create_user("ana", "password1")
    code = f" {round_.join_code.lower()[:3]} {round_.join_code.lower()[3:]} "  # as typed from a projector
    assert store.workshops.join(code, ana).id == round_.id
    store.workshops.join(round_.join_code, ana)  # twice is once
    _, guest = store.workshops.join_as_guest(round_.join_code, "  Sam  ")
    _, other = store.workshops.join_as_guest(round_.join_code, "Sam")
    assert (guest.name, guest.guest, other.name) == ("Sam", True, "Sam (2)")
    assert [r.participant for r in store.workshops.board(trainer, round_.id)] == [
        "Participant 1",
        "Participant 2",
        "Participant 3",
    ]
    with pytest.raises(WorkshopError, match="no open round"):
        store.workshops.join("ZZZZZZ", ana)
    closed = make_round(store, trainer)
    with pytest.raises(WorkshopError, match="needs an account"):
        store.workshops.join_as_guest(closed.join_code, "Sam")


def test_the_time_box_starts_pauses_carries_on_extends_and_ends(store, trainer):
    round_ = make_round(store, trainer)
    assert time_left(round_) is None
    started = store.workshops.start(trainer, round_.id)
    assert timedelta(minutes=14) < time_left(started) <= timedelta(minutes=15)
    paused = store.workshops.pause(trainer, round_.id)
    frozen = time_left(paused)
    assert time_left(paused, paused.paused_at + timedelta(minutes=10)) == frozen  # the clock stops
    carried_on = store.workshops.resume(trainer, round_.id)
    assert abs(time_left(carried_on) - frozen) < timedelta(seconds=2)
    extended = store.workshops.extend(trainer, round_.id, 5)
    assert time_left(extended) > timedelta(minutes=19)
    ended = store.workshops.end(trainer, round_.id)
    assert time_left(ended) == timedelta(0) and store.workshops.by_code(round_.join_code) is None
    with pytest.raises(WorkshopError):
        store.workshops.start(trainer, round_.id)
    other = Viewer.of(store.accounts.create_user("tom", "password1", Role.trainer))
    with pytest.raises(KeyError, match="not found"):
        store.workshops.pause(other, round_.id)


def test_the_board_shows_each_conversation_and_costs_the_same_queries_for_any_room(store, trainer):
    round_ = make_round(store, trainer, anonymous=False)
    people = [store.accounts.create_user(f"p{i}", "password1") for i in range(3)]
    for person in people:
        store.workshops.join(round_.join_code, person)
    talking = store.create_attempt(people[0], SCENARIO, "standard", "fake", round_id=round_.id)
    store.add_turn(talking.id, "persona", "Opening.", state={"trust": 30.0})
    store.add_turn(talking.id, "coachee", "I hear you.")
    store.add_turn(talking.id, "persona", "Finally.", state={"trust": 42.0})
    done = store.create_attempt(people[1], SCENARIO, "standard", "fake", round_id=round_.id)
    store.end_attempt(done.id)
    store.save_report(done.id, {"score": {"overall": 71}})
    rows = {r.participant: r for r in store.workshops.board(trainer, round_.id)}
    assert (rows["p0"].state, rows["p0"].lines, rows["p0"].trust) == ("talking", 1, 42.0)
    assert (rows["p1"].state, rows["p1"].scores) == ("ended", {"overall": 71})
    assert (rows["p2"].state, rows["p2"].attempt_id) == ("joined", None)

    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    store.workshops.board(trainer, round_.id)
    few = len(statements)
    for i in range(20):
        late = store.accounts.create_user(f"late{i}", "password1")
        store.workshops.join(round_.join_code, late)
        store.create_attempt(late, SCENARIO, "standard", "fake", round_id=round_.id)
    statements.clear()
    store.workshops.board(trainer, round_.id)
    assert len(statements) == few  # not one query per participant


def test_deleting_a_round_takes_its_guests_and_their_attempts_but_not_account_holders(store, trainer):
    round_ = make_round(store, trainer, guests=True)
    ana = store.accounts.create_user("ana", "password1")
    store.workshops.join(round_.join_code, ana)
    _, guest = store.workshops.join_as_guest(round_.join_code, "Sam")
    kept = store.create_attempt(ana, SCENARIO, "standard", "fake", round_id=round_.id)
    gone = store.create_attempt(guest, SCENARIO, "standard", "fake", round_id=round_.id)
    store.add_turn(gone.id, "coachee", "A guest's line.")
    assert store.attempt(gone.id, trainer) is not None  # the trainer reads the round's attempts
    assert store.workshops.delete_round(trainer, round_.id) == 1
    assert store.attempt(kept.id, SYSTEM).round_id is None
    assert store.attempt(gone.id, SYSTEM) is None and store.accounts.get(guest.id) is None
    with store.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM turns WHERE attempt_id = :a"), {"a": gone.id}).scalar() == 0
        )
        assert connection.execute(text("SELECT count(*) FROM rounds")).scalar() == 0
