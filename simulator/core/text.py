"""Plain-text helpers: one sentence splitter and one clipper, shared by the app and the evals.

Pure functions over strings, standard library only and no project imports, so that any
package can use them.

Sentences. `sentence_spans` cuts a text after each match of a sentence-end pattern, trims
the whitespace around each piece, cuts pieces longer than `max_chars` at spaces, and keeps
the pieces that `keep` accepts (by default: those with a letter or digit). It returns
(start, end) spans into the text, for callers that need offsets; `split_sentences` returns
the same pieces as strings. What ends a sentence is the caller's choice of pattern:

- `SENTENCE_END` (the default): a run of . ! ? or … (closing quotes and brackets included)
  followed by whitespace or the end of the text, or a newline; "3.5", "e.g.x" and
  "v1.2" stay whole.
- `STOP_RUN`: any run of . ! ? or …, wherever it stands, or a newline.
- `STOP`: each single . ! or ? ("Really?!" ends at the "?"); newlines and … end nothing.

Clipping. `clip` shortens a text to at most `limit` characters (the ellipsis included) or
`limit` words, optionally backing off to the last sentence end inside the limit.

Repeats. `words` is a text's lower-case word tokens, and `near_repeat` tells whether a line
says nearly what an earlier one said: the same words in nearly the same order, or nearly
all of the shorter line's words again with a different ending ("I didn't want to look like
I couldn't follow a ticket" after "I didn't want to look slow").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import NamedTuple

__all__ = [
    "SENTENCE_END",
    "STOP",
    "STOP_RUN",
    "Span",
    "clip",
    "has_alnum",
    "near_repeat",
    "sentence_spans",
    "split_sentences",
    "trim_span",
    "words",
]

SENTENCE_END = re.compile(r"[.!?\u2026]+[\"')\]]*(?=\s|$)|\n")
STOP_RUN = re.compile(r"[.!?\u2026]+|\n")
STOP = re.compile(r"[.!?]")

_STOPS = ".!?"


class Span(NamedTuple):
    """Character offsets of a piece of a text: text[start:end]."""

    start: int
    end: int


def has_alnum(text: str) -> bool:
    """Whether `text` holds a letter or a digit (the default `keep` of the splitter)."""
    return any(ch.isalnum() for ch in text)


def trim_span(text: str, start: int, end: int) -> Span | None:
    """text[start:end] without the whitespace at either end, as a span; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def sentence_spans(
    text: str,
    *,
    ends: re.Pattern[str] = SENTENCE_END,
    keep: Callable[[str], bool] = has_alnum,
    max_chars: int | None = None,
) -> list[Span]:
    """Sentence spans of `text`: cut after each match of `ends` (the sentence end stays with
    its sentence) and at the end of the text, trimmed of whitespace; pieces longer than
    `max_chars` are cut at spaces (see `_chunk`); only pieces for which `keep(piece)` holds
    are returned, in order."""
    pieces: list[Span] = []
    start = 0
    for m in ends.finditer(text):
        if (span := trim_span(text, start, m.end())) is not None:
            pieces.extend(_chunk(text, span, max_chars))
        start = m.end()
    if (span := trim_span(text, start, len(text))) is not None:
        pieces.extend(_chunk(text, span, max_chars))
    return [span for span in pieces if keep(text[span.start : span.end])]


def split_sentences(
    text: str,
    *,
    ends: re.Pattern[str] = SENTENCE_END,
    keep: Callable[[str], bool] = has_alnum,
    max_chars: int | None = None,
) -> list[str]:
    """The sentences of `sentence_spans`, as strings."""
    return [text[s.start : s.end] for s in sentence_spans(text, ends=ends, keep=keep, max_chars=max_chars)]


def _chunk(text: str, span: Span, max_chars: int | None) -> list[Span]:
    """Cuts a run longer than `max_chars` into pieces of at most `max_chars`, each cut at the
    last space inside the limit (the space dropped), or hard at the limit where there is none.
    Pieces are not trimmed again."""
    if max_chars is None:
        return [span]
    pieces = []
    start = span.start
    while span.end - start > max_chars:
        cut = text.rfind(" ", start, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append(Span(start, cut))
        start = cut + 1
    pieces.append(Span(start, span.end))
    return [p for p in pieces if p.end > p.start]


def clip(
    text: str,
    limit: int,
    *,
    ellipsis: str = "\u2026",
    words: bool = False,
    at_sentence_end: bool = False,
) -> str:
    """`text` if it fits in `limit`, else its start plus `ellipsis`.

    By characters (the default), the result is at most `limit` characters, the ellipsis
    included, and the cut text is stripped of trailing whitespace before the ellipsis. With
    `words`, the limit counts whitespace-separated words (the ellipsis not counted) and the
    kept words are joined by single spaces. With `at_sentence_end`, a clipped text ends
    instead at its last . ! or ? (with no ellipsis) when there is one after its first character.
    """
    if words:
        parts = text.split()
        if len(parts) <= limit:
            return text
        clipped = " ".join(parts[:limit])
    else:
        if len(text) <= limit:
            return text
        if limit < len(ellipsis):
            raise ValueError(f"a limit of {limit} characters leaves no room for the ellipsis {ellipsis!r}")
        clipped = text[: limit - len(ellipsis)].rstrip()
    if at_sentence_end:
        end = max(clipped.rfind(stop) for stop in _STOPS)
        if end > 0:
            return clipped[: end + 1]
    return clipped + ellipsis


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def words(text: str) -> list[str]:
    """The lower-case word tokens of `text`: runs of letters and digits, with their inner
    apostrophes ("didn't", "stan's"; curly apostrophes read as straight ones). Punctuation,
    hyphens and other symbols separate words and are dropped."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def near_repeat(
    line: str,
    earlier: Iterable[str],
    *,
    threshold: float = 0.8,
    min_words: int = 4,
    min_jaccard: float = 0.4,
) -> bool:
    """Whether `line` nearly repeats any of the `earlier` lines, compared as `words`.

    A pair counts as a near-repeat when its word sequences match with a difflib ratio of at
    least `threshold` (the same words in nearly the same order, exact repeats included), or
    when the shorter line's distinct words number at least `min_words` and at least
    `threshold` of them appear in the other line, with at least `min_jaccard` of both lines'
    words shared (the same sentence again, reworded at its end or padded). A line with no
    words repeats nothing."""
    mine = words(line)
    if not mine:
        return False
    mine_set = set(mine)
    for other in earlier:
        theirs = words(other)
        if not theirs:
            continue
        if SequenceMatcher(None, mine, theirs, autojunk=False).ratio() >= threshold:
            return True
        shorter, longer = sorted((mine_set, set(theirs)), key=len)
        shared = len(shorter & longer)
        if (
            len(shorter) >= min_words
            and shared / len(shorter) >= threshold
            and shared / len(shorter | longer) >= min_jaccard
        ):
            return True
    return False
