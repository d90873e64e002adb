"""Accounts: passwords hashed with argon2, one message for a wrong password and an unknown
user, a rate limit on failures, invites used once, roles and deactivation by admins only,
single sign-on users mapped onto the same table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from simulator.storage.accounts import MAX_FAILURES, TOO_MANY, WRONG_LOGIN, AccountError
from simulator.storage.models import Role
from simulator.storage.policy import Viewer
from simulator.storage.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_the_password_is_stored_as_an_argon2_hash_and_checked(store: Store) -> None:
    user = store.accounts.create_user("Ana", "correct horse", email="Ana@Example.org")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users WHERE id = :id"), {"id": user.id}).scalar()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert store.accounts.authenticate("ana", "correct horse").id == user.id  # user name, any case
    assert store.accounts.authenticate("ana@example.org", "correct horse").id == user.id  # or email


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(store: Store) -> None:
    store.accounts.create_user("ana", "correct horse")
    with pytest.raises(AccountError) as wrong:
        store.accounts.authenticate("ana", "wrong horse")
    with pytest.raises(AccountError) as unknown:
        store.accounts.authenticate("nobody", "wrong horse")
    assert str(wrong.value) == str(unknown.value) == WRONG_LOGIN


@pytest.mark.parametrize("login", ["ana", "nobody"])
def test_sign_in_is_rate_limited_for_known_and_unknown_logins(store: Store, login: str) -> None:
    store.accounts.create_user("ana", "correct horse")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccountError, match=WRONG_LOGIN):
            store.accounts.authenticate(login, "wrong horse")
    with pytest.raises(AccountError, match=TOO_MANY):
        store.accounts.authenticate(login, "correct horse")  # even the right password waits


def test_a_success_clears_the_failures(store: Store) -> None:
    store.accounts.create_user("ana", "correct horse")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError):
            store.accounts.authenticate("ana", "wrong horse")
    store.accounts.authenticate("ana", "correct horse")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccountError, match=WRONG_LOGIN):
            store.accounts.authenticate("ana", "wrong horse")


def test_short_passwords_and_taken_names_are_refused(store: Store) -> None:
    with pytest.raises(AccountError, match="at least 8"):
        store.accounts.create_user("ana", "short")
    store.accounts.create_user("ana", "long enough", email="a@x.org")
    with pytest.raises(AccountError, match="taken"):
        store.accounts.create_user("ANA", "long enough")
    with pytest.raises(AccountError, match="taken"):
        store.accounts.create_user("other", "long enough", email="A@x.org")


def test_deactivation_and_sign_out_everywhere_end_sessions(store: Store) -> None:
    admin = Viewer.of(store.accounts.create_user("root", "long enough", Role.admin))
    user = store.accounts.create_user("ana", "long enough")
    assert store.accounts.session_user(user.id, user.session_version) is not None
    store.accounts.sign_out_everywhere(user.id)
    assert store.accounts.session_user(user.id, user.session_version) is None
    fresh = store.accounts.get(user.id)
    store.accounts.set_active(admin, user.id, False)
    assert store.accounts.session_user(user.id, fresh.session_version) is None
    with pytest.raises(AccountError, match=WRONG_LOGIN):
        store.accounts.authenticate("ana", "long enough")
    with pytest.raises(AccountError, match="yourself"):
        store.accounts.set_active(admin, admin.user_id, False)


def test_only_admins_set_roles_deactivate_and_invite(store: Store) -> None:
    coach = Viewer.of(store.accounts.create_user("coach", "long enough", Role.coach))
    user = store.accounts.create_user("ana", "long enough")
    with pytest.raises(PermissionError):
        store.accounts.set_role(coach, user.id, Role.admin)
    with pytest.raises(PermissionError):
        store.accounts.set_active(coach, user.id, False)
    with pytest.raises(PermissionError):
        store.accounts.invite(coach, Role.coach)


def test_an_invite_creates_a_user_with_its_role_once(store: Store) -> None:
    admin = Viewer.of(store.accounts.create_user("root", "long enough", Role.admin))
    code = store.accounts.invite(admin, Role.coach, email="Cleo@x.org")
    assert store.accounts.invite_for(code).role == Role.coach
    cleo = store.accounts.accept_invite(code, "cleo", "long enough")
    assert cleo.role == Role.coach and cleo.email == "cleo@x.org"
    with pytest.raises(AccountError, match="not valid"):
        store.accounts.accept_invite(code, "cleo2", "long enough")
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM invites WHERE code_hash = :c"), {"c": code}).scalar() == 0


def test_single_sign_on_users_are_found_linked_or_created(store: Store) -> None:
    existing = store.accounts.create_user("ana", "long enough", email="ana@x.org")
    linked = store.accounts.oidc_user("sub-1", "ANA@x.org", "Ana A")
    assert linked.id == existing.id
    assert store.accounts.oidc_user("sub-1", None, None).id == existing.id
    new = store.accounts.oidc_user("sub-2", "bo@x.org", "ana")
    assert new.role == Role.coachee and new.name == "ana 2"
