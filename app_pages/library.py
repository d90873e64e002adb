"""Scenario library: first what a coach assigned to the user (with its status: not started,
in progress, done, overdue), then one card per scenario; "Read the briefing" opens the
Rehearse page."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app_pages.auth import require_user
from app_pages.formatting import assignment_line, badges, difficulty_options, label
from app_pages.navigation import open_briefing
from app_pages.services import get_services, startable_scenarios
from simulator.core.schema import Difficulty
from simulator.storage.coaching import AssignmentStatus
from simulator.storage.policy import Viewer

services = get_services()
catalog = services.catalog
user = require_user()
STATUS_BADGES = {
    "overdue": ":red-badge[Overdue]",
    "in progress": ":orange-badge[In progress]",
    "not started": ":blue-badge[Not started]",
    "done": ":green-badge[Done]",
}


def assignment_card(assigned: AssignmentStatus) -> None:
    a = assigned.assignment
    scenario = catalog.scenarios.get(a.scenario_id)
    with st.container(border=True):
        title = scenario.title if scenario else f"{a.scenario_id} (no longer in the library)"
        best = f" · best score {assigned.best}" if assigned.best is not None else ""
        tries = f" · {assigned.attempts} attempt{'' if assigned.attempts == 1 else 's'}" if assigned.attempts else ""
        st.markdown(f"{STATUS_BADGES[assigned.status]} **{title}**{tries}{best}")
        st.markdown(assignment_line(assigned))
        if scenario and st.button("Read the briefing", key=f"assignment_{a.id}", icon=":material/arrow_forward:"):
            open_briefing(a.scenario_id, a.difficulty, a.id)


def assignments() -> None:
    mine = services.store.coaching.my_assignments(Viewer.of(user), date.today())
    if not mine:
        return
    st.subheader("Assigned to you", anchor=False)
    for assigned in mine:
        assignment_card(assigned)
    st.subheader("All scenarios", anchor=False)


st.title("Scenario library")
st.markdown(
    "Pick a conversation you find hard, read your briefing, and rehearse it with a persona "
    "who reacts to how you treat them. Every attempt is saved, so you can come back and try a different line."
)

assignments()
scenarios = list(startable_scenarios(services, user).values())
if not scenarios:
    st.info(
        "There are no scenarios to rehearse yet. Add a scenario file to `scenarios/` "
        "(and its persona card to `personas/`), then reload this page.",
        icon=":material/inventory_2:",
    )
    st.stop()

columns = st.columns(2, gap="medium")
for position, scenario in enumerate(scenarios):
    persona = catalog.persona_for(scenario)
    with columns[position % 2], st.container(border=True):
        st.subheader(scenario.title, anchor=False)
        st.write(scenario.summary)
        st.markdown(f":material/person: **You'll talk to {persona.name}**, {persona.role}")
        st.markdown(f"**Skills practised** &nbsp; {badges(scenario.skills)}")
        options = difficulty_options()
        level = st.selectbox(
            "Difficulty",
            options,
            index=options.index(scenario.default_difficulty.value),
            format_func=label,
            key=f"difficulty_{scenario.id}",
        )
        st.caption(scenario.difficulty[Difficulty(level)].description)
        if st.button(
            "Read the briefing",
            key=f"briefing_{scenario.id}",
            type="primary",
            icon=":material/arrow_forward:",
        ):
            open_briefing(scenario.id, level)
