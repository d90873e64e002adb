"""My attempts: everything the current user rehearsed, newest first, with its score once ended, each one reopenable."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from evals.scoring.report import is_current

services = common.get_services()
catalog = services.catalog
user = common.current_user(services)

st.title("My attempts", anchor=False)
st.caption(f"Saved under the name **{user.name}**. Change the name in the sidebar to see someone else's attempts.")

attempts = services.store.attempts(user_id=user.id)
if not attempts:
    st.info(
        "You have no attempts yet. Pick a scenario in the library, read the briefing and start the conversation: "
        "every attempt is saved here.",
        icon=":material/history:",
    )
    if st.button("Open the scenario library", type="primary", icon=":material/menu_book:"):
        common.go(common.LIBRARY_PAGE)
    st.stop()

for attempt in attempts:
    scenario = catalog.scenarios.get(attempt.scenario_id)
    turns = services.store.turns(attempt.id)
    lines = sum(1 for t in turns if t.role == "coachee")
    replies = sum(1 for t in turns if t.role == "persona") - 1  # not counting the opening line
    pending = bool(turns) and turns[-1].role == "coachee"
    with st.container(border=True):
        info, facts, action = st.columns([4, 4, 2], vertical_alignment="center")
        with info:
            title = scenario.title if scenario else f"{attempt.scenario_id} (no longer in the library)"
            st.markdown(f"**{title}**")
            who = catalog.persona_for(scenario).name if scenario else "–"
            status = ":gray-badge[Ended]" if attempt.status == "ended" else ":green-badge[In progress]"
            extra = " :orange-badge[Waiting for a reply]" if pending and attempt.status != "ended" else ""
            score = attempt.report["score"]["overall"] if is_current(attempt.report) else None
            scored = f" &nbsp; :blue-badge[Score {score}/100]" if score is not None else ""
            st.markdown(f"{status}{extra}{scored} &nbsp; with {who} · difficulty {common.label(attempt.difficulty)}")
        with facts:
            st.caption(f"Attempt #{attempt.id} · started {common.when(attempt.created_at)}")
            replay = ""
            if attempt.parent_id is not None:
                replay = f" · replay of #{attempt.parent_id}"
                if attempt.branched_at is not None:
                    line = sum(1 for t in turns[: attempt.branched_at] if t.role == "coachee") + 1
                    replay += f", from your line {line}"
            replies = max(replies, 0)
            st.caption(
                f"{lines} line{'' if lines == 1 else 's'} from you, "
                f"{replies} repl{'y' if replies == 1 else 'ies'}{replay}"
            )
        with action:
            if st.button(
                "Open",
                key=f"open_{attempt.id}",
                icon=":material/arrow_forward:",
                width="stretch",
                disabled=scenario is None,
                help=None
                if scenario
                else "This scenario's file is missing or broken, so the attempt cannot be opened.",
            ):
                common.open_attempt(attempt.id)
