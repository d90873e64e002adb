"""Join a workshop round: the code the trainer shows (`/join?code=CODE` fills it in), a display
name for a round that takes guests (or a sign-in for one that needs an account), then the
briefing, a waiting room while the round is a draft, and the start of the conversation once
the trainer starts the round. The Rehearse page keeps the time box (app_pages/rehearse_attempt.py).

A participant also says here whether the debrief may show their lines with their name (off
unless they tick it; theirs to change until the round ends).
"""

from __future__ import annotations

import streamlit as st

from app_pages import auth
from app_pages.components.briefing import briefing_cards
from app_pages.formatting import label, plain
from app_pages.navigation import SIGN_IN_PAGE, open_attempt
from app_pages.rehearse_attempt import clock
from app_pages.services import get_services
from simulator.core.schema import Scenario
from simulator.engine.rehearsal import Rehearsal
from simulator.storage.models import Round, User
from simulator.storage.workshops import WorkshopError, time_left

SHOW_LINES = "Show my lines with my name in the debrief"
CODE_BOX = "join_code"
KEPT_CODE = "join_code_kept"  # the code typed here, kept for this browser session (a sign-in clears the URL)

services = get_services()
workshops = services.store.workshops
catalog = services.catalog


def normalised(code: str) -> str:
    return "".join(code.split()).upper()


def joined_round(user: User | None, round_id: int) -> Round | None:
    if user is None:
        return None
    return next((r for r in workshops.rounds_of(user.id) if r.id == round_id), None)


def join_form(round_: Round, user: User | None, code: str) -> None:
    """Joining: a display name for a guest, a sign-in for a round that needs an account."""
    if user is None and not round_.guests:
        st.warning(
            f"**{plain(round_.name)}** needs an account: sign in, then come back here and join with code **{code}**.",
            icon=":material/lock:",
        )
        st.page_link(SIGN_IN_PAGE, label="Sign in", icon=":material/login:")
        return
    with st.form("join_round_form", width=480):
        st.markdown(f"Join **{plain(round_.name)}**")
        name = None
        if user is None:
            name = st.text_input("Your name", max_chars=60, help="The name the trainer and the others see.")
        else:
            st.caption(f"You join as **{plain(user.name)}**.")
        if not st.form_submit_button("Join", type="primary", icon=":material/login:"):
            return
    try:
        if user is None:
            _, guest = workshops.join_as_guest(code, name or "")
            auth.remember(guest)
        else:
            workshops.join(code, user)
    except WorkshopError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.rerun()


def consent(round_: Round, user: User) -> None:
    """Whether the trainer's debrief may put the participant's name by their lines; saved on the
    run the box changes."""
    saved = workshops.shows_lines(round_.id, user.id)
    wanted = st.checkbox(
        SHOW_LINES,
        value=saved,
        key=f"join_show_lines_{round_.id}",
        help="Otherwise the debrief says “Participant 3” by your lines, even where the board shows names. "
        "You can change this until the round ends.",
    )
    if wanted == saved:
        return
    try:
        workshops.set_show_lines(round_.id, user.id, wanted)
    except WorkshopError as exc:
        st.error(str(exc), icon=":material/error:")


def show_briefing(scenario: Scenario) -> None:
    """The scenario's briefing, as the Rehearse page shows it before a conversation."""
    persona = catalog.persona_for(scenario)
    st.subheader(scenario.title, anchor=False)
    st.markdown(scenario.summary)
    briefing_cards(scenario, persona)


def time_box(round_: Round) -> None:
    left = time_left(round_)
    if round_.status == "draft" or left is None:
        st.markdown(f":material/timer: Time box: **{round_.minutes} minutes**, from when the trainer starts the round.")
    elif round_.status == "paused":
        st.info(f"The trainer paused the round: {clock(left)} left.", icon=":material/pause_circle:")
    else:
        st.markdown(f":orange-badge[:material/timer: {clock(left)} left] of {round_.minutes} minutes")


@st.fragment(run_every=3)
def waiting_room(round_id: int, code: str) -> None:
    """Until the trainer starts the round: the page runs again by itself once they do."""
    now_ = workshops.by_code(code)
    if now_ is None or now_.id != round_id or now_.status != "draft":
        st.rerun(scope="app")
    st.info(
        "Waiting for the trainer to start the round… This page moves on by itself.", icon=":material/hourglass_top:"
    )


def pick_scenario(round_: Round) -> Scenario | None:
    """The round's scenario; with several, the participant picks one."""
    available = [sid for sid in round_.scenario_ids if sid in catalog.scenarios]
    if not available:
        st.error("This round's scenario is missing from the library. Tell your trainer.", icon=":material/error:")
        return None
    if len(available) > 1:
        available = [
            st.radio(
                "Pick the scenario you rehearse",
                available,
                format_func=lambda sid: catalog.scenarios[sid].title,
                key=f"round_scenario_{round_.id}",
                horizontal=True,
            )
        ]
    return catalog.scenarios[available[0]]


def start_or_continue(round_: Round, user: User, scenario: Scenario) -> None:
    attempt = workshops.attempt_in(round_.id, user.id)
    if attempt is not None and attempt.status != "ended":
        if st.button("Continue the conversation", type="primary", icon=":material/forum:"):
            open_attempt(attempt.id)
        return
    if attempt is not None:
        st.success("Your attempt in this round has ended.", icon=":material/check_circle:")
        if st.button("See your feedback", icon=":material/grading:"):
            open_attempt(attempt.id)
    if st.button(
        "Start the conversation" if attempt is None else "Start again",
        type="primary" if attempt is None else "secondary",
        icon=":material/play_arrow:",
    ):
        persona = catalog.persona_for(scenario)
        with st.spinner(f"Setting the scene with {persona.name}…"):
            rehearsal = Rehearsal.start(services, user, scenario.id, round_.difficulty, round_id=round_.id)
        open_attempt(rehearsal.attempt.id)


def participant_view(round_: Round, user: User) -> None:
    st.header(round_.name, anchor=False)
    st.caption(f"Difficulty **{label(round_.difficulty)}** · joined as **{plain(user.name)}**")
    time_box(round_)
    consent(round_, user)
    scenario = pick_scenario(round_)
    if scenario is None:
        return
    show_briefing(scenario)
    if round_.status == "draft":
        waiting_room(round_.id, round_.join_code)
    else:
        start_or_continue(round_, user, scenario)


st.title("Join a workshop round", anchor=False)
user = auth.current_user()
if CODE_BOX not in st.session_state:  # first drawn: the link's code, or the one typed before a sign-in
    st.session_state[CODE_BOX] = st.query_params.get("code") or st.session_state.get(KEPT_CODE, "")
typed = st.text_input(
    "Join code",
    key=CODE_BOX,
    max_chars=16,
    width=240,
    help="The short code your trainer shows, e.g. on the projector.",
)
code = normalised(typed)
if not code:
    st.info("Type the code your trainer shows to join their round.", icon=":material/qr_code_2:")
    st.stop()
st.session_state[KEPT_CODE] = code
if st.query_params.get("code") != code:
    st.query_params["code"] = code  # a reload keeps it
round_ = workshops.by_code(code)
if round_ is None:
    st.error(
        "There is no open round with this code: check it with your trainer. A round that has ended takes no one in.",
        icon=":material/error:",
    )
    st.stop()
mine = joined_round(user, round_.id)
if mine is None or user is None:
    join_form(round_, user, code)
else:
    participant_view(mine, user)
