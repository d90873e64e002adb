"""My scenarios (app_pages/authoring.py), driven with AppTest over the real engine and the fake
model, sign-in on: a coach writes a scenario from a template, sees each problem of the YAML
with its field, fixes it in the form, tries it in a test chat, publishes and shares it; the
group's coachee finds it in the library; versions download as YAML; a coachee has no such page.
"""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from simulator.core.settings import Settings
from simulator.storage.models import Role
from simulator.storage.policy import Viewer
from simulator.storage.store import Store
from tests.unit_tests.app_harness import PASSWORD, app_environment, by_label, ok, page_text, signed_in

AUTHORING = "app_pages/authoring.py"
LIBRARY = "app_pages/library.py"
TITLE = "The supplier who misses dates"
SLUG = "the_supplier_who_misses_dates"


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch, auth="on")


def yaml_box(at: AppTest):  # noqa: ANN201 - an AppTest text area
    return by_label(at.text_area, "Scenario YAML")


def create_draft(at: AppTest) -> AppTest:
    by_label(at.text_input, "Title").set_value(TITLE)
    by_label(at.selectbox, "Start from").set_value("vague_it_colleague")
    return ok(by_label(at.button, "Create the draft").click().run())


def test_a_coach_writes_checks_tries_publishes_and_shares_a_scenario(app_env):
    store = Store(Settings.from_env().db_url)
    cora = store.accounts.create_user("cora", PASSWORD, Role.coach)
    ana = store.accounts.create_user("ana", PASSWORD)
    group = store.coaching.create_group(Viewer.of(cora), "Team leads")
    store.coaching.add_member(Viewer.of(cora), group.id, ana.id)

    at = signed_in("cora", AUTHORING)
    assert [s.label for s in at.selectbox] == ["Start from"]  # nothing written yet: only the new-scenario form
    at = create_draft(at)
    (item,) = store.authoring.mine(Viewer.of(cora))
    assert (item.slug, item.title, item.latest_version) == (SLUG, TITLE, None)
    assert by_label(at.selectbox, "Scenario").options == [f"{TITLE} · {SLUG}"]  # the draft's title before publishing
    assert f"Draft “{TITLE}” created" in page_text(at) and "never published" in page_text(at)
    assert "The draft is valid" in page_text(at)

    # The YAML view: a broken draft is saved as it is and each problem names its field and line.
    document = yaml.safe_load(yaml_box(at).value)
    document["scenario"]["title"] = ""
    document["scenario"]["notes"][0]["reveal"] = "sometimes"
    ok(yaml_box(at).set_value(yaml.safe_dump(document, sort_keys=False)).run())
    assert store.authoring.get(Viewer.of(cora), SLUG).draft == yaml_box(at).value  # nothing lost
    shown = page_text(at)
    assert "2 problems to fix before publishing" in shown
    assert "`scenario.title`" in shown and "`scenario.notes.0.reveal`" in shown and "(line " in shown
    assert by_label(at.button, "Publish version 1").disabled

    # The form view rewrites the fields it shows and keeps the rest.
    [case_title] = [w for w in at.text_input if w.label == "Title" and w.value == ""]  # the form's, not the new one's
    case_title.set_value(TITLE)
    by_label(at.text_input, "Name").set_value("Marta")
    ok(by_label(at.button, "Apply to the draft").click().run())
    assert "The form is applied to the draft and saved." in page_text(at)
    saved = yaml.safe_load(store.authoring.get(Viewer.of(cora), SLUG).draft)
    assert saved["scenario"]["title"] == TITLE and saved["persona"]["name"] == "Marta"
    assert saved["scenario"]["notes"][0]["reveal"] == "sometimes"  # not in the form's options, still the YAML's
    assert "1 problem to fix before publishing" in page_text(at)
    saved["scenario"]["notes"][0]["reveal"] = "on_trust"
    ok(yaml_box(at).set_value(yaml.safe_dump(saved, sort_keys=False)).run())
    assert "The draft is valid" in page_text(at)

    # A test chat talks to the draft; it is the author's own attempt, marked as a test.
    ok(by_label(at.button, "Start a test chat").click().run())
    (test_chat,) = store.attempts(Viewer.of(cora), cora.id)
    assert (test_chat.scenario_id, test_chat.scenario_version) == (SLUG, 0)

    at = signed_in("cora", AUTHORING)
    by_label(at.multiselect, "Share with my groups").set_value([group.id])
    ok(by_label(at.button, "Publish version 1").click().run())
    assert "Version 1 published" in page_text(at)
    (item,) = store.authoring.mine(Viewer.of(cora))
    assert (item.latest_version, item.group_ids) == (1, [group.id])
    assert [b.label for b in at.get("download_button")] == ["Download the draft as YAML", "YAML"]
    assert by_label(at.button, "Publish version 2") is not None
    assert store.authoring.visible(Viewer.of(ana)) == {SLUG}

    library = signed_in("ana", LIBRARY)
    assert TITLE in [h.value for h in library.subheader]


def test_a_coachee_has_no_authoring_page(app_env):
    store = Store(Settings.from_env().db_url)
    store.accounts.create_user("ana", PASSWORD)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        signed_in("ana", AUTHORING)


def test_a_trainer_picks_their_published_scenario_for_a_round(app_env):
    store = Store(Settings.from_env().db_url)
    tara = store.accounts.create_user("tara", PASSWORD, Role.trainer)
    at = create_draft(signed_in("tara", AUTHORING))
    ok(by_label(at.button, "Publish version 1").click().run())
    rounds = signed_in("tara", "app_pages/rounds.py")
    options = by_label(rounds.multiselect, "Scenarios").options
    assert TITLE in options and "The preview that missed the point" in options
    by_label(rounds.text_input, "Round name").set_value("Suppliers")
    by_label(rounds.multiselect, "Scenarios").set_value([SLUG])
    ok(by_label(rounds.button, "Create round").click().run())
    (round_,) = store.workshops.rounds(Viewer.of(tara))
    assert round_.scenario_ids == [SLUG]


def test_a_draft_that_was_never_published_can_be_deleted(app_env):
    store = Store(Settings.from_env().db_url)
    cora = store.accounts.create_user("cora", PASSWORD, Role.coach)
    at = create_draft(signed_in("cora", AUTHORING))
    ok(by_label(at.button, "Delete this draft").click().run())
    assert store.authoring.mine(Viewer.of(cora)) == [] and "Draft deleted" in page_text(at)
