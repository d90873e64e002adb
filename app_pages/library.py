"""Scenario library: one card per scenario; "Read the briefing" opens the Rehearse page."""

from __future__ import annotations

import streamlit as st

from app_pages.formatting import badges, difficulty_options, label
from app_pages.navigation import open_briefing
from app_pages.services import get_services
from simulator.core.schema import Difficulty

services = get_services()
catalog = services.catalog

st.title("Scenario library")
st.markdown(
    "Pick a conversation you find hard, read your briefing, and rehearse it with a persona "
    "who reacts to how you treat them. Every attempt is saved, so you can come back and try a different line."
)

scenarios = list(catalog.scenarios.values())
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
