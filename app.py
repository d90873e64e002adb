"""Sparring: rehearse difficult workplace conversations. `python -m simulator app`
(or `streamlit run app.py` in a checkout).

A thin entry point: page config, navigation, and the sidebar (app_pages/sidebar.py: who
you are, which model answers, which scenario files could not be loaded). The pages live in
the app_pages package.
"""

from __future__ import annotations

import streamlit as st

from app_pages import navigation, sidebar

st.set_page_config(page_title="Sparring", page_icon="🥊", layout="wide")

pages = [
    st.Page(navigation.LIBRARY_PAGE, title="Scenario library", icon=":material/menu_book:", default=True),
    st.Page(navigation.REHEARSE_PAGE, title="Rehearse", icon=":material/forum:", url_path="rehearse"),
    st.Page(navigation.ATTEMPTS_PAGE, title="My attempts", icon=":material/history:", url_path="attempts"),
]
page = st.navigation(pages)
sidebar.show()
page.run()
