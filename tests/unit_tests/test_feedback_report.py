"""The feedback report: best and weakest moments, better lines, and its Markdown and PDF."""

from __future__ import annotations

import json

import pytest

import evals.scoring.report_export as report_export
from evals.coding.coded_turn import CodedTurn
from evals.scoring.dimensions import CodedLine, Line, score_lines
from evals.scoring.feedback import better_line_from_codes, build_moments, pick_moments, reflect
from evals.scoring.report import NOTHING_LOST, ProgressPoint, StatePoint, build_report, headline
from tests.conftest import DownChatModel


def transcript(*coachee: tuple[str, tuple[str, ...]]) -> list[Line]:
    lines = []
    for i, (text, codes) in enumerate(coachee):
        lines.append(Line(2 * i, "persona", "I need those extra deliveries free, just do it."))
        lines.append(Line(2 * i + 1, "coachee", text, CodedTurn(frozenset(codes), {c: text for c in codes})))
    return lines


MIXED = transcript(
    ("It sounds like the volume has doubled on you. What's driving it?", ("reflection", "open_question")),
    ("Is that all?", ("closed_question",)),
    ("Honestly that's your problem, you should plan better.", ("blame", "unsolicited_advice")),
    ("Fine, free this once. Sorry, sorry.", ("capitulation", "over_apology")),
)


@pytest.fixture
def scenario(fixture_catalog):
    return fixture_catalog.scenarios["catering_dispute"]


def test_best_and_weakest_moments_follow_what_the_codes_did(scenario):
    best, weak = pick_moments(score_lines(MIXED, scenario))
    assert best.turn == 1
    assert [line.turn for line in weak] == [3, 5, 7]


def test_every_weak_moment_gets_a_better_line_built_from_the_codes(scenario):
    best, weakest, notes = build_moments(score_lines(MIXED, scenario), scenario)
    assert not notes
    assert best.why.startswith("reflection")
    by_turn = {m.turn: m for m in weakest}
    assert all(m.better and m.better_source == "codes" for m in weakest)
    assert "capitulation" in by_turn[7].why
    own = scenario.better_lines
    assert own["limit"][0] in by_turn[7].better and own["alternative"][0] in by_turn[7].better


def test_a_listening_slip_gets_a_reflection_and_an_open_question():
    line = CodedLine(turn=3, role="coachee", text="Calm down.", codes=["dismissal"])
    better = better_line_from_codes(line, "I was told it was fine, so I built it.", None, False)
    assert better.startswith("It sounds like you were told it was fine, so you built it.")
    assert better.rstrip().endswith("?") or "Tell me" in better


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("I thought they wanted the banner.", "It sounds like you thought they wanted the banner."),
        ("Honestly, I'm getting hammered upstairs.", "It sounds like you're getting hammered upstairs."),
        ("Do you want me to call your CEO? Because I will.", "It sounds like this is weighing on you."),
        ("You did it last spring.", "It sounds like this is weighing on you."),
        ("We are at thirty-eight percent.", "It sounds like you are at thirty-eight percent."),
    ],
)
def test_reflect_turns_a_first_person_line_round(persona, expected):
    assert reflect(persona) == expected


def test_an_llm_writes_better_lines_when_configured(scenario, chat_model):
    model = chat_model(json.dumps({"line": "I hear you; it's outside the contract, and I can quote it by Friday."}))
    _, weakest, notes = build_moments(score_lines(MIXED, scenario), scenario, model)
    assert all(m.better_source == "llm" for m in weakest) and not notes
    assert model.calls and "<moment>" in model.calls[0][1].content


def test_an_llm_that_fails_leaves_lines_from_the_codes_and_a_note(scenario, chat_model):
    _, weakest, notes = build_moments(score_lines(MIXED, scenario), scenario, chat_model("no json here"))
    assert all(m.better_source == "codes" and m.better for m in weakest)
    assert len(notes) == 1 and "built from the codes" in notes[0]


