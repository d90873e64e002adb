"""Attempts and their turns. Every read takes the `Viewer` asking and goes through the
policy; a write comes from the engine after it checked `policy.may_talk`.

Every turn is committed the moment it exists: the coachee's before the model is called,
the persona's as soon as it is complete, so a crash or a dead model server loses nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from simulator.storage.database import Database
from simulator.storage.models import Attempt, AuditEntry, Turn, User, now
from simulator.storage.policy import Viewer, readable_attempts

ADD_TURN_TRIES = 3
AUDIT_QUIET = timedelta(minutes=30)  # one entry per reader and attempt in this window, not one per page refresh


def record_read(session: Session, viewer: Viewer, attempt: Attempt, action: str = "read") -> None:
    """Notes in the audit log that someone other than its owner read the attempt."""
    if viewer.user_id == attempt.user_id:
        return
    recent = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.attempt_id == attempt.id,
            AuditEntry.reader_id.is_(None) if viewer.user_id is None else AuditEntry.reader_id == viewer.user_id,
            AuditEntry.action == action,
            AuditEntry.at > now() - AUDIT_QUIET,
        )
    )
    if recent is None:
        session.add(
            AuditEntry(owner_id=attempt.user_id, reader_id=viewer.user_id, attempt_id=attempt.id, action=action)
        )


class Attempts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def user(self, name: str) -> User:
        """The user with this user name, created (as a coachee) the first time: for the
        local user when sign-in is off, and for the command line."""
        name = name.strip() or "guest"
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                user = User(name=name)
                s.add(user)
                s.flush()
            return user

    def create_attempt(
        self,
        user: User,
        scenario_id: str,
        difficulty: str,
        backend: str,
        assignment_id: int | None = None,
        round_id: int | None = None,
        scenario_version: int | None = None,
    ) -> Attempt:
        with self.db.session() as s:
            attempt = Attempt(
                user_id=user.id,
                scenario_id=scenario_id,
                difficulty=difficulty,
                backend=backend,
                assignment_id=assignment_id,
                round_id=round_id,
                scenario_version=scenario_version,
            )
            s.add(attempt)
            s.flush()
            return attempt

    def attempt(self, attempt_id: int, viewer: Viewer) -> Attempt | None:
        """The attempt, or None when it does not exist or the viewer may not read it. A read
        of someone else's attempt goes into the audit log its owner sees."""
        with self.db.session() as s:
            attempt = s.scalar(select(Attempt).where(Attempt.id == attempt_id, readable_attempts(viewer)))
            if attempt is not None:
                record_read(s, viewer, attempt)
            return attempt

    def turns(self, attempt_id: int, viewer: Viewer) -> list[Turn]:
        with self.db.session() as s:
            query = (
                select(Turn)
                .join(Attempt, Attempt.id == Turn.attempt_id)
                .where(Turn.attempt_id == attempt_id, readable_attempts(viewer))
                .order_by(Turn.idx)
            )
            return list(s.scalars(query))

    def attempts(self, viewer: Viewer, user_id: int | None = None, scenario_id: str | None = None) -> list[Attempt]:
        """The attempts the viewer may read, newest first; narrowed to one user or scenario."""
        with self.db.session() as s:
            query = select(Attempt).where(readable_attempts(viewer)).order_by(Attempt.created_at.desc())
            if user_id is not None:
                query = query.where(Attempt.user_id == user_id)
            if scenario_id is not None:
                query = query.where(Attempt.scenario_id == scenario_id)
            return list(s.scalars(query))

    def add_turn(self, attempt_id: int, role: str, text: str, **fields: Any) -> Turn:
        """Appends a turn and commits it at once. Two writers racing for the same index
        (two tabs on one attempt) are kept apart by the unique index: the loser retries."""
        for attempt in range(ADD_TURN_TRIES):
            try:
                with self.db.session() as s:
                    last = s.scalar(select(func.max(Turn.idx)).where(Turn.attempt_id == attempt_id))
                    turn = Turn(
                        attempt_id=attempt_id, idx=0 if last is None else last + 1, role=role, text=text, **fields
                    )
                    s.add(turn)
                    s.flush()
                    return turn
            except IntegrityError:
                if attempt == ADD_TURN_TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def end_attempt(self, attempt_id: int) -> None:
        with self.db.session() as s:
            attempt = s.get_one(Attempt, attempt_id)
            attempt.status = "ended"
            attempt.ended_at = attempt.ended_at or now()

    def save_report(self, attempt_id: int, report: dict[str, Any]) -> None:
        with self.db.session() as s:
            s.get_one(Attempt, attempt_id).report = report

    def branch(self, attempt_id: int, keep: int) -> Attempt:
        """A new attempt that replays the first `keep` turns of another, to try a different line."""
        with self.db.session() as s:
            source = s.get_one(Attempt, attempt_id)
            attempt = Attempt(
                user_id=source.user_id,
                scenario_id=source.scenario_id,
                difficulty=source.difficulty,
                backend=source.backend,
                parent_id=source.id,
                branched_at=keep,
                assignment_id=source.assignment_id,
                round_id=source.round_id,
                scenario_version=source.scenario_version,
            )
            s.add(attempt)
            s.flush()
            for turn in s.scalars(
                select(Turn).where(Turn.attempt_id == attempt_id, Turn.idx < keep).order_by(Turn.idx)
            ):
                copy = {
                    c.key: getattr(turn, c.key) for c in Turn.__table__.columns if c.key not in {"id", "attempt_id"}
                }
                s.add(Turn(attempt_id=attempt.id, **copy))
            return attempt
