"""My groups: a coach's groups, their coachees and assignments, and the dashboard of how each
coachee is doing (first, best and latest score per skill, attempts, last practice, overdue
work, the group's progress over time), filtered by assignment, with the sessions as CSV.

Coaches see the groups they coach; admins every group. The sums are in
app_pages/components/dashboard.py; the reads and changes go through `store.coaching`, which
checks that the viewer manages the group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import streamlit as st

from app_pages.auth import require_user
from app_pages.components import dashboard as board
from app_pages.components.changes import Changes
from app_pages.formatting import difficulty_options, label, plain, when
from app_pages.navigation import open_review
from app_pages.services import get_services, startable_scenarios
from simulator.storage.coaching import CoachingError, last_practice
from simulator.storage.exports import to_csv
from simulator.storage.models import Assignment, Attempt, Group, Role, User
from simulator.storage.policy import Viewer, may_manage_group

CoachScores = Mapping[int, Mapping[str, int]]  # attempt id -> dimension -> the coach's score

services = get_services()
user = require_user()
viewer = Viewer.of(user)
store, catalog = services.store, services.catalog

GROUP_KEY = "coaching_group"  # the group picker's widget key
NEW_GROUP_KEY = "coaching_new_group"  # a group just created, picked on the next run
CHANGES = Changes(
    "coaching_flash",
    (CoachingError, KeyError, PermissionError),
    "That group no longer exists, or it is not one you coach.",
)
STATUS_COLORS = {"done": "green", "in progress": "blue", "not started": "gray", "overdue": "red"}


# ---- messages -------------------------------------------------------------------------------
# ---- names ----------------------------------------------------------------------------------
def scenario_title(scenario_id: str) -> str:
    scenario = catalog.scenarios.get(scenario_id)
    return scenario.title if scenario else f"{scenario_id} (no longer in the library)"


def assignment_name(assignment: Assignment) -> str:
    """`Title · Hard · due 03 Mar 2026`."""
    parts = [scenario_title(assignment.scenario_id), label(assignment.difficulty)]
    if assignment.due_on:
        parts.append(f"due {assignment.due_on:%d %b %Y}")
    return " · ".join(parts)


def file_name(group: Group, assignment: Assignment | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", group.name.lower()).strip("-") or f"group-{group.id}"
    return f"sessions-{slug}{f'-assignment-{assignment.id}' if assignment else ''}.csv"


# ---- groups ---------------------------------------------------------------------------------
def create_group_form() -> None:
    """A form for a new group coached by the viewer; the new group is picked once created."""
    with st.form("create_group", clear_on_submit=True, width=480):
        name = st.text_input("Group name", max_chars=120, placeholder="e.g. New team leads, spring")
        if not st.form_submit_button("Create group", type="primary", icon=":material/group_add:"):
            return
    try:
        group = store.coaching.create_group(viewer, name)
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    st.session_state[NEW_GROUP_KEY] = group.id
    CHANGES.done(f"Group “{plain(group.name)}” created. Add its coachees on the Coachees tab.")


def my_groups() -> list[Group]:
    """The groups the viewer manages: theirs for a coach, every group for an admin."""
    return [group for group in store.coaching.groups(viewer) if may_manage_group(viewer, group)]


def pick_group(groups: list[Group]) -> Group:
    """The group picker; a group just created is picked, and a vanished pick falls back to the first."""
    ids = [group.id for group in groups]
    fresh = st.session_state.pop(NEW_GROUP_KEY, None)
    if fresh in ids:
        st.session_state[GROUP_KEY] = fresh
    elif st.session_state.get(GROUP_KEY) not in ids:
        st.session_state[GROUP_KEY] = ids[0]
    coaches = {u.id: u.name for u in store.accounts.users(viewer)} if viewer.is_admin else {}
    by_id = {group.id: group for group in groups}

    def name(group_id: int) -> str:
        group = by_id[group_id]
        coach = coaches.get(group.coach_id)
        return f"{group.name} (coach: {coach})" if coach and group.coach_id != user.id else group.name

    chosen = st.selectbox("Group", ids, format_func=name, key=GROUP_KEY)
    return by_id[chosen]


# ---- coachees -------------------------------------------------------------------------------
def add_member_form(group: Group, members: list[User]) -> None:
    with st.form(f"add_member_{group.id}", clear_on_submit=True, width=480):
        login = st.text_input("User name or email", placeholder="Their user name or email address")
        if not st.form_submit_button("Add to the group", type="primary", icon=":material/person_add:"):
            return
    add_member(group, members, login)


def add_member(group: Group, members: list[User], login: str) -> None:
    """Adds the active user with this user name or email, or says why not."""
    found = store.accounts.by_login(login) if login.strip() else None
    if found is None:
        st.error(
            f"There is no user “{plain(login.strip())}”. Check the spelling, or ask an admin to invite them.",
            icon=":material/person_off:",
        )
        return
    if not found.active:
        st.error(f"{plain(found.name)}'s account is deactivated, so they cannot join a group.", icon=":material/block:")
        return
    if any(member.id == found.id for member in members):
        st.info(f"{plain(found.name)} is in {plain(group.name)} already.", icon=":material/info:")
        return
    CHANGES.change(
        f"{plain(found.name)} joined {plain(group.name)}.", store.coaching.add_member, viewer, group.id, found.id
    )


def member_row(group: Group, member: User, attempts: list[Attempt]) -> None:
    with st.container(border=True):
        info, action = st.columns([8, 2], vertical_alignment="center")
        info.markdown(f"**{plain(member.name)}**" + (f" · {plain(member.email)}" if member.email else ""))
        practised = last_practice(attempts)
        info.caption(f"{len(attempts)} attempt{'' if len(attempts) == 1 else 's'} · last practice {when(practised)}")
        if action.button("Remove", key=f"remove_{group.id}_{member.id}", icon=":material/person_remove:"):
            left = f"{plain(member.name)} left {plain(group.name)}. Their attempts stay theirs."
            CHANGES.change(left, store.coaching.remove_member, viewer, group.id, member.id)


def coachees_tab(group: Group, members: list[User], attempts: list[Attempt]) -> None:
    add_member_form(group, members)
    if not members:
        st.info("No coachees in this group yet: add one by user name or email.", icon=":material/group:")
    for member in members:
        member_row(group, member, board.of_user(member, attempts))
    with st.container(horizontal=True):
        for what, rows in (("coachees", store.exports.users), ("groups", store.exports.groups)):
            st.download_button(
                f"Download {what} CSV",
                data=lambda rows=rows: to_csv(rows(viewer)),
                file_name=f"sparring-{what}.csv",
                mime="text/csv",
                on_click="ignore",
                icon=":material/download:",
                help=f"Your {what} in every group you coach",
                key=f"download_{what}",
            )


# ---- assignments ----------------------------------------------------------------------------
def assign_form(group: Group) -> None:
    """Scenario, difficulty, due date, note and target score for everyone in the group."""
    scenarios = startable_scenarios(services, user)
    if not scenarios:
        st.info("The scenario library is empty, so there is nothing to assign.", icon=":material/menu_book:")
        return
    with st.form(f"assign_{group.id}", clear_on_submit=True):
        scenario_id = st.selectbox("Scenario", list(scenarios), format_func=lambda i: scenarios[i].title)
        level, due, target = st.columns(3)
        difficulty = level.selectbox(
            "Difficulty",
            [None, *difficulty_options()],
            format_func=lambda v: "The scenario's default" if v is None else label(v),
        )
        due_on = due.date_input("Due date (optional)", value=None, format="YYYY-MM-DD")
        target_score = target.number_input("Target score (optional)", min_value=0, max_value=100, value=None, step=1)
        note = st.text_area("Note for the coachees (optional)", max_chars=2000)
        if not st.form_submit_button("Assign", type="primary", icon=":material/assignment_add:"):
            return
    assign(group, scenario_id, difficulty, due_on, note, target_score)


def assign(
    group: Group, scenario_id: str, difficulty: str | None, due_on: date | None, note: str, target: int | None
) -> None:
    if due_on is not None and due_on < date.today():
        st.error("The due date has passed: pick today or a later day, or none.", icon=":material/event_busy:")
        return
    scenario = catalog.scenarios[scenario_id]
    try:
        store.coaching.assign(
            viewer,
            group.id,
            scenario_id,
            difficulty or scenario.default_difficulty.value,
            due_on,
            note,
            None if target is None else int(target),
        )
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    CHANGES.done(f"“{plain(scenario.title)}” assigned to {plain(group.name)}.")


def assignment_row(assignment: Assignment, counts: dict[str, int]) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(assignment_name(assignment))}**")
        facts = [f"Assigned {when(assignment.created_at)}"]
        if assignment.target_score is not None:
            facts.append(f"target score {assignment.target_score}")
        st.caption(" · ".join(facts))
        if assignment.note:
            st.markdown(plain(assignment.note))
        st.markdown(" ".join(f":{STATUS_COLORS[s]}-badge[{n} {s}]" for s, n in counts.items()))


def assignments_tab(group: Group, members: list[User], assignments: list[Assignment], attempts: list[Attempt]) -> None:
    st.markdown("**Assign a scenario**")
    assign_form(group)
    if not assignments:
        st.info("Nothing assigned to this group yet.", icon=":material/assignment:")
    today = date.today()
    for assignment in assignments:
        assignment_row(assignment, board.completion(assignment, members, attempts, today))


# ---- the dashboard --------------------------------------------------------------------------
def assignment_filter(group: Group, assignments: list[Assignment]) -> Assignment | None:
    by_id = {a.id: a for a in assignments}
    chosen = st.selectbox(
        "Assignment",
        [None, *by_id],
        format_func=lambda i: "All attempts" if i is None else assignment_name(by_id[i]),
        key=f"coaching_filter_{group.id}",
        help="Only the attempts made for one assignment, or all of them",
    )
    return by_id.get(chosen)


def attempt_row(attempt: Attempt, coach: CoachScores) -> None:
    info, action = st.columns([8, 2], vertical_alignment="center")
    ended = attempt.status == "ended"
    badges = ":gray-badge[Ended]" if ended else ":green-badge[In progress]"
    overall = board.scores(attempt, coach.get(attempt.id)).get(board.OVERALL)
    if overall is not None:
        badges += f" :blue-badge[Score {overall}/100]"
    if attempt.id in coach:
        badges += " :orange-badge[Reviewed]"
    if attempt.assignment_id is not None:
        badges += " :violet-badge[Assigned]"
    title = plain(scenario_title(attempt.scenario_id))
    info.markdown(f"**{title}** · difficulty {label(attempt.difficulty)} &nbsp; {badges}")
    info.caption(f"Attempt #{attempt.id} · started {when(attempt.created_at)}")
    if action.button("Open", key=f"coaching_open_{attempt.id}", icon=":material/arrow_forward:", width="stretch"):
        open_review(attempt.id)


def attempts_of_members(members: list[User], attempts: list[Attempt], coach: CoachScores) -> None:
    """Each coachee's attempts, newest first, each one opening its review."""
    st.markdown("**Attempts**")
    for member in members:
        mine = board.of_user(member, attempts)
        with st.expander(f"{member.name} · {len(mine)} attempt{'' if len(mine) == 1 else 's'}"):
            if not mine:
                st.caption("No attempt here yet.")
            for attempt in reversed(board.oldest_first(mine)):
                attempt_row(attempt, coach)


