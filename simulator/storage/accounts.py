"""Users and signing in: passwords (argon2), single sign-on users, invites, roles.

A wrong password and an unknown user get the same message and take about as long (an
unknown login is checked against a dummy hash); after `MAX_FAILURES` failures in
`FAILURE_WINDOW` a login is refused until the window has passed, whether or not it exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select

from simulator.storage.database import Database
from simulator.storage.models import Invite, LoginFailure, Role, User, now
from simulator.storage.policy import Viewer, readable_users

MIN_PASSWORD = 8
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
INVITE_LIFETIME = timedelta(days=7)
WRONG_LOGIN = "That user name or password is not right."
TOO_MANY = "Too many failed sign-ins for this account. Wait 15 minutes, then try again."

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anybody has")


class AccountError(ValueError):
    """A request about accounts that cannot be done as asked; the message says why."""


def _login_key(login: str) -> str:
    return login.strip().lower()


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def _require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise PermissionError("Only an admin can manage users.")


class Accounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- users ---------------------------------------------------------------------
    def create_user(
        self, name: str, password: str | None = None, role: Role = Role.coachee, email: str | None = None
    ) -> User:
        name, email = name.strip(), (email or "").strip().lower() or None
        if not name or len(name) > 120:
            raise AccountError("A user name needs 1 to 120 characters.")
        if password is not None:
            _check_password(password)
        with self.db.session() as s:
            taken = s.scalar(
                select(User.id).where(or_(func.lower(User.name) == name.lower(), User.email == (email or name.lower())))
            )
            if taken is not None:
                raise AccountError(f"The user name or email “{email or name}” is taken.")
            user = User(name=name, role=role, email=email, password_hash=_hasher.hash(password) if password else None)
            s.add(user)
            s.flush()
            return user

    def get(self, user_id: int) -> User | None:
        with self.db.session() as s:
            return s.get(User, user_id)

    def users(self, viewer: Viewer) -> list[User]:
        """Everyone for an admin; a coach's coachees and themselves for a coach."""
        with self.db.session() as s:
            return list(s.scalars(select(User).where(readable_users(viewer)).order_by(func.lower(User.name))))

    def by_login(self, login: str) -> User | None:
        """The user with this user name or email (any case)."""
        key = _login_key(login)
        with self.db.session() as s:
            return s.scalar(select(User).where(or_(func.lower(User.name) == key, User.email == key)))

    # ---- signing in ----------------------------------------------------------------
    def authenticate(self, login: str, password: str) -> User:
        """The active user with this user name or email and password; AccountError otherwise."""
        key = _login_key(login)
        with self.db.session() as s:
            since = now() - FAILURE_WINDOW
            failures = select(func.count(LoginFailure.id)).where(LoginFailure.login == key, LoginFailure.at > since)
            recent = s.scalar(failures)
            if recent >= MAX_FAILURES:
                raise AccountError(TOO_MANY)
            user = s.scalar(select(User).where(or_(func.lower(User.name) == key, User.email == key)))
            ok = _password_matches(user.password_hash if user else None, password) and user.active
            if ok:
                s.execute(delete(LoginFailure).where(LoginFailure.login == key))
                user.last_login_at = now()
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
        if not ok:
            with self.db.session() as s:  # its own transaction: the failure must count
                s.add(LoginFailure(login=key[:254]))
            raise AccountError(WRONG_LOGIN)
        return user

    def session_user(self, user_id: int, session_version: int) -> User | None:
        """The user a session cookie names, if still active and not signed out since."""
        user = self.get(user_id)
        if user is None or not user.active or user.session_version != session_version:
            return None
        return user

    def sign_out_everywhere(self, user_id: int) -> None:
        with self.db.session() as s:
            s.get_one(User, user_id).session_version += 1

    def set_password(self, user_id: int, password: str) -> None:
        _check_password(password)
        with self.db.session() as s:
            user = s.get_one(User, user_id)
            user.password_hash = _hasher.hash(password)
            user.session_version += 1

    # ---- single sign-on ------------------------------------------------------------
    def oidc_user(self, subject: str, email: str | None, name: str | None) -> User:
        """The user an identity provider signed in: found by subject, else linked by email,
        else created as a coachee. A deactivated user raises AccountError."""
        email = (email or "").strip().lower() or None
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.oidc_subject == subject))
            if user is None and email:
                user = s.scalar(select(User).where(User.email == email))
                if user is not None:
                    user.oidc_subject = subject
            if user is None:
                user = User(name=self._free_name(s, name or email or subject), email=email, oidc_subject=subject)
                s.add(user)
                s.flush()
            if not user.active:
                raise AccountError("This account is deactivated. Ask an admin to reactivate it.")
            user.last_login_at = now()
            return user

    @staticmethod
    def _free_name(s, wanted: str) -> str:  # noqa: ANN001 - a Session
        base, n = wanted.strip()[:110] or "user", 1
        name = base
        while s.scalar(select(User.id).where(func.lower(User.name) == name.lower())) is not None:
            n += 1
            name = f"{base} {n}"
        return name

    # ---- administration ------------------------------------------------------------
    def set_role(self, viewer: Viewer, user_id: int, role: Role) -> None:
        _require_admin(viewer)
        with self.db.session() as s:
            s.get_one(User, user_id).role = role

    def set_active(self, viewer: Viewer, user_id: int, active: bool) -> None:
        """Deactivating signs the user out at once; their attempts stay."""
        _require_admin(viewer)
        if not active and viewer.user_id == user_id:
            raise AccountError("You cannot deactivate yourself.")
        with self.db.session() as s:
            user = s.get_one(User, user_id)
            user.active = active
            user.session_version += 1

    def invite(self, viewer: Viewer, role: Role, email: str | None = None) -> str:
        """A one-time code (shown once; only its hash is kept) that creates a user with `role`."""
        _require_admin(viewer)
        code = secrets.token_urlsafe(12)
        with self.db.session() as s:
            s.add(
                Invite(
                    code_hash=_code_hash(code),
                    role=role,
                    email=(email or "").strip().lower() or None,
                    created_by=viewer.user_id,
                    expires_at=now() + INVITE_LIFETIME,
                )
            )
        return code

    def invite_for(self, code: str) -> Invite | None:
        """The open invite with this code (not used, not expired)."""
        with self.db.session() as s:
            invite = s.scalar(select(Invite).where(Invite.code_hash == _code_hash(code), Invite.used_at.is_(None)))
            if invite is None or _aware(invite.expires_at) < now():
                return None
            return invite

    def accept_invite(self, code: str, name: str, password: str, email: str | None = None) -> User:
        invite = self.invite_for(code)
        if invite is None:
            raise AccountError("This invite code is not valid: it may have been used already or have expired.")
        user = self.create_user(name, password, invite.role, email or invite.email)
        with self.db.session() as s:
            used = s.get_one(Invite, invite.id)
            used.used_by, used.used_at = user.id, now()
        return user


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)
