"""Sparring: rehearse difficult workplace conversations. `python -m simulator app`
(or `streamlit run app.py` in a checkout).

A thin entry point: page config, navigation, and the sidebar (who you are, which model
answers, which scenario files could not be loaded). The pages live in the app_pages package.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common

st.set_page_config(page_title="Sparring", page_icon="🥊", layout="wide")

pages = [
    st.Page(common.LIBRARY_PAGE, title="Scenario library", icon=":material/menu_book:", default=True),
    st.Page(common.REHEARSE_PAGE, title="Rehearse", icon=":material/forum:", url_path="rehearse"),
    st.Page(common.ATTEMPTS_PAGE, title="My attempts", icon=":material/history:", url_path="attempts"),
]
page = st.navigation(pages)

common.user_name()  # first run of a session: the name comes from the URL
with st.sidebar:
    st.text_input(
        "Your name",
        key=common.USER_KEY,
        max_chars=120,
        help="Your attempts are saved under this name. It is kept in the page address, so a bookmark brings you back.",
    )
common.keep_user_in_url()

services = common.get_services()

with st.sidebar:
    st.caption(f":material/smart_toy: **Model:** {services.backend_label or 'unknown'}")
    server_state, cpu_features = common.model_status(services)
    if server_state:
        st.caption(f":material/dns: **Model server:** {server_state}")
    if cpu_features:
        with st.expander("CPU features in use", icon=":material/memory:"):
            st.caption(cpu_features)
    if common.is_fake_backend(services):
        st.warning(
            "**Test mode.** Replies are deterministic test lines taken from the scenario, "
            "not a real model. Set `SPARRING_LLM` to `embedded` or `openai` for real conversations.",
            icon=":material/science:",
        )
    for problem in services.problems:
        st.warning(problem, icon=":material/cloud_off:")
    if services.catalog.problems:
        by_file: dict[str, list[str]] = {}
        for problem in services.catalog.problems:
            by_file.setdefault(problem.file.name, []).append(f"{problem.field}: {problem.reason}")
        lines = []
        for name, reasons in sorted(by_file.items()):
            shown = "; ".join(reasons[:2]) + (f" (and {len(reasons) - 2} more)" if len(reasons) > 2 else "")
            lines.append(f"- `{name}`: {shown}")
        st.warning(
            f"**{len(by_file)} scenario file{'s' if len(by_file) > 1 else ''} could not be loaded** "
            "and left out of the library:\n\n"
            + "\n".join(lines)
            + "\n\nCheck them with `python -m simulator validate`.",
            icon=":material/warning:",
        )

page.run()
