"""The parts of a review: comment threads under a line, a coach's code correction and score
adjustment, and the automatic scores beside the coach's."""

from __future__ import annotations

import streamlit as st

from app_pages.formatting import label, plain, when
from evals.scoring.report import DIMENSION_TITLES, Report
from simulator.core.codes import CODES
from simulator.storage.models import CodeCorrection, Comment, ScoreAdjustment, Turn
from simulator.storage.policy import Viewer
from simulator.storage.reviews import ReviewError
from simulator.storage.store import Store


def adjusted_overall(report: Report, coach: dict[str, int]) -> int:
    """The overall score with the coach's dimension scores in place of the automatic ones."""
    weights = report.score.weights
    values = {name: coach.get(name, dim.score) for name, dim in report.score.dimensions.items()}
    total = sum(weights.get(name, 0) for name in values) or 1
    return round(sum(weights.get(name, 0) * value for name, value in values.items()) / total)


def adjusted_scores(report: Report, adjustments: dict[str, tuple[ScoreAdjustment, str]]) -> None:
    """The automatic and the coach's value of each adjusted dimension, with the reason."""
    if not adjustments:
        return
    coach = {name: a.score for name, (a, _) in adjustments.items()}
    lines = [
        f"- **{DIMENSION_TITLES.get(name, label(name))}:** automatic {a.automatic}, coach **{a.score}** "
        f"— {plain(a.reason)} ({plain(author)}, {when(a.created_at)})"
        for name, (a, author) in adjustments.items()
    ]
    overall = adjusted_overall(report, coach)
    with st.container(border=True):
        st.markdown(
            f":material/rate_review: **Reviewed by a coach.** Overall: automatic {report.score.overall}, "
            f"with the coach's scores **{overall}**.\n\n" + "\n".join(lines)
        )


def _saved(action, *args) -> None:  # noqa: ANN001 - a store method and its arguments
    try:
        action(*args)
    except (ReviewError, PermissionError, KeyError) as exc:
        st.error(str(exc).strip("'\""), icon=":material/error:")
    else:
        st.rerun()


def score_form(store: Store, viewer: Viewer, attempt_id: int, report: Report, adjustments: dict) -> None:
    with st.expander("Adjust a score", icon=":material/tune:"), st.form(f"adjust_{attempt_id}"):
        names = list(report.score.dimensions)
        name = st.selectbox("Dimension", names, format_func=lambda n: DIMENSION_TITLES.get(n, label(n)))
        automatic = report.score.dimensions[name].score
        current = adjustments[name][0].score if name in adjustments else automatic
        score = st.number_input("Your score", 0, 100, value=current, step=1)
        reason = st.text_input("Why (the coachee reads it)")
        if st.form_submit_button("Save the score"):
            _saved(store.reviews.adjust_score, viewer, attempt_id, name, automatic, int(score), reason)


def correction_form(store: Store, viewer: Viewer, attempt_id: int, turn: Turn) -> None:
    with st.popover("Correct the codes", icon=":material/edit_note:"), st.form(f"correct_{turn.idx}"):
        codes = st.multiselect("Codes for this line", list(CODES), default=turn.codes or [], format_func=label)
        reason = st.text_input("Why", key=f"correct_reason_{turn.idx}")
        if st.form_submit_button("Save the codes"):
            _saved(store.reviews.correct_codes, viewer, attempt_id, turn.idx, codes, reason)


def correction_note(correction: CodeCorrection) -> None:
    coach = ", ".join(label(c) for c in correction.codes) or "none"
    coder = ", ".join(label(c) for c in correction.automatic) or "nothing"
    st.caption(f":material/edit_note: **Coach's codes:** {coach} (the coder said {coder}) — {plain(correction.reason)}")


def comment_thread(
    store: Store,
    viewer: Viewer,
    attempt_id: int,
    turn_idx: int | None,
    comments: list[tuple[Comment, str]],
    *,
    open_form: bool = False,
) -> None:
    """A line's comments, oldest first, and a box to add one (a reply, once there are some)."""
    for comment, author in comments:
        st.markdown(f":material/chat: **{plain(author)}** · {when(comment.created_at)}  \n{plain(comment.text)}")
    last = comments[-1][0].id if comments else None
    where = f"turn_{turn_idx}" if turn_idx is not None else "attempt"
    title = "Reply" if comments else "Comment"
    box = st.container() if open_form else st.popover(title, icon=":material/add_comment:")
    with box, st.form(f"comment_{where}", clear_on_submit=True):
        text = st.text_area(title, key=f"comment_text_{where}", label_visibility="collapsed", max_chars=4000)
        if st.form_submit_button(title):
            _saved(store.reviews.comment, viewer, attempt_id, text, turn_idx, last)
