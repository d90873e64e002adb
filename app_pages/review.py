"""Review an attempt (`?attempt=ID`), read-only: the report, the transcript with each coachee
line's codes and the persona's state, and the conversation about it.

Anyone who may read the attempt (its coachee, their coach, an admin) comments on any line
or on the whole attempt, and the coachee replies in the same thread. A coach (or an admin)
who is not the coachee may also correct a line's codes or adjust a dimension's score, each
with a reason; the report then shows the automatic value beside the coach's. A reader who
may not see the attempt gets "not found", as for an attempt that does not exist; every
read by someone other than the coachee goes into the audit log the coachee sees.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from app_pages.auth import require_user
from app_pages.components.reader import YOU, Reader
from app_pages.components.report import show_report
from app_pages.components.review import (
    adjusted_scores,
    comment_thread,
    correction_form,
    correction_note,
    score_form,
)
from app_pages.components.transcript import anchor, coachee_line, persona_line
from app_pages.formatting import label, when
from app_pages.navigation import ATTEMPTS_PAGE, COACHING_PAGE, open_attempt
from app_pages.services import get_services, scenario_of
from evals.scoring.report import Report, is_current
from simulator.storage.models import Attempt
from simulator.storage.policy import Viewer, may_review, may_talk

services = get_services()
user = require_user()
viewer = Viewer.of(user)


def not_found(message: str) -> None:
    st.title("Review an attempt", anchor=False)
    st.info(message, icon=":material/search_off:")
    st.page_link(ATTEMPTS_PAGE, label="My attempts", icon=":material/history:")
    if user.role in {"coach", "admin"}:
        st.page_link(COACHING_PAGE, label="My groups", icon=":material/groups:")
    st.stop()


def attempt_from_url() -> Attempt:
    raw = st.query_params.get("attempt")
    if raw is None:
        not_found("Open an attempt to review from My attempts (or, for a coach, from My groups).")
    attempt = services.store.attempt(int(raw), viewer) if raw.isdigit() else None
    if attempt is None:
        not_found(f"Attempt {raw} was not found. It may have been deleted, or it is not yours to open.")
    return attempt


attempt = attempt_from_url()
scenario = scenario_of(services, attempt)
if scenario is None:
    not_found(f"Attempt {attempt.id} is of a scenario that is no longer in the library ({attempt.scenario_id}).")
persona = services.catalog.persona_for(scenario)
owner = services.store.accounts.get(attempt.user_id)
reader = YOU if attempt.user_id == user.id else Reader(owner.name if owner else "The coachee")
reviewing = may_review(viewer, attempt)

st.title(f"{scenario.title}", anchor=False)
status = ":gray-badge[Ended]" if attempt.status == "ended" else ":green-badge[In progress]"
st.markdown(
    f"{'Your' if reader is YOU else f'**{reader.name}**’s'} attempt #{attempt.id} with **{persona.name}** · "
    f"difficulty **{label(attempt.difficulty)}** · started {when(attempt.created_at)} &nbsp; {status}"
)
if may_talk(viewer, attempt) and attempt.status != "ended":
    if st.button("Continue this conversation", icon=":material/forum:"):
        open_attempt(attempt.id)
elif reader is not YOU:
    st.caption(
        f":material/visibility: Read-only. {reader.name} sees your comments and corrections, "
        "and that you opened this attempt."
    )


def saved_report() -> Report | None:
    """The attempt's current report, or None (not scored yet, or scored by an older version)."""
    if not is_current(attempt.report):
        return None
    try:
        return Report.model_validate(attempt.report)
    except ValidationError:
        st.warning("This attempt's report could not be read; its coachee can score it again.", icon=":material/error:")
        return None


report = saved_report()
adjustments = services.store.reviews.adjustments(viewer, attempt.id)
if report is not None:
    adjusted_scores(report, adjustments)
    if reviewing:
        score_form(services.store, viewer, attempt.id, report, adjustments)
    show_report(report, f"sparring-{scenario.id}-{attempt.id}", reader=reader)
else:
    st.info("This attempt has no feedback report yet: it is scored when the coachee ends it.", icon=":material/info:")
    st.subheader("Transcript", anchor=False)

turns = services.store.turns(attempt.id, viewer)
comments = services.store.reviews.comments(viewer, attempt.id)
corrections = services.store.reviews.corrections(viewer, attempt.id)
for turn in turns:
    anchor(turn.idx)
    if turn.role == "coachee":
        coachee_line(turn.text, turn.codes, reader=reader, coach=True, cues=turn.cues)
        if turn.idx in corrections:
            correction_note(corrections[turn.idx])
        if reviewing:
            correction_form(services.store, viewer, attempt.id, turn)
    else:
        persona_line(turn, persona.name, scenario.notes, coach=True)
    comment_thread(services.store, viewer, attempt.id, turn.idx, [c for c in comments if c[0].turn_idx == turn.idx])

st.divider()
st.subheader("Comments on the whole attempt", anchor=False)
comment_thread(services.store, viewer, attempt.id, None, [c for c in comments if c[0].turn_idx is None], open_form=True)
