"""simulator/core/text.py: the one sentence splitter and the one clipper."""

from __future__ import annotations

import pytest

from simulator.core.text import (
    STOP,
    STOP_RUN,
    Span,
    clip,
    has_alnum,
    near_repeat,
    sentence_spans,
    split_sentences,
    trim_span,
    words,
)

# ---- sentences, default ends: a stop followed by whitespace or the end, or a newline ----------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("   ", []),
        ("\n\n", []),
        ("?!?! ... !!", []),  # no letter or digit
        ("no final punctuation", ["no final punctuation"]),
        ("  leading and trailing  ", ["leading and trailing"]),
        ("Is it ok? Yes. Fine!", ["Is it ok?", "Yes.", "Fine!"]),
        ("Wait... what?! Really?!", ["Wait...", "what?!", "Really?!"]),
        ("Wait\u2026what\u2026 no", ["Wait\u2026what\u2026", "no"]),  # an ellipsis inside a word run holds
        ("The team shipped v1.2 at 3.5 today", ["The team shipped v1.2 at 3.5 today"]),
        ("one.two.three", ["one.two.three"]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),  # the closing quote stays
        ("She asked (why?) and left", ["She asked (why?)", "and left"]),
        ("Dr. Smith agreed, e.g. on dates.", ["Dr.", "Smith agreed, e.g.", "on dates."]),  # abbreviations split
        ("Line one\nLine two\r\nLine three", ["Line one", "Line two", "Line three"]),
        ("Is it ok?\n\n\nYes.", ["Is it ok?", "Yes."]),
        ("10. 20.", ["10.", "20."]),
    ],
)
def test_default_sentences(text, expected):
    assert split_sentences(text) == expected


def test_spans_index_the_text_and_are_trimmed():
    text = "  Hi there.  Bye"
    spans = sentence_spans(text)
    assert spans == [Span(2, 11), Span(13, 16)]
    assert [text[s.start : s.end] for s in spans] == split_sentences(text) == ["Hi there.", "Bye"]


def test_keep_chooses_which_pieces_count():
    assert split_sentences("' . ok") == ["ok"]
    assert split_sentences("' . ok", ends=STOP_RUN, keep=lambda s: "'" in s) == ["' ."]
    assert split_sentences("a. 1. b.", keep=lambda s: not s[0].isdigit()) == ["a.", "b."]


def test_long_runs_are_cut_at_spaces_within_max_chars():
    assert split_sentences("aaa bbb ccc", max_chars=7) == ["aaa", "bbb ccc"]
    assert split_sentences("aaa bbb ccc. dd", max_chars=7) == ["aaa", "bbb", "ccc.", "dd"]
    assert split_sentences("aaa bbb ccc") == ["aaa bbb ccc"]  # no limit by default
    long = " ".join(["word"] * 200)
    pieces = sentence_spans(long, max_chars=50)
    assert all(0 < s.end - s.start <= 50 for s in pieces)
    assert " ".join(long[s.start : s.end] for s in pieces) == long
    assert all(0 < len(p) <= 4 for p in split_sentences("x" * 10, max_chars=4))  # no space: cut hard


# ---- sentences, other ends ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("one.two.three", ["one.", "two.", "three"]),
        ("3.5 days", ["3.", "5 days"]),
        ("Wait...what?! ok", ["Wait...", "what?!", "ok"]),
        ("Wait\u2026 no", ["Wait\u2026", "no"]),
        ('He said "stop." Then', ['He said "stop.', '" Then']),  # no closing quotes here
        ("a\n\nb", ["a", "b"]),
        ("...Hello", ["Hello"]),
        ("", []),
    ],
)
def test_stop_run_ends_at_every_run_of_stops(text, expected):
    assert split_sentences(text, ends=STOP_RUN) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Really?! Yes.", ["Really?", "Yes."]),
        ("Wait... no", ["Wait.", "no"]),
        ("Wait\u2026 no\nthen. ok", ["Wait\u2026 no\nthen.", "ok"]),  # neither … nor a newline ends one
        ("no final punctuation", ["no final punctuation"]),
        ("?!", []),
    ],
)
def test_stop_ends_at_each_single_stop(text, expected):
    assert split_sentences(text, ends=STOP) == expected


def test_small_helpers():
    assert has_alnum("a.") and has_alnum("3") and has_alnum("\u00e9")
    assert not has_alnum("...") and not has_alnum("") and not has_alnum("' -")
    assert trim_span("  ab  ", 0, 6) == Span(2, 4)
    assert trim_span("  ab  ", 3, 6) == Span(3, 4)
    assert trim_span("   ", 0, 3) is None


# ---- clip -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, limit, kwargs, expected",
    [
        ("short", 10, {}, "short"),
        ("abcde", 5, {}, "abcde"),  # exactly at the limit: untouched
        ("", 3, {}, ""),
        ("abcdefghij", 5, {}, "abcd\u2026"),
        ("abc   defgh", 7, {}, "abc\u2026"),  # trailing whitespace goes before the ellipsis
        ("abcdefghij", 5, {"ellipsis": ""}, "abcde"),
        ("abcdefghij", 6, {"ellipsis": "..."}, "abc..."),
        ("Hi. there friend", 10, {"at_sentence_end": True}, "Hi."),
        ("one two three four", 3, {"words": True}, "one two three\u2026"),
        ("one  two", 2, {"words": True}, "one  two"),  # fits: returned as it is
        ("one  two\nthree", 2, {"words": True}, "one two\u2026"),  # clipped words are joined by one space
        ("Yes. I think so too", 3, {"words": True, "at_sentence_end": True}, "Yes."),
        ("Wait?! I think so too", 3, {"words": True, "at_sentence_end": True}, "Wait?!"),
        ("No stop in here at all", 3, {"words": True, "at_sentence_end": True}, "No stop in\u2026"),
        (". a b c", 2, {"words": True, "at_sentence_end": True}, ". a\u2026"),  # a stop at the very start is no end
    ],
)
def test_clip(text, limit, kwargs, expected):
    assert clip(text, limit, **kwargs) == expected


@pytest.mark.parametrize("text", ["a" * 200, "word " * 60, "x y " * 100, "Fine. " * 40])
def test_clip_by_characters_never_exceeds_the_limit(text):
    for limit in (1, 2, 10, 119, 160):
        out = clip(text, limit)
        assert len(out) <= limit
        assert out.endswith("\u2026") and text.startswith(out[:-1])


def test_clip_needs_room_for_the_ellipsis():
    with pytest.raises(ValueError):
        clip("abcdef", 2, ellipsis="...")
    assert clip("abcdef", 2, ellipsis="") == "ab"


# ---- words and near_repeat --------------------------------------------------------------------------


def test_words_are_lower_case_with_inner_apostrophes():
    assert words("Stan’s check-in: I didn't, 3pm!") == ["stan's", "check", "in", "i", "didn't", "3pm"]
    assert words("...") == []


def test_near_repeat_catches_the_same_frame_with_another_ending():
    first = "I should've asked. You'd just started and I didn't want to look slow."
    again = "I should've asked. You'd just started and I didn't want to look like I couldn't follow a ticket."
    assert near_repeat(again, [first]) and near_repeat(first, [again])
    assert near_repeat("Friday's tight.", ["Hm.", "FRIDAY'S TIGHT"])
    assert not near_repeat("I don't know.", ["I don't know what you want me to say about the banner."])
    assert not near_repeat("The banner is half a day of work.", ["I built what was in the ticket."])
    assert not near_repeat("", ["Okay."]) and not near_repeat("Okay.", [])
