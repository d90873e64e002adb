"""The Streamlit pages, driven headlessly with AppTest over the real engine and the fake model.

Every test gets its own data directory (database, Chroma index) and a fresh services cache;
the embedding model is read from the real models folder (installed by
`python -m simulator models install`).
"""

from __future__ import annotations

import shutil

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from simulator.core.catalog import PERSONAS_DIR, SCENARIOS_DIR, load_catalog
from simulator.engine.rehearsal import MAX_MESSAGE_CHARS
from simulator.storage.policy import SYSTEM
from tests.conftest import owner_of
from tests.unit_tests.app_harness import APP, TIMEOUT, app_environment, button, ok

SCENARIO = "vague_it_colleague"
LINE = "What did you take the request to mean?"


# ---- fixtures and helpers --------------------------------------------------------------------
@pytest.fixture(autouse=True)
def app_env(tmp_path, monkeypatch):
    yield from app_environment(tmp_path, monkeypatch)


def services():
    """The services the app built (the same cached object the pages use)."""
    from app_pages import services as app_services

    return app_services._build_services()


REHEARSE = "app_pages/rehearse.py"
ATTEMPTS = "app_pages/attempts.py"


def new_app(page: str | None = None, **params: str) -> AppTest:
    """A fresh browser tab: `page` plays the URL path (e.g. /rehearse), `params` its query string."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    if page:
        at.switch_page(page)
    return at.run()


def unescape(text: str) -> str:
    return text.replace("\\", "")


def messages(at: AppTest) -> list[tuple[str, str]]:
    """(author, text) per chat message; the author label ("**Stan**") is dropped."""
    out = []
    for message in at.chat_message:
        text = unescape(" ".join(m.value for m in message.markdown))
        for label in ("**You**", f"**{message.name}**"):
            text = text.replace(label, "", 1) if text.startswith(label) else text
        out.append((message.name, text.strip()))
    return out


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def attempt_id(at: AppTest) -> int:
    return int(at.query_params["attempt"])


def start(scenario: str = SCENARIO, difficulty: str | None = None, **params: str) -> AppTest:
    at = ok(new_app(**params))
    if difficulty:
        at.selectbox(key=f"difficulty_{scenario}").set_value(difficulty)
    at.button(key=f"briefing_{scenario}").click().run()
    ok(at)
    button(at, "Start the conversation").click().run()
    return ok(at)


def send(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    return ok(at)


def opening(scenario: str = SCENARIO) -> str:
    return load_catalog().scenarios[scenario].opening


# ---- library ---------------------------------------------------------------------------------
def test_library_lists_every_scenario_with_its_details():
    at = ok(new_app())
    catalog = load_catalog()
    assert catalog.scenarios, "the repository ships scenarios"
    assert sorted(s.value for s in at.subheader) == sorted(s.title for s in catalog.scenarios.values())
    page_text = " ".join(m.value for m in at.markdown)
    for scenario in catalog.scenarios.values():
        persona = catalog.persona_for(scenario)
        assert scenario.summary in page_text
        assert persona.name in page_text and persona.role in page_text
        assert all(skill in page_text for skill in scenario.skills)
        assert at.button(key=f"briefing_{scenario.id}").label == "Read the briefing"
        level = at.selectbox(key=f"difficulty_{scenario.id}")
        assert level.value == scenario.default_difficulty.value
    captions = " ".join(c.value for c in at.caption)
    first = next(iter(catalog.scenarios.values()))
    assert first.difficulty[first.default_difficulty].description in captions


def test_difficulty_description_follows_the_selector():
    at = ok(new_app())
    scenario = load_catalog().scenarios[SCENARIO]
    at.selectbox(key=f"difficulty_{SCENARIO}").set_value("hard").run()
    assert scenario.difficulty["hard"].description in " ".join(c.value for c in ok(at).caption)


def test_sidebar_names_the_fake_backend_and_warns():
    at = ok(new_app())
    assert "Fake model" in " ".join(c.value for c in at.sidebar.caption)
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "deterministic test lines" in warning and "not a real model" in warning
    who = " ".join(c.value for c in at.sidebar.caption)
    assert "**guest**" in who and "sign-in is off" in who  # one local user, and it says so


def test_broken_scenario_file_is_named_in_the_sidebar(tmp_path, monkeypatch):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(SCENARIOS_DIR / f"{SCENARIO}.yaml", scenarios)
    (scenarios / "half_written.yaml").write_text("id: half_written\ntitle: [unclosed\n", encoding="utf-8")
    (scenarios / "no_persona.yaml").write_text("id: no_persona\ntitle: Missing everything\n", encoding="utf-8")
    import simulator.engine.services

    monkeypatch.setattr(simulator.engine.services, "load_catalog", lambda: load_catalog(scenarios, PERSONAS_DIR))
    at = ok(new_app())
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "half_written.yaml" in warning and "invalid YAML" in warning
    assert "no_persona.yaml" in warning
    assert "could not be loaded" in warning
    # the app still starts with the valid scenario
    assert [s.value for s in at.subheader] == [load_catalog().scenarios[SCENARIO].title]


def test_startup_failure_shows_the_fix_not_a_traceback(monkeypatch):
    from simulator.core.models import ModelNotInstalled

    def missing(_settings):
        raise ModelNotInstalled("The embedded model is not installed in /nowhere.")

    import simulator.engine.services

    monkeypatch.setattr(simulator.engine.services, "build_model", missing)
    at = ok(new_app())
    assert "could not start" in errors(at)
    code = " ".join(c.value for c in at.code)
    assert "not installed in /nowhere" in code and "python -m simulator models install" in code
    assert not at.subheader  # no library without services


# ---- rehearsing ------------------------------------------------------------------------------
def test_briefing_shows_the_coachees_side_and_the_chosen_difficulty():
    at = ok(new_app())
    at.selectbox(key=f"difficulty_{SCENARIO}").set_value("easy")
    at.button(key=f"briefing_{SCENARIO}").click().run()
    ok(at)
    scenario = load_catalog().scenarios[SCENARIO]
    assert at.query_params["scenario"] == SCENARIO and at.query_params["difficulty"] == "easy"
    text = " ".join(m.value for m in at.markdown)
    assert scenario.briefing.coachee_role in text and scenario.briefing.your_goal in text
    assert scenario.briefing.tips[0] in text
    assert at.selectbox(key=f"start_difficulty_{SCENARIO}").value == "easy"
    assert not at.chat_message  # nothing starts before the coachee asks


def test_starting_shows_the_opening_line_and_puts_the_attempt_in_the_url():
    at = start(difficulty="hard")
    assert messages(at) == [("Stan", opening())]
    attempt = services().store.attempt(attempt_id(at), SYSTEM)
    assert attempt.difficulty == "hard" and attempt.status == "active"
    assert len(at.chat_input) == 1


def test_sending_a_line_stores_it_and_shows_a_persona_reply():
    at = send(start(), LINE)
    shown = messages(at)
    assert shown[0] == ("Stan", opening())
    assert shown[1] == ("user", LINE)
    assert shown[2][0] == "Stan" and shown[2][1]
    turns = services().store.turns(attempt_id(at), SYSTEM)
    assert [t.role for t in turns] == ["persona", "coachee", "persona"]
    assert turns[1].text == LINE and turns[2].text == shown[2][1]
    # after a rerun the stored reply is what is shown
    at.run()
    assert messages(ok(at))[2][1] == turns[2].text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("   ", "empty"), ("x" * 20_000, f"the limit is {MAX_MESSAGE_CHARS:,}")],
    ids=["empty", "blank", "20000-chars"],
)
def test_a_message_that_cannot_be_sent_keeps_the_draft(text, expected):
    at = start()
    at = send(at, text)
    assert expected in errors(at)
    draft = at.text_area(key=f"draft_{attempt_id(at)}")
    assert draft.label == "Your draft" and draft.value == text
    assert [t.role for t in services().store.turns(attempt_id(at), SYSTEM)] == ["persona"]
    # still there after another rerun, and it can be fixed and sent
    at.run()
    draft = ok(at).text_area(key=f"draft_{attempt_id(at)}")
    assert draft.value == text
    draft.set_value(LINE)
    button(at, "Send").click().run()
    ok(at)
    assert not at.error
    assert [t.role for t in services().store.turns(attempt_id(at), SYSTEM)] == ["persona", "coachee", "persona"]
    assert not [t for t in at.text_area if t.label == "Your draft"]


def test_a_draft_sent_again_too_long_keeps_the_edit():
    at = send(start(), "y" * 3000)
    draft = at.text_area(key=f"draft_{attempt_id(at)}")
    draft.set_value("z" * 2500)
    button(at, "Send").click().run()
    ok(at)
    assert "2,500 characters" in errors(at)
    assert at.text_area(key=f"draft_{attempt_id(at)}").value == "z" * 2500


def test_a_dead_model_shows_the_error_keeps_the_line_and_offers_a_retry(monkeypatch):
    from simulator.core.models.fake import FakeScriptLLM

    at = start()
    live = services()
    monkeypatch.setattr(live, "model", FakeScriptLLM(raise_error=ConnectionError("connection refused")))
    at = send(at, LINE)
    assert "connection refused" in errors(at) and "Your message is saved" in errors(at)
    retry = button(at, "Retry the reply")
    turns = live.store.turns(attempt_id(at), SYSTEM)
    assert [t.role for t in turns] == ["persona", "coachee"] and turns[-1].text == LINE
    assert messages(at)[-1] == ("user", LINE)
    # still down: the retry reports it again
    retry.click().run()
    assert "connection refused" in errors(ok(at))
    # back up: the retry answers
    monkeypatch.setattr(live, "model", FakeScriptLLM())
    button(at, "Retry the reply").click().run()
    ok(at)
    assert not at.error
    assert [t.role for t in live.store.turns(attempt_id(at), SYSTEM)] == ["persona", "coachee", "persona"]
    assert messages(at)[-1][0] == "Stan"
    at.run()
    assert not [b for b in ok(at).button if b.label == "Retry the reply"]


def test_a_model_server_that_died_shows_it_is_restarting_and_the_retry_answers(monkeypatch):
    from simulator.core.models.calls import ModelRestarting
    from simulator.core.models.fake import FakeScriptLLM

    at = start()
    live = services()
    restarting = ModelRestarting("The model stopped answering and is restarting. Your line is saved.")
    monkeypatch.setattr(live, "model", FakeScriptLLM(raise_error=restarting))
    at = send(at, LINE)
    shown = " ".join(w.value for w in at.warning)
    assert "The model is restarting" in shown and "Your message is saved" in shown
    assert not at.error
    assert [t.role for t in live.store.turns(attempt_id(at), SYSTEM)] == ["persona", "coachee"]
    monkeypatch.setattr(live, "model", FakeScriptLLM())  # back after the restart
    button(at, "Retry the reply").click().run()
    assert [t.role for t in live.store.turns(attempt_id(ok(at)), SYSTEM)] == ["persona", "coachee", "persona"]
    assert messages(at)[-1][0] == "Stan"


def test_reloading_resumes_the_attempt():
    at = send(start(), LINE)
    before = messages(at)
    again = ok(new_app(REHEARSE, attempt=str(attempt_id(at))))
    assert messages(again) == before
    assert len(again.chat_input) == 1
    send(again, "I should have checked in with you earlier.")
    assert len(services().store.turns(attempt_id(at), SYSTEM)) == 5


def test_a_line_left_without_reply_is_offered_a_retry_on_reload():
    at = start()
    from simulator.engine.rehearsal import Rehearsal

    Rehearsal.resume(services(), attempt_id(at), owner_of(services(), attempt_id(at))).submit(
        LINE
    )  # e.g. the server died mid-reply
    again = ok(new_app(REHEARSE, attempt=str(attempt_id(at))))
    assert "has not answered it yet" in " ".join(w.value for w in again.warning)
    button(again, "Retry the reply").click().run()
    ok(again)
    assert [t.role for t in services().store.turns(attempt_id(at), SYSTEM)] == ["persona", "coachee", "persona"]


def test_a_reply_cut_short_by_a_click_carries_on_by_itself():
    at = start()
    from app_pages.session import SESSION_KEY
    from simulator.engine.rehearsal import Rehearsal

    attempt = attempt_id(at)
    Rehearsal.resume(services(), attempt, owner_of(services(), attempt)).submit(LINE)
    memory = at.session_state[SESSION_KEY].attempt(attempt)
    memory.streaming = True  # what a click during the stream leaves behind
    at.run()
    ok(at)
    assert [t.role for t in services().store.turns(attempt, SYSTEM)] == ["persona", "coachee", "persona"]
    assert not [b for b in at.button if b.label == "Retry the reply"]
    assert not at.session_state[SESSION_KEY].attempt(attempt).streaming


def test_a_line_sent_while_the_reply_streams_gets_that_reply_first():
    at = start()
    from app_pages.session import SESSION_KEY
    from simulator.engine.rehearsal import Rehearsal

    attempt = attempt_id(at)
    Rehearsal.resume(services(), attempt, owner_of(services(), attempt)).submit(LINE)
    at.session_state[SESSION_KEY].attempt(attempt).streaming = True  # the send cut the stream short
    at = send(at, "And what would help you most this week?")
    turns = services().store.turns(attempt, SYSTEM)
    assert [t.role for t in turns] == ["persona", "coachee", "persona", "coachee", "persona"]
    assert turns[3].text == "And what would help you most this week?"
    assert len(messages(at)) == 5
    assert not at.session_state[SESSION_KEY].attempt(attempt).draft_error


def test_an_ended_attempt_offers_no_retry():
    at = start()
    from simulator.engine.rehearsal import Rehearsal

    rehearsal = Rehearsal.resume(services(), attempt_id(at), owner_of(services(), attempt_id(at)))
    rehearsal.submit(LINE)
    rehearsal.end()
    at = ok(new_app(REHEARSE, attempt=str(attempt_id(at))))
    assert not [b for b in at.button if b.label == "Retry the reply"]
    assert "Attempt saved" in " ".join(s.value for s in at.success)


def test_unknown_attempt_gives_a_clear_error():
    at = ok(new_app(REHEARSE, attempt="999"))
    assert "Attempt 999 was not found" in errors(at)
    at = ok(new_app(REHEARSE, attempt="abc"))
    assert "not an attempt number" in errors(at)
    at = ok(new_app(REHEARSE, scenario="no_such_scenario"))
    assert "no scenario" in errors(at)


def test_ending_an_attempt_saves_it_and_removes_the_chat_box():
    at = send(start(), LINE)
    button(at, "End attempt").click().run()
    ok(at)
    assert not at.chat_input
    assert "Attempt saved" in " ".join(s.value for s in at.success)
    assert services().store.attempt(attempt_id(at), SYSTEM).status == "ended"
    assert button(at, "End attempt").disabled


def test_restart_starts_a_new_attempt_with_the_same_scenario_and_difficulty():
    at = send(start(difficulty="easy"), LINE)
    first = attempt_id(at)
    button(at, "Restart").click().run()
    ok(at)
    second = attempt_id(at)
    assert second != first
    store = services().store
    assert store.attempt(second, SYSTEM).scenario_id == SCENARIO and store.attempt(second, SYSTEM).difficulty == "easy"
    assert store.attempt(first, SYSTEM).status == "ended"
    assert messages(at) == [("Stan", opening())]


def test_replay_from_a_turn_keeps_the_turns_before_it():
    at = send(start(), LINE)
    second_line = "So the banner matters more than the dental section."
    at = send(at, second_line)
    original = attempt_id(at)
    store = services().store
    coachee = [t for t in store.turns(original, SYSTEM) if t.role == "coachee"]
    at.selectbox(key=f"replay_{original}").set_value(coachee[1].idx)
    button(at, "Replay from this line").click().run()
    ok(at)
    branch = attempt_id(at)
    assert branch != original
    attempt = store.attempt(branch, SYSTEM)
    assert attempt.parent_id == original and attempt.branched_at == coachee[1].idx
    kept = store.turns(branch, SYSTEM)
    assert [t.text for t in kept] == [t.text for t in store.turns(original, SYSTEM)[: coachee[1].idx]]
    assert "replaying attempt" in " ".join(i.value for i in at.info)
    assert second_line in unescape(" ".join(i.value for i in at.info))
    at = send(at, "Can you walk me through what you built?")
    assert len(store.turns(branch, SYSTEM)) == len(kept) + 2
    assert len(store.turns(original, SYSTEM)) == 5  # the original is untouched


def test_downloads_hold_the_transcript(monkeypatch):
    saved: list = []

    class RecordingStorage(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            saved.append((filename, path_or_data, mimetype))
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = send(start(), LINE)
    labels = sorted(b.label for b in at.get("download_button"))
    assert labels == ["JSON Lines", "Markdown"]
    attempt = attempt_id(at)
    files = {name: data for name, data, _ in saved}
    jsonl = files[f"sparring-{SCENARIO}-{attempt}.jsonl"]
    jsonl = jsonl.decode() if isinstance(jsonl, bytes) else jsonl
    import json

    records = [json.loads(line) for line in jsonl.splitlines()]
    assert records[0]["scenario"] == SCENARIO and records[1] == {
        "role": "coachee",
        "text": LINE,
        "codes": records[1]["codes"],
    }
    assert len(records) == 3
    markdown = files[f"sparring-{SCENARIO}-{attempt}.md"]
    markdown = markdown.decode() if isinstance(markdown, bytes) else markdown
    assert f"**Jack:** {LINE}" in markdown


def test_coach_view_shows_moves_state_notes_and_a_chart():
    at = send(start(), LINE)
    at = send(at, "It sounds like the ticket left you guessing. What would have helped?")
    assert not at.get("vega_lite_chart") and not [c for c in at.caption if "trust" in c.value]
    at.toggle(key="coach_view").set_value(True).run()
    ok(at)
    captions = " ".join(c.value for c in at.caption)
    assert "trust" in captions and "frustration" in captions and "Opening" in captions
    assert "Coded as" in captions
    turns = services().store.turns(attempt_id(at), SYSTEM)
    assert any(f"[{t.move.replace('_', ' ').capitalize()}]" in captions for t in turns[1:] if t.role == "persona")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    noted = [t for t in turns if t.notes]
    if noted:  # notes come from retrieval; when used they are listed with their topic
        topics = {n.id: n.topic for n in load_catalog().scenarios[SCENARIO].notes}
        expanders = " ".join(e.label for e in at.expander)
        assert "Scenario notes drawn on" in expanders
        assert topics[noted[0].notes[0]] in " ".join(m.value for m in at.markdown)


def test_rehearse_page_without_a_scenario_offers_a_choice():
    at = ok(new_app())
    at.switch_page(REHEARSE).run()
    ok(at)
    assert "Choose a scenario" in " ".join(i.value for i in at.info)
    button(at, "Read the briefing").click().run()
    assert button(ok(at), "Start the conversation")


def test_rehearse_page_from_the_sidebar_returns_to_the_last_attempt():
    at = send(start(), LINE)
    attempt = attempt_id(at)
    at.switch_page(ATTEMPTS).run()
    ok(at)
    at.switch_page(REHEARSE).run()
    ok(at)
    assert attempt_id(at) == attempt
    assert len(messages(at)) == 3


# ---- my attempts -------------------------------------------------------------------------------
def test_my_attempts_empty_state():
    at = ok(new_app())
    at.switch_page(ATTEMPTS).run()
    ok(at)
    assert "no attempts yet" in " ".join(i.value for i in at.info)
    button(at, "Open the scenario library").click().run()
    assert ok(at).subheader


def test_my_attempts_lists_this_users_attempts_and_opens_them():
    at = send(start(), LINE)
    first = attempt_id(at)
    button(at, "Replay from this line").click().run()
    replay = attempt_id(ok(at))
    at = ok(new_app())
    at.switch_page(ATTEMPTS).run()
    ok(at)
    title = load_catalog().scenarios[SCENARIO].title
    text = " ".join(m.value for m in at.markdown)
    assert text.count(title) == 2
    captions = " ".join(c.value for c in at.caption)
    assert f"Attempt #{first}" in captions and f"Attempt #{replay}" in captions
    assert f"replay of #{first}" in captions
    assert "1 line from you, 1 reply" in captions
    at.button(key=f"open_{first}").click().run()
    ok(at)
    assert attempt_id(at) == first
    assert messages(at)[1] == ("user", LINE)


# ---- the feedback report ---------------------------------------------------------------------
LISTENING_LINES = (
    "It sounds like the request was unclear from the start. What did you take it to mean?",
    "You must have put a lot of work into that preview, I noticed the care in it.",
    "Let's agree the banner goes on top by Thursday noon, and we check in tomorrow at ten.",
)


def ended_with_feedback(*lines: str) -> AppTest:
    at = start()
    for line in lines:
        at = send(at, line)
    button(at, "End attempt").click().run()
    return ok(at)


def test_a_conversation_with_no_weak_line_says_so_instead_of_inventing_one(monkeypatch):
    import evals.scoring.feedback as feedback

    picked = feedback.pick_moments
    monkeypatch.setattr(feedback, "pick_moments", lambda score: (picked(score)[0], []))  # every line did well
    at = ended_with_feedback(*LISTENING_LINES)
    assert "No line of yours lost ground" in " ".join(s.value for s in at.success)
    assert "Try instead" not in unescape(" ".join(m.value for m in at.markdown))


def test_ending_an_attempt_shows_the_feedback_report_and_saves_it():
    at = ended_with_feedback(*LISTENING_LINES, "Is that all?")
    attempt = services().store.attempt(attempt_id(at), SYSTEM)
    assert attempt.report and attempt.report["score"]["overall"] == int(at.metric[0].value.split("/")[0])
    assert [m.label.split(" ·")[0] for m in at.metric] == ["Overall", "Listening", "Limit-setting", "Scenario goals"]
    assert "Your feedback" in [h.value for h in at.subheader]
    text = unescape(" ".join(m.value for m in at.markdown))
    assert "Overall" in text and "/100" in text
    assert "(#turn-" in text  # evidence links to its line in the transcript
    assert "Try instead" in text
    anchors = " ".join(h.body for h in at.get("html"))
    assert 'id="turn-1"' in anchors and 'id="turn-3"' in anchors


def test_replay_from_a_weak_turn_keeps_the_lines_before_it_and_shows_the_suggestion():
    at = ended_with_feedback("Why is this such a mess? You should have asked.", "Whatever, just fix it by Friday.")
    original = attempt_id(at)
    report = services().store.attempt(original, SYSTEM).report
    weak = report["weakest"][0]
    button_key = f"replay_weak_{weak['turn']}"
    at.button(key=button_key).click().run()
    ok(at)
    branch = services().store.attempt(attempt_id(at), SYSTEM)
    assert branch.parent_id == original and branch.branched_at == weak["turn"]
    banner = unescape(" ".join(i.value for i in at.info))
    assert "The report suggested" in banner and unescape(weak["better"]).split()[0] in banner


def test_report_downloads_as_markdown_and_pdf(monkeypatch):
    saved: list = []

    class RecordingStorage(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            saved.append((filename, path_or_data))
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = ended_with_feedback(*LISTENING_LINES)
    files = {name: data for name, data in saved}
    stem = f"sparring-{SCENARIO}-{attempt_id(at)}-report"
    markdown = files[f"{stem}.md"]
    markdown = markdown.decode() if isinstance(markdown, bytes) else markdown
    assert markdown.startswith("# Feedback:") and '<a id="turn-1"></a>' in markdown
    assert files[f"{stem}.pdf"][:5] == b"%PDF-"


def test_a_scoring_failure_keeps_the_attempt_and_offers_to_score_again(monkeypatch):
    import simulator.engine.rehearsal as rehearsal_module

    def broken(services, attempt, viewer):
        raise RuntimeError("scorer exploded")

    monkeypatch.setattr(rehearsal_module, "debrief", broken)
    at = ended_with_feedback(LINE)
    attempt = services().store.attempt(attempt_id(at), SYSTEM)
    assert attempt.status == "ended" and attempt.report is None
    shown = " ".join(e.value for e in at.error)
    assert "Scoring failed (RuntimeError: scorer exploded)" in shown and "can be scored again" in shown
    button(at, "Score this attempt").click().run()  # still broken: the page says so again, nothing lost
    assert "scorer exploded" in " ".join(e.value for e in ok(at).error)
    assert services().store.attempt(attempt_id(at), SYSTEM).report is None
    monkeypatch.undo()
    button(at, "Score this attempt").click().run()
    ok(at)
    assert services().store.attempt(attempt_id(at), SYSTEM).report is not None
    assert at.metric


def test_a_database_failure_while_ending_is_shown_and_the_attempt_stays_open(monkeypatch):
    from simulator.storage.store import Store

    def down(self, attempt_id):
        raise OSError("database is locked")

    monkeypatch.setattr(Store, "end_attempt", down)
    at = ended_with_feedback(LINE)
    assert "Ending the attempt failed (OSError: database is locked)" in " ".join(e.value for e in at.error)
    assert services().store.attempt(attempt_id(at), SYSTEM).status != "ended"
    assert messages(at)[1] == ("user", LINE)


def test_progress_chart_after_two_scored_attempts():
    at = ended_with_feedback(LINE)
    button(at, "Restart").click().run()
    at = send(ok(at), LISTENING_LINES[0])
    button(at, "End attempt").click().run()
    ok(at)
    report = services().store.attempt(attempt_id(at), SYSTEM).report
    assert [p["current"] for p in report["progress"]] == [False, True]
    assert "Your progress on this scenario" in unescape(" ".join(m.value for m in at.markdown))


def test_my_attempts_shows_the_score_of_an_ended_attempt():
    at = ended_with_feedback(LINE)
    overall = services().store.attempt(attempt_id(at), SYSTEM).report["score"]["overall"]
    at.switch_page(ATTEMPTS).run()
    assert f"Score {overall}/100" in " ".join(m.value for m in ok(at).markdown)
