"""The behaviour coder's interface, and the coder the product uses by default.

Three implementations of `evals.coding.coded_turn.Coder`:

- `TrainedCoder` (evals/coding/classifier.py), the default: a classifier over local sentence
  embeddings plus linguistic features and the rule coder's verdicts, trained on the
  project's labelled turns (evals/data/). Offline, no LLM, a few milliseconds a turn.
- `RuleCoder` (evals/coding/rules.py): lexicons and question forms only. Used when the embedding
  model is not installed, and as a feature of the trained coder.
- `LLMCoder` (evals/coding/llm_coder.py): a capable chat model with structured, validated output,
  combined with the trained coder; used when an OpenAI-compatible model is configured.

The persona engine and the scorer use the same coder, so the persona reacts to exactly
what the score rewards or penalises.
"""

from __future__ import annotations

import logging

from evals.coding.classifier import CoderUnavailable, TrainedCoder
from evals.coding.coded_turn import Coder
from evals.coding.rules import RuleCoder
from simulator.core.settings import Settings

__all__ = ["default_coder"]

log = logging.getLogger(__name__)


def default_coder(settings: Settings | None = None) -> Coder:
    """The trained offline coder; the rule coder (with a warning) if it cannot be loaded."""
    try:
        return TrainedCoder.load(settings or Settings.from_env())
    except CoderUnavailable as exc:
        log.warning("using the rule coder: %s", exc)
        return RuleCoder(note=str(exc))
