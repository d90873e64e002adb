"""Users, attempts and turns in a real database (SQLite by default, PostgreSQL for teams).

Every turn is committed the moment it exists: the coachee's before the model is called,
the persona's as soon as it is complete, so a crash or a dead model server loses nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

ADD_TURN_TRIES = 3


def _now() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    coachee = "coachee"
    coach = "coach"
    trainer = "trainer"
    admin = "admin"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16), default=Role.coachee)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    attempts: Mapped[list[Attempt]] = relationship(back_populates="user")


class Attempt(Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    difficulty: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | ended
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), nullable=True)
    branched_at: Mapped[int | None] = mapped_column(Integer, nullable=True)  # turn index replayed from
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    user: Mapped[User] = relationship(back_populates="attempts")
    turns: Mapped[list[Turn]] = relationship(back_populates="attempt", order_by="Turn.idx")


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("attempt_id", "idx"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # coachee | persona
    text: Mapped[str] = mapped_column(Text)
    codes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    cues: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    move: Mapped[str | None] = mapped_column(String(32), nullable=True)
    direction: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # note ids the reply drew on
    guard: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    attempt: Mapped[Attempt] = relationship(back_populates="turns")


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """The only place that talks to the database."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def user(self, name: str, role: Role = Role.coachee) -> User:
        name = name.strip() or "guest"
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                user = User(name=name, role=role)
                s.add(user)
                s.flush()
            return user

    def create_attempt(self, user: User, scenario_id: str, difficulty: str, backend: str) -> Attempt:
        with self.session() as s:
            attempt = Attempt(user_id=user.id, scenario_id=scenario_id, difficulty=difficulty, backend=backend)
            s.add(attempt)
            s.flush()
            return attempt

    def attempt(self, attempt_id: int) -> Attempt | None:
        with self.session() as s:
            return s.get(Attempt, attempt_id)

    def add_turn(self, attempt_id: int, role: str, text: str, **fields: Any) -> Turn:
        """Appends a turn and commits it at once. Two writers racing for the same index
        (two tabs on one attempt) are kept apart by the unique index: the loser retries."""
        for attempt in range(ADD_TURN_TRIES):
            try:
                with self.session() as s:
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

    def turns(self, attempt_id: int) -> list[Turn]:
        with self.session() as s:
            return list(s.scalars(select(Turn).where(Turn.attempt_id == attempt_id).order_by(Turn.idx)))

    def end_attempt(self, attempt_id: int) -> None:
        with self.session() as s:
            attempt = s.get_one(Attempt, attempt_id)
            attempt.status = "ended"
            attempt.ended_at = attempt.ended_at or _now()

    def save_report(self, attempt_id: int, report: dict[str, Any]) -> None:
        with self.session() as s:
            s.get_one(Attempt, attempt_id).report = report

    def branch(self, attempt_id: int, keep: int) -> Attempt:
        """A new attempt that replays the first `keep` turns of another, to try a different line."""
        with self.session() as s:
            source = s.get_one(Attempt, attempt_id)
            attempt = Attempt(
                user_id=source.user_id,
                scenario_id=source.scenario_id,
                difficulty=source.difficulty,
                backend=source.backend,
                parent_id=source.id,
                branched_at=keep,
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

    def attempts(self, user_id: int | None = None, scenario_id: str | None = None) -> list[Attempt]:
        with self.session() as s:
            query = select(Attempt).order_by(Attempt.created_at.desc())
            if user_id is not None:
                query = query.where(Attempt.user_id == user_id)
            if scenario_id is not None:
                query = query.where(Attempt.scenario_id == scenario_id)
            return list(s.scalars(query))
