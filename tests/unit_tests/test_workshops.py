"""Workshop rounds in storage: codes, joining (accounts and guests), the time box (start,
pause, carry on, extend, end, and the end when the time is up, on a clock the test sets), the
board, running a round again, the participant's say on their name in the debrief, the
trainer's debrief picks, and what deleting a round takes with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from simulator.storage.models import Role, Round, RoundParticipant
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store
from simulator.storage.workshops import CODE_ALPHABET, CODE_LENGTH, WorkshopError, time_left

SCENARIO = "tantrum_client"
OTHER = "career_unsure"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


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


class Clock:
    """The workshops' "now", moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def updates_while(store: Store, read) -> list[str]:  # noqa: ANN001 - a callable
    """The UPDATE statements a read issues."""
    statements: list[str] = []

    def seen(*args) -> None:  # noqa: ANN002
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        read()
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    return [sql for sql in statements if sql.lstrip().upper().startswith("UPDATE")]


def test_a_running_round_ends_by_itself_when_its_time_is_up(store, trainer):
    clock = Clock(T0)
    store.workshops.clock = clock
    ana = store.accounts.create_user("ana", "password1")
    round_ = make_round(store, trainer)
    store.workshops.join(round_.join_code, ana)
    started = store.workshops.start(trainer, round_.id)
    assert time_left(started, T0) == timedelta(minutes=15)

    clock.at = T0 + timedelta(minutes=14, seconds=59)
    assert store.workshops.by_code(round_.join_code).status == "running"
    assert [r.id for r in store.workshops.rounds_of(ana.id)] == [round_.id]

    clock.at = T0 + timedelta(minutes=15, seconds=1)
    store.workshops.board(trainer, round_.id)  # the trainer's board reads it first, and closes it
    with store.db.session() as s:
        stored = s.get(Round, round_.id)
        assert stored.status == "ended" and stored.ends_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=15)
    assert store.workshops.by_code(round_.join_code) is None  # the join page: no one else comes in
    assert store.workshops.rounds_of(ana.id) == []
    assert store.workshops.get(round_.id).status == "ended"  # the Rehearse page's clock
    assert updates_while(store, lambda: store.workshops.rounds(trainer)) == []  # once is enough
    with pytest.raises(WorkshopError, match="Only a round under way"):
        store.workshops.extend(trainer, round_.id, 5)


def test_a_round_whose_time_is_up_is_closed_by_whichever_page_reads_it_first(store, trainer):
    clock = Clock(T0)
    store.workshops.clock = clock
    ana = store.accounts.create_user("ana", "password1")
    readers = {
        "trainer page": lambda: store.workshops.rounds(trainer),
        "join page": lambda: store.workshops.by_code(code),
        "participant's rounds": lambda: store.workshops.rounds_of(ana.id),
        "rehearse page": lambda: store.workshops.get(round_id),
    }
    for what, read in readers.items():
        clock.at = T0
        round_ = make_round(store, trainer)
        code, round_id = round_.join_code, round_.id
        store.workshops.join(code, ana)
        store.workshops.start(trainer, round_id)
        clock.at = T0 + timedelta(minutes=16)
        assert len(updates_while(store, read)) == 1, what
        with store.db.session() as s:
            assert s.get(Round, round_id).status == "ended", what


def test_a_paused_round_or_one_extended_in_time_stays_open(store, trainer):
    clock = Clock(T0)
    store.workshops.clock = clock
    paused = make_round(store, trainer)
    store.workshops.start(trainer, paused.id)
    store.workshops.pause(trainer, paused.id)
    extended = make_round(store, trainer)
    store.workshops.start(trainer, extended.id)
    clock.at = T0 + timedelta(minutes=14)
    store.workshops.extend(trainer, extended.id, 5)
    clock.at = T0 + timedelta(minutes=16)
    statuses = {r.id: r.status for r in store.workshops.rounds(trainer)}
    assert statuses == {paused.id: "paused", extended.id: "running"}
    clock.at = T0 + timedelta(minutes=20)
    assert {r.id: r.status for r in store.workshops.rounds(trainer)} == {paused.id: "paused", extended.id: "ended"}


