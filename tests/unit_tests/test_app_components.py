"""The app's session object and its reusable components (transcript, charts, report),
each run on its own with AppTest: no services, no store, any reader."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages.components.reader import YOU, Reader
from app_pages.session import SESSION_KEY, AttemptMemory, Session
from evals.scoring.report import ProgressPoint, StatePoint
from simulator.storage.models import Turn
from tests.unit_tests.test_feedback_report import report

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TIMEOUT = 60


def run(script, **kwargs) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT, kwargs=kwargs).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


# ---- the session object ----------------------------------------------------------------------
def test_each_attempt_has_one_memory_with_empty_defaults():
    state = Session()
    memory = state.attempt(7)
    assert state.attempt(7) is memory and state.attempt(8) is not memory
    assert memory == AttemptMemory(attempt_id=7)
    assert (memory.draft_error, memory.model_trouble, memory.streaming) == (None, None, False)
    assert (memory.scoring_error, memory.replay_suggestion, memory.warmed_turns) == (None, None, None)
    assert memory.draft_key == "draft_7"
    assert state.last_attempt is None


def _counting_script():
    import streamlit as st

    from app_pages.session import session

    state = session()
    memory = state.attempt(1)
    memory.warmed_turns = (memory.warmed_turns or 0) + 1
    st.write(f"runs {memory.warmed_turns}, same object {session() is state}")


def test_the_session_object_lives_in_session_state_across_reruns():
    at = run(_counting_script)
    at.run()
    assert markdown(at) == "runs 2, same object True"
    assert isinstance(at.session_state[SESSION_KEY], Session)


def test_an_object_left_by_older_code_is_replaced_not_read():
    at = AppTest.from_function(_counting_script, default_timeout=TIMEOUT)
    at.session_state[SESSION_KEY] = {"scoring_errors": {1: "old shape"}}
    at.run()
    assert markdown(at) == "runs 1, same object True"


# ---- who reads ---------------------------------------------------------------------------------
def test_a_reader_words_the_coachee_for_themself_or_for_someone_else():
    assert (YOU.name, YOU.possessive, YOU.has) == ("You", "Your", "you have")
    sam = Reader("Sam")
    assert (sam.name, sam.possessive, sam.has) == ("Sam", "Sam's", "Sam has")


# ---- the transcript ----------------------------------------------------------------------------
@pytest.fixture
def scenario(fixture_catalog):
    return fixture_catalog.scenarios["catering_dispute"]


def turns(note_id: str) -> list[Turn]:
    state = {"trust": 40, "frustration": 80}
    return [
        Turn(idx=0, role="persona", text="We need the extra deliveries free.", state=state, move="opening"),
        Turn(idx=1, role="coachee", text="What's *driving* the volume?", codes=["open_question"]),
        Turn(
            idx=2,
            role="persona",
            text="Head office doubled the orders.",
            state={
                "trust": 55,
                "frustration": 30,
                "turn": 1,
                "commitments": [
                    {"turn": 0, "kind": "offered", "what": "monday"},  # an earlier line's: not shown here
                    {"turn": 1, "kind": "offered", "what": "friday at noon"},
                    {"turn": 1, "kind": "admitted", "what": "the real volume"},
                ],
            },
            move="test_limit",
            direction="pushes for a free delivery",
            notes=[note_id],
            guard={"reason": "the coachee asked openly"},
        ),
    ]


def _transcript_script(turns, notes, coachee, coach):
    from app_pages.components.reader import Reader
    from app_pages.components.transcript import transcript

    transcript(turns, "Dana", notes, reader=Reader(coachee), coach=coach)


def test_a_transcript_names_the_coachee_for_a_coach_reading_it(scenario):
    note = scenario.notes[0]
    at = run(_transcript_script, turns=turns(note.id), notes=scenario.notes, coachee="Sam", coach=False)
    assert [m.name for m in at.chat_message] == ["Dana", "user", "Dana"]
    said = [m.markdown[0].value for m in at.chat_message]
    assert said[1] == "**Sam**  \nWhat's \\*driving\\* the volume?"  # typed, not Markdown
    assert said[0].startswith("**Dana**  \n")
    assert not at.caption and not at.expander
    assert [h.body for h in at.get("html")] == [f'<div id="turn-{i}"></div>' for i in range(3)]


def test_a_transcript_in_the_coach_view_shows_codes_moves_state_and_notes(scenario):
    note = scenario.notes[0]
    at = run(_transcript_script, turns=turns(note.id), notes=scenario.notes, coachee=None, coach=True)
    assert at.chat_message[1].markdown[0].value.startswith("**You**")
    shown = captions(at)
    assert "Coded as :gray-badge[Open question]" in shown
    assert ":violet-badge[Test limit]" in shown and "trust **55**" in shown and "frustration **30**" in shown
    assert ":red-badge[upset]" in shown  # the opening's frustration of 80
    assert "Why this move: the coachee asked openly" in shown
    assert ":material/handshake: Offered friday at noon; admitted the real volume" in shown
    assert [e.label for e in at.expander] == ["Scenario notes drawn on (1)"]
    assert note.topic in markdown(at)


# ---- the charts --------------------------------------------------------------------------------
def _state_chart_script(points):
    from app_pages.components.charts import state_chart
    from evals.scoring import charts

    state_chart(points, "Trust and frustration", axis=charts.REPLY, caption="By reply.", x_title=False)


def test_the_state_chart_uses_the_shared_series_and_colours():
    points = [StatePoint(turn=0, trust=30, frustration=60), StatePoint(turn=2, trust=45, frustration=50)]
    at = run(_state_chart_script, points=points)
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["encoding"]["color"]["scale"] == {"domain": ["Trust", "Frustration"], "range": ["#2f7d6d", "#c2572b"]}
    assert spec["encoding"]["x"]["field"] == "Reply" and spec["encoding"]["x"]["title"] is None
    assert spec["encoding"]["y"]["axis"]["values"] == [0, 25, 50, 75, 100]
    assert markdown(at) == "**Trust and frustration**" and captions(at) == "By reply."


def test_no_state_points_no_chart():
    at = run(_state_chart_script, points=[])
    assert not at.get("vega_lite_chart") and not at.markdown


def _progress_script(points, coachee):
    from app_pages.components.charts import progress_chart
    from app_pages.components.reader import Reader

    progress_chart(points, reader=Reader(coachee))


@pytest.mark.parametrize(
    ("coachee", "note"),
    [
        (None, "Your progress chart appears once you have scored two attempts at this scenario."),
        ("Sam", "Sam's progress chart appears once Sam has scored two attempts at this scenario."),
    ],
)
def test_the_progress_chart_waits_for_two_attempts(coachee, note):
    at = run(_progress_script, points=[ProgressPoint(attempt_id=1, overall=50, current=True)], coachee=coachee)
    assert captions(at) == note and not at.get("vega_lite_chart")


def test_the_progress_chart_for_a_coach():
    points = [ProgressPoint(attempt_id=1, overall=50), ProgressPoint(attempt_id=4, overall=70, current=True)]
    at = run(_progress_script, points=points, coachee="Sam")
    assert markdown(at) == "**Sam's progress on this scenario**"
    (chart,) = at.get("vega_lite_chart")
    assert json.loads(chart.proto.spec)["mark"]["color"] == "#3c5aaa"


# ---- the report --------------------------------------------------------------------------------
def _report_script(report, coachee, with_replay):
    import streamlit as st

    from app_pages.components.reader import Reader
    from app_pages.components.report import show_report

    def replay(turn, better):
        st.session_state["replayed"] = (turn, better)

    show_report(report, "stem", reader=Reader(coachee), replay=replay if with_replay else None)


def test_a_report_read_by_a_coach_speaks_of_the_coachee_and_offers_no_replay(scenario):
    built = report(scenario)
    at = run(_report_script, report=built, coachee="Sam", with_replay=False)
    assert [h.value for h in at.subheader] == ["Sam's feedback", "Transcript"]
    text = markdown(at)
    assert "Sam's best moment" in text and "Sam said:" in text and "Sam's progress on this scenario" in text
    assert "Your best" not in text and "You said" not in text and "Your progress" not in text
    assert not [b for b in at.button if b.label == "Replay from here"]
    assert len(at.get("vega_lite_chart")) == 2
    assert sorted(b.label for b in at.get("download_button")) == ["Report (Markdown)", "Report (PDF)"]


def test_a_report_read_by_the_coachee_replays_from_a_weak_turn(scenario):
    built = report(scenario)
    at = run(_report_script, report=built, coachee=None, with_replay=True)
    assert [h.value for h in at.subheader][0] == "Your feedback"
    buttons = [b for b in at.button if b.label == "Replay from here"]
    assert len(buttons) == len(built.weakest) > 0
    buttons[0].click().run()
    first = built.weakest[0]
    assert at.session_state["replayed"] == (first.turn, first.better)