def progress_section(members: list[User], attempts: list[Attempt], coach: CoachScores) -> None:
    st.markdown("**The group's progress**")
    skill = st.selectbox("Skill", board.SKILLS, format_func=board.SKILL_TITLES.__getitem__, key="coaching_skill")
    names = {member.id: member.name for member in members}
    titles = {sid: scenario.title for sid, scenario in catalog.scenarios.items()}
    board.progress_chart(board.chart_rows(attempts, names, titles, skill, coach), skill)


def dashboard_tab(group: Group, members: list[User], assignments: list[Assignment], attempts: list[Attempt]) -> None:
    chosen = assignment_filter(group, assignments)
    shown = attempts if chosen is None else board.made_for(chosen, attempts)
    if not members:
        st.info("Add coachees to this group to see how they are doing.", icon=":material/group:")
        return
    counted = assignments if chosen is None else [chosen]
    coach = store.reviews.coach_scores(viewer, [a.id for a in shown])
    summaries = board.summarize(members, shown, counted, date.today(), chosen, coach)
    board.summary_table(board.table_rows(summaries, chosen.target_score if chosen else None))
    st.caption(
        "Scores out of 100, from the reports of ended attempts: the first, the best and the latest per skill; "
        "where a coach adjusted a score on the review page, the coach's score counts. "
        "Overdue: assignments past their due date that the coachee has not done."
    )
    progress_section(members, shown, coach)
    attempts_of_members(members, shown, coach)
    st.download_button(
        "Download sessions CSV",
        data=board.deferred_csv(store.exports, viewer, group.id, chosen.id if chosen else None),
        file_name=file_name(group, chosen),
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        help="One row per attempt" + (" made for this assignment" if chosen else " in this group"),
    )


