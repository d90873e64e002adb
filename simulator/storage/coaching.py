"""Groups, their coachees and assignments, and what a coach's dashboard adds up from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select

from simulator.storage.database import Database
from simulator.storage.models import Assignment, Attempt, Group, GroupMember, Role, User
from simulator.storage.policy import Viewer, may_manage_group, readable_attempts, readable_groups


class CoachingError(ValueError):
    """A request about groups or assignments that cannot be done as asked."""


@dataclass(frozen=True)
class AssignmentStatus:
    """One assignment as one coachee stands with it."""

    assignment: Assignment
    group_name: str
    status: str  # not started | in progress | done | overdue
    attempts: int
    best: int | None  # best overall score among the attempts made for it


def status_of(assignment: Assignment, attempts: list[Attempt], today: date) -> str:
    """Done once an attempt made for it is ended; overdue when the due date passed without that."""
    if any(a.status == "ended" for a in attempts):
        return "done"
    if assignment.due_on is not None and assignment.due_on < today:
        return "overdue"
    return "in progress" if attempts else "not started"


def overall_score(attempt: Attempt) -> int | None:
    report = attempt.report or {}
    score = report.get("score") if isinstance(report, dict) else None
    return int(score["overall"]) if isinstance(score, dict) and "overall" in score else None


class Coaching:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- groups --------------------------------------------------------------------
    def create_group(self, viewer: Viewer, name: str, coach_id: int | None = None) -> Group:
        """A new group coached by the viewer (an admin may name another coach)."""
        if viewer.role not in {Role.coach, Role.admin} or viewer.user_id is None and coach_id is None:
            raise PermissionError("Only coaches and admins create groups.")
        name = name.strip()
        if not name:
            raise CoachingError("A group needs a name.")
        with self.db.session() as s:
            group = Group(name=name[:120], coach_id=coach_id if viewer.is_admin and coach_id else viewer.user_id)
            s.add(group)
            s.flush()
            return group

    def groups(self, viewer: Viewer) -> list[Group]:
        with self.db.session() as s:
            return list(s.scalars(select(Group).where(readable_groups(viewer)).order_by(func.lower(Group.name))))

    def _managed(self, s, viewer: Viewer, group_id: int) -> Group:  # noqa: ANN001 - a Session
        group = s.get(Group, group_id)
        if group is None or not may_manage_group(viewer, group):
            raise KeyError(f"group {group_id} not found")
        return group

    def add_member(self, viewer: Viewer, group_id: int, user_id: int) -> None:
        with self.db.session() as s:
            self._managed(s, viewer, group_id)
            user = s.get(User, user_id)
            if user is None or not user.active:
                raise CoachingError("There is no active user by that name.")
            if s.get(GroupMember, (group_id, user_id)) is None:
                s.add(GroupMember(group_id=group_id, user_id=user_id))

    def remove_member(self, viewer: Viewer, group_id: int, user_id: int) -> None:
        with self.db.session() as s:
            self._managed(s, viewer, group_id)
            s.execute(delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id))

    def members(self, viewer: Viewer, group_id: int) -> list[User]:
        """The group's coachees, for its coach and admins ([] for anyone else)."""
        with self.db.session() as s:
            group = s.get(Group, group_id)
            if group is None or not may_manage_group(viewer, group):
                return []
            query = (
                select(User)
                .join(GroupMember, GroupMember.user_id == User.id)
                .where(GroupMember.group_id == group_id)
                .order_by(func.lower(User.name))
            )
            return list(s.scalars(query))

    # ---- assignments ---------------------------------------------------------------
    def assign(
        self,
        viewer: Viewer,
        group_id: int,
        scenario_id: str,
        difficulty: str,
        due_on: date | None = None,
        note: str = "",
        target_score: int | None = None,
    ) -> Assignment:
        if target_score is not None and not 0 <= target_score <= 100:
            raise CoachingError("A target score is between 0 and 100.")
        with self.db.session() as s:
            self._managed(s, viewer, group_id)
            assignment = Assignment(
                group_id=group_id,
                scenario_id=scenario_id,
                difficulty=difficulty,
                due_on=due_on,
                note=note.strip(),
                target_score=target_score,
                created_by=viewer.user_id,
            )
            s.add(assignment)
            s.flush()
            return assignment

    def assignments(self, viewer: Viewer, group_id: int | None = None) -> list[Assignment]:
        """Assignments of the groups the viewer may see, newest first."""
        with self.db.session() as s:
            query = (
                select(Assignment)
                .join(Group, Group.id == Assignment.group_id)
                .where(readable_groups(viewer))
                .order_by(Assignment.created_at.desc())
            )
            if group_id is not None:
                query = query.where(Assignment.group_id == group_id)
            return list(s.scalars(query))

    def assignment(self, viewer: Viewer, assignment_id: int) -> Assignment | None:
        return next((a for a in self.assignments(viewer) if a.id == assignment_id), None)

    def my_assignments(self, viewer: Viewer, today: date) -> list[AssignmentStatus]:
        """The viewer's assignments as a coachee, those still to do first (overdue, then by due date)."""
        if viewer.user_id is None:
            return []
        with self.db.session() as s:
            rows = s.execute(
                select(Assignment, Group.name)
                .join(Group, Group.id == Assignment.group_id)
                .join(GroupMember, GroupMember.group_id == Group.id)
                .where(GroupMember.user_id == viewer.user_id)
            ).all()
            mine = list(s.scalars(select(Attempt).where(Attempt.user_id == viewer.user_id)))
        out = []
        for assignment, group_name in rows:
            made = [a for a in mine if a.assignment_id == assignment.id]
            scores = [score for a in made if (score := overall_score(a)) is not None]
            status = status_of(assignment, made, today)
            out.append(AssignmentStatus(assignment, group_name, status, len(made), max(scores, default=None)))
        order = {"overdue": 0, "in progress": 1, "not started": 2, "done": 3}
        return sorted(out, key=lambda a: (order[a.status], a.assignment.due_on or date.max, -a.assignment.id))

    # ---- the dashboard -------------------------------------------------------------
    def attempts_of_group(self, viewer: Viewer, group_id: int) -> list[Attempt]:
        """Every attempt the viewer may read by the group's coachees, oldest first."""
        with self.db.session() as s:
            members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
            query = (
                select(Attempt)
                .where(Attempt.user_id.in_(members), readable_attempts(viewer))
                .order_by(Attempt.created_at)
            )
            return list(s.scalars(query))


def last_practice(attempts: list[Attempt]) -> datetime | None:
    return max((a.ended_at or a.created_at for a in attempts), default=None)
