"""Rehearse: the briefing, then the conversation with the persona.

URL: `?scenario=<id>&difficulty=<level>` shows the briefing; `?attempt=<id>` shows that
attempt, so reloading the page resumes it. Every coachee line is committed before the
model is called: a dead model or a closed tab never loses what the coachee typed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages import common, report_view
from simulator.core.schema import Difficulty, Scenario
from simulator.core.storage import Turn
from simulator.engine.debrief import ScoringFailed
from simulator.engine.rehearsal import MAX_MESSAGE_CHARS, MessageError, ModelUnavailable, Rehearsal
from simulator.engine.state import PersonaState
from simulator.engine.transcript_export import to_jsonl, to_markdown

services = common.get_services()
catalog = services.catalog

COACHEE_AVATAR = ":material/face:"
MOOD_COLORS = {"open": "green", "warming": "blue", "guarded": "gray", "upset": "red"}
TRUST_COLOR, FRUSTRATION_COLOR = "#2f7d6d", "#c2572b"
SCORING_ERRORS_KEY = "scoring_errors"  # attempt id -> why scoring it failed, shown above the retry


# ---- small helpers -------------------------------------------------------------------------
def short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def keys(attempt_id: int) -> dict[str, str]:
    return {
        "draft": f"draft_{attempt_id}",  # the editable draft (a text area's key)
        "draft_error": f"draft_error_{attempt_id}",  # why the draft could not be sent
        "model_error": f"model_error_{attempt_id}",  # the model failed on the pending line
        "streaming": f"streaming_{attempt_id}",  # a reply was started in this session and not finished
        "chat": f"chat_{attempt_id}",
        "replay": f"replay_{attempt_id}",
    }


def show_attempt(attempt_id: int) -> None:
    """Puts the attempt in the URL (reload resumes it) and shows it."""
    st.session_state[common.LAST_ATTEMPT_KEY] = attempt_id
    st.query_params.from_dict({"user": common.user_name(), "attempt": str(attempt_id)})
    st.rerun()


def back_to_library() -> None:
    st.page_link(common.LIBRARY_PAGE, label="Back to the scenario library", icon=":material/arrow_back:")


# ---- the briefing ------------------------------------------------------------------------------
def show_briefing(scenario: Scenario, difficulty: str | None) -> None:
    persona = catalog.persona_for(scenario)
    briefing = scenario.briefing
    st.title(scenario.title, anchor=False)
    st.markdown(scenario.summary)
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.subheader("Your briefing", anchor=False)
        st.markdown(f"**Your role** \n\n{briefing.coachee_role}")
        st.markdown(f"**The situation** \n\n{briefing.situation}")
        st.markdown(f"**Your goal** \n\n{briefing.your_goal}")
        if briefing.tips:
            st.markdown("**Tips**\n\n" + "\n".join(f"- {tip}" for tip in briefing.tips))
    with right, st.container(border=True):
        st.subheader(f"You'll talk to {persona.name}", anchor=False)
        st.markdown(persona.role)
        st.markdown(f"**Skills practised** &nbsp; {common.badges(scenario.skills)}")
        options = common.difficulty_options()
        level = st.selectbox(
            "Difficulty",
            options,
            index=options.index(common.valid_difficulty(scenario, difficulty)),
            format_func=common.label,
            key=f"start_difficulty_{scenario.id}",
        )
        st.caption(scenario.difficulty[Difficulty(level)].description)
        if st.query_params.get("difficulty") != level:  # a reload keeps the choice
            st.query_params["difficulty"] = level
        start = st.button("Start the conversation", type="primary", icon=":material/play_arrow:", width="stretch")
    back_to_library()
    if start:
        with st.spinner(f"Setting the scene with {persona.name}…"):
            rehearsal = Rehearsal.start(services, common.current_user(services), scenario.id, level)
        show_attempt(rehearsal.attempt.id)


def show_picker() -> None:
    st.title("Rehearse", anchor=False)
    if not catalog.scenarios:
        st.info("There are no scenarios to rehearse yet.", icon=":material/inventory_2:")
        return
    st.info("Choose a scenario to rehearse, or browse the library for the full descriptions.", icon=":material/info:")
    scenario_id = st.selectbox(
        "Scenario", list(catalog.scenarios), format_func=lambda sid: catalog.scenarios[sid].title, width=520
    )
    if st.button("Read the briefing", type="primary", icon=":material/arrow_forward:"):
        st.query_params.from_dict({"user": common.user_name(), "scenario": scenario_id})
        st.rerun()
    back_to_library()


# ---- the conversation ----------------------------------------------------------------------
def render_coachee(turn_text: str, codes: list[str] | None, coach: bool) -> None:
    with st.chat_message("user", avatar=COACHEE_AVATAR):
        st.markdown(f"**You**  \n{common.plain(turn_text)}")
        if coach and codes:
            st.caption("Coded as " + common.badges([common.label(c) for c in codes], "gray"))


def render_coach_details(rehearsal: Rehearsal, turn: Turn) -> None:
    """What a coach wants to see under a persona line: move, state, notes used, guard."""
    state = turn.state or {}
    parts = [f":violet-badge[{common.label(turn.move or 'unknown')}]"]
    if turn.direction:
        parts.append(f"*{common.plain(turn.direction)}*")
    if state:
        mood = PersonaState.model_validate(state).mood
        parts.append(f"trust **{state.get('trust', 0):.0f}**")
        parts.append(f"frustration **{state.get('frustration', 0):.0f}**")
        parts.append(f":{MOOD_COLORS.get(mood, 'gray')}-badge[{mood}]")
    st.caption(" · ".join(parts))
    guard = turn.guard or {}
    if guard.get("reason"):
        st.caption(f"Why this move: {common.plain(str(guard['reason']))}")
    if guard.get("problems"):
        what = "replaced the model's line with an authored one" if guard.get("fallback") else "asked the model again"
        st.caption(f":material/shield: The guard {what}: {common.plain('; '.join(map(str, guard['problems'])))}")
    by_id = {note.id: note for note in rehearsal.scenario.notes}
    notes = [by_id[i] for i in turn.notes or [] if i in by_id]
    if notes:
        with st.expander(f"Scenario notes drawn on ({len(notes)})", icon=":material/sticky_note_2:"):
            for note in notes:
                hidden = " :orange-badge[revealed when trust is earned]" if note.reveal == "on_trust" else ""
                st.markdown(f"**{note.topic}**{hidden}  \n{note.text}")
                if note.coach_note:
                    st.caption(f"Coach note: {note.coach_note}")


def render_persona(rehearsal: Rehearsal, turn: Turn, coach: bool) -> None:
    with st.chat_message(rehearsal.persona.name):
        st.markdown(f"**{rehearsal.persona.name}**  \n{common.plain(turn.text)}")
        if coach:
            render_coach_details(rehearsal, turn)


def waiting_for_first_words(stream: Iterator[str], name: str, busy: bool = False) -> Iterator[str]:
    """The reply, with a spinner and a running clock until its first words arrive (model
    loading, prompt reading, other people's replies ahead of this one)."""
    text = f"{name} is thinking…"
    if busy:
        text = f"{name} will answer shortly: the model is busy with other people's replies and yours is next in line…"
    with st.spinner(text, show_time=True):
        first = next(stream, None)
    if first is None:
        return
    yield f"**{name}**  \n" + common.plain(first)  # the same shape as a stored line
    for delta in stream:
        yield common.plain(delta)


def stream_reply(rehearsal: Rehearsal, where: DeltaGenerator, coach: bool) -> None:
    """Streams the persona's reply into `where`; on a model failure, reruns to offer a retry."""
    k = keys(rehearsal.attempt.id)
    name = rehearsal.persona.name
    state = st.session_state
    with where, st.chat_message(name):
        # Set until the reply is stored: a click during the stream reruns the page and cuts the
        # stream short (a BaseException, not caught here); the next run then carries on.
        state[k["streaming"]] = True
        try:
            busy = common.model_is_busy(rehearsal.services)
            st.write_stream(waiting_for_first_words(rehearsal.reply_stream(), name, busy), cursor="▌")
        except ModelUnavailable as exc:
            state.pop(k["streaming"], None)
            state[k["model_error"]] = {"message": str(exc), "restarting": exc.restarting}
            st.rerun()
        except MessageError:  # nothing is waiting any more (answered in another tab): show what is stored
            state.pop(k["streaming"], None)
            st.rerun()
        except Exception:
            state.pop(k["streaming"], None)
            raise
        state.pop(k["streaming"], None)
        state.pop(k["model_error"], None)
        warm_up_once(rehearsal)  # read the new script while the coachee reads the reply
        reply = rehearsal.last_reply
        if reply is not None and reply.replaced:
            st.rerun()  # show the kept (guarded) line, not what was streamed
        if coach and reply is not None:
            render_coach_details(rehearsal, reply.turn)


def replay_banner(rehearsal: Rehearsal, turns: list[Turn]) -> None:
    attempt = rehearsal.attempt
    if attempt.parent_id is None or attempt.branched_at is None or len(turns) != attempt.branched_at:
        return
    original = next((t for t in services.store.turns(attempt.parent_id) if t.idx == attempt.branched_at), None)
    said = f" Last time you said: “{common.plain(short(original.text, 200))}”" if original else ""
    suggestion = st.session_state.get(report_view.REPLAY_SUGGESTION_KEY, {}).get(attempt.id)
    tip = f"  \nThe report suggested: *“{common.plain(suggestion)}”*" if suggestion else " Try a different line."
    st.info(f"You are replaying attempt #{attempt.parent_id} from this point.{said}{tip}", icon=":material/replay:")


def score_attempt(rehearsal: Rehearsal, action: Callable[[], object]) -> None:
    """Runs `action` (ending or scoring the attempt); a failure is kept to show beside the
    retry button instead of breaking the page. The transcript is saved either way."""
    errors = st.session_state.setdefault(SCORING_ERRORS_KEY, {})
    try:
        action()
        errors.pop(rehearsal.attempt.id, None)
    except ScoringFailed as exc:
        errors[rehearsal.attempt.id] = str(exc)
    except Exception as exc:  # noqa: BLE001 - ending or scoring again must not break the page either
        step = "Scoring" if rehearsal.ended else "Ending the attempt"
        errors[rehearsal.attempt.id] = (
            f"{step} failed ({type(exc).__name__}: {exc}). Your lines are saved; try again in a moment."
        )


def scoring_error(rehearsal: Rehearsal) -> str | None:
    return st.session_state.get(SCORING_ERRORS_KEY, {}).get(rehearsal.attempt.id)


def show_feedback(rehearsal: Rehearsal) -> None:
    """The report of an ended attempt; a button to score it if that did not happen."""
    report = rehearsal.report()
    if report is None:
        if not any(t.role == "coachee" for t in rehearsal.turns()):
            st.info(
                "This attempt ended before you said anything, so there is nothing to score.", icon=":material/info:"
            )
            return
        if error := scoring_error(rehearsal):
            st.error(error, icon=":material/error:")
        else:
            st.warning("This attempt has not been scored yet.", icon=":material/pending:")
        if st.button("Score this attempt", type="primary", icon=":material/grading:"):
            with st.spinner("Scoring your conversation…"):
                score_attempt(rehearsal, rehearsal.score)
            st.rerun()
        return

    def replay(turn: int, better: str | None) -> None:
        branch = rehearsal.branch(keep=turn)
        suggestions = st.session_state.setdefault(report_view.REPLAY_SUGGESTION_KEY, {})
        suggestions[branch.attempt.id] = better
        show_attempt(branch.attempt.id)

    report_view.show_report(report, f"sparring-{rehearsal.scenario.id}-{rehearsal.attempt.id}", replay)


def conversation_chart(rehearsal: Rehearsal, turns: list[Turn]) -> None:
    rows = []
    persona_turns = [t for t in turns if t.role == "persona" and t.state]
    for number, turn in enumerate(persona_turns):
        for measure in ("Trust", "Frustration"):
            rows.append(
                {
                    "Reply": number,
                    "Measure": measure,
                    "Value": float(turn.state[measure.lower()]),
                    "Move": common.label(turn.move or ""),
                }
            )
    if not rows:
        return
    colors = alt.Scale(domain=["Trust", "Frustration"], range=[TRUST_COLOR, FRUSTRATION_COLOR])
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("Reply:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "Value:Q", scale=alt.Scale(domain=[0, 100]), title=None, axis=alt.Axis(values=[0, 25, 50, 75, 100])
            ),
            color=alt.Color(
                "Measure:N", scale=colors, legend=alt.Legend(orient="top", title=None, padding=0, offset=4)
            ),
            tooltip=["Reply", "Measure", "Value", "Move"],
        )
    )
    st.markdown("**Trust and frustration**")
    st.altair_chart(chart, width="stretch", height=280)
    st.caption(f"Across {rehearsal.persona.name}'s replies (0 = the opening line), on a scale of 0 to 100.")


