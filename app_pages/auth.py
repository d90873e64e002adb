"""Who is using the app. With sign-in off (SPARRING_AUTH=off, the default) that is one local
user. With it on: whoever signed in with a password or an invite here, or through the
organisation's identity provider (`st.login`, when `[auth]` is set in .streamlit/secrets.toml).

A sign-in survives a page reload through a signed, expiring cookie. Streamlit reads cookies
(`st.context.cookies`) but has no call to set one, so a sign-in writes it from the page
(`st.html` with a script) on the next run; the token is signed (itsdangerous), so a cookie
made up in the browser signs nobody in.
"""

from __future__ import annotations

import json

import streamlit as st

from app_pages.services import get_services
from app_pages.session import session
from simulator.core.session_tokens import SessionTokens
from simulator.core.settings import Settings
from simulator.storage.accounts import AccountError
from simulator.storage.models import User

COOKIE = "sparring_session"


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource
def _tokens() -> SessionTokens:
    return SessionTokens.for_settings(settings())


def sign_in_is_on() -> bool:
    return settings().auth == "on"


def single_sign_on() -> bool:
    """True when an identity provider is configured for `st.login`."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False


def current_user() -> User | None:
    """The signed-in user (the local user with sign-in off), or None: then only the sign-in page shows."""
    services = get_services()
    if not sign_in_is_on():
        return services.store.user(settings().local_user)
    accounts, state = services.store.accounts, session()
    if state.user_id is not None:
        user = accounts.session_user(state.user_id, state.session_version)
        if user is not None:
            return user
        state.user_id = None
    found = _tokens().read(st.context.cookies.get(COOKIE))
    if found is not None and (user := accounts.session_user(*found)) is not None:
        state.user_id, state.session_version = user.id, user.session_version
        return user
    if single_sign_on() and st.user.is_logged_in:
        try:
            user = accounts.oidc_user(str(st.user.get("sub")), st.user.get("email"), st.user.get("name"))
        except AccountError as exc:
            st.error(str(exc), icon=":material/block:")
            return None
        remember(user)
        return user
    return None


def require_user() -> User:
    """The signed-in user, for a page (app.py shows pages only to someone signed in)."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def remember(user: User) -> None:
    """Signs `user` in for this browser session, and (from the next run) across reloads."""
    state = session()
    state.user_id, state.session_version = user.id, user.session_version
    state.cookie_to_write = _tokens().issue(user.id, user.session_version)
    state.forget_cookie = False


def sign_out() -> None:
    """Ends the sign-in on every device (the cookie's session version no longer matches)."""
    state = session()
    if state.user_id is not None:
        get_services().store.accounts.sign_out_everywhere(state.user_id)
    state.user_id = None
    state.cookie_to_write, state.forget_cookie = None, True
    state.attempts.clear()
    state.last_attempt = None


def write_cookie() -> None:
    """Writes or clears the sign-in cookie in the browser, once, after a sign-in or sign-out."""
    state = session()
    if state.cookie_to_write:
        value, max_age = state.cookie_to_write, _tokens().max_age_s
        state.cookie_to_write = None
    elif state.forget_cookie:
        value, max_age = "", 0
        state.forget_cookie = False
    else:
        return
    cookie = json.dumps(f"{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict")
    secure = '+ (location.protocol === "https:" ? "; Secure" : "")'
    st.html(f"<script>document.cookie = {cookie} {secure};</script>", unsafe_allow_javascript=True)
