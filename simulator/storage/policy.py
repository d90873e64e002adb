"""Who may read or change what: the one place that decides.

Reading: a coachee reads their own attempts; a coach also those of the coachees in the
groups they coach; a trainer also the attempts made in the workshop rounds they run (not
their participants' other attempts); an admin everything. An attempt's turns, report,
comments, corrections and audit entries go with the attempt. The repositories put
`readable_attempts` into every query, so a record the policy denies is never loaded: it is
"not found", not "forbidden".

Changing: only the owner talks in, deletes or replays an attempt (an admin may delete
any); anyone who may read an attempt may comment on it; coaches and admins who are not
its owner correct its codes and scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from simulator.storage.models import Attempt, Group, GroupMember, Role, Round, RoundParticipant, User

REVIEWERS = frozenset({Role.coach, Role.admin})


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in user, or the operator at the command line (`SYSTEM`)."""

    user_id: int | None
    role: Role

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, Role(user.role))

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


SYSTEM = Viewer(None, Role.admin)  # `python -m simulator …` run by whoever runs the server


def coached_users(coach_id: int):  # noqa: ANN201 - a SQLAlchemy select
    """The ids of the coachees in the groups `coach_id` coaches."""
    return select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id).where(Group.coach_id == coach_id)


def trained_rounds(trainer_id: int):  # noqa: ANN201 - a SQLAlchemy select
    """The ids of the rounds `trainer_id` runs."""
    return select(Round.id).where(Round.trainer_id == trainer_id)


def readable_users(viewer: Viewer) -> ColumnElement[bool]:
    """The users the viewer may see, as a condition on User: themselves, a coach's coachees,
    a trainer's participants; everyone for an admin."""
    if viewer.is_admin:
        return true()
    if viewer.user_id is None:
        return false()
    if viewer.role == Role.coach:
        return or_(User.id == viewer.user_id, User.id.in_(coached_users(viewer.user_id)))
    if viewer.role == Role.trainer:
        participants = select(RoundParticipant.user_id).where(
            RoundParticipant.round_id.in_(trained_rounds(viewer.user_id))
        )
        return or_(User.id == viewer.user_id, User.id.in_(participants))
    return User.id == viewer.user_id


def readable_attempts(viewer: Viewer) -> ColumnElement[bool]:
    """The attempts the viewer may read, as a condition on Attempt."""
    if viewer.is_admin:
        return true()
    if viewer.user_id is None:
        return false()
    own = Attempt.user_id == viewer.user_id
    if viewer.role == Role.coach:
        return or_(own, Attempt.user_id.in_(coached_users(viewer.user_id)))
    if viewer.role == Role.trainer:
        return or_(own, Attempt.round_id.in_(trained_rounds(viewer.user_id)))
    return own


def may_talk(viewer: Viewer, attempt: Attempt) -> bool:
    """Say a line, replay or end: the attempt's owner only (a coach's view is read-only)."""
    return viewer.user_id is not None and viewer.user_id == attempt.user_id


def may_delete(viewer: Viewer, attempt: Attempt) -> bool:
    return may_talk(viewer, attempt) or viewer.is_admin


def may_review(viewer: Viewer, attempt: Attempt) -> bool:
    """Correct a line's codes or adjust a score (the attempt must be readable too)."""
    return viewer.role in REVIEWERS and viewer.user_id is not None and viewer.user_id != attempt.user_id


def may_manage_group(viewer: Viewer, group: Group) -> bool:
    return viewer.is_admin or (viewer.role == Role.coach and group.coach_id == viewer.user_id)


def readable_groups(viewer: Viewer) -> ColumnElement[bool]:
    """Groups the viewer coaches (all of them for an admin), or belongs to."""
    if viewer.is_admin:
        return true()
    if viewer.user_id is None:
        return false()
    member_of = select(GroupMember.group_id).where(GroupMember.user_id == viewer.user_id)
    return or_(Group.coach_id == viewer.user_id, Group.id.in_(member_of))
