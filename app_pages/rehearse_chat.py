"""The live part of the Rehearse page: the coachee's line in, the persona's reply streamed out.

Every coachee line is committed before the model is called: a line that cannot be sent
stays in an editable draft, and a model failure leaves the line saved with a retry button.
What must survive a rerun (the draft's error, the model's trouble, an unfinished stream) is
kept in the attempt's `AttemptMemory`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.components.transcript import coach_details, coachee_line, line_markdown
from app_pages.formatting import plain
from app_pages.model_status import model_is_busy
from app_pages.services import warm_up_once
from app_pages.session import AttemptMemory, ModelTrouble, draft_text, fill_draft
from simulator.engine.debrief import ScoringFailed
from simulator.engine.rehearsal import MAX_MESSAGE_CHARS, MessageError, ModelUnavailable, Rehearsal


def handle_input(
    rehearsal: Rehearsal,
    memory: AttemptMemory,
    prompt: str | None,
    live: DeltaGenerator,
    notice: DeltaGenerator,
    coach: bool,
) -> None:
    """A new line (from the chat box or the draft), or the retry of a pending reply. `live`
    is where new lines go, `notice` where the draft, the retry or the "saved" note go."""
    text, from_draft = prompt, False
    if text is None and memory.draft_error is not None and not rehearsal.ended:
        text = _draft_box(rehearsal, memory, notice)
        from_draft = text is not None
    if text is not None:
        _send(rehearsal, memory, text, from_draft, live, notice, coach)
    elif rehearsal.ended:
        memory.streaming = False
        with notice.container():
            st.success(
                "**Attempt saved.** This conversation has ended. Download the transcript, restart, "
                "or replay from one of your lines to try something different.",
                icon=":material/task_alt:",
            )
    elif rehearsal.pending:
        _pending(rehearsal, memory, live, notice, coach)


def _draft_box(rehearsal: Rehearsal, memory: AttemptMemory, notice: DeltaGenerator) -> str | None:
    """The line that could not be sent, with why, to edit; its text once "Send" is clicked."""
    attempt_id = rehearsal.attempt.id
    with notice.container():
        st.error(memory.draft_error, icon=":material/edit_note:")
        st.text_area(
            "Your draft",
            key=memory.draft_key,
            height=160,
            help=f"Nothing is lost: edit your line here (up to {MAX_MESSAGE_CHARS:,} characters) and send it.",
        )
        text = draft_text(memory)
        st.caption(f"{len(text.strip()):,} / {MAX_MESSAGE_CHARS:,} characters")
        with st.container(horizontal=True):
            send = st.button("Send", type="primary", key=f"send_draft_{attempt_id}", icon=":material/send:")
            drop = st.button("Discard the draft", key=f"drop_draft_{attempt_id}", icon=":material/delete:")
    if drop:
        memory.draft_error = None
        st.rerun()
    return text if send else None


def _send(
    rehearsal: Rehearsal,
    memory: AttemptMemory,
    text: str,
    from_draft: bool,
    live: DeltaGenerator,
    notice: DeltaGenerator,
    coach: bool,
) -> None:
    if rehearsal.pending and not _finish_pending_reply(rehearsal, memory, text, from_draft, live, coach):
        return
    try:
        turn = rehearsal.submit(text)
    except MessageError as exc:
        memory.draft_error = str(exc)
        if not from_draft:  # the text area is not on the page in this run: fill it
            fill_draft(memory, text)
        st.rerun()
    memory.draft_error = None
    notice.empty()
    with live:
        coachee_line(turn.text, turn.codes, coach=coach, cues=turn.cues)
    stream_reply(rehearsal, memory, live, coach)


def _finish_pending_reply(
    rehearsal: Rehearsal, memory: AttemptMemory, text: str, from_draft: bool, live: DeltaGenerator, coach: bool
) -> bool:
    """A line sent while the persona was still answering the previous one (sending reruns the
    page, which cuts that stream short): finish that reply first, so no reply is lost and
    the lines stay in turn. The new line waits in the draft meanwhile, so a model failure
    here loses nothing either. True when the new line can go now."""
    memory.draft_error = (
        f"{rehearsal.persona.name} had not finished answering your last line, so this one "
        "waited. Send it again once the reply is in."
    )
    if not from_draft:
        fill_draft(memory, text)
    stream_reply(rehearsal, memory, live, coach, show_kept_line=False)
    if rehearsal.pending:  # answered nothing (e.g. in another tab meanwhile): keep the draft
        return False
    memory.draft_error = None
    return True


def _pending(
    rehearsal: Rehearsal, memory: AttemptMemory, live: DeltaGenerator, notice: DeltaGenerator, coach: bool
) -> None:
    """A saved line without its reply: carry on a stream a click cut short, or say why the
    reply is missing and offer to retry it."""
    trouble = memory.model_trouble
    if memory.streaming and trouble is None:
        stream_reply(rehearsal, memory, live, coach)
        return
    name = rehearsal.persona.name
    with notice.container():
        if trouble is not None and trouble.restarting:
            st.warning(
                f"**The model is restarting.** {name} will answer as soon as it is back "
                "(usually a few seconds). Your message is saved: retry the reply, nothing you typed is lost.",
                icon=":material/restart_alt:",
            )
        elif trouble is not None:
            st.error(
                f"**{name} could not answer.** {trouble.message}\n\n"
                "Your message is saved. Retry when the model is back; nothing you typed is lost.",
                icon=":material/cloud_off:",
            )
        else:
            st.warning(
                f"Your last line is saved, but {name} has not answered it yet.", icon=":material/hourglass_empty:"
            )
        retry = st.button("Retry the reply", type="primary", icon=":material/refresh:", key="retry_reply")
    if retry:
        notice.empty()
        stream_reply(rehearsal, memory, live, coach)


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
    yield line_markdown(name, first)  # the same shape as a stored line
    for delta in stream:
        yield plain(delta)


def stream_reply(
    rehearsal: Rehearsal, memory: AttemptMemory, where: DeltaGenerator, coach: bool, *, show_kept_line: bool = True
) -> None:
    """Streams the persona's reply into `where`; on a model failure, reruns to offer a retry.
    When the guard kept another line than the one streamed, reruns to show it, unless
    `show_kept_line` is False (more is about to be added to this run)."""
    name = rehearsal.persona.name
    with where, st.chat_message(name):
        # Set until the reply is stored: a click during the stream reruns the page and cuts the
        # stream short (a BaseException, not caught here); the next run then carries on.
        memory.streaming = True
        try:
            busy = model_is_busy(rehearsal.services)
            st.write_stream(waiting_for_first_words(rehearsal.reply_stream(), name, busy), cursor="▌")
        except ModelUnavailable as exc:
            memory.streaming = False
            memory.model_trouble = ModelTrouble(str(exc), exc.restarting)
            st.rerun()
        except MessageError:  # nothing is waiting any more (answered in another tab): show what is stored
            memory.streaming = False
            st.rerun()
        except Exception:
            memory.streaming = False
            raise
        memory.streaming = False
        memory.model_trouble = None
        warm_up_once(rehearsal, memory)  # read the new script while the coachee reads the reply
        reply = rehearsal.last_reply
        if show_kept_line and reply is not None and reply.replaced:
            st.rerun()  # show the kept (guarded) line, not what was streamed
        if coach and reply is not None:
            coach_details(reply.turn, rehearsal.scenario.notes)


def finish_cut_reply(rehearsal: Rehearsal, memory: AttemptMemory) -> None:
    """A click (End, Restart) while the persona was still answering cut its stream short: let
    the reply finish and be stored first, so the transcript and the score have it. A model
    failure here leaves the line saved without its reply, as a failure anywhere does."""
    if not (memory.streaming and rehearsal.pending and not rehearsal.ended):
        return
    with (
        st.spinner(f"Letting {rehearsal.persona.name} finish the reply…"),
        contextlib.suppress(ModelUnavailable, MessageError),
    ):
        rehearsal.reply()
    memory.streaming = False


def score_attempt(rehearsal: Rehearsal, memory: AttemptMemory, action: Callable[[], object]) -> None:
    """Runs `action` (ending or scoring the attempt); a failure is kept to show beside the
    retry button instead of breaking the page. The transcript is saved either way."""
    finish_cut_reply(rehearsal, memory)
    try:
        action()
        memory.scoring_error = None
    except ScoringFailed as exc:
        memory.scoring_error = str(exc)
    except Exception as exc:  # noqa: BLE001 - ending or scoring again must not break the page either
        step = "Scoring" if rehearsal.ended else "Ending the attempt"
        memory.scoring_error = (
            f"{step} failed ({type(exc).__name__}: {exc}). Your lines are saved; try again in a moment."
        )
