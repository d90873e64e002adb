"""Joining a workshop round (app_pages/join.py) and its time box on the Rehearse page, with
AppTest over the fake model: a guest joins by name, waits for the trainer, starts, and the
attempt ends (scored) when the round ends; a round that needs accounts refuses a guest; a
wrong code says so; with sign-in off the local user joins and picks one of two scenarios."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from simulator.core.settings import Settings
from simulator.storage.models import Role
from simulator.storage.policy import SYSTEM, Viewer
from tests.unit_tests.app_harness import APP, PASSWORD, TIMEOUT, app_environment, by_label, ok

JOIN = "app_pages/join.py"
REHEARSE = "app_pages/rehearse.py"
SCENARIO = "vague_it_colleague"
OTHER = "career_unsure"
LINE = "What did you take the request to mean?"
SHOW_LINES = "Show my lines with my name in the debrief"


@pytest.fixture
def store():
    from simulator.storage.store import Store

    return Store(Settings.from_env().db_url)


@pytest.fixture
def trainer(store):
    return store.accounts.create_user("trainer", PASSWORD, Role.trainer)


def join_page(code: str | None = None) -> AppTest:
    """A fresh tab on /join (with `?code=` when given)."""
    at = ok(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
    if code is not None:
        at.query_params["code"] = code
    return ok(at.switch_page(JOIN).run())


def text_of(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.error, *at.warning, *at.success, *at.title, *at.header]
    return " ".join(p.value for p in parts)


def click(at: AppTest, label: str) -> AppTest:
    by_label(at.button, label).click().run()
    return ok(at)


class TestWithSignInOn:
    @pytest.fixture(autouse=True)
    def env(self, tmp_path, monkeypatch):
        yield from app_environment(tmp_path, monkeypatch, auth="on")

    def test_a_guest_joins_waits_starts_and_the_end_of_the_round_ends_and_scores_the_attempt(self, store, trainer):
        round_ = store.workshops.create_round(
            Viewer.of(trainer), "Morning round", [SCENARIO], "standard", 15, guests=True
        )
        at = join_page(round_.join_code.lower())
        assert by_label(at.text_input, "Join code").value == round_.join_code.lower()
        by_label(at.text_input, "Your name").set_value("Kim")
        click(at, "Join")

        guest = store.user("Kim")
        assert guest.guest and guest.role == Role.coachee
        assert at.session_state["sparring_session"].user_id == guest.id  # signed in as the guest
        assert "Signed in as **Kim**" in " ".join(c.value for c in at.sidebar.caption)
        assert at.query_params["code"] == round_.join_code
        shown = text_of(at)
        assert "Morning round" in shown and "Waiting for the trainer" in shown
        assert "Your role" in shown and "15 minutes" in shown
        assert not [b for b in at.button if b.label == "Start the conversation"]

        ok(at.run())  # still a draft: still waiting
        assert "Waiting for the trainer" in text_of(at)
        store.workshops.start(Viewer.of(trainer), round_.id)
        ok(at.run())
        assert "Waiting for the trainer" not in text_of(at)
        assert "left" in text_of(at)
        click(at, "Start the conversation")

        attempt_id = int(at.query_params["attempt"])
        attempt = store.attempt(attempt_id, SYSTEM)
        assert attempt.round_id == round_.id and attempt.user_id == guest.id
        assert attempt.difficulty == "standard" and attempt.scenario_id == SCENARIO
        assert "left] in **Morning round**" in text_of(at)  # the countdown
        at.switch_page(REHEARSE)  # AppTest reruns the page it last switched to, not the one the app went to
        at.chat_input[0].set_value(LINE).run()
        assert len(store.turns(attempt_id, SYSTEM)) == 3  # the opening, the line and a reply

        store.workshops.end(Viewer.of(trainer), round_.id)
        ok(at.run())
        assert "Time is up" in text_of(at)
        attempt = store.attempt(attempt_id, SYSTEM)
        assert attempt.status == "ended" and attempt.report is not None
        assert not at.chat_input

    def test_back_on_the_join_page_a_participant_continues_their_attempt(self, store, trainer):
        round_ = store.workshops.create_round(Viewer.of(trainer), "Round", [SCENARIO], "standard", 10, guests=True)
        store.workshops.start(Viewer.of(trainer), round_.id)
        at = join_page(round_.join_code)
        by_label(at.text_input, "Your name").set_value("Lee")
        click(at, "Join")
        click(at, "Start the conversation")
        first = at.query_params["attempt"]
        at.query_params.clear()
        at.query_params["code"] = round_.join_code
        ok(at.switch_page(JOIN).run())
        click(at, "Continue the conversation")
        assert at.query_params["attempt"] == first

    def test_a_participant_says_whether_the_debrief_shows_their_name_until_the_round_ends(self, store, trainer):
        from datetime import timedelta

        from simulator.storage.models import Round, now

        round_ = store.workshops.create_round(
            Viewer.of(trainer), "Named", [SCENARIO], "standard", 15, guests=True, anonymous=False
        )
        store.workshops.start(Viewer.of(trainer), round_.id)
        at = join_page(round_.join_code)
        by_label(at.text_input, "Your name").set_value("Kim")
        click(at, "Join")
        kim = store.user("Kim")
        assert not by_label(at.checkbox, SHOW_LINES).value  # off unless they tick it
        assert [r.speaker for r in store.workshops.board(Viewer.of(trainer), round_.id)] == ["Participant 1"]
        ok(by_label(at.checkbox, SHOW_LINES).check().run())
        assert store.workshops.shows_lines(round_.id, kim.id)
        assert [r.speaker for r in store.workshops.board(Viewer.of(trainer), round_.id)] == ["Kim"]
        ok(by_label(at.checkbox, SHOW_LINES).uncheck().run())
        assert not store.workshops.shows_lines(round_.id, kim.id)

        with store.db.session() as s:  # the time box runs out
            s.get(Round, round_.id).ends_at = now() - timedelta(seconds=1)
        ok(at.run())
        assert "no open round with this code" in text_of(at) and not at.checkbox
        with store.db.session() as s:
            assert s.get(Round, round_.id).status == "ended"  # the join page's read ended it

    def test_a_round_that_needs_an_account_refuses_a_guest_and_keeps_the_code(self, store, trainer):
        round_ = store.workshops.create_round(Viewer.of(trainer), "Accounts only", [SCENARIO], "standard", 15)
        at = join_page(round_.join_code)
        assert "needs an account" in text_of(at) and round_.join_code in text_of(at)
        assert not [t for t in at.text_input if t.label == "Your name"]
        assert not [b for b in at.button if b.label == "Join"]
        assert at.session_state["sparring_session"].user_id is None

    def test_a_signed_in_user_joins_a_round_that_needs_an_account(self, store, trainer):
        ana = store.accounts.create_user("ana", PASSWORD)
        round_ = store.workshops.create_round(Viewer.of(trainer), "Accounts only", [SCENARIO], "standard", 15)
        from tests.unit_tests.app_harness import signed_in

        at = signed_in("ana", JOIN, code=round_.join_code)
        click(at, "Join")
        assert "Waiting for the trainer" in text_of(at)
        assert [r.id for r in store.workshops.rounds_of(ana.id)] == [round_.id]

    def test_a_wrong_code_and_an_ended_round_say_so(self, store, trainer):
        at = join_page("NOPE42")
        assert "no open round with this code" in text_of(at)
        round_ = store.workshops.create_round(Viewer.of(trainer), "Over", [SCENARIO], "standard", 15, guests=True)
        store.workshops.end(Viewer.of(trainer), round_.id)
        at = join_page(round_.join_code)
        assert "no open round with this code" in text_of(at)
        assert not [t for t in at.text_input if t.label == "Your name"]


class TestWithSignInOff:
    @pytest.fixture(autouse=True)
    def env(self, tmp_path, monkeypatch):
        yield from app_environment(tmp_path, monkeypatch, auth="off")

    def test_the_local_user_joins_a_running_round_and_picks_one_of_its_scenarios(self, store, trainer):
        round_ = store.workshops.create_round(Viewer.of(trainer), "Two", [SCENARIO, OTHER], "easy", 20)
        store.workshops.start(Viewer.of(trainer), round_.id)
        at = join_page()
        assert "Type the code" in text_of(at)
        by_label(at.text_input, "Join code").set_value(f" {round_.join_code.lower()} ").run()
        click(ok(at), "Join")
        at.radio(key=f"round_scenario_{round_.id}").set_value(OTHER).run()
        click(ok(at), "Start the conversation")
        attempt = store.attempt(int(at.query_params["attempt"]), SYSTEM)
        assert (attempt.scenario_id, attempt.difficulty, attempt.round_id) == (OTHER, "easy", round_.id)

    def test_a_paused_round_says_so_and_a_time_box_run_out_ends_the_attempt(self, store, trainer):
        from datetime import timedelta

        from simulator.storage.models import Round, now

        round_ = store.workshops.create_round(Viewer.of(trainer), "Timed", [SCENARIO], "standard", 5)
        me = store.user(Settings.from_env().local_user)
        store.workshops.join(round_.join_code, me)
        store.workshops.start(Viewer.of(trainer), round_.id)
        attempt = store.create_attempt(me, SCENARIO, "standard", "fake", None, round_.id)
        store.add_turn(attempt.id, "persona", "You wanted to talk about the page?")
        store.add_turn(attempt.id, "coachee", LINE)
        store.workshops.pause(Viewer.of(trainer), round_.id)
        at = ok(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())
        at.query_params["attempt"] = str(attempt.id)
        ok(at.switch_page(REHEARSE).run())
        assert "paused the round" in text_of(at) and at.chat_input  # the chat stays open while paused
        assert "Time is up" not in text_of(at)

        store.workshops.resume(Viewer.of(trainer), round_.id)
        with store.db.session() as s:
            s.get(Round, round_.id).ends_at = now() - timedelta(seconds=1)
        ok(at.run())
        assert "Time is up" in text_of(at) and not at.chat_input
        ended = store.attempt(attempt.id, SYSTEM)
        assert ended.status == "ended" and ended.report is not None
