"""My scenarios: coaches, trainers and admins write their own cases.

A new scenario starts from a built-in one as a template (or, with a capable model
configured, from a short description). The author edits it in a form (the parts that make
the case: briefing, scene, persona, notes, goals) or as YAML (everything), with every
problem shown by field, line and reason as they go; tries the persona in a test chat;
publishes numbered versions and shares them with their groups (trainers pick them for
rounds); and downloads any version as YAML. The checks live in simulator/core/authoring.py,
publishing in simulator/engine/authoring.py, the records in `store.authoring`.
"""

from __future__ import annotations

import streamlit as st
import yaml

from app_pages.auth import require_user
from app_pages.components import scenario_form
from app_pages.components.changes import Changes
from app_pages.formatting import plain, when
from app_pages.navigation import open_attempt
from app_pages.services import get_services
from simulator.core.authoring import Checked, ScenarioDocument, check_draft, slug_for, template, to_yaml
from simulator.engine import authoring
from simulator.engine.rehearsal import Rehearsal
from simulator.storage.authoring import AuthoredSummary, AuthoringError
from simulator.storage.policy import Viewer

services = get_services()
user = require_user()
viewer = Viewer.of(user)
store, catalog = services.store, services.catalog
CHANGES = Changes(
    "authoring_flash",
    (AuthoringError, PermissionError, KeyError),
    "That scenario no longer exists, or it is not yours.",
)
PICKED_KEY = "authoring_picked"  # the scenario being edited
TEMPLATE_HELP = "Its briefing, persona, notes, moves and scoring are copied under a new id; edit them into your case."


def yaml_key(slug: str) -> str:
    return f"authoring_yaml_{slug}"


# ---- creating ---------------------------------------------------------------------------------
def free_slug(title: str) -> str:
    """An id from the title that neither the library nor another author uses."""
    base, n = slug_for(title), 1
    taken = set(catalog.scenarios) | {s.slug for s in store.authoring.mine(viewer)}
    slug = base
    while slug in taken or store.authoring.draft_of(slug) is not None:
        n += 1
        slug = f"{base}_{n}"
    return slug


def new_scenario_form() -> None:
    builtin = sorted(catalog.builtin, key=lambda sid: catalog.scenarios[sid].title)
    with st.form("new_scenario", clear_on_submit=True):
        title = st.text_input("Title", max_chars=100, placeholder="e.g. The supplier who keeps missing dates")
        start = st.selectbox(
            "Start from", builtin, format_func=lambda sid: catalog.scenarios[sid].title, help=TEMPLATE_HELP
        )
        description = ""
        if services.drafter is not None:
            description = st.text_area(
                "Or describe your case and let the model write a first draft (optional)",
                max_chars=authoring.MAX_DESCRIPTION_CHARS,
                placeholder="Who the coachee talks to, what happened, what makes it hard, what a good outcome is.",
            )
        if not st.form_submit_button("Create the draft", type="primary", icon=":material/edit_note:"):
            return
    if not title.strip():
        st.error("Give the scenario a title.", icon=":material/error:")
        return
    slug = free_slug(title)
    draft = retitled(template(catalog, start, slug), title.strip())
    if description.strip():
        draft = drafted(description, start, slug, title.strip()) or draft
    try:
        store.authoring.create(viewer, slug, draft)
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    st.session_state[PICKED_KEY] = slug
    CHANGES.done(f"Draft “{plain(title.strip())}” created. Edit it below, try it, then publish it.")


def retitled(draft: str, title: str) -> str:
    data = yaml.safe_load(draft)
    data["scenario"]["title"] = title
    return to_yaml(data)


