"""A scenario's briefing as the coachee reads it before a conversation: their side of the
story on the left, who they will talk to on the right."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.formatting import badges
from simulator.core.schema import Persona, Scenario


def briefing_cards(scenario: Scenario, persona: Persona) -> DeltaGenerator:
    """Draws both cards; returns the right one, for the page to add its controls to."""
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader("Your briefing", anchor=False)
        st.markdown(f"**Your role** \n\n{scenario.briefing.coachee_role}")
        st.markdown(f"**The situation** \n\n{scenario.briefing.situation}")
        st.markdown(f"**Your goal** \n\n{scenario.briefing.your_goal}")
        if scenario.briefing.tips:
            st.markdown("**Tips**\n\n" + "\n".join(f"- {tip}" for tip in scenario.briefing.tips))
    card = right.container(border=True)
    with card:
        st.subheader(f"You'll talk to {persona.name}", anchor=False)
        st.markdown(persona.role)
        st.markdown(f"**Skills practised** &nbsp; {badges(scenario.skills)}")
    return card
