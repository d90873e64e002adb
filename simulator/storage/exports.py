"""CSV exports of sessions (one row per attempt), users and groups: a coach exports their
groups' coachees, an admin (and the operator at the command line) everything, a coachee
their own sessions.

Every exported attempt that is not the viewer's own goes into its owner's audit log (as
"export"), as a read of it would. Cells a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from simulator.storage.attempts import record_read
from simulator.storage.coaching import overall_score
from simulator.storage.database import Database
from simulator.storage.models import Assignment, Attempt, Group, GroupMember, User
from simulator.storage.policy import Viewer, may_manage_group, readable_attempts, readable_groups, readable_users

# The dimensions a report scores (evals/scoring/dimensions.py), in the order a report shows them.
DIMENSIONS = ("listening", "limit_setting", "goals")
SESSION_COLUMNS = (
    "participant",
    "scenario",
    "difficulty",
    "score",
    *DIMENSIONS,
    "attempt_number",
    "assigned_by",
    "started",
    "ended",
    "duration_min",
    "link",
)
USER_COLUMNS = ("name", "email", "role", "active", "created", "last_sign_in", "groups")
GROUP_COLUMNS = ("group", "coach", "member", "assignments")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula

Row = dict[str, Any]


def iso(when: datetime | None) -> str:
    """ISO 8601 in UTC, to the second; "" for none. SQLite hands back naive datetimes: they are UTC."""
    if when is None:
        return ""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="seconds")


def dimension_score(report: Any, name: str) -> int | None:
    """A dimension's score in a saved report; None when the report lacks it (not scored, or not applicable)."""
    try:
        return int(report["score"]["dimensions"][name]["score"])
    except (KeyError, TypeError, ValueError):
        return None


def attempt_link(attempt_id: int, base_url: str = "") -> str:
    """Where the app shows the attempt: a path (`/rehearse?attempt=7`), or a full URL given the app's address."""
    return f"{base_url.rstrip('/')}/rehearse?attempt={attempt_id}"


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """The rows as CSV with a header (the first row's keys unless `columns` are given);
    a text cell starting with = + - @ (or a tab or carriage return) gets a leading
    apostrophe so a spreadsheet shows it instead of running it."""
    rows = list(rows)
    columns = list(columns or (rows[0].keys() if rows else []))
    if not columns:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


class Exports:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sessions(
        self, viewer: Viewer, group_id: int | None = None, assignment_id: int | None = None, base_url: str = ""
    ) -> list[Row]:
        """One row per attempt the viewer may read, oldest first; narrowed to a group the
        viewer manages ([] for another) or to one assignment. `attempt_number` counts the
        participant's attempts at the scenario from 1, whether exported or not."""
        creator = aliased(User)
        numbered = select(
            Attempt.id.label("attempt_id"),
            func.row_number()
            .over(partition_by=(Attempt.user_id, Attempt.scenario_id), order_by=(Attempt.created_at, Attempt.id))
            .label("number"),
        ).subquery()
        query = (
            select(Attempt, User.name, numbered.c.number, creator.name)
            .join(User, User.id == Attempt.user_id)
            .join(numbered, numbered.c.attempt_id == Attempt.id)
            .outerjoin(Assignment, Assignment.id == Attempt.assignment_id)
            .outerjoin(creator, creator.id == Assignment.created_by)
            .where(readable_attempts(viewer))
            .order_by(Attempt.created_at, Attempt.id)
        )
        if assignment_id is not None:
            query = query.where(Attempt.assignment_id == assignment_id)
        with self.db.session() as s:
            if group_id is not None:
                group = s.get(Group, group_id)
                if group is None or not may_manage_group(viewer, group):
                    return []
                query = query.where(
                    Attempt.user_id.in_(select(GroupMember.user_id).where(GroupMember.group_id == group_id))
                )
            rows = []
            for attempt, participant, number, assigned_by in s.execute(query).all():
                record_read(s, viewer, attempt, "export")
                rows.append(_session_row(attempt, participant, number, assigned_by, base_url))
            return rows

    def users(self, viewer: Viewer) -> list[Row]:
        """Everyone for an admin; a coach's coachees and themselves for a coach. `groups`
        names the groups the viewer may see that the user belongs to."""
        with self.db.session() as s:
            users = list(s.scalars(select(User).where(readable_users(viewer)).order_by(func.lower(User.name))))
            memberships = s.execute(
                select(GroupMember.user_id, Group.name)
                .join(Group, Group.id == GroupMember.group_id)
                .where(readable_groups(viewer), GroupMember.user_id.in_([u.id for u in users]))
                .order_by(func.lower(Group.name))
            ).all()
        groups: dict[int, list[str]] = {}
        for user_id, name in memberships:
            groups.setdefault(user_id, []).append(name)
        return [
            {
                "name": user.name,
                "email": user.email or "",
                "role": str(user.role),
                "active": "yes" if user.active else "no",
                "created": iso(user.created_at),
                "last_sign_in": iso(user.last_login_at),
                "groups": "; ".join(groups.get(user.id, [])),
            }
            for user in users
        ]

    def groups(self, viewer: Viewer) -> list[Row]:
        """One row per member of each group the viewer manages (one with no member for an
        empty group), with the group's coach and how many assignments it has."""
        coach = aliased(User)
        with self.db.session() as s:
            groups = [
                (group, coach_name)
                for group, coach_name in s.execute(
                    select(Group, coach.name)
                    .join(coach, coach.id == Group.coach_id)
                    .where(readable_groups(viewer))
                    .order_by(func.lower(Group.name), Group.id)
                ).all()
                if may_manage_group(viewer, group)
            ]
            ids = [group.id for group, _ in groups]
            counts = dict(
                s.execute(
                    select(Assignment.group_id, func.count(Assignment.id))
                    .where(Assignment.group_id.in_(ids))
                    .group_by(Assignment.group_id)
                ).all()
            )
            members: dict[int, list[str]] = {}
            for group_id, name in s.execute(
                select(GroupMember.group_id, User.name)
                .join(User, User.id == GroupMember.user_id)
                .where(GroupMember.group_id.in_(ids))
                .order_by(func.lower(User.name))
            ).all():
                members.setdefault(group_id, []).append(name)
        return [
            {"group": group.name, "coach": coach_name, "member": member, "assignments": counts.get(group.id, 0)}
            for group, coach_name in groups
            for member in members.get(group.id) or [""]
        ]


def _session_row(attempt: Attempt, participant: str, number: int, assigned_by: str | None, base_url: str) -> Row:
    duration = None
    if attempt.ended_at is not None:
        seconds = (attempt.ended_at - attempt.created_at).total_seconds()
        duration = round(max(seconds, 0) / 60, 1)
    return {
        "participant": participant,
        "scenario": attempt.scenario_id,
        "difficulty": attempt.difficulty,
        "score": overall_score(attempt),
        **{name: dimension_score(attempt.report, name) for name in DIMENSIONS},
        "attempt_number": number,
        "assigned_by": assigned_by or "",
        "started": iso(attempt.created_at),
        "ended": iso(attempt.ended_at),
        "duration_min": duration,
        "link": attempt_link(attempt.id, base_url),
    }
