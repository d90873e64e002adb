"""Deleting attempts: one, or a coachee's whole history, by its owner (an admin may delete
any); and the retention period an admin sets, after which attempts are purged (by
`python -m simulator db purge`, and when the app starts).

An attempt goes with everything that hangs off it: its turns, its report (a column of the
attempt), its comments, code corrections and score adjustments. Nothing is left to delete
in the search index: Chroma holds only the scenarios' notes, never a word of an attempt.

Replays branched from a deleted attempt stay (they are attempts of their own, with their
own copies of the turns), their `parent_id` cleared. The audit log stays too, so the owner
still sees who read what: its `attempt_id` is a plain number, not a foreign key.

The foreign keys release 0.1.0 made (turns → attempts, attempts → their parent) do not
cascade, and the ones that do cascade need SQLite's foreign keys on: every row is deleted
here explicitly, so neither matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from simulator.storage.database import Database
from simulator.storage.models import AppSetting, Attempt, CodeCorrection, Comment, ScoreAdjustment, Turn
from simulator.storage.policy import Viewer, may_delete, readable_attempts

RETENTION_KEY = "retention_days"
BATCH = 500  # attempt ids per statement, well below every database's limit on bound parameters
_HANGING_OFF = (Turn, Comment, CodeCorrection, ScoreAdjustment)  # rows with an attempt_id


class RetentionError(ValueError):
    """A retention period that cannot be set as asked."""


def delete_attempts(s: Session, attempt_ids: Iterable[int]) -> int:
    """Deletes the attempts and every row that hangs off them; returns how many attempts went."""
    ids = list(dict.fromkeys(attempt_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        s.execute(update(Attempt).where(Attempt.parent_id.in_(batch)).values(parent_id=None))
        for table in _HANGING_OFF:
            s.execute(delete(table).where(table.attempt_id.in_(batch)))
        s.execute(delete(Attempt).where(Attempt.id.in_(batch)))
    return len(ids)


def _utc(when: datetime) -> datetime:
    """Naive datetimes (as SQLite hands them back) are UTC; the database stores UTC without a zone."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class Retention:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- deleting ------------------------------------------------------------------
    def delete_attempt(self, viewer: Viewer, attempt_id: int) -> bool:
        """Deletes the attempt; False when there is none the viewer may read (an attempt
        someone may not read looks the same as one that does not exist). A viewer who may
        read it but not delete it (its coach) gets PermissionError."""
        with self.db.session() as s:
            attempt = s.scalar(select(Attempt).where(Attempt.id == attempt_id, readable_attempts(viewer)))
            if attempt is None:
                return False
            if not may_delete(viewer, attempt):
                raise PermissionError("Only its coachee (or an admin) deletes an attempt.")
            delete_attempts(s, [attempt.id])
            return True

    def delete_history(self, viewer: Viewer, user_id: int) -> int:
        """Deletes all of a user's attempts, for the user themselves or an admin; returns how many."""
        if viewer.user_id != user_id and not viewer.is_admin:
            raise PermissionError("Only the user themselves (or an admin) deletes their history.")
        with self.db.session() as s:
            return delete_attempts(s, s.scalars(select(Attempt.id).where(Attempt.user_id == user_id)))

    # ---- the retention period ------------------------------------------------------
    def retention_days(self) -> int | None:
        """Days attempts are kept; None: kept until deleted."""
        with self.db.session() as s:
            setting = s.get(AppSetting, RETENTION_KEY)
            return int(setting.value) if setting is not None and setting.value is not None else None

    def set_retention_days(self, viewer: Viewer, days: int | None) -> None:
        """Sets the period (admins only): at least one day, or None to keep attempts until deleted."""
        if not viewer.is_admin:
            raise PermissionError("Only an admin sets the retention period.")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise RetentionError("Keep attempts at least one day, or until they are deleted.")
        with self.db.session() as s:
            setting = s.get(AppSetting, RETENTION_KEY)
            if days is None:
                if setting is not None:
                    s.delete(setting)
            elif setting is None:
                s.add(AppSetting(key=RETENTION_KEY, value=days))
            else:
                setting.value = days

    def purge(self, now: datetime | None = None, days: int | None = None) -> int:
        """Deletes the attempts last active (ended, else started) more than the retention
        period ago, or `days` ago when given; returns how many. Nothing without a period."""
        days = self.retention_days() if days is None else days
        if days is None:
            return 0
        if days < 1:
            raise RetentionError("Keep attempts at least one day.")
        cutoff = _utc(now or datetime.now(UTC)) - timedelta(days=days)
        with self.db.session() as s:
            old = select(Attempt.id).where(func.coalesce(Attempt.ended_at, Attempt.created_at) < cutoff)
            return delete_attempts(s, s.scalars(old))
