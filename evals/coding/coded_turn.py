"""The behaviour coder's interface: what coding one coachee line gives, and what a coder is.

A coder turns one coachee line, with the persona's previous line as context, into the
rubric's behaviour codes (docs/rubric.md). The implementations live beside this module;
`evals.coding.coder.default_coder` picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["CodedTurn", "Coder", "code_conversation", "code_many", "describe_coder", "fallback_notes"]


@dataclass(frozen=True)
class CodedTurn:
    """The codes given to one coachee turn, each with the span that triggered it.

    `scores` holds the coder's confidence per code (0–1) where it has one; `source` says
    which coder decided; `notes` says why a preferred coder was not used (a fallback).
    `unsure` names the codes the coder nearly decided the other way (given or not), and
    `why` says for each code given what triggered it (a rule, words, the meaning).
    """

    codes: frozenset[str] = frozenset()
    cues: dict[str, str] = field(default_factory=dict)  # code -> short span of the text
    scores: dict[str, float] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    why: dict[str, str] = field(default_factory=dict)
    # set by evals.coding.speech.code_spoken: what was cut as not speech, and what was coded
    not_speech: tuple[str, ...] = ()
    wall: bool = False
    spoken: str | None = None


@runtime_checkable
class Coder(Protocol):
    """Anything that codes a coachee line; `context` is the persona's previous line."""

    def code(self, text: str, context: str | None = None) -> CodedTurn: ...


def code_many(coder: Coder, items: Sequence[tuple[str, str | None]]) -> list[CodedTurn]:
    """Codes (text, context) pairs in one go where the coder can batch, one by one otherwise."""
    batch = getattr(coder, "code_many", None)
    if callable(batch):
        return list(batch(items))
    return [coder.code(text, context) for text, context in items]


def code_conversation(
    coder: Coder, items: Sequence[tuple[str, str | None]], earlier: Sequence[str] = ()
) -> list[CodedTurn]:
    """Codes one conversation's coachee turns in order, each seeing the coachee's turns before
    it (`earlier` come before the first), where the coder can use them; else as `code_many`."""
    in_order = getattr(coder, "code_conversation", None)
    if callable(in_order):
        return list(in_order(items, earlier))
    return code_many(coder, items)


def fallback_notes(coded: Iterable[CodedTurn]) -> list[str]:
    """Each distinct reason a preferred coder was not used, in first-seen order."""
    return list(dict.fromkeys(note for turn in coded for note in turn.notes))


def describe_coder(coder: Coder) -> str:
    return getattr(coder, "description", type(coder).__name__)
