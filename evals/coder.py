"""The behaviour coder's interface, and the coder the product uses by default.

A coder turns one coachee line, with the persona's previous line as context, into the
rubric's behaviour codes (shared/rubric.md). Three implementations:

- `TrainedCoder` (evals/classifier.py), the default: a classifier over local sentence
  embeddings plus linguistic features and the rule coder's verdicts, trained on the
  project's labelled turns (evals/data/). Offline, no LLM, a few milliseconds a turn.
- `RuleCoder` (evals/rules.py): lexicons and question forms only. Used when the embedding
  model is not installed, and as a feature of the trained coder.
- `LLMCoder` (evals/llm_coder.py): a capable chat model with structured, validated output,
  combined with the trained coder; used when an OpenAI-compatible model is configured.

The persona engine and the scorer use the same coder, so the persona reacts to exactly
what the score rewards or penalises.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from simulator.config import Settings

__all__ = ["CodedTurn", "Coder", "code_many", "default_coder", "describe_coder", "fallback_notes"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodedTurn:
    """The codes given to one coachee turn, each with the span that triggered it.

    `scores` holds the coder's confidence per code (0–1) where it has one; `source` says
    which coder decided; `notes` says why a preferred coder was not used (a fallback).
    """

    codes: frozenset[str] = frozenset()
    cues: dict[str, str] = field(default_factory=dict)  # code -> short span of the text
    scores: dict[str, float] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()


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


def fallback_notes(coded: Iterable[CodedTurn]) -> list[str]:
    """Each distinct reason a preferred coder was not used, in first-seen order."""
    return list(dict.fromkeys(note for turn in coded for note in turn.notes))


def describe_coder(coder: Coder) -> str:
    return getattr(coder, "description", type(coder).__name__)


def default_coder(settings: Settings | None = None) -> Coder:
    """The trained offline coder; the rule coder (with a warning) if it cannot be loaded."""
    from evals.classifier import CoderUnavailable, TrainedCoder
    from evals.rules import RuleCoder
    from simulator.config import Settings

    try:
        return TrainedCoder.load(settings or Settings.from_env())
    except CoderUnavailable as exc:
        log.warning("using the rule coder: %s", exc)
        return RuleCoder(note=str(exc))
