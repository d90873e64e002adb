"""Moving between pages so the URL stays meaningful: `user` always travels along, and an
open attempt is in the address, so a reload or a bookmark brings it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from app_pages.session import session, user_name

# Absolute paths, so the pages are found wherever the package is installed (Streamlit reads
# a relative page path from the folder of the script it runs).
_PAGES = Path(__file__).resolve().parent
LIBRARY_PAGE = str(_PAGES / "library.py")
REHEARSE_PAGE = str(_PAGES / "rehearse.py")
ATTEMPTS_PAGE = str(_PAGES / "attempts.py")


def keep_user_in_url() -> None:
    """Puts `user` back in the URL after a page change cleared the query string."""
    name = user_name()
    if st.query_params.get("user") != name:
        st.query_params["user"] = name


def go(page: str, **params: Any) -> NoReturn:
    """Opens a page with the given query parameters; `user` always travels along."""
    query = {"user": user_name()} | {k: str(v) for k, v in params.items() if v is not None}
    st.switch_page(page, query_params=query)


def open_attempt(attempt_id: int) -> NoReturn:
    """Opens an attempt on the Rehearse page, from another page."""
    session().last_attempt = attempt_id
    go(REHEARSE_PAGE, attempt=attempt_id)


def open_briefing(scenario_id: str, difficulty: str | None = None) -> NoReturn:
    go(REHEARSE_PAGE, scenario=scenario_id, difficulty=difficulty)


def show_attempt(attempt_id: int) -> NoReturn:
    """Shows an attempt on the Rehearse page, from the Rehearse page: it goes in the URL, so a
    reload resumes it."""
    session().last_attempt = attempt_id
    st.query_params.from_dict({"user": user_name(), "attempt": str(attempt_id)})
    st.rerun()


def show_briefing(scenario_id: str) -> NoReturn:
    """Shows a scenario's briefing on the Rehearse page, from the Rehearse page."""
    st.query_params.from_dict({"user": user_name(), "scenario": scenario_id})
    st.rerun()


def back_to_library() -> None:
    st.page_link(LIBRARY_PAGE, label="Back to the scenario library", icon=":material/arrow_back:")
