"""The sidebar every page shares: who is rehearsing, which model answers, and what could not
be loaded (a degraded service, a broken scenario file)."""

from __future__ import annotations

import streamlit as st

from app_pages.model_status import is_fake_backend, model_status
from app_pages.navigation import keep_user_in_url
from app_pages.services import get_services
from app_pages.session import USER_KEY, user_name
from simulator.core.catalog import Catalog
from simulator.engine.services import Services


def show() -> None:
    """The sidebar; on a fresh session the name comes from the URL and goes back into it."""
    user_name()
    with st.sidebar:
        st.text_input(
            "Your name",
            key=USER_KEY,
            max_chars=120,
            help="Your attempts are saved under this name. "
            "It is kept in the page address, so a bookmark brings you back.",
        )
    keep_user_in_url()
    services = get_services()
    with st.sidebar:
        _model(services)
        for problem in services.problems:
            st.warning(problem, icon=":material/cloud_off:")
        _broken_scenarios(services.catalog)


def _model(services: Services) -> None:
    st.caption(f":material/smart_toy: **Model:** {services.backend_label or 'unknown'}")
    server_state, cpu_features = model_status(services)
    if server_state:
        st.caption(f":material/dns: **Model server:** {server_state}")
    if cpu_features:
        with st.expander("CPU features in use", icon=":material/memory:"):
            st.caption(cpu_features)
    if is_fake_backend(services):
        st.warning(
            "**Test mode.** Replies are deterministic test lines taken from the scenario, "
            "not a real model. Set `SPARRING_LLM` to `embedded` or `openai` for real conversations.",
            icon=":material/science:",
        )


def _broken_scenarios(catalog: Catalog) -> None:
    """One warning naming each scenario file left out of the library, with its first reasons."""
    if not catalog.problems:
        return
    by_file: dict[str, list[str]] = {}
    for problem in catalog.problems:
        by_file.setdefault(problem.file.name, []).append(f"{problem.field}: {problem.reason}")
    lines = []
    for name, reasons in sorted(by_file.items()):
        shown = "; ".join(reasons[:2]) + (f" (and {len(reasons) - 2} more)" if len(reasons) > 2 else "")
        lines.append(f"- `{name}`: {shown}")
    st.warning(
        f"**{len(by_file)} scenario file{'s' if len(by_file) > 1 else ''} could not be loaded** "
        "and left out of the library:\n\n" + "\n".join(lines) + "\n\nCheck them with `python -m simulator validate`.",
        icon=":material/warning:",
    )