def test_running_a_round_again_keeps_its_settings_with_a_new_code(store, trainer):
    first = store.workshops.create_round(
        trainer, "Team leads", [SCENARIO, OTHER], "hard", 20, guests=True, anonymous=False
    )
    store.workshops.start(trainer, first.id)
    store.workshops.end(trainer, first.id)
    again = store.workshops.run_again(trainer, first.id)
    settings = ("name", "scenario_ids", "difficulty", "minutes", "guests", "anonymous", "trainer_id")
    assert [getattr(again, f) for f in settings] == [getattr(first, f) for f in settings]
    assert (again.status, again.follows_id, again.started_at) == ("draft", first.id, None)
    assert again.join_code != first.join_code
    assert store.workshops.by_code(again.join_code).id == again.id  # open to join

    elsewhere = store.workshops.create_round(trainer, "Other scenario", ["vague_it_colleague"], "standard", 15)
    overlapping = store.workshops.create_round(trainer, "Overlap", [OTHER], "standard", 15)
    assert [r.id for r in store.workshops.earlier_rounds(trainer, again.id)] == [first.id]
    assert [r.id for r in store.workshops.earlier_rounds(trainer, overlapping.id)] == [again.id, first.id]
    assert store.workshops.earlier_rounds(trainer, elsewhere.id) == []

    other = Viewer.of(store.accounts.create_user("tom", "password1", Role.trainer))
    with pytest.raises(KeyError):
        store.workshops.run_again(other, first.id)
    with pytest.raises(KeyError):
        store.workshops.earlier_rounds(other, again.id)
    store.workshops.delete_round(trainer, first.id)
    assert store.workshops.get(again.id).follows_id is None


def test_a_participant_says_whether_the_debrief_shows_their_name_until_the_round_ends(store, trainer):
    round_ = make_round(store, trainer, anonymous=False)
    ana, ben = (store.accounts.create_user(n, "password1") for n in ("ana", "ben"))
    for person in (ana, ben):
        store.workshops.join(round_.join_code, person)
    assert not store.workshops.shows_lines(round_.id, ana.id)  # off unless they agree
    store.workshops.set_show_lines(round_.id, ana.id, True)
    rows = store.workshops.board(trainer, round_.id)
    assert [(r.participant, r.speaker) for r in rows] == [("ana", "ana"), ("ben", "Participant 2")]

    anonymous = make_round(store, trainer)
    store.workshops.join(anonymous.join_code, ben)
    store.workshops.set_show_lines(anonymous.id, ben.id, True)
    assert [(r.participant, r.speaker) for r in store.workshops.board(trainer, anonymous.id)] == [
        ("Participant 1", "ben")
    ]

    store.workshops.set_show_lines(round_.id, ana.id, False)  # changed their mind
    assert not store.workshops.shows_lines(round_.id, ana.id)
    store.workshops.end(trainer, round_.id)
    with pytest.raises(WorkshopError, match="has ended"):
        store.workshops.set_show_lines(round_.id, ana.id, True)
    with store.db.session() as s:
        assert s.get(RoundParticipant, (round_.id, ana.id)).show_lines is False
    stranger = store.accounts.create_user("cy", "password1")
    with pytest.raises(KeyError):
        store.workshops.set_show_lines(anonymous.id, stranger.id, True)


def test_the_trainers_debrief_picks_are_kept_with_the_round(store, trainer):
    round_ = make_round(store, trainer, guests=True)
    _, guest = store.workshops.join_as_guest(round_.join_code, "Sam")
    attempt = store.create_attempt(guest, SCENARIO, "standard", "fake", round_id=round_.id)
    assert store.workshops.rounds(trainer)[0].debrief_picks is None  # not picked yet: the debrief shows the first few
    store.workshops.save_picks(trainer, round_.id, [(attempt.id, 3), (attempt.id, 5)])
    assert store.workshops.rounds(trainer)[0].debrief_picks == [
        {"attempt_id": attempt.id, "turn_idx": 3},
        {"attempt_id": attempt.id, "turn_idx": 5},
    ]
    store.workshops.save_picks(trainer, round_.id, [])
    assert store.workshops.rounds(trainer)[0].debrief_picks == []

    other = Viewer.of(store.accounts.create_user("tom", "password1", Role.trainer))
    with pytest.raises(KeyError):
        store.workshops.save_picks(other, round_.id, [(attempt.id, 3)])
    elsewhere = store.create_attempt(guest, SCENARIO, "standard", "fake")
    with pytest.raises(WorkshopError, match="this round's conversations"):
        store.workshops.save_picks(trainer, round_.id, [(elsewhere.id, 1)])
    assert store.workshops.rounds(trainer)[0].debrief_picks == []
