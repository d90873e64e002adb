"""Workshop rounds: a trainer creates a round (scenarios, difficulty, time box, guests or
accounts, names or an anonymous board), shows its join code, link and QR code on the
projector, starts, pauses, extends and ends it, and watches the live board (who has joined,
who is talking, lines, the persona's trust, the scores per skill as they arrive), which
refreshes by itself; a round whose time is up ends by itself. The round downloads as CSV.
"Run it again" sets up the same round anew; the debrief compares it with the round it runs
again (or another earlier round of the trainer's with a scenario in common) and keeps the
example lines the trainer picks with the round.

Trainers see the rounds they run; admins every round. The drawing is in
app_pages/components/board.py, the sums and the CSV in simulator/engine/round_results.py;
reads and changes go through `store.workshops`, which checks that the viewer runs the round.
"""

from __future__ import annotations

import re

import streamlit as st

from app_pages.auth import require_user
from app_pages.components import board, debrief
from app_pages.components.changes import Changes
from app_pages.formatting import difficulty_options, label, plain, when
from app_pages.services import get_services, startable_scenarios
from simulator.engine import round_results as results
from simulator.engine.debrief import Comparison, compare, skill_scores
from simulator.storage.models import Role, Round
from simulator.storage.policy import Viewer
from simulator.storage.workshops import RUNNERS, BoardRow, WorkshopError, time_left

services = get_services()
user = require_user()
viewer = Viewer.of(user)
store, catalog = services.store, services.catalog

ROUND_KEY = "rounds_round"  # the round picker's widget key
NEW_ROUND_KEY = "rounds_new_round"  # a round just created, picked on the next run
CHANGES = Changes(
    "rounds_flash", (WorkshopError, KeyError, PermissionError), "That round no longer exists, or it is not one you run."
)
REFRESH_S = 4  # the live board's refresh while a round is under way
EXTEND_MIN = 5
STATUS_COLORS = {"draft": "gray", "running": "green", "paused": "orange", "ended": "blue"}


# ---- names ------------------------------------------------------------------------------------
def titles() -> dict[str, str]:
    return {sid: scenario.title for sid, scenario in catalog.scenarios.items()}


def scenario_title(scenario_id: str) -> str:
    return titles().get(scenario_id, f"{scenario_id} (no longer in the library)")


def round_label(round_: Round) -> str:
    return f"{round_.name} · {round_.join_code} · {when(round_.created_at)}"


def file_name(round_: Round) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", round_.name.lower()).strip("-") or "round"
    return f"round-{round_.id}-{slug}.csv"


# ---- creating and picking a round -------------------------------------------------------------
def create_round_form() -> None:
    """Name, scenarios (the library's and the ones written in the app that the trainer may
    use), difficulty, time box, guests, names on the board; the new round is picked."""
    scenarios = {sid: scenario.title for sid, scenario in startable_scenarios(services, user).items()}
    with st.form("create_round", clear_on_submit=True):
        name = st.text_input("Round name", max_chars=120, placeholder="e.g. Team leads, Tuesday morning")
        chosen = st.multiselect("Scenarios", list(scenarios), format_func=scenarios.__getitem__)
        level, length = st.columns(2)
        difficulty = level.selectbox("Difficulty", difficulty_options(), index=1, format_func=label)
        minutes = length.number_input("Minutes", min_value=1, max_value=240, value=15, step=1)
        guests = st.toggle("Guests may join with a display name", help="Otherwise participants sign in first")
        names = st.toggle("Show names on the board", help="Otherwise the board says Participant 1, 2, …")
        if not st.form_submit_button("Create round", type="primary", icon=":material/add_circle:"):
            return
    try:
        round_ = store.workshops.create_round(
            viewer, name, chosen, difficulty, int(minutes), guests=guests, anonymous=not names
        )
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    st.session_state[NEW_ROUND_KEY] = round_.id
    CHANGES.done(f"Round “{plain(round_.name)}” created: its join code is {round_.join_code}.")


