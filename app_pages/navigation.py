"""The pages each role sees, and moving between them so the URL stays meaningful: an open
attempt is in the address, so a reload or a bookmark brings it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from app_pages.session import session
from simulator.storage.models import Role, User

# Absolute paths, so the pages are found wherever the package is installed (Streamlit reads
# a relative page path from the folder of the script it runs).
_PAGES = Path(__file__).resolve().parent
LIBRARY_PAGE = str(_PAGES / "library.py")
REHEARSE_PAGE = str(_PAGES / "rehearse.py")
ATTEMPTS_PAGE = str(_PAGES / "attempts.py")
REVIEW_PAGE = str(_PAGES / "review.py")
COACHING_PAGE = str(_PAGES / "coaching.py")
ADMIN_PAGE = str(_PAGES / "admin.py")
SIGN_IN_PAGE = str(_PAGES / "sign_in.py")
ROUNDS_PAGE = str(_PAGES / "rounds.py")
JOIN_PAGE = str(_PAGES / "join.py")
AUTHORING_PAGE = str(_PAGES / "authoring.py")
AUTHORS = frozenset({Role.coach, Role.trainer, Role.admin})


def pages_for(user: User | None, sign_in_on: bool) -> dict[str, list[st.Page]]:
    """The navigation: only the sign-in page for nobody; a coach and an admin get their own."""
    join = st.Page(JOIN_PAGE, title="Join a workshop round", icon=":material/qr_code_2:", url_path="join")
    if user is None:
        return {"": [st.Page(SIGN_IN_PAGE, title="Sign in", icon=":material/login:", url_path="sign-in"), join]}
    practice = [
        st.Page(LIBRARY_PAGE, title="Scenario library", icon=":material/menu_book:", default=True),
        st.Page(REHEARSE_PAGE, title="Rehearse", icon=":material/forum:", url_path="rehearse"),
        st.Page(ATTEMPTS_PAGE, title="My attempts", icon=":material/history:", url_path="attempts"),
        st.Page(REVIEW_PAGE, title="Review an attempt", icon=":material/rate_review:", url_path="review"),
        join,
    ]
    pages = {"Practice": practice}
    if user.role in {Role.coach, Role.admin}:
        pages["Coaching"] = [st.Page(COACHING_PAGE, title="My groups", icon=":material/groups:", url_path="coaching")]
    if user.role in {Role.trainer, Role.admin}:
        rounds = st.Page(ROUNDS_PAGE, title="Workshop rounds", icon=":material/co_present:", url_path="rounds")
        pages["Workshops"] = [rounds]
    if user.role in AUTHORS:
        pages["Scenarios"] = [
            st.Page(AUTHORING_PAGE, title="My scenarios", icon=":material/edit_document:", url_path="my-scenarios")
        ]
    if user.role == Role.admin and sign_in_on:
        pages["Admin"] = [
            st.Page(ADMIN_PAGE, title="Users and data", icon=":material/admin_panel_settings:", url_path="admin")
        ]
    return pages


def go(page: str, **params: Any) -> NoReturn:
    """Opens a page with the given query parameters."""
    st.switch_page(page, query_params={k: str(v) for k, v in params.items() if v is not None})


def open_attempt(attempt_id: int) -> NoReturn:
    """Opens an attempt on the Rehearse page, from another page."""
    session().last_attempt = attempt_id
    go(REHEARSE_PAGE, attempt=attempt_id)


def open_review(attempt_id: int) -> NoReturn:
    go(REVIEW_PAGE, attempt=attempt_id)


def open_briefing(scenario_id: str, difficulty: str | None = None, assignment: int | None = None) -> NoReturn:
    go(REHEARSE_PAGE, scenario=scenario_id, difficulty=difficulty, assignment=assignment)


def show_attempt(attempt_id: int) -> NoReturn:
    """Shows an attempt on the Rehearse page, from the Rehearse page: it goes in the URL, so a
    reload resumes it."""
    session().last_attempt = attempt_id
    st.query_params.from_dict({"attempt": str(attempt_id)})
    st.rerun()


def show_briefing(scenario_id: str) -> NoReturn:
    """Shows a scenario's briefing on the Rehearse page, from the Rehearse page."""
    st.query_params.from_dict({"scenario": scenario_id})
    st.rerun()


def back_to_library() -> None:
    st.page_link(LIBRARY_PAGE, label="Back to the scenario library", icon=":material/arrow_back:")
