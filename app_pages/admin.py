"""Users and data (admins only): everyone who may sign in, their roles, deactivating and
reactivating them, new users and one-time invites; how long attempts are kept; CSV exports
of sessions, users and groups.

The navigation shows this page to admins only; the check below is the second line of defence.
Every change runs in a button's callback, so the page drawn after it already shows it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages.auth import require_user
from app_pages.formatting import when
from app_pages.services import get_services
from simulator.storage.accounts import INVITE_LIFETIME, MIN_PASSWORD
from simulator.storage.exports import GROUP_COLUMNS, SESSION_COLUMNS, USER_COLUMNS, to_csv
from simulator.storage.models import Role, User
from simulator.storage.policy import Viewer

PAGE_PATH = "/admin"  # this page's url_path (app_pages/navigation.py)
ROLES = list(Role)

services = get_services()
user = require_user()
if user.role != Role.admin:
    st.error("This page was not found.", icon=":material/search_off:")
    st.stop()

store, viewer = services.store, Viewer.of(user)


def act(action: Callable[[], object], done: str) -> bool:
    """Runs an admin change: a toast when it is done, the reason when it is refused (never a traceback)."""
    try:
        action()
    except (ValueError, PermissionError) as exc:  # AccountError and RetentionError are ValueErrors
        st.error(str(exc), icon=":material/error:")
        return False
    st.toast(done, icon=":material/check_circle:")
    return True


def app_url() -> str:
    """The app's address in the browser, without this page's path; "" when unknown (links stay relative)."""
    return (st.context.url or "").rstrip("/").removesuffix(PAGE_PATH)


def role_key(target: User) -> str:
    """The role box's key: a new one when the stored role changes, so the box never shows a stale choice."""
    return f"role_{target.id}_{target.role}"


# ---- callbacks -------------------------------------------------------------------------------
def save_role(target: User) -> None:
    role = st.session_state[role_key(target)]
    act(lambda: store.accounts.set_role(viewer, target.id, role), f"{target.name}'s role is now {role}.")


def set_active(target: User, active: bool) -> None:
    done = f"{target.name} is {'reactivated' if active else 'deactivated and signed out'}."
    act(lambda: store.accounts.set_active(viewer, target.id, active), done)


def create_user() -> None:
    state = st.session_state
    name, email, password, role = state.new_name, state.new_email, state.new_password, state.new_role
    if act(lambda: store.accounts.create_user(name, password, role, email or None), f"{name.strip()} can sign in now."):
        state.new_name = state.new_email = state.new_password = ""


def save_retention() -> None:
    days = None if st.session_state.keep_forever else int(st.session_state.retention_days)
    done = "Attempts are kept until they are deleted." if days is None else f"Attempts are kept {days} days."
    act(lambda: store.retention.set_retention_days(viewer, days), done)


def purge() -> None:
    deleted = store.retention.purge()
    st.toast(f"Purged {deleted} attempt{'' if deleted == 1 else 's'}.", icon=":material/delete_sweep:")