def pick_round(rounds: list[Round]) -> Round:
    """The round picker, newest first; a round just created is picked."""
    ids = [round_.id for round_ in rounds]
    fresh = st.session_state.pop(NEW_ROUND_KEY, None)
    if fresh in ids:
        st.session_state[ROUND_KEY] = fresh
    elif st.session_state.get(ROUND_KEY) not in ids:
        st.session_state[ROUND_KEY] = ids[0]
    by_id = {round_.id: round_ for round_ in rounds}

    def name(round_id: int) -> str:
        return round_label(by_id[round_id])  # the status shows below

    return by_id[st.selectbox("Round", ids, format_func=name, key=ROUND_KEY)]


# ---- the round --------------------------------------------------------------------------------
def join_panel(round_: Round) -> None:
    """The code in very large type, the link and its QR code: for the projector."""
    link = board.join_link(st.context.url, round_.join_code)
    code, qr = st.columns([3, 2], vertical_alignment="center")
    with code:
        st.caption("Join code")
        st.markdown(
            f"<div style='font-size:6rem;font-weight:700;letter-spacing:0.15em;line-height:1'>{round_.join_code}</div>",
            unsafe_allow_html=True,
        )
        st.markdown(f"Join at [{link}]({link})")
        how = "with an account or as a guest with a display name" if round_.guests else "after signing in"
        st.caption(f"Participants join {how}. The board {'is anonymous' if round_.anonymous else 'shows names'}.")
    qr.image(board.qr_png(link), caption="Scan to join", width=260)


def facts(round_: Round) -> None:
    scenarios = ", ".join(plain(scenario_title(sid)) for sid in round_.scenario_ids)
    badge = f":{STATUS_COLORS.get(round_.status, 'gray')}-badge[{label(round_.status)}]"
    st.markdown(f"{badge} **{plain(round_.name)}** · {scenarios} · difficulty {label(round_.difficulty)}")
    st.caption(f"{round_.minutes} minutes · created {when(round_.created_at)}")


def controls(round_: Round) -> None:
    """Start (a draft), pause or carry on, extend, end, delete (after a confirmation)."""
    status, ws = round_.status, store.workshops
    with st.container(horizontal=True):
        if status == "draft" and st.button("Start", type="primary", icon=":material/play_arrow:"):
            CHANGES.change("The round started.", ws.start, viewer, round_.id)
        if status == "running" and st.button("Pause", icon=":material/pause:"):
            CHANGES.change("The round is paused.", ws.pause, viewer, round_.id)
        if status == "paused" and st.button("Carry on", type="primary", icon=":material/play_arrow:"):
            CHANGES.change("The round carries on.", ws.resume, viewer, round_.id)
        if status in {"running", "paused"}:
            if st.button(f"Extend +{EXTEND_MIN} min", icon=":material/more_time:"):
                CHANGES.change(f"{EXTEND_MIN} more minutes.", ws.extend, viewer, round_.id, EXTEND_MIN)
            if st.button("End", icon=":material/stop:"):
                CHANGES.change("The round ended.", ws.end, viewer, round_.id)
        run_again_button(round_)
        delete_button(round_)


def run_again_button(round_: Round) -> None:
    """A new draft of the round, picked at once; its debrief compares the two."""
    if not st.button(
        "Run it again",
        icon=":material/replay:",
        help="A new round with the same scenarios, difficulty, time box and settings, and a new code",
    ):
        return
    try:
        again = store.workshops.run_again(viewer, round_.id)
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    st.session_state[NEW_ROUND_KEY] = again.id
    CHANGES.done(f"Round “{plain(again.name)}” set up again: its join code is {again.join_code}.")


def delete_button(round_: Round) -> None:
    with st.popover("Delete round", icon=":material/delete:"):
        st.markdown(
            "Deleting the round takes its guests and **their attempts** with it. "
            "Participants with an account keep theirs. This cannot be undone."
        )
        if st.button("Delete for good", type="primary", key=f"rounds_delete_{round_.id}"):
            try:
                gone = store.workshops.delete_round(viewer, round_.id)
            except CHANGES.problems as exc:
                CHANGES.show_problem(exc)
                return
            CHANGES.done(f"Round “{plain(round_.name)}” deleted, with {gone} guest{'' if gone == 1 else 's'}.")


