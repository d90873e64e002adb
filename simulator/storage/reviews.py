"""A coach's review of an attempt: comments (the coachee replies), corrected codes and
adjusted scores, each with its author and reason; and the audit log of who read it.

Everything here is reached through the attempt: whoever may not read the attempt finds
no comment, correction or audit entry of it either."""

from __future__ import annotations

from sqlalchemy import Select, select

from simulator.core.codes import CODES
from simulator.storage.database import Database
from simulator.storage.models import Attempt, AuditEntry, CodeCorrection, Comment, ScoreAdjustment, Turn, User
from simulator.storage.policy import Viewer, may_review, readable_attempts

MAX_COMMENT = 4000


def _hanging_off(
    record: type[Comment | CodeCorrection | ScoreAdjustment],
    viewer: Viewer,
    attempt_ids: list[int],
    *,
    author: bool = False,
) -> Select:
    """The records of the attempts the viewer may read, oldest first; with `author`, each
    with its author's name."""
    columns = (record, User.name) if author else (record,)
    query = select(*columns).join(Attempt, Attempt.id == record.attempt_id)
    if author:
        query = query.join(User, User.id == record.author_id)
    where = (record.attempt_id.in_(attempt_ids), readable_attempts(viewer))
    return query.where(*where).order_by(record.created_at, record.id)


class ReviewError(ValueError):
    """A comment, correction or adjustment that cannot be saved as it is."""


class Reviews:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _readable(self, s, viewer: Viewer, attempt_id: int) -> Attempt:  # noqa: ANN001 - a Session
        attempt = s.scalar(select(Attempt).where(Attempt.id == attempt_id, readable_attempts(viewer)))
        if attempt is None:
            raise KeyError(f"attempt {attempt_id} not found")
        return attempt

    # ---- comments ------------------------------------------------------------------
    def comment(
        self, viewer: Viewer, attempt_id: int, text: str, turn_idx: int | None = None, reply_to: int | None = None
    ) -> Comment:
        text = text.strip()
        if not text:
            raise ReviewError("A comment cannot be empty.")
        if len(text) > MAX_COMMENT:
            raise ReviewError(f"A comment has at most {MAX_COMMENT} characters.")
        if viewer.user_id is None:
            raise PermissionError("Comments are written by signed-in users.")
        with self.db.session() as s:
            self._readable(s, viewer, attempt_id)
            if reply_to is not None:
                parent = s.get(Comment, reply_to)
                if parent is None or parent.attempt_id != attempt_id:
                    raise ReviewError("The comment you reply to is not on this attempt.")
                turn_idx = parent.turn_idx
            comment = Comment(
                attempt_id=attempt_id, turn_idx=turn_idx, reply_to=reply_to, author_id=viewer.user_id, text=text
            )
            s.add(comment)
            s.flush()
            return comment

    def comments(self, viewer: Viewer, attempt_id: int) -> list[tuple[Comment, str]]:
        """The attempt's comments with their authors' names, oldest first ([] when unreadable)."""
        with self.db.session() as s:
            query = _hanging_off(Comment, viewer, [attempt_id], author=True)
            return [(c, name) for c, name in s.execute(query).all()]

    # ---- corrections ---------------------------------------------------------------
    def correct_codes(self, viewer: Viewer, attempt_id: int, turn_idx: int, codes: list[str], reason: str) -> None:
        unknown = sorted(set(codes) - set(CODES))
        if unknown:
            raise ReviewError(f"Unknown codes: {', '.join(unknown)}.")
        if not reason.strip():
            raise ReviewError("Say why the codes are corrected: the coachee and the coder's trainers read it.")
        with self.db.session() as s:
            attempt = self._readable(s, viewer, attempt_id)
            if not may_review(viewer, attempt):
                raise PermissionError("Only a coach or an admin who is not its coachee corrects an attempt.")
            turn = s.scalar(select(Turn).where(Turn.attempt_id == attempt_id, Turn.idx == turn_idx))
            if turn is None or turn.role != "coachee":
                raise ReviewError("Only the coachee's lines carry codes.")
            s.add(
                CodeCorrection(
                    attempt_id=attempt_id,
                    turn_idx=turn_idx,
                    codes=sorted(set(codes)),
                    automatic=sorted(turn.codes or []),
                    reason=reason.strip(),
                    author_id=viewer.user_id,
                )
            )

    def corrections(self, viewer: Viewer, attempt_id: int) -> dict[int, CodeCorrection]:
        """The latest correction of each corrected line, by turn index."""
        with self.db.session() as s:
            return {c.turn_idx: c for c in s.scalars(_hanging_off(CodeCorrection, viewer, [attempt_id]))}

    def adjust_score(
        self, viewer: Viewer, attempt_id: int, dimension: str, automatic: int, score: int, reason: str
    ) -> None:
        if not 0 <= score <= 100:
            raise ReviewError("A score is between 0 and 100.")
        if not reason.strip():
            raise ReviewError("Say why the score is adjusted.")
        with self.db.session() as s:
            attempt = self._readable(s, viewer, attempt_id)
            if not may_review(viewer, attempt):
                raise PermissionError("Only a coach or an admin who is not its coachee adjusts a score.")
            s.add(
                ScoreAdjustment(
                    attempt_id=attempt_id,
                    dimension=dimension,
                    automatic=automatic,
                    score=score,
                    reason=reason.strip(),
                    author_id=viewer.user_id,
                )
            )

    def adjustments(self, viewer: Viewer, attempt_id: int) -> dict[str, tuple[ScoreAdjustment, str]]:
        """The latest adjustment of each dimension, with its author's name."""
        with self.db.session() as s:
            query = _hanging_off(ScoreAdjustment, viewer, [attempt_id], author=True)
            return {a.dimension: (a, name) for a, name in s.execute(query).all()}

    def coach_scores(self, viewer: Viewer, attempt_ids: list[int]) -> dict[int, dict[str, int]]:
        """The coach's latest score per adjusted dimension, by attempt (only readable attempts)."""
        if not attempt_ids:
            return {}
        with self.db.session() as s:
            query = _hanging_off(ScoreAdjustment, viewer, attempt_ids)
            out: dict[int, dict[str, int]] = {}
            for adjustment in s.scalars(query):
                out.setdefault(adjustment.attempt_id, {})[adjustment.dimension] = adjustment.score
            return out

    # ---- the audit log -------------------------------------------------------------
    def reads_of(self, viewer: Viewer, owner_id: int) -> list[tuple[AuditEntry, str | None]]:
        """Who read or exported the owner's attempts, newest first: for the owner and admins."""
        if viewer.user_id != owner_id and not viewer.is_admin:
            return []
        with self.db.session() as s:
            query = (
                select(AuditEntry, User.name)
                .outerjoin(User, User.id == AuditEntry.reader_id)
                .where(AuditEntry.owner_id == owner_id)
                .order_by(AuditEntry.at.desc())
            )
            return [(entry, name) for entry, name in s.execute(query).all()]
