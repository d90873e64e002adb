"""The pages' way to the engine: the shared services, the model's read-ahead threads, and
the store reads the pages need, so that page modules only lay out widgets.

Nothing here talks to the model, the index or the database except through `Services`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st

from app_pages.session import AttemptMemory
from evals.scoring.report import is_current
from simulator.core.schema import Scenario
from simulator.core.settings import Settings
from simulator.engine.rehearsal import Rehearsal
from simulator.engine.services import Services
from simulator.storage.models import Attempt, Turn, User
from simulator.storage.policy import Viewer

LOADING_MESSAGE = "Loading the model and indexing scenario notes…"


@st.cache_resource(show_spinner=LOADING_MESSAGE)
def _build_services() -> Services:
    """Catalog, store, coder, model and notes index: once per process, shared by all sessions.

    A failure is not cached, so fixing the problem (e.g. installing the model) and
    reloading the page is enough.
    """
    from simulator.engine.services import build_services, warm_scenes

    services = build_services(Settings.from_env())
    # The local model reads every scene now, so nobody's first line waits for it.
    threading.Thread(target=warm_scenes, args=(services,), name="warm-scenes", daemon=True).start()
    return services


def get_services() -> Services:
    """The shared services, or a clear error (with the fix) and a stopped page; scenarios
    published since the last page run (on any replica) are in the catalog."""
    try:
        services = _build_services()
        services.refresh_catalog()
        return services
    except Exception as exc:  # any start-up failure is shown, never a traceback
        show_startup_error(exc)
        st.stop()


def show_startup_error(exc: BaseException) -> None:
    message = str(exc).strip() or exc.__class__.__name__
    st.error(
        "**Sparring could not start.** It needs its model, the scenario notes index and the database.\n\n"
        "Nothing you rehearsed is lost. Fix the problem below, then reload this page.",
        icon=":material/error:",
    )
    st.code(message, language=None, wrap_lines=True)


def startable_scenarios(services: Services, user: User) -> dict[str, Scenario]:
    """The scenarios the user may start: the library's files, and the scenarios written in
    the app that they may see (their own; shared with, or assigned to, a group of theirs)."""
    visible = services.store.authoring.visible(Viewer.of(user))
    catalog = services.catalog
    return {sid: s for sid, s in catalog.scenarios.items() if catalog.is_builtin(sid) or sid in visible}


def start_rehearsal(
    services: Services, user: User, scenario_id: str, difficulty: str, assignment_id: int | None = None
) -> Rehearsal:
    """A new attempt by `user`, with the persona's opening line."""
    return Rehearsal.start(services, user, scenario_id, difficulty, assignment_id)


def warm_up_once(rehearsal: Rehearsal, memory: AttemptMemory) -> None:
    """Lets a local model read the script so far while the coachee reads or types (once per
    persona line and session), so their next reply only costs the new line."""
    if rehearsal.ended or rehearsal.pending:
        return
    length = len(rehearsal.turns())
    if memory.warmed_turns == length:
        return
    memory.warmed_turns = length
    threading.Thread(target=rehearsal.warm_up, name=f"warm-up-{rehearsal.attempt.id}", daemon=True).start()


def scenario_of(services: Services, attempt: Attempt) -> Scenario | None:
    """The scenario (the version) the attempt was made with; None when it is gone or broken."""
    try:
        return services.catalog.scenario(attempt.scenario_id, attempt.scenario_version)
    except KeyError:
        return None


def replayed_line(services: Services, viewer: Viewer, parent_id: int, branched_at: int) -> Turn | None:
    """The coachee's line a replay starts again from, as it was said in the original attempt."""
    return next((t for t in services.store.turns(parent_id, viewer) if t.idx == branched_at), None)


@dataclass(frozen=True)
class AttemptSummary:
    """One row of "My attempts": the attempt and what its transcript adds up to."""

    attempt: Attempt
    scenario: Scenario | None  # None when its file is missing or broken
    persona_name: str
    lines: int  # the coachee's
    replies: int  # the persona's, not counting the opening line
    pending: bool  # the last line waits for a reply
    replay_from_line: int | None  # for a replay: which of the coachee's lines it starts again from
    score: int | None  # overall, once a current report is saved
    comments: int  # on the attempt or its lines, from the coach and the coachee


def attempt_summaries(services: Services, user: User) -> list[AttemptSummary]:
    """The user's own attempts, newest first."""
    viewer = Viewer.of(user)
    return [_summary(services, viewer, attempt) for attempt in services.store.attempts(viewer, user_id=user.id)]


def _summary(services: Services, viewer: Viewer, attempt: Attempt) -> AttemptSummary:
    catalog = services.catalog
    scenario = scenario_of(services, attempt)
    turns = services.store.turns(attempt.id, viewer)
    replay_from = None
    if attempt.parent_id is not None and attempt.branched_at is not None:
        replay_from = sum(1 for t in turns[: attempt.branched_at] if t.role == "coachee") + 1
    return AttemptSummary(
        attempt=attempt,
        scenario=scenario,
        persona_name=catalog.persona_for(scenario).name if scenario else "–",
        lines=sum(1 for t in turns if t.role == "coachee"),
        replies=max(sum(1 for t in turns if t.role == "persona") - 1, 0),
        pending=bool(turns) and turns[-1].role == "coachee",
        replay_from_line=replay_from,
        score=attempt.report["score"]["overall"] if is_current(attempt.report) else None,
        comments=len(services.store.reviews.comments(viewer, attempt.id)),
    )