def handle_input(
    rehearsal: Rehearsal, prompt: str | None, live: DeltaGenerator, notice: DeltaGenerator, coach: bool
) -> None:
    """A new line (from the chat box or the draft), or the retry of a pending reply."""
    k = keys(rehearsal.attempt.id)
    state = st.session_state
    text, from_draft = prompt, False
    if text is None and k["draft_error"] in state and not rehearsal.ended:
        with notice.container():
            st.error(state[k["draft_error"]], icon=":material/edit_note:")
            st.text_area(
                "Your draft",
                key=k["draft"],
                height=160,
                help=f"Nothing is lost: edit your line here (up to {MAX_MESSAGE_CHARS:,} characters) and send it.",
            )
            draft_text = state.get(k["draft"]) or ""
            st.caption(f"{len(draft_text.strip()):,} / {MAX_MESSAGE_CHARS:,} characters")
            with st.container(horizontal=True):
                send = st.button(
                    "Send", type="primary", key=f"send_draft_{rehearsal.attempt.id}", icon=":material/send:"
                )
                drop = st.button(
                    "Discard the draft", key=f"drop_draft_{rehearsal.attempt.id}", icon=":material/delete:"
                )
            if send:
                text, from_draft = draft_text, True
            if drop:
                state.pop(k["draft_error"], None)
                st.rerun()

    if text is not None:
        try:
            turn = rehearsal.submit(text)
        except MessageError as exc:
            state[k["draft_error"]] = str(exc)
            if not from_draft:  # the text area is not on the page in this run: fill it
                state[k["draft"]] = text
            st.rerun()
        state.pop(k["draft_error"], None)
        notice.empty()
        with live:
            render_coachee(turn.text, turn.codes, coach)
        stream_reply(rehearsal, live, coach)
        return

    if rehearsal.ended:
        state.pop(k["streaming"], None)
        with notice.container():
            st.success(
                "**Attempt saved.** This conversation has ended. Download the transcript, restart, "
                "or replay from one of your lines to try something different.",
                icon=":material/task_alt:",
            )
        return

    if rehearsal.pending:
        error = state.get(k["model_error"])
        if state.get(k["streaming"]) and not error:  # the reply was cut short by a click: carry on
            stream_reply(rehearsal, live, coach)
            return
        with notice.container():
            if error and error.get("restarting"):
                st.warning(
                    f"**The model is restarting.** {rehearsal.persona.name} will answer as soon as it is back "
                    "(usually a few seconds). Your message is saved: retry the reply, nothing you typed is lost.",
                    icon=":material/restart_alt:",
                )
            elif error:
                st.error(
                    f"**{rehearsal.persona.name} could not answer.** {error['message']}\n\n"
                    "Your message is saved. Retry when the model is back; nothing you typed is lost.",
                    icon=":material/cloud_off:",
                )
            else:
                st.warning(
                    f"Your last line is saved, but {rehearsal.persona.name} has not answered it yet.",
                    icon=":material/hourglass_empty:",
                )
            retry = st.button("Retry the reply", type="primary", icon=":material/refresh:", key="retry_reply")
        if retry:
            notice.empty()
            stream_reply(rehearsal, live, coach)


