"""One attempt on the Rehearse page: the conversation (or, once ended, the feedback report
above the transcript) in a wide column, the controls and tools in a narrow one."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from app_pages.components.charts import state_chart
from app_pages.components.downloads import downloads
from app_pages.components.report import show_report
from app_pages.components.transcript import transcript
from app_pages.formatting import label, plain, short
from app_pages.navigation import show_attempt
from app_pages.rehearse_chat import handle_input, score_attempt
from app_pages.services import replayed_line, warm_up_once
from app_pages.session import COACH_VIEW_KEY, AttemptMemory, Session
from evals.scoring import charts
from simulator.engine.debrief import states_of
from simulator.engine.rehearsal import Rehearsal
from simulator.engine.round_results import round_of, time_is_up
from simulator.engine.transcript_export import to_jsonl, transcript_markdown
from simulator.storage.models import Turn
from simulator.storage.workshops import time_left


def show_rehearsal(rehearsal: Rehearsal, state: Session) -> None:
    """The attempt, remembered as the one shown last; the model reads ahead meanwhile."""
    attempt = rehearsal.attempt
    memory = state.attempt(attempt.id)
    state.last_attempt = attempt.id
    timed = attempt.round_id is not None and not rehearsal.ended  # in a workshop round's time box
    if timed and time_is_up(rehearsal):
        timed = False
        with st.spinner("Time is up: scoring your conversation…"):
            score_attempt(rehearsal, memory, rehearsal.end)
        st.session_state[f"time_up_{attempt.id}"] = True
    warm_up_once(rehearsal, memory)
    _header(rehearsal)
    if timed:
        _countdown(rehearsal)
    elif st.session_state.get(f"time_up_{attempt.id}"):
        st.warning("Time is up: the round's time box closed, so your attempt ended.", icon=":material/timer_off:")
    prompt = None
    if not rehearsal.ended:
        prompt = st.chat_input(f"What do you say to {rehearsal.persona.name}?", key=f"chat_{attempt.id}")
    chat_col, side_col = st.columns([7, 3], gap="large")
    side_top, side_bottom = side_col.container(), side_col.container()
    with side_top:
        coach = _controls(rehearsal, memory)
    with chat_col:
        _conversation(rehearsal, memory, state, prompt, coach)
    with side_bottom:
        _tools(rehearsal, coach)


def clock(left: timedelta) -> str:
    """`0:04:05` -> `4:05`; hours only when there are some."""
    minutes, seconds = divmod(int(left.total_seconds()), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@st.fragment(run_every=5)
def _countdown(rehearsal: Rehearsal) -> None:
    """The round's time left, every 5 seconds; once it is up, the whole page runs again to end
    the attempt. While the round is paused the chat stays open and the clock stands still."""
    round_ = round_of(rehearsal)
    left = time_left(round_) if round_ is not None else timedelta(0)
    if left is not None and left == timedelta(0):
        st.rerun(scope="app")
    if round_ is None or left is None:
        return
    if round_.status == "paused":
        st.info(f"The trainer paused the round: {clock(left)} left.", icon=":material/pause_circle:")
    else:
        st.markdown(f":orange-badge[:material/timer: {clock(left)} left] in **{plain(round_.name)}**")


def _header(rehearsal: Rehearsal) -> None:
    attempt, persona = rehearsal.attempt, rehearsal.persona
    st.title(rehearsal.scenario.title, anchor=False)
    status = ":gray-badge[Ended]" if rehearsal.ended else ":green-badge[In progress]"
    facts = [
        f"with **{persona.name}**, {persona.role}",
        f"difficulty **{label(attempt.difficulty)}**",
        f"attempt #{attempt.id}",
    ]
    if attempt.parent_id is not None:
        facts.append(f"replay of #{attempt.parent_id}")
    if attempt.scenario_version == 0:
        status += " :violet-badge[Test chat of the draft]"
    elif attempt.scenario_version:
        facts.append(f"version {attempt.scenario_version}")
    st.markdown(" · ".join(facts) + f" &nbsp; {status}")


def _controls(rehearsal: Rehearsal, memory: AttemptMemory) -> bool:
    """The briefing to look back at, the coach view toggle (returned), end and restart."""
    briefing = rehearsal.scenario.briefing
    with st.expander("Your briefing", icon=":material/description:"):
        st.markdown(f"**You are** {briefing.coachee_role}.")
        st.markdown(briefing.situation)
        st.markdown(f"**Your goal:** {briefing.your_goal}")
        if briefing.tips:
            st.markdown("\n".join(f"- {tip}" for tip in briefing.tips))
    coach = st.toggle(
        "Coach view",
        key=COACH_VIEW_KEY,
        help="Show what drives the persona: the move chosen, trust, frustration, mood and the scenario notes used.",
    )
    if st.button(
        "End attempt",
        icon=":material/stop_circle:",
        disabled=rehearsal.ended,
        width="stretch",
        help="Finish this conversation and get your feedback; it stays saved with its transcript.",
    ):
        with st.spinner("Scoring your conversation…"):
            score_attempt(rehearsal, memory, rehearsal.end)
        st.rerun()
    if st.button(
        "Restart",
        icon=":material/restart_alt:",
        width="stretch",
        help="Start again from the opening line, at the same difficulty. This attempt ends and stays saved.",
    ):
        if not rehearsal.ended:
            score_attempt(rehearsal, memory, rehearsal.end)
        with st.spinner("Starting again…"):
            fresh = rehearsal.again()
        show_attempt(fresh.attempt.id)
    return coach


def _conversation(rehearsal: Rehearsal, memory: AttemptMemory, state: Session, prompt: str | None, coach: bool) -> None:
    """The report once ended (or why there is none), the transcript, and the live input."""
    turns = rehearsal.turns()
    if rehearsal.ended:
        _feedback(rehearsal, memory, state)
    elif memory.scoring_error:
        st.error(memory.scoring_error, icon=":material/error:")  # ending it failed: it is still open
    transcript(turns, rehearsal.persona.name, rehearsal.scenario.notes, coach=coach)
    _replay_banner(rehearsal, memory, turns)
    live = st.container()
    notice = st.empty()
    handle_input(rehearsal, memory, prompt, live, notice, coach)


def _feedback(rehearsal: Rehearsal, memory: AttemptMemory, state: Session) -> None:
    """The report of an ended attempt; a button to score it if that did not happen."""
    report = rehearsal.report()
    if report is not None:

        def replay(turn: int, better: str | None) -> None:
            branch = rehearsal.branch(keep=turn)
            state.attempt(branch.attempt.id).replay_suggestion = better
            show_attempt(branch.attempt.id)

        show_report(report, f"sparring-{rehearsal.scenario.id}-{rehearsal.attempt.id}", replay=replay)
        return
    if not any(t.role == "coachee" for t in rehearsal.turns()):
        st.info("This attempt ended before you said anything, so there is nothing to score.", icon=":material/info:")
        return
    if memory.scoring_error:
        st.error(memory.scoring_error, icon=":material/error:")
    else:
        st.warning("This attempt has not been scored yet.", icon=":material/pending:")
    if st.button("Score this attempt", type="primary", icon=":material/grading:"):
        with st.spinner("Scoring your conversation…"):
            score_attempt(rehearsal, memory, rehearsal.score)
        st.rerun()


def _replay_banner(rehearsal: Rehearsal, memory: AttemptMemory, turns: list[Turn]) -> None:
    """On a replay that has not moved on yet: what was said last time, and the suggestion."""
    attempt = rehearsal.attempt
    if attempt.parent_id is None or attempt.branched_at is None or len(turns) != attempt.branched_at:
        return
    original = replayed_line(rehearsal.services, rehearsal.viewer, attempt.parent_id, attempt.branched_at)
    said = f" Last time you said: “{plain(short(original.text, 200))}”" if original else ""
    suggestion = memory.replay_suggestion
    tip = f"  \nThe report suggested: *“{plain(suggestion)}”*" if suggestion else " Try a different line."
    st.info(f"You are replaying attempt #{attempt.parent_id} from this point.{said}{tip}", icon=":material/replay:")


def _tools(rehearsal: Rehearsal, coach: bool) -> None:
    """Replay from a line, the transcript's downloads and, in the coach view, the chart."""
    turns = rehearsal.turns()  # again: this run may have added a line and a reply
    st.divider()
    _replay_picker(rehearsal, turns)
    st.divider()
    st.markdown("**Download the transcript**")
    scenario, attempt = rehearsal.scenario, rehearsal.attempt
    stem = f"sparring-{scenario.id}-{attempt.id}"
    markdown = transcript_markdown(scenario, rehearsal.persona, turns, difficulty=attempt.difficulty)
    downloads(
        [
            ("JSON Lines", to_jsonl(scenario.id, turns), f"{stem}.jsonl", "application/jsonl"),
            ("Markdown", markdown, f"{stem}.md", "text/markdown"),
        ]
    )
    if coach:
        st.divider()
        name = rehearsal.persona.name
        caption = f"Across {name}'s replies (0 = the opening line), on a scale of 0 to 100."
        points = states_of(turns)
        state_chart(points, "Trust and frustration", axis=charts.REPLY, caption=caption, x_title=False, height=280)


def _replay_picker(rehearsal: Rehearsal, turns: list[Turn]) -> None:
    st.markdown("**Replay from one of your lines**")
    mine = [t for t in turns if t.role == "coachee"]
    if not mine:
        st.caption("Once you have said something, you can go back to any of your lines and try a different one.")
        return
    numbered = {t.idx: (n, t.text) for n, t in enumerate(mine, start=1)}
    pick = st.selectbox(
        "Your line",
        list(numbered),
        format_func=lambda idx: f"{numbered[idx][0]}. “{short(numbered[idx][1], 60)}”",
        key=f"replay_{rehearsal.attempt.id}",
        label_visibility="collapsed",
    )
    if st.button("Replay from this line", icon=":material/replay:", width="stretch"):
        show_attempt(rehearsal.branch(keep=pick).attempt.id)
