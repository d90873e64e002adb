"""How a management page (groups, rounds) makes a change: through the store, then a rerun
that shows the change with one line saying what was done, or the reason it could not be
done in words (never a traceback)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import streamlit as st


@dataclass(frozen=True)
class Changes:
    flash_key: str  # where the line saying what was done waits for the next run
    problems: tuple[type[Exception], ...]  # the refusals to show as messages
    not_found: str  # what a KeyError (the record went, or is not the viewer's) means here

    def show_problem(self, exc: Exception) -> None:
        message = self.not_found if isinstance(exc, KeyError) else str(exc) or "That could not be done."
        st.error(message, icon=":material/error:")

    def done(self, message: str) -> NoReturn:
        """Reruns the page so everything shows the change, and says what was done."""
        st.session_state[self.flash_key] = message
        st.rerun()

    def change(self, message: str, action: Callable[..., object], *args: object) -> None:
        """Makes a change through the store, then says it was done (or why it could not be)."""
        try:
            action(*args)
        except self.problems as exc:
            self.show_problem(exc)
            return
        self.done(message)

    def show_flash(self) -> None:
        message = st.session_state.pop(self.flash_key, None)
        if message:
            st.success(message, icon=":material/check_circle:")
