"""Rehearse: the briefing, then the conversation with the persona.

URL: `?scenario=<id>&difficulty=<level>` shows the briefing; `?attempt=<id>` shows that
attempt, so reloading the page resumes it. Every coachee line is committed before the
model is called: a dead model or a closed tab never loses what the coachee typed.
"""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import streamlit as st

from app_pages.auth import require_user
from app_pages.components.briefing import briefing_cards
from app_pages.formatting import assignment_line, difficulty_options, label, valid_difficulty
from app_pages.navigation import back_to_library, open_review, show_attempt, show_briefing
from app_pages.rehearse_attempt import show_rehearsal
from app_pages.services import get_services, start_rehearsal, startable_scenarios
from app_pages.session import session
from simulator.core.schema import Difficulty, Scenario
from simulator.engine.rehearsal import Rehearsal
from simulator.storage.coaching import AssignmentStatus
from simulator.storage.policy import Viewer

services = get_services()
catalog = services.catalog
state = session()
user = require_user()


def assignment_from_url(scenario: Scenario) -> AssignmentStatus | None:
    """The user's own assignment named in the URL (`?assignment=`), if it is for this scenario."""
    raw = st.query_params.get("assignment", "")
    mine = services.store.coaching.my_assignments(Viewer.of(user), date.today())
    return next((a for a in mine if str(a.assignment.id) == raw and a.assignment.scenario_id == scenario.id), None)


def briefing(scenario: Scenario, difficulty: str | None) -> None:
    persona = catalog.persona_for(scenario)
    assigned = assignment_from_url(scenario)
    st.title(scenario.title, anchor=False)
    st.markdown(scenario.summary)
    if assigned:
        st.info(assignment_line(assigned), icon=":material/assignment:")
    with briefing_cards(scenario, persona):
        options = difficulty_options()
        level = st.selectbox(
            "Difficulty",
            options,
            index=options.index(valid_difficulty(scenario, difficulty)),
            format_func=label,
            key=f"start_difficulty_{scenario.id}",
        )
        st.caption(scenario.difficulty[Difficulty(level)].description)
        if st.query_params.get("difficulty") != level:  # a reload keeps the choice
            st.query_params["difficulty"] = level
        start = st.button("Start the conversation", type="primary", icon=":material/play_arrow:", width="stretch")
    back_to_library()
    if start:
        with st.spinner(f"Setting the scene with {persona.name}…"):
            rehearsal = start_rehearsal(services, user, scenario.id, level, assigned and assigned.assignment.id)
        show_attempt(rehearsal.attempt.id)


def picker() -> None:
    st.title("Rehearse", anchor=False)
    scenarios = startable_scenarios(services, user)
    if not scenarios:
        st.info("There are no scenarios to rehearse yet.", icon=":material/inventory_2:")
        return
    st.info("Choose a scenario to rehearse, or browse the library for the full descriptions.", icon=":material/info:")
    scenario_id = st.selectbox("Scenario", list(scenarios), format_func=lambda sid: scenarios[sid].title, width=520)
    if st.button("Read the briefing", type="primary", icon=":material/arrow_forward:"):
        show_briefing(scenario_id)
    back_to_library()


def stop_with(message: str) -> NoReturn:
    st.error(message, icon=":material/error:")
    back_to_library()
    st.stop()


def attempt_from_url() -> int | None:
    """The attempt in the URL; else, unless a scenario is asked for, the one shown last in
    this session (the sidebar's link clears the URL)."""
    raw = st.query_params.get("attempt")
    if raw is None:
        if "scenario" in st.query_params:
            return None
        if state.last_attempt is not None:
            st.query_params["attempt"] = str(state.last_attempt)
        return state.last_attempt
    try:
        return int(raw)
    except ValueError:
        stop_with(f"“{raw}” is not an attempt number.")


attempt_id = attempt_from_url()
if attempt_id is not None:
    try:
        current = Rehearsal.resume(services, attempt_id, Viewer.of(user))
    except KeyError:
        state.last_attempt = None
        stop_with(f"Attempt {attempt_id} was not found. It may have been deleted, or it is not yours to open.")
    if current.read_only:  # a coach or an admin reads someone else's attempt on the review page
        open_review(attempt_id)
    show_rehearsal(current, state)
elif "scenario" in st.query_params:
    scenario_id = st.query_params["scenario"]
    scenarios = startable_scenarios(services, user)
    if scenario_id not in scenarios:
        stop_with(
            f"There is no scenario “{scenario_id}” in the library (it may have been removed, its file is broken, "
            "or it has not been shared with you)."
        )
    briefing(scenarios[scenario_id], st.query_params.get("difficulty"))
else:
    picker()
