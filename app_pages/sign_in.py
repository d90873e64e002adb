"""Sign in: user name (or email) and password, an invite code for a new account, or the
organisation's single sign-on when it is configured. `?invite=CODE` opens the invite form
with the code filled in (the link an admin hands out)."""

from __future__ import annotations

import streamlit as st

from app_pages.auth import remember, single_sign_on
from app_pages.services import get_services
from simulator.storage.accounts import AccountError

accounts = get_services().store.accounts
invite_code = st.query_params.get("invite", "")

st.title("Sign in to Sparring", anchor=False)
st.caption("Rehearse difficult conversations. Only you, your coach and admins can read what you rehearse.")

if single_sign_on():
    st.button("Sign in with your organisation", type="primary", icon=":material/key:", on_click=st.login)
    st.divider()

TABS = ["I have an account", "I have an invite"]
sign_in, join = st.tabs(TABS, default=TABS[1] if invite_code else TABS[0])

with sign_in, st.form("sign_in_form", width=480):
    login = st.text_input("User name or email", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    if st.form_submit_button("Sign in", type="primary", icon=":material/login:"):
        try:
            remember(accounts.authenticate(login, password))
        except AccountError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.query_params.clear()
            st.rerun()

with join:
    st.caption("An admin gives you a one-time invite code (or a link that fills it in).")
    with st.form("join_form", width=480):
        code = st.text_input("Invite code", value=invite_code)
        name = st.text_input("Choose a user name", max_chars=120, autocomplete="username")
        email = st.text_input("Email (optional)", autocomplete="email")
        new_password = st.text_input("Choose a password (8 characters or more)", type="password")
        again = st.text_input("The password again", type="password")
        if st.form_submit_button("Create my account", type="primary", icon=":material/person_add:"):
            if new_password != again:
                st.error("The two passwords differ.", icon=":material/error:")
            else:
                try:
                    remember(accounts.accept_invite(code, name, new_password, email or None))
                except AccountError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    st.query_params.clear()
                    st.rerun()