def live_board(round_: Round) -> None:
    """The board, refreshed every few seconds while the round is under way (one store read a refresh)."""
    every = REFRESH_S if round_.status in {"running", "paused"} else None

    @st.fragment(run_every=every)
    def show() -> None:
        rows = store.workshops.board(viewer, round_.id)
        left = time_left(round_)
        counted = results.counts(rows)
        cells = st.columns(4)
        for cell, (what, n) in zip(cells, counted.items(), strict=False):
            cell.metric(label(what), n)
        if round_.status == "running" and left is not None and not left:
            st.rerun(scope="app")  # the board's read ended the round: the whole page shows it
        cells[3].metric("Time left", board.clock(left))
        if not rows:
            st.info("Nobody has joined yet: share the code or the link.", icon=":material/group:")
            return
        board.board_table(rows)
        st.markdown("**Scores so far**")
        board.score_chart(results.score_rows(rows))

    show()


def download(round_: Round) -> None:
    """The round as CSV, made only on the click (reading each attempt is logged)."""
    st.download_button(
        "Download the round (CSV)",
        data=lambda: results.round_csv(store, viewer, round_.id, titles()),
        file_name=file_name(round_),
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="Participant, scenario, difficulty, scores, turns and duration",
    )


def debrief_section(round_: Round) -> None:
    """The debrief below the board once the round has ended or a conversation is scored; open by
    itself after the end (each participant's attempt and turns are read, and the reads logged)."""
    rows = store.workshops.board(viewer, round_.id)
    if round_.status != "ended" and not any(skill_scores(row.scores) for row in rows):
        return
    st.subheader("Debrief")
    key = f"rounds_debrief_{round_.id}"
    if not st.toggle("Show the debrief", value=round_.status == "ended", key=key):
        return
    takes = takes_of(rows)
    debrief.show(
        round_.name,
        takes,
        file_name(round_).removesuffix(".csv"),
        key=key,
        picks=round_.debrief_picks,
        save_picks=lambda picks: save_picks(round_.id, picks),
        comparison=comparison(round_, debrief.round_side(round_label(round_), len(rows), takes)),
    )


def takes_of(rows: list[BoardRow]) -> list[debrief.Take]:
    """Each participant's attempt for the debrief, their lines labelled as they agreed."""
    takes = []
    for row in rows:
        attempt = store.attempt(row.attempt_id, viewer) if row.attempt_id is not None else None
        if attempt is not None:
            turns = store.turns(attempt.id, viewer)
            takes.append(debrief.Take(row.speaker, attempt.report or {}, turns, attempt.id))
    return takes


def save_picks(round_id: int, picks: list[tuple[int, int]]) -> None:
    try:
        store.workshops.save_picks(viewer, round_id, picks)
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)


def comparison(round_: Round, this: debrief.RoundSide) -> Comparison | None:
    """The round beside an earlier one: the round it runs again, unless the trainer picks
    another of theirs with a scenario in common, or none."""
    earlier = {r.id: r for r in store.workshops.earlier_rounds(viewer, round_.id)}
    if not earlier:
        return None
    options = [None, *earlier]
    other_id = st.selectbox(
        "Compare with an earlier round",
        options,
        index=options.index(round_.follows_id) if round_.follows_id in earlier else 0,
        format_func=lambda i: "No comparison" if i is None else round_label(earlier[i]),
        key=f"rounds_compare_{round_.id}",
    )
    if other_id is None:
        return None
    rows = store.workshops.board(viewer, other_id)
    return compare(debrief.round_side(round_label(earlier[other_id]), len(rows), takes_of(rows)), this)


# ---- the page ---------------------------------------------------------------------------------
if Role(user.role) not in RUNNERS:
    st.warning("There is no such page here.", icon=":material/block:")
    st.stop()

st.title("Workshop rounds")
CHANGES.show_flash()
mine = store.workshops.rounds(viewer)
with st.expander("Create a round", expanded=not mine):
    create_round_form()
if not mine:
    st.info("No round yet: create one above, then share its code.", icon=":material/co_present:")
    st.stop()
chosen = pick_round(mine)
facts(chosen)
join_panel(chosen)
controls(chosen)
st.divider()
live_board(chosen)
download(chosen)
debrief_section(chosen)
