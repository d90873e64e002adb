"""What one browser session remembers between Streamlit reruns, as one typed object.

`session()` returns it from `st.session_state`. Everything the pages keep lives here, except
widget values: Streamlit keeps those under the widget's own key, so their keys are named
here too (`COACH_VIEW_KEY`, `AttemptMemory.draft_key`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

SESSION_KEY = "sparring_session"
COACH_VIEW_KEY = "coach_view"  # the Rehearse page's coach view toggle


@dataclass(frozen=True)
class ModelTrouble:
    """The model failed on the pending line: why, and whether its server is restarting."""

    message: str
    restarting: bool = False


@dataclass
class AttemptMemory:
    """This session's notes about one attempt; the attempt itself is in the store."""

    attempt_id: int
    draft_error: str | None = None  # why the draft could not be sent; while set, the draft box shows
    model_trouble: ModelTrouble | None = None  # the model failed on the pending line: offer a retry
    streaming: bool = False  # a reply was started in this session and not stored yet
    scoring_error: str | None = None  # why ending or scoring failed, shown above the retry
    replay_suggestion: str | None = None  # the report's better line, shown when this replay opens
    warmed_turns: int | None = None  # the transcript length the model last read ahead at

    @property
    def draft_key(self) -> str:
        """The draft text area's key: its text is widget state, kept by Streamlit."""
        return f"draft_{self.attempt_id}"


@dataclass
class Session:
    last_attempt: int | None = None  # the attempt the Rehearse page showed last
    attempts: dict[int, AttemptMemory] = field(default_factory=dict)
    user_id: int | None = None  # who signed in (sign-in on); checked against the database every run
    session_version: int = 0  # theirs when they signed in: a sign-out elsewhere or a deactivation ends it
    cookie_to_write: str | None = None  # a fresh sign-in's token, written into the browser on the next run
    forget_cookie: bool = False  # signed out: the browser's cookie is cleared on the next run

    def attempt(self, attempt_id: int) -> AttemptMemory:
        """The memory of one attempt, empty the first time it is asked for."""
        if attempt_id not in self.attempts:
            self.attempts[attempt_id] = AttemptMemory(attempt_id)
        return self.attempts[attempt_id]


def session() -> Session:
    """This browser session's state. An object left by an older version of this module (a
    code reload during development) is replaced rather than read with missing fields."""
    found = st.session_state.get(SESSION_KEY)
    if not isinstance(found, Session):
        found = st.session_state[SESSION_KEY] = Session()
    return found


def draft_text(memory: AttemptMemory) -> str:
    return st.session_state.get(memory.draft_key) or ""


def fill_draft(memory: AttemptMemory, text: str) -> None:
    """Puts `text` in the draft box; only allowed in a run where the box is not drawn yet."""
    st.session_state[memory.draft_key] = text