def drafted(description: str, start: str, slug: str, title: str) -> str | None:
    """The model's first draft under this id and title, or None (the template is kept) with
    the reason shown."""
    example = ScenarioDocument.model_validate(yaml.safe_load(template(catalog, start, slug)))
    with st.spinner("The model is writing a first draft…"):
        try:
            text = authoring.draft_from_description(services.drafter, description, example)
        except RuntimeError as exc:
            st.warning(f"{exc} The draft starts from the template instead.", icon=":material/warning:")
            return None
    data = scenario_form.document_data(text)
    if data is None or not isinstance(data.get("scenario"), dict):
        st.warning(
            "The model's draft could not be read; the draft starts from the template.", icon=":material/warning:"
        )
        return None
    data["scenario"].update(id=slug, title=title)
    return to_yaml(data)


# ---- the list ---------------------------------------------------------------------------------
def status_line(item: AuthoredSummary, groups: dict[int, str]) -> str:
    if item.latest_version is None:
        return ":gray-badge[Draft] never published"
    shared = ", ".join(plain(groups.get(g, "?")) for g in item.group_ids) or "no group yet"
    tries = f" · {item.attempts} attempt{'s' if item.attempts != 1 else ''}"
    return (
        f":green-badge[Version {item.latest_version}] published {when(item.published_at)} · shared with {shared}{tries}"
    )


def pick(mine: list[AuthoredSummary]) -> AuthoredSummary:
    slugs = [item.slug for item in mine]
    if st.session_state.get(PICKED_KEY) not in slugs:
        st.session_state[PICKED_KEY] = (
            st.query_params.get("scenario") if st.query_params.get("scenario") in slugs else slugs[0]
        )
    by_slug = {item.slug: item for item in mine}

    def name(slug: str) -> str:
        return f"{by_slug[slug].title} · {slug}"

    return by_slug[st.selectbox("Scenario", slugs, format_func=name, key=PICKED_KEY)]


# ---- editing ----------------------------------------------------------------------------------
def save(slug: str) -> None:
    """The YAML box's change: saved as the draft at once (valid or not), so nothing is lost."""
    store.authoring.save_draft(viewer, slug, st.session_state[yaml_key(slug)])


def applied(slug: str) -> None:
    """The form's fields, written into the YAML draft: saved, and said so after the rerun."""
    save(slug)
    st.session_state[CHANGES.flash_key] = "The form is applied to the draft and saved."


def problems_panel(checked: Checked) -> None:
    if checked.valid:
        st.success("The draft is valid: you can try it and publish it.", icon=":material/check_circle:")
        return
    st.error(f"{len(checked.problems)} problem{'s' if len(checked.problems) != 1 else ''} to fix before publishing:")
    st.markdown(
        "\n".join(
            f"- `{plain(p.field)}`{f' (line {p.line})' if p.line else ''}: {plain(p.reason)}" for p in checked.problems
        )
    )


def yaml_tab(slug: str) -> None:
    st.caption(
        "Everything about the scenario, as in the files of the built-in library (see scenarios/README.md). "
        "It is saved and checked each time you leave the box or press Ctrl+Enter."
    )
    st.text_area(
        "Scenario YAML", key=yaml_key(slug), height=560, on_change=save, args=(slug,), label_visibility="collapsed"
    )


def test_tab(slug: str, checked: Checked) -> None:
    st.markdown(
        "Talk to the persona as a coachee would, with the draft as it is now. Test chats are saved under "
        "**My attempts** (marked *test chat*) and are not shared with anyone."
    )
    if not checked.valid:
        st.info("Fix the problems in the draft first.", icon=":material/build:")
        return
    if st.button("Start a test chat", type="primary", icon=":material/forum:"):
        with st.spinner("Indexing the draft's notes and setting the scene…"):
            rehearsal = Rehearsal.start(services, user, slug, version=0)
        open_attempt(rehearsal.attempt.id)


