"""Scenarios written in the app by coaches, trainers and admins.

An author keeps a draft (YAML text, valid or not) per scenario id and publishes it as a
numbered version; versions are never changed or removed while attempts may point at them.
Who may rehearse a published scenario: its author, the members (and coach) of the groups
it is shared with, the participants of rounds that use it (the round names it), and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from simulator.core.authoring import title_of
from simulator.storage.database import Database
from simulator.storage.models import (
    Assignment,
    Attempt,
    AuthoredScenario,
    Group,
    GroupMember,
    Role,
    ScenarioShare,
    ScenarioVersion,
    now,
)
from simulator.storage.policy import Viewer

AUTHORS = frozenset({Role.coach, Role.trainer, Role.admin})


class AuthoringError(ValueError):
    """A request about an authored scenario that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class AuthoredSummary:
    """One of the author's scenarios, for their list."""

    slug: str
    title: str  # the draft's, or the id while the draft has none
    owner_id: int
    updated_at: datetime
    latest_version: int | None  # None: never published
    published_at: datetime | None
    group_ids: list[int]
    attempts: int  # on any published version


@dataclass(frozen=True)
class Published:
    """A published version, as the catalog loads it."""

    row_id: int
    slug: str
    version: int
    document: dict[str, Any]


class Authoring:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- the author's side ------------------------------------------------------------
    def _check_author(self, viewer: Viewer) -> int:
        if viewer.role not in AUTHORS or viewer.user_id is None:
            raise PermissionError("Only coaches, trainers and admins write scenarios.")
        return viewer.user_id

    def _own(self, s: Session, viewer: Viewer, slug: str) -> AuthoredScenario:
        item = s.scalar(select(AuthoredScenario).where(AuthoredScenario.slug == slug))
        if item is None or not (viewer.is_admin or item.owner_id == viewer.user_id):
            raise KeyError(f"scenario {slug!r} not found")
        return item

    def create(self, viewer: Viewer, slug: str, draft: str) -> AuthoredScenario:
        """A new scenario id with its first draft; the id must be free."""
        owner = self._check_author(viewer)
        try:
            with self.db.session() as s:
                item = AuthoredScenario(slug=slug, owner_id=owner, draft=draft)
                s.add(item)
                s.flush()
                return item
        except IntegrityError:
            raise AuthoringError(f"The id {slug!r} is taken by another scenario: choose another.") from None

    def get(self, viewer: Viewer, slug: str) -> AuthoredScenario | None:
        with self.db.session() as s:
            try:
                return self._own(s, viewer, slug)
            except KeyError:
                return None

    def save_draft(self, viewer: Viewer, slug: str, draft: str) -> None:
        with self.db.session() as s:
            item = self._own(s, viewer, slug)
            if item.draft != draft:
                item.draft, item.updated_at = draft, now()

    def mine(self, viewer: Viewer) -> list[AuthoredSummary]:
        """The viewer's scenarios (an admin's: everyone's), most recently edited first."""
        self._check_author(viewer)
        with self.db.session() as s:
            query = select(AuthoredScenario).order_by(AuthoredScenario.updated_at.desc(), AuthoredScenario.id.desc())
            if not viewer.is_admin:
                query = query.where(AuthoredScenario.owner_id == viewer.user_id)
            items = list(s.scalars(query))
            ids = [item.id for item in items]
            published = {
                authored_id: (version, when)
                for authored_id, version, when in s.execute(
                    select(
                        ScenarioVersion.authored_id,
                        func.max(ScenarioVersion.version),
                        func.max(ScenarioVersion.published_at),
                    )
                    .where(ScenarioVersion.authored_id.in_(ids))
                    .group_by(ScenarioVersion.authored_id)
                )
            }
            shares: dict[int, list[int]] = {}
            for authored_id, group_id in s.execute(
                select(ScenarioShare.authored_id, ScenarioShare.group_id).where(ScenarioShare.authored_id.in_(ids))
            ):
                shares.setdefault(authored_id, []).append(group_id)
            slugs = [item.slug for item in items]
            attempts = dict(
                s.execute(
                    select(Attempt.scenario_id, func.count())
                    .where(Attempt.scenario_id.in_(slugs), Attempt.scenario_version > 0)
                    .group_by(Attempt.scenario_id)
                ).all()
            )
            return [
                AuthoredSummary(
                    item.slug,
                    title_of(item.draft) or item.slug,
                    item.owner_id,
                    item.updated_at,
                    *published.get(item.id, (None, None)),
                    sorted(shares.get(item.id, [])),
                    attempts.get(item.slug, 0),
                )
                for item in items
            ]

    def publish(self, viewer: Viewer, slug: str, document: dict[str, Any]) -> int:
        """Stores `document` (already validated) as the next version; returns its number."""
        with self.db.session() as s:
            item = self._own(s, viewer, slug)
            last = s.scalar(select(func.max(ScenarioVersion.version)).where(ScenarioVersion.authored_id == item.id))
            version = (last or 0) + 1
            s.add(ScenarioVersion(authored_id=item.id, version=version, document=document, published_by=viewer.user_id))
            return version

    def share(self, viewer: Viewer, slug: str, group_ids: list[int]) -> None:
        """Shares the scenario with exactly these groups; a coach may only name their own."""
        with self.db.session() as s:
            item = self._own(s, viewer, slug)
            allowed = set(s.scalars(select(Group.id).where(self._shareable(viewer))))
            stray = set(group_ids) - allowed
            if stray:
                raise AuthoringError("You can only share a scenario with the groups you coach.")
            s.execute(delete(ScenarioShare).where(ScenarioShare.authored_id == item.id))
            s.add_all(ScenarioShare(authored_id=item.id, group_id=g) for g in sorted(set(group_ids)))

    @staticmethod
    def _shareable(viewer: Viewer):  # noqa: ANN205 - a SQLAlchemy condition
        return True if viewer.is_admin else Group.coach_id == viewer.user_id

    def shareable_groups(self, viewer: Viewer) -> list[Group]:
        with self.db.session() as s:
            return list(s.scalars(select(Group).where(self._shareable(viewer)).order_by(Group.name)))

    def versions(self, viewer: Viewer, slug: str) -> list[ScenarioVersion]:
        """The published versions, newest first."""
        with self.db.session() as s:
            item = self._own(s, viewer, slug)
            return list(
                s.scalars(
                    select(ScenarioVersion)
                    .where(ScenarioVersion.authored_id == item.id)
                    .order_by(ScenarioVersion.version.desc())
                )
            )

    def delete(self, viewer: Viewer, slug: str) -> None:
        """Deletes a scenario that was never published (published ones have attempts to keep)."""
        with self.db.session() as s:
            item = self._own(s, viewer, slug)
            if s.scalar(select(ScenarioVersion.id).where(ScenarioVersion.authored_id == item.id).limit(1)):
                raise AuthoringError("A published scenario stays, so that its attempts keep their scenario.")
            s.delete(item)

    # ---- who may rehearse, and the catalog's view ---------------------------------------
    def visible(self, viewer: Viewer) -> set[str]:
        """The published scenario ids the viewer may start from the library or assign: their
        own, those shared with or assigned to a group they are in or coach; all for an admin."""
        with self.db.session() as s:
            published = select(ScenarioVersion.authored_id)
            query = select(AuthoredScenario.slug).where(AuthoredScenario.id.in_(published))
            if not viewer.is_admin:
                groups = select(GroupMember.group_id).where(GroupMember.user_id == viewer.user_id)
                coached = select(Group.id).where(Group.coach_id == viewer.user_id)
                theirs = or_(ScenarioShare.group_id.in_(groups), ScenarioShare.group_id.in_(coached))
                shared = select(ScenarioShare.authored_id).where(theirs)
                assigned = select(Assignment.scenario_id).where(
                    or_(Assignment.group_id.in_(groups), Assignment.group_id.in_(coached))
                )
                query = query.where(
                    or_(
                        AuthoredScenario.owner_id == viewer.user_id,
                        AuthoredScenario.id.in_(shared),
                        AuthoredScenario.slug.in_(assigned),
                    )
                )
            return set(s.scalars(query))

    def published_since(self, row_id: int = 0) -> list[Published]:
        """Every version published after the given row, in order (the catalog's refresh)."""
        with self.db.session() as s:
            rows = s.execute(
                select(ScenarioVersion.id, AuthoredScenario.slug, ScenarioVersion.version, ScenarioVersion.document)
                .join(AuthoredScenario, AuthoredScenario.id == ScenarioVersion.authored_id)
                .where(ScenarioVersion.id > row_id)
                .order_by(ScenarioVersion.id)
            ).all()
            return [Published(*row) for row in rows]

    def last_published(self) -> int:
        """The newest version's row id (0 when none): one cheap query per page run tells a
        replica whether someone published since it last looked."""
        with self.db.session() as s:
            return s.scalar(select(func.max(ScenarioVersion.id))) or 0

    def draft_of(self, slug: str) -> str | None:
        """The draft's text, for a test chat (the engine reads it as the system)."""
        with self.db.session() as s:
            return s.scalar(select(AuthoredScenario.draft).where(AuthoredScenario.slug == slug))
