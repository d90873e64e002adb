"""The admin page "Users and data", driven headlessly with AppTest and sign-in on: an admin
signs in through the sign-in page, and every change the page makes is checked in the database.

Like test_app_pages.py: a data directory per test, a fresh services cache, the fake model.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.session import SESSION_KEY, Session
from simulator.storage.accounts import AccountError
from simulator.storage.models import Attempt, Role, now
from simulator.storage.policy import SYSTEM
from tests.unit_tests.app_harness import APP, PASSWORD, ROOT, TIMEOUT, app_environment, button, by_label, ok, sign_in

ADMIN = "app_pages/admin.py"


@pytest.fixture(autouse=True)
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


def store():
    """The store of the services the app built (the same cached object the pages use)."""
    from app_pages import services as app_services

    return app_services._build_services().store


@pytest.fixture
def at() -> AppTest:
    """A browser tab on the sign-in page, with an admin (root), a coach (cora) and a coachee (cody)."""
    tab = ok(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
    accounts = store().accounts
    accounts.create_user("root", PASSWORD, Role.admin)
    accounts.create_user("cora", PASSWORD, Role.coach, "cora@example.org")
    accounts.create_user("cody", PASSWORD, Role.coachee)
    return tab


def text_input(at: AppTest, label: str):
    return by_label(at.text_input, label)


def open_admin_page(at: AppTest) -> AppTest:
    """Signs root (an admin) in, then opens /admin."""
    return ok(sign_in(at, "root").switch_page(ADMIN).run())


def user(login: str):
    return store().accounts.by_login(login)


def table(at: AppTest) -> dict[str, dict]:
    """The users table, by name."""
    return {row["Name"]: row for row in at.dataframe[0].value.to_dict("records")}


def toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_admin_lists_users_changes_roles_deactivates_and_creates_users(at):
    open_admin_page(at)
    assert [t.value for t in at.title] == ["Users and data"]
    rows = table(at)
    assert sorted(rows) == ["cody", "cora", "root"]
    assert (rows["cora"]["Email"], rows["cora"]["Role"], rows["cora"]["Active"]) == ("cora@example.org", "coach", True)
    assert rows["root"]["Last sign-in"] != "–" and rows["cody"]["Last sign-in"] == "–"

    cody = user("cody")
    at.selectbox(key="managed_user").set_value(cody.id).run()
    at.selectbox(key=f"role_{cody.id}_coachee").set_value(Role.trainer)
    ok(button(at, "Save role").click().run())
    assert user("cody").role == Role.trainer
    assert table(at)["cody"]["Role"] == "trainer"
    assert "cody's role is now trainer." in toasts(at)

    ok(button(at, "Deactivate cody").click().run())
    assert not user("cody").active
    assert store().accounts.session_user(cody.id, cody.session_version) is None  # signed out at once
    assert table(at)["cody"]["Active"] is False
    ok(button(at, "Reactivate").click().run())
    assert user("cody").active

    at.selectbox(key="managed_user").set_value(user("root").id).run()
    assert button(at, "Save role").disabled
    assert not [b for b in at.button if b.label.startswith("Deactivate")]

    at.text_input(key="new_name").set_value("dana")
    at.text_input(key="new_password").set_value("short")
    ok(button(at, "Create the user").click().run())
    assert "at least 8 characters" in errors(at) and user("dana") is None
    at.text_input(key="new_password").set_value("password3")
    at.selectbox(key="new_role").set_value(Role.coach)
    ok(button(at, "Create the user").click().run())
    assert store().accounts.authenticate("dana", "password3").role == Role.coach
    assert "dana" in table(at) and at.text_input(key="new_name").value == ""


def test_an_invite_code_is_shown_once_and_creates_an_account(at):
    open_admin_page(at)
    at.selectbox(key="invite_role").set_value(Role.coach)
    at.text_input(key="invite_email").set_value("Nia@Example.org")
    ok(button(at, "Create an invite").click().run())
    link, code = (c.value for c in at.code)
    assert link == f"/sign-in?invite={code}"
    assert "expires in 7 days" in " ".join(s.value for s in at.success)

    new = store().accounts.accept_invite(code, "nia", PASSWORD)
    assert (new.role, new.email) == (Role.coach, "nia@example.org")
    with pytest.raises(AccountError):
        store().accounts.accept_invite(code, "nia2", PASSWORD)  # it works once
    assert not ok(at.run()).code  # and is shown once


def test_retention_is_saved_and_old_attempts_are_purged(at):
    cody, accounts = user("cody"), store().accounts
    old = store().create_attempt(cody, "vague_it_colleague", "medium", "fake")
    fresh = store().create_attempt(cody, "vague_it_colleague", "medium", "fake")
    with store().db.session() as s:
        s.get_one(Attempt, old.id).created_at = now() - timedelta(days=100)
    open_admin_page(at)
    assert store().retention.retention_days() is None
    assert at.toggle(key="keep_forever").value

    at.toggle(key="keep_forever").set_value(False).run()
    at.number_input(key="retention_days").set_value(30)
    ok(button(at, "Save the retention period").click().run())
    assert store().retention.retention_days() == 30
    assert "Attempts are kept 30 days." in toasts(at)

    ok(button(at, "Purge old attempts").click().run())
    assert "Purged 1 attempt." in toasts(at)
    assert [a.id for a in store().attempts(SYSTEM, user_id=cody.id)] == [fresh.id]

    at.toggle(key="keep_forever").set_value(True).run()
    ok(button(at, "Save the retention period").click().run())
    assert store().retention.retention_days() is None
    assert accounts.by_login("root").active  # nothing else changed
    assert [d.label for d in at.get("download_button")] == ["Sessions (CSV)", "Users (CSV)", "Groups (CSV)"]


def test_only_an_admin_gets_the_page(at):
    sign_in(at, "cora")
    assert at.sidebar.caption[0].value.endswith("· coach")  # signed in
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN)  # the navigation does not offer the page to a coach

    cora = user("cora")  # the page itself refuses a coach, should the navigation ever offer it
    page = AppTest.from_file(str(ROOT / ADMIN), default_timeout=TIMEOUT)
    page.session_state[SESSION_KEY] = Session(user_id=cora.id, session_version=cora.session_version)
    ok(page.run())
    assert "not found" in errors(page) and not page.title and not page.dataframe
