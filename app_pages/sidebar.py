"""The sidebar every page shares: who is signed in, which model answers, and what could not
be loaded (a degraded service, a broken scenario file)."""

from __future__ import annotations

import streamlit as st

from app_pages import auth
from app_pages.model_status import is_fake_backend, model_status
from app_pages.services import get_services
from simulator.core.catalog import Catalog
from simulator.engine.services import Services
from simulator.storage.models import User


def show(user: User | None) -> None:
    auth.write_cookie()
    services = get_services()
    with st.sidebar:
        _who(user)
        _model(services)
        for problem in services.problems:
            st.warning(problem, icon=":material/cloud_off:")
        _broken_scenarios(services.catalog)


def _who(user: User | None) -> None:
    if not auth.sign_in_is_on():
        st.caption(
            f":material/person: **{user.name if user else '–'}** · sign-in is off: everything is saved for this "
            "one local user. Set `SPARRING_AUTH=on` to share the app with a team."
        )
        return
    if user is None:
        return
    st.caption(f":material/person: Signed in as **{user.name}** · {user.role}")
    if st.button("Sign out", icon=":material/logout:", key="sign_out", help="Signs you out on every device."):
        auth.sign_out()
        if auth.single_sign_on() and st.user.is_logged_in:
            st.logout()
        st.rerun()


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