def publish_tab(slug: str, item: AuthoredSummary, checked: Checked) -> None:
    groups = store.authoring.shareable_groups(viewer)
    names = {g.id: g.name for g in groups}
    next_version = (item.latest_version or 0) + 1
    st.markdown(
        f"Publishing stores the draft as **version {next_version}**: new attempts get it, attempts already "
        "started keep the version they began with. Trainers pick published scenarios when they create a round."
    )
    chosen = st.multiselect(
        "Share with my groups",
        list(names),
        default=[g for g in item.group_ids if g in names],
        format_func=names.__getitem__,
        help="Their members find it in the scenario library, and you can assign it to them.",
    )
    if not names:
        st.caption(
            "No group of yours to share with (coaches create groups under *My groups*). "
            "Published, it is offered for your workshop rounds either way."
        )
    if st.button(
        f"Publish version {next_version}", type="primary", icon=":material/publish:", disabled=not checked.valid
    ):
        publish(slug, chosen)
    if item.latest_version is not None and st.button("Save the sharing only", icon=":material/group:"):
        CHANGES.change("Sharing saved.", store.authoring.share, viewer, slug, chosen)
    versions_list(slug)


def publish(slug: str, group_ids: list[int]) -> None:
    try:
        with st.spinner("Publishing and indexing the notes…"):
            result = authoring.publish(services, viewer, slug, store.authoring.get(viewer, slug).draft)
            if result.version is None:
                problems_panel(result.checked)
                return
            store.authoring.share(viewer, slug, group_ids)
    except CHANGES.problems as exc:
        CHANGES.show_problem(exc)
        return
    CHANGES.done(f"Version {result.version} published.")


def versions_list(slug: str) -> None:
    versions = store.authoring.versions(viewer, slug)
    st.download_button(
        "Download the draft as YAML",
        data=st.session_state[yaml_key(slug)],
        file_name=f"{slug}-draft.yaml",
        mime="application/yaml",
        on_click="ignore",
        icon=":material/download:",
    )
    if not versions:
        return
    st.markdown("**Published versions**")
    for version in versions:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"Version {version.version} · published {when(version.published_at)}")
        right.download_button(
            "YAML",
            data=to_yaml(version.document),
            file_name=f"{slug}-v{version.version}.yaml",
            mime="application/yaml",
            on_click="ignore",
            icon=":material/download:",
            key=f"download_{slug}_{version.version}",
        )


def delete_button(slug: str, item: AuthoredSummary) -> None:
    if item.latest_version is None and st.button("Delete this draft", icon=":material/delete:"):
        st.session_state.pop(PICKED_KEY, None)
        CHANGES.change("Draft deleted.", store.authoring.delete, viewer, slug)


def editor(item: AuthoredSummary, groups: dict[int, str]) -> None:
    slug = item.slug
    if yaml_key(slug) not in st.session_state:
        st.session_state[yaml_key(slug)] = store.authoring.get(viewer, slug).draft
    checked = check_draft(st.session_state[yaml_key(slug)], catalog)
    st.markdown(status_line(item, groups))
    problems_panel(checked)  # above the tabs: the form, the YAML and publishing all depend on it
    form, source, test, publish_ = st.tabs(  # keyed: publishing or applying the form stays on its tab
        ["Form", "YAML", "Test chat", "Publish and share"], key=f"authoring_tab_{slug}", on_change="rerun"
    )
    with form:
        scenario_form.form(slug, yaml_key(slug), checked, lambda: applied(slug))
    with source:
        yaml_tab(slug)
    with test:
        test_tab(slug, checked)
    with publish_:
        publish_tab(slug, item, checked)
    delete_button(slug, item)


st.title("My scenarios")
st.markdown(
    "Bring the conversations your people find hard. Start from a scenario of the library, make it your case, "
    "try the persona yourself, then publish it to your groups or use it in a workshop round."
)
CHANGES.show_flash()
mine = store.authoring.mine(viewer)  # read once: creating a draft runs the page again
with st.expander("New scenario", icon=":material/add_circle:", expanded=not mine):
    new_scenario_form()
if mine:
    group_names = {g.id: g.name for g in store.authoring.shareable_groups(viewer)}
    editor(pick(mine), group_names)
