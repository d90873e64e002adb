"""The form view of a scenario draft: the parts an author changes to make a case their own
(briefing, scene, persona, notes and which are revealed only on trust, goals). Applying it
rewrites those fields in the YAML draft and leaves everything else (moves, difficulty,
limit, weights) as it was; the YAML view edits all of it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
import yaml

from simulator.core.authoring import Checked, to_yaml

PRONOUNS = ["she/her", "he/him", "they/them"]
NOTE_COLUMNS = ["id", "topic", "text", "reveal", "coach_note"]
GOAL_COLUMNS = ["id", "description", "judged_by"]


def document_data(text: str) -> dict[str, Any] | None:
    """The draft as a mapping, or None when the YAML cannot be read at all."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def lines(items: object) -> str:
    return "\n".join(str(i) for i in items) if isinstance(items, list) else ""


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """The table's rows as mappings: empty cells left out, empty rows dropped."""
    rows = []
    for row in frame[columns].to_dict("records"):
        kept = {k: str(v).strip() for k, v in row.items() if v is not None and not pd.isna(v) and str(v).strip()}
        if kept:
            rows.append(kept)
    return rows


def table(items: object, columns: list[str]) -> pd.DataFrame:
    rows = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


def form(slug: str, yaml_key: str, checked: Checked, on_apply: Callable[[], None]) -> None:
    """Must run before the YAML view's text box in the same run: applying sets its value,
    calls `on_apply` (which saves it) and runs the page again."""
    data = document_data(st.session_state[yaml_key])
    if data is None:
        st.info("The YAML cannot be read as a document, so the form is empty: fix it in the YAML tab.")
        return
    scenario = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
    persona = data.get("persona") if isinstance(data.get("persona"), dict) else None
    digest = hashlib.sha256(st.session_state[yaml_key].encode()).hexdigest()[:10]
    with st.form(f"scenario_form_{slug}_{digest}", border=False):
        changed = case_fields(scenario) | {"_persona": persona_fields(persona)} | knowledge_fields(scenario)
        if not st.form_submit_button("Apply to the draft", type="primary", icon=":material/save:"):
            if not checked.valid:
                st.caption("The draft has problems: the list above names the field of each.")
            return
    apply(data, changed)
    st.session_state[yaml_key] = to_yaml(data)
    on_apply()
    st.rerun()


def case_fields(scenario: dict[str, Any]) -> dict[str, Any]:
    briefing = scenario.get("briefing") if isinstance(scenario.get("briefing"), dict) else {}
    st.markdown("**The case**")
    values = {
        "title": st.text_input("Title", scenario.get("title", "")),
        "summary": st.text_input("One line for the library", scenario.get("summary", "")),
        "skills": split_lines(st.text_area("Skills practised, one per line", lines(scenario.get("skills")))),
        "setting": st.text_area("The scene, as a narrator sets it (no secrets)", scenario.get("setting", "")),
        "opening": st.text_input("The persona's first line", scenario.get("opening", "")),
    }
    st.markdown("**The coachee's briefing**")
    name, role = st.columns(2)
    values["briefing"] = {
        "coachee_name": name.text_input("The coachee's name in the script", briefing.get("coachee_name", "")),
        "coachee_role": role.text_input("Who the coachee plays", briefing.get("coachee_role", "")),
        "situation": st.text_area("Their situation", briefing.get("situation", "")),
        "your_goal": st.text_area("Their goal", briefing.get("your_goal", "")),
    }
    return values


def persona_fields(persona: dict[str, Any] | None) -> dict[str, Any] | None:
    st.markdown("**The persona**")
    if persona is None:
        st.caption("This draft meets a built-in persona; add a persona: section in the YAML to write your own.")
        return None
    voice = persona.get("voice") if isinstance(persona.get("voice"), dict) else {}
    name, pronouns = st.columns(2)
    current = persona.get("pronouns", "they/them")
    return {
        "name": name.text_input("Name", persona.get("name", "")),
        "pronouns": pronouns.selectbox("Pronouns", PRONOUNS, PRONOUNS.index(current) if current in PRONOUNS else 2),
        "role": st.text_input("Role (follows “Dana is”)", persona.get("role", "")),
        "background": st.text_area("Background", persona.get("background", "")),
        "wants": split_lines(st.text_area("What they want, one per line", lines(persona.get("wants")))),
        "fears": split_lines(st.text_area("What they fear, one per line", lines(persona.get("fears")))),
        "voice": voice | {"style": st.text_area("How they talk", voice.get("style", ""))},
    }


def knowledge_fields(scenario: dict[str, Any]) -> dict[str, Any]:
    st.markdown("**What the persona knows**")
    st.caption("Notes marked *on_trust* are what the persona keeps back until the coachee earns it.")
    notes = st.data_editor(
        table(scenario.get("notes"), NOTE_COLUMNS),
        num_rows="dynamic",
        width="stretch",
        column_config={
            "reveal": st.column_config.SelectboxColumn("reveal", options=["always", "on_trust"], default="always"),
            "text": st.column_config.TextColumn("text", width="large"),
        },
    )
    st.markdown("**Goals**")
    goals = st.data_editor(table(scenario.get("goals"), GOAL_COLUMNS), num_rows="dynamic", width="stretch")
    return {"notes": records(notes, NOTE_COLUMNS), "goals": records(goals, GOAL_COLUMNS)}


def apply(data: dict[str, Any], changed: dict[str, Any]) -> None:
    """Writes the form's fields into the document, keeping what the form does not show
    (a goal's codes and markers, the voice's quirks)."""
    scenario = data.setdefault("scenario", {})
    persona = changed.pop("_persona")
    goals_before = {g.get("id"): g for g in scenario.get("goals") or [] if isinstance(g, dict)}
    changed["goals"] = [goals_before.get(g.get("id"), {}) | g for g in changed["goals"]]
    scenario["briefing"] = (scenario.get("briefing") or {}) | changed.pop("briefing")
    scenario.update(changed)
    if persona is not None:
        data["persona"] = (data.get("persona") or {}) | persona
