"""My attempts: everything the current user rehearsed, newest first, with its score once ended, each one reopenable."""

from __future__ import annotations

import streamlit as st

from app_pages.auth import require_user
from app_pages.formatting import label, when
from app_pages.navigation import LIBRARY_PAGE, go, open_attempt
from app_pages.services import AttemptSummary, attempt_summaries, get_services

services = get_services()
user = require_user()


def row(summary: AttemptSummary) -> None:
    attempt, scenario = summary.attempt, summary.scenario
    with st.container(border=True):
        info, facts, action = st.columns([4, 4, 2], vertical_alignment="center")
        with info:
            title = scenario.title if scenario else f"{attempt.scenario_id} (no longer in the library)"
            st.markdown(f"**{title}**")
            ended = attempt.status == "ended"
            status = ":gray-badge[Ended]" if ended else ":green-badge[In progress]"
            extra = " :orange-badge[Waiting for a reply]" if summary.pending and not ended else ""
            scored = f" &nbsp; :blue-badge[Score {summary.score}/100]" if summary.score is not None else ""
            who = summary.persona_name
            st.markdown(f"{status}{extra}{scored} &nbsp; with {who} · difficulty {label(attempt.difficulty)}")
        with facts:
            st.caption(f"Attempt #{attempt.id} · started {when(attempt.created_at)}")
            replay = ""
            if attempt.parent_id is not None:
                replay = f" · replay of #{attempt.parent_id}"
                if summary.replay_from_line is not None:
                    replay += f", from your line {summary.replay_from_line}"
            lines, replies = summary.lines, summary.replies
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
                open_attempt(attempt.id)


st.title("My attempts", anchor=False)
st.caption(f"Everything {user.name} rehearsed. Only you, your coach and admins can open these attempts.")

summaries = attempt_summaries(services, user)
if not summaries:
    st.info(
        "You have no attempts yet. Pick a scenario in the library, read the briefing and start the conversation: "
        "every attempt is saved here.",
        icon=":material/history:",
    )
    if st.button("Open the scenario library", type="primary", icon=":material/menu_book:"):
        go(LIBRARY_PAGE)
    st.stop()

for summary in summaries:
    row(summary)
