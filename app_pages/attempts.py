"""My attempts: everything the current user rehearsed, newest first, with its score once
ended, each one reopenable and reviewable (with its comments), each one deletable, the whole
history too; and who else opened them (the audit log)."""

from __future__ import annotations

import streamlit as st

from app_pages.auth import require_user
from app_pages.formatting import label, when
from app_pages.navigation import LIBRARY_PAGE, go, open_attempt, open_review
from app_pages.services import AttemptSummary, attempt_summaries, get_services
from simulator.storage.policy import Viewer

services = get_services()
user = require_user()
viewer = Viewer.of(user)


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
            extra += " :violet-badge[Test chat]" if attempt.scenario_version == 0 else ""
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
            comments = f" ({summary.comments})" if summary.comments else ""
            if st.button(
                f"Review{comments}", key=f"review_{attempt.id}", icon=":material/rate_review:", width="stretch"
            ):
                open_review(attempt.id)
            with st.popover("Delete", icon=":material/delete:", width="stretch"):
                st.caption("The attempt, its report and its comments are deleted for good.")
                if st.button("Delete this attempt", key=f"delete_{attempt.id}", type="primary"):
                    services.store.retention.delete_attempt(viewer, attempt.id)
                    st.toast(f"Attempt #{attempt.id} deleted.", icon=":material/delete:")
                    st.rerun()


def audit_log() -> None:
    """Who other than the coachee opened or exported their attempts."""
    reads = services.store.reviews.reads_of(viewer, user.id)
    with st.expander(f"Who else opened your attempts ({len(reads)})", icon=":material/visibility:"):
        if not reads:
            st.caption("Nobody but you has opened your attempts.")
        for entry, reader in reads:
            what = "exported" if entry.action == "export" else "opened"
            who = reader or "An administrator at the command line"
            st.caption(f"{who} {what} attempt #{entry.attempt_id} · {when(entry.at)}")


def delete_history() -> None:
    with st.popover("Delete my whole history", icon=":material/delete_forever:"):
        st.caption("Every attempt, report and comment of yours is deleted for good. This cannot be undone.")
        sure = st.checkbox("Yes, delete everything I rehearsed", key="delete_all_sure")
        if st.button("Delete everything", type="primary", disabled=not sure, key="delete_all"):
            gone = services.store.retention.delete_history(viewer, user.id)
            st.toast(f"{gone} attempt{'' if gone == 1 else 's'} deleted.", icon=":material/delete:")
            st.rerun()


st.title("My attempts", anchor=False)
st.caption(f"Everything {user.name} rehearsed. Only you, your coach and admins can open these attempts.")

summaries = attempt_summaries(services, user)
audit_log()
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
delete_history()