def warm_up_once(rehearsal: Rehearsal) -> None:
    """Lets a local model read the script so far while the coachee reads or types (once per
    persona line and session), so their next reply only costs the new line."""
    warm_up = getattr(rehearsal, "warm_up", None)
    flag = f"warmed_{rehearsal.attempt.id}_{len(rehearsal.turns())}"
    if warm_up is None or rehearsal.ended or rehearsal.pending or st.session_state.get(flag):
        return
    st.session_state[flag] = True
    threading.Thread(target=warm_up, name=f"warm-up-{rehearsal.attempt.id}", daemon=True).start()


def show_rehearsal(rehearsal: Rehearsal) -> None:
    attempt, scenario, persona = rehearsal.attempt, rehearsal.scenario, rehearsal.persona
    k = keys(attempt.id)
    st.session_state[common.LAST_ATTEMPT_KEY] = attempt.id
    warm_up_once(rehearsal)

    st.title(scenario.title, anchor=False)
    status = ":gray-badge[Ended]" if rehearsal.ended else ":green-badge[In progress]"
    facts = [
        f"with **{persona.name}**, {persona.role}",
        f"difficulty **{common.label(attempt.difficulty)}**",
        f"attempt #{attempt.id}",
    ]
    if attempt.parent_id is not None:
        facts.append(f"replay of #{attempt.parent_id}")
    st.markdown(" · ".join(facts) + f" &nbsp; {status}")

    prompt = None
    if not rehearsal.ended:
        prompt = st.chat_input(f"What do you say to {persona.name}?", key=k["chat"])

    chat_col, side_col = st.columns([7, 3], gap="large")
    side_top, side_bottom = side_col.container(), side_col.container()

    with side_top:
        with st.expander("Your briefing", icon=":material/description:"):
            st.markdown(f"**You are** {scenario.briefing.coachee_role}.")
            st.markdown(scenario.briefing.situation)
            st.markdown(f"**Your goal:** {scenario.briefing.your_goal}")
            if scenario.briefing.tips:
                st.markdown("\n".join(f"- {tip}" for tip in scenario.briefing.tips))
        coach = st.toggle(
            "Coach view",
            key="coach_view",
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
                score_attempt(rehearsal, rehearsal.end)
            st.rerun()
        if st.button(
            "Restart",
            icon=":material/restart_alt:",
            width="stretch",
            help="Start again from the opening line, at the same difficulty. This attempt ends and stays saved.",
        ):
            if not rehearsal.ended:
                score_attempt(rehearsal, rehearsal.end)
            with st.spinner("Starting again…"):
                fresh = Rehearsal.start(services, common.current_user(services), scenario.id, attempt.difficulty)
            show_attempt(fresh.attempt.id)

    with chat_col:
        turns = rehearsal.turns()
        if rehearsal.ended:
            show_feedback(rehearsal)
        elif error := scoring_error(rehearsal):
            st.error(error, icon=":material/error:")  # ending it failed: it is still open
        for turn in turns:
            report_view.anchor(turn.idx)
            if turn.role == "coachee":
                render_coachee(turn.text, turn.codes, coach)
            else:
                render_persona(rehearsal, turn, coach)
        replay_banner(rehearsal, turns)
        live = st.container()
        notice = st.empty()
        handle_input(rehearsal, prompt, live, notice, coach)

    turns = rehearsal.turns()  # again: this run may have added a line and a reply
    with side_bottom:
        st.divider()
        st.markdown("**Replay from one of your lines**")
        mine = [t for t in turns if t.role == "coachee"]
        if not mine:
            st.caption("Once you have said something, you can go back to any of your lines and try a different one.")
        else:
            numbered = {t.idx: (n, t.text) for n, t in enumerate(mine, start=1)}
            pick = st.selectbox(
                "Your line",
                list(numbered),
                format_func=lambda idx: f"{numbered[idx][0]}. “{short(numbered[idx][1], 60)}”",
                key=k["replay"],
                label_visibility="collapsed",
            )
            if st.button("Replay from this line", icon=":material/replay:", width="stretch"):
                branch = rehearsal.branch(keep=pick)
                show_attempt(branch.attempt.id)
        st.divider()
        st.markdown("**Download the transcript**")
        stem = f"sparring-{scenario.id}-{attempt.id}"
        common.downloads(
            [
                ("JSON Lines", to_jsonl(scenario.id, turns), f"{stem}.jsonl", "application/jsonl"),
                (
                    "Markdown",
                    to_markdown(scenario, persona, turns, difficulty=attempt.difficulty),
                    f"{stem}.md",
                    "text/markdown",
                ),
            ]
        )
        if coach:
            st.divider()
            conversation_chart(rehearsal, turns)


# ---- which view ------------------------------------------------------------------------------
def attempt_from_url() -> int | None:
    raw = st.query_params.get("attempt")
    if raw is None:
        if "scenario" in st.query_params:
            return None
        last = st.session_state.get(common.LAST_ATTEMPT_KEY)
        if last is not None:  # came back through the sidebar, which clears the URL
            st.query_params["attempt"] = str(last)
        return last
    try:
        return int(raw)
    except ValueError:
        st.error(f"“{raw}” is not an attempt number.", icon=":material/error:")
        back_to_library()
        st.stop()


attempt_id = attempt_from_url()
if attempt_id is not None:
    try:
        current = Rehearsal.resume(services, attempt_id)
    except KeyError as exc:
        st.session_state.pop(common.LAST_ATTEMPT_KEY, None)
        reason = exc.args[0] if exc.args else str(exc)
        st.error(f"This attempt cannot be opened: {reason}.", icon=":material/error:")
        back_to_library()
        st.stop()
    show_rehearsal(current)
elif "scenario" in st.query_params:
    scenario_id = st.query_params["scenario"]
    if scenario_id not in catalog.scenarios:
        st.error(
            f"There is no scenario “{scenario_id}” in the library (it may have been removed, or its file is broken).",
            icon=":material/error:",
        )
        back_to_library()
        st.stop()
    show_briefing(catalog.scenarios[scenario_id], st.query_params.get("difficulty"))
else:
    show_picker()