# ---- sections --------------------------------------------------------------------------------
def users_table(users: list[User]) -> None:
    rows = [
        {
            "Name": u.name,
            "Email": u.email or "",
            "Role": str(u.role),
            "Active": u.active,
            "Last sign-in": when(u.last_login_at),
            "Created": when(u.created_at),
        }
        for u in users
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def manage_user(users: list[User]) -> None:
    by_id = {u.id: u for u in users}
    chosen = by_id[st.selectbox("User", list(by_id), format_func=lambda i: by_id[i].name, key="managed_user")]
    yourself = chosen.id == user.id
    role, active = st.columns(2, vertical_alignment="bottom")
    with role:
        st.selectbox("Role", ROLES, index=ROLES.index(chosen.role), key=role_key(chosen), disabled=yourself)
        st.button(
            "Save role",
            icon=":material/save:",
            on_click=save_role,
            args=(chosen,),
            disabled=yourself,
            help="Another admin changes your role." if yourself else None,
        )
    with active:
        if not chosen.active:
            st.caption(f"{chosen.name} is deactivated: they cannot sign in.")
            st.button("Reactivate", icon=":material/person_check:", on_click=set_active, args=(chosen, True))
        elif yourself:
            st.caption("You cannot deactivate yourself.")
        else:
            with st.popover("Deactivate…", icon=":material/person_off:"):
                st.caption(f"{chosen.name} is signed out at once and cannot sign in again; their attempts stay.")
                st.button(f"Deactivate {chosen.name}", type="primary", on_click=set_active, args=(chosen, False))


def new_user_form() -> None:
    with st.form("new_user", width=480):
        st.text_input("User name", max_chars=120, key="new_name")
        st.text_input("Email (optional)", key="new_email")
        st.text_input(f"Password ({MIN_PASSWORD} characters or more)", type="password", key="new_password")
        st.selectbox("Role", ROLES, key="new_role")
        st.form_submit_button("Create the user", icon=":material/person_add:", on_click=create_user)


def invite_form() -> None:
    with st.form("invite", width=480):
        role = st.selectbox("Role", ROLES, key="invite_role")
        email = st.text_input("Email (optional: the invite fills it in)", key="invite_email")
        if not st.form_submit_button("Create an invite", type="primary", icon=":material/mail:"):
            return
    try:
        code = store.accounts.invite(viewer, role, email or None)
    except (ValueError, PermissionError) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.success(
        f"Send this link (or the code) to the new {role}. It is shown only this once, works once, "
        f"and expires in {INVITE_LIFETIME.days} days.",
        icon=":material/check_circle:",
    )
    st.code(f"{app_url()}/sign-in?invite={code}", language=None)
    st.caption("The code alone, for the sign-in page's “I have an invite” tab:")
    st.code(code, language=None)


def retention() -> None:
    days = store.retention.retention_days()
    st.caption(
        "Attempts are kept until they are deleted."
        if days is None
        else f"Attempts last active more than {days} days ago are purged (now, or when the app starts)."
    )
    forever = st.toggle("Keep attempts until they are deleted", value=days is None, key="keep_forever")
    st.number_input("Days to keep attempts", min_value=1, value=days or 365, disabled=forever, key="retention_days")
    save, purge_now = st.columns(2)
    save.button("Save the retention period", icon=":material/save:", on_click=save_retention)
    unset = "Set a retention period first." if days is None else None
    with purge_now.popover("Purge now…", icon=":material/delete_sweep:", disabled=days is None, help=unset):
        st.caption(f"Deletes every attempt last active more than {days} days ago, with its transcript and report.")
        st.button("Purge old attempts", type="primary", on_click=purge)


def downloads() -> None:
    """CSV files, made when clicked (an export of sessions goes into their owners' audit logs)."""
    base = app_url()
    exports = {
        "sessions": (lambda: to_csv(store.exports.sessions(viewer, base_url=base), SESSION_COLUMNS)),
        "users": (lambda: to_csv(store.exports.users(viewer), USER_COLUMNS)),
        "groups": (lambda: to_csv(store.exports.groups(viewer), GROUP_COLUMNS)),
    }
    for column, (name, make) in zip(st.columns(len(exports)), exports.items(), strict=True):
        column.download_button(
            f"{name.capitalize()} (CSV)",
            make,
            file_name=f"sparring-{name}.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )


# ---- the page --------------------------------------------------------------------------------
st.title("Users and data", anchor=False)
users = store.accounts.users(viewer)

st.subheader("Users", anchor=False)
users_table(users)
with st.container(border=True):
    st.markdown("**Change a user's role, or deactivate them**")
    manage_user(users)
invite, direct = st.tabs(["Invite someone", "Create a user with a password"])
with invite:
    invite_form()
with direct:
    new_user_form()

st.subheader("Data", anchor=False)
retention()
st.markdown("**CSV exports** of every session, user and group")
downloads()
