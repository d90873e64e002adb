"""Workshop rounds: a trainer creates a round (scenarios, difficulty, time box, guests or
accounts, anonymous board or names), people join with its short code, the trainer starts,
pauses, extends and ends it, and the board says where every conversation stands.

The time box lives in the database (`ends_at`, and `paused_at` while paused), so every
replica and every participant's page agrees on the time left. A running round whose time is
up is marked ended where it is read (no background thread): whoever reads it first closes it,
once. Guests are users of their own (`User.guest`, no password); their attempts go with the
round when it is deleted.

A round can follow an earlier one (`follows_id`: the same round run again), and keeps the
example lines its trainer picked for the debrief (`debrief_picks`). A participant's lines show
with their name in the debrief only if they agreed (`RoundParticipant.show_lines`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from simulator.storage.database import Database
from simulator.storage.models import Attempt, Role, Round, RoundParticipant, Turn, User, now
from simulator.storage.policy import Viewer
from simulator.storage.retention import delete_attempts

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector
CODE_LENGTH = 6
MAX_MINUTES = 240
RUNNERS = frozenset({Role.trainer, Role.admin})


class WorkshopError(ValueError):
    """A request about a round that cannot be done as asked; the message says why."""


def _utc(when: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def time_left(round_: Round, at: datetime | None = None) -> timedelta | None:
    """What is left of the time box: None before the start, zero once it is over."""
    ends = _utc(round_.ends_at)
    if ends is None:
        return None
    if round_.status == "ended":
        return timedelta(0)
    at = _utc(round_.paused_at) if round_.status == "paused" else (at or now())
    return max(ends - at, timedelta(0))


@dataclass(frozen=True)
class BoardRow:
    """One participant on the live board."""

    participant: str  # their name, or "Participant 3" on an anonymous board
    user_id: int
    attempt_id: int | None
    state: str  # joined | talking | ended
    lines: int  # the participant's lines so far
    trust: float | None  # the persona's latest trust
    scores: dict[str, Any] = field(default_factory=dict)  # overall and per dimension, once scored
    speaker: str = ""  # how the debrief labels their lines: their name only if they agreed, else "Participant 3"


class Workshops:
    def __init__(self, db: Database, clock: Callable[[], datetime] = now) -> None:
        self.db = db
        self.clock = clock  # the time box's "now"; tests set their own

    def _close_if_over(self, s: Session, rounds: Iterable[Round]) -> None:
        """Marks running rounds whose time is up as ended. The update checks the database's
        `ends_at` again, so a round the trainer has just extended stays open, and a second
        reader changes nothing."""
        at = self.clock()
        for round_ in rounds:
            ends = _utc(round_.ends_at)
            if round_.status != "running" or ends is None or ends > at:
                continue
            closing = (
                update(Round)
                .where(Round.id == round_.id, Round.status == "running", Round.ends_at <= at)
                .values(status="ended")
                .execution_options(synchronize_session=False)
            )
            s.execute(closing)
            s.refresh(round_)

    # ---- the trainer's side -----------------------------------------------------------
    def create_round(
        self,
        viewer: Viewer,
        name: str,
        scenario_ids: list[str],
        difficulty: str,
        minutes: int,
        *,
        guests: bool = False,
        anonymous: bool = True,
        follows_id: int | None = None,
    ) -> Round:
        if viewer.role not in RUNNERS or viewer.user_id is None:
            raise PermissionError("Only trainers and admins run workshop rounds.")
        if not name.strip():
            raise WorkshopError("A round needs a name.")
        if not scenario_ids:
            raise WorkshopError("Pick at least one scenario.")
        if not 1 <= minutes <= MAX_MINUTES:
            raise WorkshopError(f"The time box is between 1 and {MAX_MINUTES} minutes.")
        with self.db.session() as s:
            code = new_code()
            while s.scalar(select(Round.id).where(Round.join_code == code)) is not None:
                code = new_code()
            round_ = Round(
                name=name.strip()[:120],
                trainer_id=viewer.user_id,
                join_code=code,
                scenario_ids=list(scenario_ids),
                difficulty=difficulty,
                minutes=minutes,
                guests=guests,
                anonymous=anonymous,
                follows_id=follows_id,
                debrief_picks=None,  # until the trainer picks: then a list, empty if they pick none
            )
            s.add(round_)
            s.flush()
            return round_

    def run_again(self, viewer: Viewer, round_id: int) -> Round:
        """A new draft of the round (same scenarios, difficulty, time box, guests and names on
        the board, a new code) that follows it, so the debrief can compare the two."""
        with self.db.session() as s:
            first = self._run(s, viewer, round_id)
        return self.create_round(
            viewer,
            first.name,
            first.scenario_ids,
            first.difficulty,
            first.minutes,
            guests=first.guests,
            anonymous=first.anonymous,
            follows_id=first.id,
        )

    def rounds(self, viewer: Viewer) -> list[Round]:
        """The rounds the viewer runs (every round for an admin), newest first."""
        with self.db.session() as s:
            query = select(Round).order_by(Round.created_at.desc(), Round.id.desc())
            if not viewer.is_admin:
                query = query.where(Round.trainer_id == viewer.user_id)
            found = list(s.scalars(query))
            self._close_if_over(s, found)
            return found

    def earlier_rounds(self, viewer: Viewer, round_id: int) -> list[Round]:
        """The viewer's rounds made before this one that share a scenario with it, newest
        first: what its debrief can be compared with."""
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
        scenarios = set(round_.scenario_ids)
        return [
            r
            for r in self.rounds(viewer)
            if (r.created_at, r.id) < (round_.created_at, round_.id) and scenarios & set(r.scenario_ids)
        ]

    def _run(self, s: Session, viewer: Viewer, round_id: int) -> Round:
        round_ = s.get(Round, round_id)
        if round_ is None or not (viewer.is_admin or round_.trainer_id == viewer.user_id):
            raise KeyError(f"round {round_id} not found")
        self._close_if_over(s, [round_])
        return round_

    def start(self, viewer: Viewer, round_id: int) -> Round:
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            if round_.status != "draft":
                raise WorkshopError("This round has started already.")
            round_.status, round_.started_at = "running", self.clock()
            round_.ends_at = round_.started_at + timedelta(minutes=round_.minutes)
            return round_

    def pause(self, viewer: Viewer, round_id: int) -> Round:
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            if round_.status != "running":
                raise WorkshopError("Only a running round can be paused.")
            round_.status, round_.paused_at = "paused", self.clock()
            return round_

    def resume(self, viewer: Viewer, round_id: int) -> Round:
        """Carries on after a pause: the time box moves by the length of the pause."""
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            if round_.status != "paused":
                raise WorkshopError("Only a paused round can carry on.")
            round_.ends_at = _utc(round_.ends_at) + (self.clock() - _utc(round_.paused_at))
            round_.status, round_.paused_at = "running", None
            return round_

    def extend(self, viewer: Viewer, round_id: int, minutes: int) -> Round:
        if not 1 <= minutes <= MAX_MINUTES:
            raise WorkshopError(f"Extend by 1 to {MAX_MINUTES} minutes.")
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            if round_.status not in {"running", "paused"}:
                raise WorkshopError("Only a round under way can be extended.")
            round_.ends_at = max(_utc(round_.ends_at), self.clock()) + timedelta(minutes=minutes)
            return round_

    def end(self, viewer: Viewer, round_id: int) -> Round:
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            round_.status, round_.ends_at, round_.paused_at = "ended", self.clock(), None
            return round_

    def delete_round(self, viewer: Viewer, round_id: int) -> int:
        """Deletes the round, its guests and their attempts; returns how many guests went.
        Participants with an account keep their attempts (no longer in a round)."""
        with self.db.session() as s:
            self._run(s, viewer, round_id)
            guests = list(
                s.scalars(
                    select(User.id)
                    .join(RoundParticipant, RoundParticipant.user_id == User.id)
                    .where(RoundParticipant.round_id == round_id, User.guest.is_(True))
                )
            )
            delete_attempts(s, s.scalars(select(Attempt.id).where(Attempt.user_id.in_(guests))))
            s.execute(update(Attempt).where(Attempt.round_id == round_id).values(round_id=None))
            s.execute(delete(RoundParticipant).where(RoundParticipant.round_id == round_id))
            s.execute(delete(User).where(User.id.in_(guests)))
            s.execute(delete(Round).where(Round.id == round_id))
            return len(guests)

    # ---- the participant's side -------------------------------------------------------
    def by_code(self, code: str) -> Round | None:
        """The round with this join code (any case, spaces ignored), unless it has ended."""
        key = "".join(code.split()).upper()
        with self.db.session() as s:
            round_ = s.scalar(select(Round).where(Round.join_code == key))
            if round_ is not None:
                self._close_if_over(s, [round_])
            return None if round_ is None or round_.status == "ended" else round_

    def join(self, code: str, user: User) -> Round:
        round_ = self.by_code(code)
        if round_ is None:
            raise WorkshopError("There is no open round with this code. Check it with your trainer.")
        with self.db.session() as s:
            if s.get(RoundParticipant, (round_.id, user.id)) is None:
                s.add(RoundParticipant(round_id=round_.id, user_id=user.id))
        return round_

    def join_as_guest(self, code: str, display_name: str) -> tuple[Round, User]:
        """A guest user for the round (no password; deleted with the round)."""
        round_ = self.by_code(code)
        if round_ is None:
            raise WorkshopError("There is no open round with this code. Check it with your trainer.")
        if not round_.guests:
            raise WorkshopError("This round needs an account: sign in first, then join with the code.")
        wanted = " ".join(display_name.split())[:60]
        if not wanted:
            raise WorkshopError("Type the name the others will know you by.")
        with self.db.session() as s:
            taken = set(s.scalars(select(User.name).where(User.name.like(f"{wanted}%"))))
            name, n = wanted, 1
            while name in taken:
                n += 1
                name = f"{wanted} ({n})"
            guest = User(name=name, role=Role.coachee, guest=True)
            s.add(guest)
            s.flush()
            s.add(RoundParticipant(round_id=round_.id, user_id=guest.id))
            return round_, guest

    def get(self, round_id: int) -> Round | None:
        """A round by id, whatever its status: for the clock of an attempt made in it."""
        with self.db.session() as s:
            round_ = s.get(Round, round_id)
            if round_ is not None:
                self._close_if_over(s, [round_])
            return round_

    def rounds_of(self, user_id: int) -> list[Round]:
        """The rounds a participant joined that have not ended, newest first."""
        with self.db.session() as s:
            query = (
                select(Round)
                .join(RoundParticipant, RoundParticipant.round_id == Round.id)
                .where(RoundParticipant.user_id == user_id, Round.status != "ended")
                .order_by(Round.created_at.desc())
            )
            found = list(s.scalars(query))
            self._close_if_over(s, found)
            return [round_ for round_ in found if round_.status != "ended"]

    def shows_lines(self, round_id: int, user_id: int) -> bool:
        """Whether the participant agreed to have their lines shown with their name in the debrief."""
        with self.db.session() as s:
            participant = s.get(RoundParticipant, (round_id, user_id))
            return participant is not None and bool(participant.show_lines)

    def set_show_lines(self, round_id: int, user_id: int, show: bool) -> None:
        """The participant's say on their name beside their lines in the debrief; theirs to
        change until the round ends."""
        with self.db.session() as s:
            round_ = s.get(Round, round_id)
            participant = s.get(RoundParticipant, (round_id, user_id))
            if round_ is None or participant is None:
                raise KeyError(f"round {round_id} has no participant {user_id}")
            self._close_if_over(s, [round_])
            if round_.status == "ended":
                raise WorkshopError("The round has ended: your choice stays as it was.")
            participant.show_lines = show

    def attempt_in(self, round_id: int, user_id: int) -> Attempt | None:
        """The participant's latest attempt in the round."""
        with self.db.session() as s:
            query = (
                select(Attempt)
                .where(Attempt.round_id == round_id, Attempt.user_id == user_id)
                .order_by(Attempt.id.desc())
            )
            return s.scalars(query).first()

    # ---- the debrief ------------------------------------------------------------------
    def save_picks(self, viewer: Viewer, round_id: int, picks: Iterable[tuple[int, int]]) -> Round:
        """Keeps the example lines the trainer picked for the debrief, as (attempt id, turn
        index) pairs, so they are there after a reload and on another device. Each must be a
        line of an attempt in the round."""
        wanted = [{"attempt_id": int(attempt_id), "turn_idx": int(turn)} for attempt_id, turn in picks]
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            ids = {pick["attempt_id"] for pick in wanted}
            found = set(s.scalars(select(Attempt.id).where(Attempt.id.in_(ids), Attempt.round_id == round_id)))
            if ids - found:
                raise WorkshopError("Pick lines from this round's conversations.")
            round_.debrief_picks = wanted
            return round_

    # ---- the board --------------------------------------------------------------------
    def board(self, viewer: Viewer, round_id: int) -> list[BoardRow]:
        """Every participant in the order they joined, with their latest attempt in the round.
        Three queries whatever the room's size."""
        with self.db.session() as s:
            round_ = self._run(s, viewer, round_id)
            people = s.execute(
                select(User.id, User.name, RoundParticipant.show_lines)
                .join(RoundParticipant, RoundParticipant.user_id == User.id)
                .where(RoundParticipant.round_id == round_id)
                .order_by(RoundParticipant.joined_at, User.id)
            ).all()
            in_round = select(Attempt).where(Attempt.round_id == round_id).order_by(Attempt.id)
            latest = {a.user_id: a for a in s.scalars(in_round)}  # the later attempt wins
            ids = [a.id for a in latest.values()]
            lines = dict(
                s.execute(
                    select(Turn.attempt_id, func.count(Turn.id))
                    .where(Turn.attempt_id.in_(ids), Turn.role == "coachee")
                    .group_by(Turn.attempt_id)
                ).all()
            )
            last_persona = select(Turn.attempt_id, func.max(Turn.idx).label("idx")).where(
                Turn.attempt_id.in_(ids), Turn.role == "persona"
            )
            last = last_persona.group_by(Turn.attempt_id).subquery()
            states = dict(
                s.execute(
                    select(Turn.attempt_id, Turn.state).join(
                        last, (Turn.attempt_id == last.c.attempt_id) & (Turn.idx == last.c.idx)
                    )
                ).all()
            )
        rows = []
        for position, (user_id, name, show_lines) in enumerate(people, start=1):
            attempt = latest.get(user_id)
            anonymous = f"Participant {position}"
            state = "joined" if attempt is None else "ended" if attempt.status == "ended" else "talking"
            report = (attempt.report or {}) if attempt else {}
            rows.append(
                BoardRow(
                    participant=anonymous if round_.anonymous else name,
                    user_id=user_id,
                    attempt_id=attempt.id if attempt else None,
                    state=state,
                    lines=lines.get(attempt.id, 0) if attempt else 0,
                    trust=(states.get(attempt.id) or {}).get("trust") if attempt else None,
                    scores=report.get("score", {}) if isinstance(report, dict) else {},
                    speaker=name if show_lines else anonymous,
                )
            )
        return rows
