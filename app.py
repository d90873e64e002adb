"""Sparring: rehearse difficult workplace conversations. `python -m simulator app`
(or `streamlit run app.py` in a checkout).

A thin entry point: page config, who is signed in, the pages their role sees
(app_pages/navigation.py), and the sidebar (app_pages/sidebar.py). The pages live in the
app_pages package.
"""

from __future__ import annotations

import streamlit as st

from app_pages import auth, navigation, sidebar

st.set_page_config(page_title="Sparring", page_icon="🥊", layout="wide")

user = auth.current_user()
page = st.navigation(navigation.pages_for(user, auth.sign_in_is_on()))
sidebar.show(user)
page.run()