def show_group(group: Group) -> None:
    members = store.coaching.members(viewer, group.id)
    assignments = store.coaching.assignments(viewer, group.id)
    attempts = store.coaching.attempts_of_group(viewer, group.id)
    dashboard, assigned, coachees = st.tabs(["Dashboard", "Assignments", f"Coachees ({len(members)})"])
    with dashboard:
        dashboard_tab(group, members, assignments, attempts)
    with assigned:
        assignments_tab(group, members, assignments, attempts)
    with coachees:
        coachees_tab(group, members, attempts)


# ---- the page -------------------------------------------------------------------------------
st.title("My groups", anchor=False)
if user.role not in {Role.coach, Role.admin}:
    st.error("Only coaches and admins have groups.", icon=":material/block:")
    st.stop()
st.caption("Your coachees, what you assigned them and how they are doing. Only their coach and admins see this.")
CHANGES.show_flash()

groups = my_groups()
if not groups:
    st.info(
        "You have no group yet. Create one, add your coachees by user name or email, then assign them scenarios: "
        "the dashboard shows how each of them is doing.",
        icon=":material/groups:",
    )
    st.markdown("**Create a group**")
    create_group_form()
    st.stop()

picker, create = st.columns([3, 2], vertical_alignment="bottom")
with picker:
    group = pick_group(groups)
with create, st.popover("Create a group", icon=":material/group_add:"):
    create_group_form()
show_group(group)