def report(scenario):
    score = score_lines(MIXED, scenario)
    states = [StatePoint(turn=t, trust=30 + t, frustration=60 - t, move="test_limit") for t in (0, 2, 4, 6)]
    progress = [
        ProgressPoint(attempt_id=3, overall=40),
        ProgressPoint(attempt_id=5, overall=score.overall, current=True),
    ]
    return build_report(score, scenario, attempt_id=5, states=states, progress=progress)


def test_the_headline_says_how_it_went_in_plain_words(scenario):
    text = headline(score_lines(MIXED, scenario), "Dana")
    assert text.startswith("Overall ") and "/100" in text and "work next on" in text
    assert "gave in when Dana pushed" in text or "never stated" in text


def test_markdown_links_every_evidence_item_to_its_turn(scenario):
    markdown = report_export.report_markdown(report(scenario))
    assert markdown.startswith("# Feedback: The catering dispute")
    for turn in (1, 3, 5, 7):
        assert f'<a id="turn-{turn}"></a>' in markdown
    assert "[turn 7](#turn-7)" in markdown and "Try instead" in markdown
    assert "| #5 (this one) |" in markdown


def test_pdf_is_a_pdf_with_a_unicode_font_or_without(scenario, monkeypatch):
    data = report_export.to_pdf(report(scenario))
    assert data.startswith(b"%PDF-") and len(data) > 2000
    monkeypatch.setattr(report_export, "FONT_DIRS", ())
    fallback = report_export.to_pdf(report(scenario))  # core font: curly quotes and dashes transliterated
    assert fallback.startswith(b"%PDF-")


def test_markdown_escapes_what_the_coachee_typed(scenario):
    lines = transcript(("**bold** <script>alert(1)</script> [link](http://x)", ("open_question",)))
    markdown = report_export.report_markdown(build_report(score_lines(lines, scenario), scenario))
    assert "<script>" not in markdown and "\\*\\*bold\\*\\*" in markdown


def test_a_server_that_is_down_is_not_asked_for_every_moment(scenario):
    down = DownChatModel(responses=[""], calls=[])
    _, weakest, notes = build_moments(score_lines(MIXED, scenario), scenario, down)
    assert len(weakest) == 3 and len(down.calls) == 1
    assert all(m.better_source == "codes" and m.better for m in weakest)
    assert len(notes) == 1 and "did not answer" in notes[0]


def test_weakest_moments_are_never_padded_with_turns_that_did_well(scenario):
    lines = transcript(
        ("So the volume doubled on you.", ("reflection",)),
        ("What's driving it?", ("open_question",)),
        ("Is that all?", ("closed_question",)),
        ("Right.", ()),
    )
    best, weak = pick_moments(score_lines(lines, scenario))
    assert best.turn == 1
    assert [line.turn for line in weak] == [5, 7]  # the closed question, then the turn that did nothing


def test_exports_say_so_when_no_line_lost_ground(scenario):
    good = transcript(("So the volume doubled on you. What's driving it?", ("reflection", "open_question")))
    built = build_report(score_lines(good, scenario), scenario, attempt_id=1, states=[], progress=[])
    assert built.best is not None and not built.weakest
    assert NOTHING_LOST in report_export.report_markdown(built)
    assert report_export.to_pdf(built)[:5] == b"%PDF-"


def test_the_report_says_what_gave_each_code_and_where_the_coder_was_unsure(scenario):
    unsure = CodedTurn(
        frozenset({"reflection"}),
        {"reflection": "So the volume doubled."},
        unsure=("reflection", "closed_question"),
        why={"reflection": "a rule matched “So the volume doubled”"},
    )
    lines = [Line(0, "persona", "It's doubled."), Line(1, "coachee", "So the volume doubled?", unsure)]
    result = build_report(score_lines(lines, scenario), scenario)
    [evidence] = [e for e in result.score.dimensions["listening"].evidence if e.turn == 1]
    assert evidence.unsure and "rule matched" in evidence.because
    markdown = report_export.report_markdown(result)
    assert "coded from a rule matched" in markdown and "the coder was unsure here" in markdown
    assert "## Where the coder was unsure" in markdown
    assert "Turn 1: coded reflection by a narrow margin; nearly coded closed question." in markdown
    assert report_export.to_pdf(result).startswith(b"%PDF")
