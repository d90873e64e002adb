"""What every page shares: the services (built once per process), who is rehearsing,
navigation that keeps the URL meaningful, and small formatting helpers.

The pages are a thin layer over `simulator.engine.rehearsal.Rehearsal`; nothing here talks to
the model, the index or the database except through `Services`.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from simulator.core.schema import Difficulty, Scenario
from simulator.core.settings import Settings
from simulator.core.storage import User
from simulator.engine.services import Services

# Absolute paths, so the pages are found wherever the package is installed (Streamlit reads
# a relative page path from the folder of the script it runs).
_PAGES = Path(__file__).resolve().parent
LIBRARY_PAGE = str(_PAGES / "library.py")
REHEARSE_PAGE = str(_PAGES / "rehearse.py")
ATTEMPTS_PAGE = str(_PAGES / "attempts.py")

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]$~#>|])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)
LOADING_MESSAGE = "Loading the model and indexing scenario notes…"
DEFAULT_USER = "guest"
USER_KEY = "user_name"  # session-state key of the sidebar's name box
LAST_ATTEMPT_KEY = "last_attempt"  # the attempt the Rehearse page showed last in this session


# ---- services -----------------------------------------------------------------------------
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
    """The shared services, or a clear error (with the fix) and a stopped page."""
    try:
        return _build_services()
    except Exception as exc:  # any start-up failure is shown, never a traceback
        show_startup_error(exc)
        st.stop()


def model_is_busy(services: Services) -> bool:
    """True when the model server has replies queued behind others (a full workshop)."""
    load = getattr(services.model, "load", None)
    if not callable(load):
        return False
    try:
        now = load()
    except Exception:  # a status check never stops a reply
        return False
    return bool(now and now[1] > 0)


def model_status(services: Services) -> tuple[str, str | None]:
    """A one-line state of the local model server and the CPU features it uses, for the
    sidebar; ("", None) for backends without a supervised server."""
    supervisor = getattr(services.model, "supervisor", None)
    if supervisor is None:
        return "", None
    from simulator.core.models.model_info import STATE_WORDS

    status = supervisor.status()
    restarts = f", restarted {status['restarts']}×" if status.get("restarts") else ""
    return f"{STATE_WORDS.get(status['state'], status['state'])}{restarts}", status.get("system_info")


def is_fake_backend(services: Services) -> bool:
    """True when replies come from the deterministic test model, not a real one."""
    from simulator.core.models.fake import FakeScriptLLM

    return isinstance(services.model, FakeScriptLLM) or services.backend_label.lower().startswith("fake")


def show_startup_error(exc: BaseException) -> None:
    message = str(exc).strip() or exc.__class__.__name__
    st.error(
        "**Sparring could not start.** It needs its model, the scenario notes index and the database.\n\n"
        "Nothing you rehearsed is lost. Fix the problem below, then reload this page.",
        icon=":material/error:",
    )
    st.code(message, language=None, wrap_lines=True)


# ---- who is rehearsing ---------------------------------------------------------------------
def clean_name(name: str | None) -> str:
    return (name or "").strip()[:120] or DEFAULT_USER


def user_name() -> str:
    """The name in the sidebar; on a fresh session it comes from the URL (`?user=`)."""
    if USER_KEY not in st.session_state:
        st.session_state[USER_KEY] = clean_name(st.query_params.get("user"))
    return clean_name(st.session_state[USER_KEY])


def current_user(services: Services) -> User:
    return services.store.user(user_name())


def keep_user_in_url() -> None:
    """Puts `user` back in the URL after a page change cleared the query string."""
    name = user_name()
    if st.query_params.get("user") != name:
        st.query_params["user"] = name


# ---- navigation ------------------------------------------------------------------------------
def go(page: str, **params: Any) -> NoReturn:
    """Opens a page with the given query parameters; `user` always travels along."""
    query = {"user": user_name()} | {k: str(v) for k, v in params.items() if v is not None}
    st.switch_page(page, query_params=query)


def open_attempt(attempt_id: int) -> NoReturn:
    st.session_state[LAST_ATTEMPT_KEY] = attempt_id
    go(REHEARSE_PAGE, attempt=attempt_id)


def open_briefing(scenario_id: str, difficulty: str | None = None) -> NoReturn:
    go(REHEARSE_PAGE, scenario=scenario_id, difficulty=difficulty)


# ---- formatting ------------------------------------------------------------------------------
def difficulty_options() -> list[str]:
    return [level.value for level in Difficulty]


def valid_difficulty(scenario: Scenario, value: str | None) -> str:
    options = difficulty_options()
    return value if value in options else scenario.default_difficulty.value


def label(value: str) -> str:
    """`agree_next_step` -> `Agree next step`."""
    return value.replace("_", " ").capitalize()


def when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    if moment.tzinfo is None:  # SQLite keeps no time zone; the store writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def badges(items: list[str], color: str = "blue") -> str:
    """Markdown badges; brackets are dropped so a skill cannot break the directive."""
    cleaned = [item.replace("[", "(").replace("]", ")") for item in items]
    return " ".join(f":{color}-badge[{item}]" for item in cleaned)


def plain(text: str) -> str:
    """Dialogue shown as typed: no accidental Markdown, line breaks kept."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _LIST_MARKER.sub(_escape_list_marker, text)
    return text.replace(":", "\\:").replace("\n", "  \n")


def _escape_list_marker(match: re.Match[str]) -> str:
    lead, marker, space = match.groups()
    if marker in ("-", "+"):
        return f"{lead}\\{marker}{space}"
    return f"{lead}{marker[:-1]}\\{marker[-1]}{space}"  # "1." -> "1\."


def downloads(files: list[tuple[str, str | bytes, str, str]]) -> None:
    """Download buttons side by side: (label, data, file name, MIME type) each."""
    for column, (label, data, name, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            label, data=data, file_name=name, mime=mime, on_click="ignore", icon=":material/download:", width="stretch"
        )
