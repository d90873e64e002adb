"""The access policy, role by role against every kind of record: what each one finds, and
what each one may change. A record the policy denies is "not found", never an error that
confirms it exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.storage.models import Role
from simulator.storage.policy import SYSTEM, Viewer
from simulator.storage.store import Store

READERS = ["owner", "classmate", "their_coach", "other_coach", "trainer", "admin", "operator"]
# Who may read the owner's attempt and everything that hangs off it.
MAY_READ = {"owner", "their_coach", "admin", "operator"}
MAY_REVIEW = {"their_coach", "admin"}  # correct codes, adjust scores (not the owner, not the operator)
MAY_DELETE = {"owner", "admin", "operator"}


class World:
    """Two coachees in one coach's group, another coach, a trainer and an admin; the
    owner has one attempt with turns, a report, a comment, a correction and an adjustment."""

    def __init__(self, tmp_path: Path) -> None:
        self.store = store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
        make = store.accounts.create_user
        self.users = {
            "owner": make("owner", "password1"),
            "classmate": make("classmate", "password1"),
            "their_coach": make("coach", "password1", Role.coach),
            "other_coach": make("coach2", "password1", Role.coach),
            "trainer": make("trainer", "password1", Role.trainer),
            "admin": make("admin", "password1", Role.admin),
        }
        coach = self.viewer("their_coach")
        group = store.coaching.create_group(coach, "Team A")
        for name in ("owner", "classmate"):
            store.coaching.add_member(coach, group.id, self.users[name].id)
        self.group = group
        self.assignment = store.coaching.assign(coach, group.id, "tantrum_client", "standard", note="Try a limit")
        attempt = store.create_attempt(self.users["owner"], "tantrum_client", "standard", "fake", self.assignment.id)
        store.add_turn(attempt.id, "persona", "I need it by Monday.")
        store.add_turn(attempt.id, "coachee", "I hear you; it is outside the scope.", codes=["reflection"])
        store.end_attempt(attempt.id)
        store.save_report(attempt.id, {"score": {"overall": 55}})
        store.reviews.comment(coach, attempt.id, "Good start.", turn_idx=1)
        store.reviews.correct_codes(coach, attempt.id, 1, ["reflection", "limit"], "It states the limit")
        store.reviews.adjust_score(coach, attempt.id, "limit_setting", 40, 60, "Limit was clear")
        self.attempt = attempt
        store.attempt(attempt.id, coach)  # a coach's read: one audit entry for the owner

    def viewer(self, who: str) -> Viewer:
        return SYSTEM if who == "operator" else Viewer.of(self.users[who])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("policy"))


@pytest.mark.parametrize("who", READERS)
def test_each_role_reads_the_attempt_and_what_hangs_off_it_only_if_allowed(world: World, who: str) -> None:
    store, viewer, attempt_id = world.store, world.viewer(who), world.attempt.id
    allowed = who in MAY_READ
    found = store.attempt(attempt_id, viewer)
    assert (found is not None) == allowed
    assert bool(found and found.report) == allowed  # the report lives on the attempt
    assert (len(store.turns(attempt_id, viewer)) == 2) == allowed
    assert (attempt_id in {a.id for a in store.attempts(viewer)}) == allowed
    assert (len(store.reviews.comments(viewer, attempt_id)) == 1) == allowed
    assert (1 in store.reviews.corrections(viewer, attempt_id)) == allowed
    assert ("limit_setting" in store.reviews.adjustments(viewer, attempt_id)) == allowed
    assert (attempt_id in store.reviews.coach_scores(viewer, [attempt_id])) == allowed
    if not allowed:
        assert store.turns(attempt_id, viewer) == []
        with pytest.raises(KeyError, match="not found"):
            store.reviews.comment(viewer, attempt_id, "Let me in")


@pytest.mark.parametrize("who", READERS)
def test_only_the_owner_and_admins_see_the_audit_log_of_reads(world: World, who: str) -> None:
    entries = world.store.reviews.reads_of(world.viewer(who), world.users["owner"].id)
    assert bool(entries) == (who in {"owner", "admin", "operator"})
    if entries:
        assert {(e.action, name) for e, name in entries} >= {("read", "coach")}


@pytest.mark.parametrize("who", READERS)
def test_each_role_may_review_only_as_the_policy_says(world: World, who: str) -> None:
    store, viewer, attempt_id = world.store, world.viewer(who), world.attempt.id
    if who in MAY_REVIEW:
        store.reviews.correct_codes(viewer, attempt_id, 1, ["limit"], f"checked by {who}")
        store.reviews.adjust_score(viewer, attempt_id, "listening", 50, 55, f"checked by {who}")
        return
    with pytest.raises((PermissionError, KeyError)):
        store.reviews.correct_codes(viewer, attempt_id, 1, ["limit"], "not allowed")
    with pytest.raises((PermissionError, KeyError)):
        store.reviews.adjust_score(viewer, attempt_id, "listening", 50, 100, "not allowed")


@pytest.mark.parametrize("who", READERS)
def test_groups_assignments_and_users_by_role(world: World, who: str) -> None:
    store, viewer = world.store, world.viewer(who)
    sees_group = who in {"owner", "classmate", "their_coach", "admin", "operator"}
    assert (world.group.id in {g.id for g in store.coaching.groups(viewer)}) == sees_group
    assert (world.assignment.id in {a.id for a in store.coaching.assignments(viewer)}) == sees_group
    manages = who in {"their_coach", "admin", "operator"}
    assert bool(store.coaching.members(viewer, world.group.id)) == manages
    users = {u.name for u in store.accounts.users(viewer)}
    expected = {
        "owner": {"owner"},
        "classmate": {"classmate"},
        "their_coach": {"coach", "owner", "classmate"},
        "other_coach": {"coach2"},
        "trainer": {"trainer"},
    }.get(who, {u.name for u in world.users.values()})
    assert users == expected


@pytest.mark.parametrize("who", READERS)
def test_groups_are_changed_only_by_their_coach_and_admins(world: World, who: str) -> None:
    store, viewer = world.store, world.viewer(who)
    if who in {"their_coach", "admin", "operator"}:
        store.coaching.add_member(viewer, world.group.id, world.users["classmate"].id)
        return
    with pytest.raises((KeyError, PermissionError)):
        store.coaching.add_member(viewer, world.group.id, world.users[who].id if who in world.users else 1)
    with pytest.raises((KeyError, PermissionError)):
        store.coaching.assign(viewer, world.group.id, "tantrum_client", "easy")


@pytest.mark.parametrize("who", READERS)
def test_only_the_owner_talks_in_an_attempt(world: World, who: str) -> None:
    from simulator.storage.policy import may_delete, may_talk

    attempt = world.attempt
    assert may_talk(world.viewer(who), attempt) == (who == "owner")
    assert may_delete(world.viewer(who), attempt) == (who in MAY_DELETE)


def test_a_coach_loses_access_when_the_coachee_leaves_the_group(tmp_path: Path) -> None:
    world = World(tmp_path)
    coach = world.viewer("their_coach")
    world.store.coaching.remove_member(coach, world.group.id, world.users["owner"].id)
    assert world.store.attempt(world.attempt.id, coach) is None


def test_a_trainer_reads_the_attempts_made_in_their_rounds_and_no_other(tmp_path: Path) -> None:
    from simulator.storage.models import Attempt, Round, RoundParticipant

    world = World(tmp_path)
    store = world.store
    other_trainer = Viewer.of(store.accounts.create_user("trainer2", "password1", Role.trainer))
    trainer = world.viewer("trainer")
    in_round = store.create_attempt(world.users["owner"], "tantrum_client", "standard", "fake")
    with store.db.session() as s:
        workshop = Round(
            name="Limits workshop",
            trainer_id=trainer.user_id,
            join_code="ABC123",
            scenario_ids=["tantrum_client"],
            difficulty="standard",
            minutes=15,
        )
        s.add(workshop)
        s.flush()
        s.add(RoundParticipant(round_id=workshop.id, user_id=world.users["owner"].id))
        s.get_one(Attempt, in_round.id).round_id = workshop.id
    assert store.attempt(in_round.id, trainer) is not None
    assert store.attempt(world.attempt.id, trainer) is None  # the participant's other attempt
    assert store.attempt(in_round.id, other_trainer) is None
    assert {u.name for u in store.accounts.users(trainer)} == {"trainer", "owner"}
    assert {a.id for a in store.attempts(trainer)} == {in_round.id}
