"""The tables. Every change here needs a migration in `migrations/versions` (a test
compares the two)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
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
    name: Mapped[str] = mapped_column(String(120), unique=True)  # the user name; shown to others
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16), default=Role.coachee)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, index=True, nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)  # argon2; None: no password
    oidc_subject: Mapped[str | None] = mapped_column(String(300), unique=True, index=True, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session cookie: bumping it signs the user out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    guest: Mapped[bool] = mapped_column(Boolean, default=False)  # joined a workshop round by name only
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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Which published version of an authored scenario it used (None: a built-in scenario;
    # 0: the author's draft, in a test chat).
    scenario_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
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
    unsure: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # codes given with little margin
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    move: Mapped[str | None] = mapped_column(String(32), nullable=True)
    direction: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # note ids the reply drew on
    guard: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    attempt: Mapped[Attempt] = relationship(back_populates="turns")


class Group(Base):
    """A coach's group of coachees."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class GroupMember(Base):
    __tablename__ = "group_members"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Assignment(Base):
    """A scenario a coach asked a group to rehearse."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    difficulty: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    target_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Round(Base):
    """A trainer's practice round in a workshop: everyone joins with its code and rehearses
    the same scenario(s) for a time box."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    scenario_ids: Mapped[list[str]] = mapped_column(JSON)
    difficulty: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    guests: Mapped[bool] = mapped_column(Boolean, default=False)  # may join with a display name only
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)  # the board shows no names
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | running | paused | ended
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # The round this one runs again (same scenarios): the debrief compares the two.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), nullable=True)
    # The lines the trainer picked to show in the debrief: [{"attempt_id": …, "turn_idx": …}].
    debrief_picks: Mapped[list[dict[str, int]] | None] = mapped_column(JSON, nullable=True, default=list)


class RoundParticipant(Base):
    __tablename__ = "round_participants"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    show_lines: Mapped[bool] = mapped_column(Boolean, default=False)  # agreed to have their lines shown by name


class Comment(Base):
    """A comment on an attempt (turn_idx None) or on one of its lines; replies point at
    the comment they answer."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    turn_idx: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reply_to: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), nullable=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class CodeCorrection(Base):
    """A coach's codes for one coachee line, replacing the coder's; the latest one counts."""

    __tablename__ = "code_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    turn_idx: Mapped[int] = mapped_column(Integer)
    codes: Mapped[list[str]] = mapped_column(JSON)
    automatic: Mapped[list[str]] = mapped_column(JSON)  # what the coder said
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ScoreAdjustment(Base):
    """A coach's score for one dimension of a report; the latest one counts."""

    __tablename__ = "score_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    automatic: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AuditEntry(Base):
    """Someone read (or exported) an attempt that is not theirs. Kept when the attempt goes,
    so its owner can still see who read it."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(32))  # read | export
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)


class Invite(Base):
    """A one-time code an admin hands out; only its hash is stored."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailure(Base):
    """A failed sign-in, by the login typed (known or not): the rate limit counts these."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AppSetting(Base):
    """Settings an admin changes in the app (the retention period)."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class AuthoredScenario(Base):
    """A scenario (and its persona) a coach or trainer writes in the app. `draft` is the
    working copy as YAML text (valid or not); publishing stores a numbered version."""

    __tablename__ = "authored_scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # the scenario id
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    draft: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ScenarioVersion(Base):
    """A published version: the validated document ({"scenario": …, "persona": …})."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("authored_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    authored_id: Mapped[int] = mapped_column(ForeignKey("authored_scenarios.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ScenarioShare(Base):
    """A published scenario shared with a coach's group: its members can rehearse it."""

    __tablename__ = "scenario_shares"
    authored_id: Mapped[int] = mapped_column(ForeignKey("authored_scenarios.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True)
