"""The trained offline coder: one logistic model per behaviour code over `evals.features`.

The weights live in evals/model/coder.json, written by `python -m evals train` from the
training split of evals/data/ (never the test split). Inference is a few matrix products
in NumPy; the only model run per turn is the local sentence embedding.

Each code gets its own decision threshold, chosen on cross-validated training
predictions. A code's cue (the evidence a coach sees) is the rule coder's span when the
rule coder agrees, otherwise the sentence whose embedding pushes that code's score most.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.coder import CodedTurn
from evals.codes import CODES
from evals.features import Embed, Featurizer, TurnFeatures

if TYPE_CHECKING:
    from simulator.config import Settings

MODEL_FILE = Path(__file__).resolve().parent / "model" / "coder.json"
MODEL_FORMAT = 1
MAX_CUE_CHARS = 160
TRAIN_COMMAND = "python -m evals train"


class CoderUnavailable(RuntimeError):
    """The trained coder cannot run here (its weights or the embedding model are missing)."""


@dataclass(frozen=True)
class CodeModel:
    coef: np.ndarray
    intercept: float
    threshold: float


class TrainedCoder:
    """Codes turns with the trained per-code logistic models; see the module docstring."""

    description = "trained coder (local sentence embeddings + linguistic features)"

    def __init__(self, model: dict[str, Any], embed: Embed) -> None:
        if model.get("format") != MODEL_FORMAT:
            raise CoderUnavailable(f"the coder model has format {model.get('format')!r}, expected {MODEL_FORMAT}")
        self.featurizer = Featurizer(embed)
        self.dim = int(model["embedding_dim"])
        if model["feature_names"] != self.featurizer.names(self.dim):
            raise CoderUnavailable(f"the coder model's features do not match this code: run `{TRAIN_COMMAND}`")
        self.mean = np.asarray(model["mean"], dtype=np.float32)
        self.scale = np.asarray(model["scale"], dtype=np.float32)
        self.models = {
            code: CodeModel(np.asarray(m["coef"], dtype=np.float32), float(m["intercept"]), float(m["threshold"]))
            for code, m in model["codes"].items()
        }
        missing = set(CODES) - set(self.models)
        if missing:
            raise CoderUnavailable(f"the coder model lacks codes {sorted(missing)}: run `{TRAIN_COMMAND}`")
        self.info = {k: model[k] for k in ("trained_on", "embedding") if k in model}

    @classmethod
    def load(cls, settings: Settings, path: Path = MODEL_FILE) -> TrainedCoder:
        from simulator.embeddings import embedding_function
        from simulator.models.weights import ModelNotInstalled

        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CoderUnavailable(f"no trained coder at {path}: run `{TRAIN_COMMAND}`") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise CoderUnavailable(f"the trained coder at {path} cannot be read: {exc}") from None
        try:
            embed = embedding_function(settings)
        except ModelNotInstalled as exc:
            raise CoderUnavailable(f"the embedding model is not installed ({exc})") from None
        return cls(model, embed)

    # ---- coding ----------------------------------------------------------------------
    def code(self, text: str, context: str | None = None) -> CodedTurn:
        return self.code_many([(text, context)])[0]

    def code_many(self, items: Sequence[tuple[str, str | None]]) -> list[CodedTurn]:
        results: list[CodedTurn | None] = [None] * len(items)
        live = [i for i, (text, _) in enumerate(items) if text and text.strip()]
        for i in set(range(len(items))) - set(live):
            results[i] = CodedTurn(source="trained")
        if live:
            features = self.featurizer.featurize([items[i] for i in live])
            probabilities = self.probabilities(features.matrix)
            for row, i in enumerate(live):
                results[i] = self._decide(items[i][0], row, probabilities[row], features)
        return [r for r in results if r is not None]

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """(turns, codes) probabilities, columns in the order of CODES."""
        x = (matrix - self.mean) / self.scale
        weights = np.stack([self.models[c].coef for c in CODES], axis=1)
        logits = x @ weights + np.array([self.models[c].intercept for c in CODES], dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))

    def _decide(self, text: str, row: int, probs: np.ndarray, features: TurnFeatures) -> CodedTurn:
        scores = {code: round(float(p), 3) for code, p in zip(CODES, probs, strict=True)}
        codes = {code for code in CODES if scores[code] >= self.models[code].threshold}
        if "summary" in codes:  # the rubric: a summary is not also a reflection
            codes.discard("reflection")
        cues = {code: self._cue(code, text, row, features) for code in CODES if code in codes}
        return CodedTurn(frozenset(codes), cues, scores, source="trained")

    def _cue(self, code: str, text: str, row: int, features: TurnFeatures) -> str:
        rule_cue = features.rule_cues[row].get(code)
        if rule_cue:
            return rule_cue
        parts, vectors = features.sentences[row], features.sentence_vectors[row]
        if len(parts) == 1:
            return _clip(parts[0])
        coef, dim = self.models[code].coef, self.dim
        push = coef[:dim] / self.scale[:dim] + coef[dim : 2 * dim] / self.scale[dim : 2 * dim]
        return _clip(parts[int(np.argmax(vectors @ push))])


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CUE_CHARS else text[: MAX_CUE_CHARS - 1].rstrip() + "…"
