"""The trained offline coder: one logistic model per behaviour code.

Each turn becomes one row of:
- the dense features of evals/coding/features.py (sentence embeddings of the turn, its sentences
  and the persona's previous line; form features; the rule coder's verdicts and lexicon
  hits), standardised, with the embedding columns scaled down by `embedding_weight` (they
  carry topic as much as function, and with ~1,000 training turns they would otherwise
  drown the sharper cues);
- word 1–3-grams and character 2–5-grams of the turn (TF-IDF), scaled by `ngram_weight`.

The model is trained on the project's labelled data by `python -m evals train` (set-up
runs it whenever the data or this code changes) and kept with the other local models,
`$SPARRING_MODELS_DIR/sparring-coder/`. The weights and thresholds were chosen by
cross-validation inside the training split; see evals/harness/train.py.

A code's cue (the evidence a coach sees) is the sentence holding the rule coder's span when
the rule coder agrees, otherwise the sentence whose embedding pushes that code's score most.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.coding.coded_turn import CodedTurn
from evals.coding.features import Embed, Featurizer, TurnFeatures
from simulator.core.codes import CODES
from simulator.core.text import clip

if TYPE_CHECKING:
    from simulator.core.settings import Settings

MODEL_FORMAT = 5
MODEL_FOLDER = "sparring-coder"
MODEL_NAME = "coder.joblib"
META_NAME = "coder.json"
MAX_CUE_CHARS = 160
TRAIN_COMMAND = "python -m evals train"
CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december""".split()  # noqa: SIM905 - a word list reads better as text
)
# A capitalised word inside a sentence (after a letter, a digit, a comma or a space that
# follows one) is a name: "Thanks for joining, Jack", "ask Priya", "at Clearwell".
MID_SENTENCE_NAME = re.compile(r"(?<=[\w,;:\u2019'\")] )[A-Z][a-z]+(?:[-'][A-Za-z]+)*\b")
NAME = "somename"
UNSURE_MARGIN = 0.1  # a probability this close to its code's threshold is a coin toss: the report says so


class CoderUnavailable(RuntimeError):
    """The trained coder cannot run here (not trained yet, stale, or no embedding model)."""


def model_dir(settings: Settings) -> Path:
    return settings.models_path / MODEL_FOLDER


def ngram_text(text: str) -> str:
    """The turn as the word and character n-grams see it: lower case, with people's and
    companies' names inside a sentence replaced by one placeholder, so a name that happened to
    go with a code in the labelled conversations ("jack" with blame) carries no weight in
    conversations about other people. Days and months stay: they make a next step."""

    def mask(match: re.Match[str]) -> str:
        word = match.group(0)
        return word if word.lower() in CALENDAR else NAME

    return MID_SENTENCE_NAME.sub(mask, text).lower()


@dataclass
class CoderModel:
    """Everything the trained coder needs besides the embedding model; saved with joblib."""

    feature_names: list[str]
    embedding_dim: int
    scaler: Any  # sklearn StandardScaler over the dense features
    word_ngrams: Any  # sklearn TfidfVectorizer
    char_ngrams: Any
    models: dict[str, Any]  # code -> fitted LogisticRegression
    thresholds: dict[str, float]
    embedding_weight: float
    ngram_weight: float
    info: dict[str, Any] = field(default_factory=dict)
    format: int = MODEL_FORMAT

    def design(self, dense: np.ndarray, texts: Sequence[str]) -> Any:
        from scipy import sparse

        x = self.scaler.transform(dense)
        x[:, : 3 * self.embedding_dim] *= self.embedding_weight
        lowered = [ngram_text(t) for t in texts]
        grams = sparse.hstack([self.word_ngrams.transform(lowered), self.char_ngrams.transform(lowered)])
        return sparse.hstack([sparse.csr_matrix(x), grams * self.ngram_weight]).tocsr()

    def probabilities(self, dense: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(turns, codes) probabilities, columns in the order of CODES."""
        return self.probabilities_of(self.design(dense, texts))

    def probabilities_of(self, x: Any) -> np.ndarray:
        return np.stack([self.models[c].predict_proba(x)[:, 1] for c in CODES], axis=1)

    def top_words(self, code: str, x_row: Any, names: Sequence[str], n: int = 3) -> list[str]:
        """The turn's word n-grams (`names`: the word vectoriser's) that raise the code's
        score most, for "why this code"."""
        start = x_row.shape[1] - len(self.word_ngrams.vocabulary_) - len(self.char_ngrams.vocabulary_)
        stop = start + len(self.word_ngrams.vocabulary_)
        coef = np.asarray(self.models[code].coef_).ravel()
        pushes = [
            (value * coef[col], col - start)
            for col, value in zip(x_row.indices, x_row.data, strict=True)
            if start <= col < stop and value * coef[col] > 0
        ]
        return [str(names[col]) for _, col in sorted(pushes, reverse=True)[:n]]

    def sentence_push(self, code: str) -> np.ndarray:
        """How much each embedding dimension of a sentence raises the code's score."""
        coef = np.asarray(self.models[code].coef_).ravel()
        dim, scale = self.embedding_dim, self.scaler.scale_
        w = self.embedding_weight
        return coef[:dim] * w / scale[:dim] + coef[dim : 2 * dim] * w / scale[dim : 2 * dim]


class TrainedCoder:
    """Codes turns with a `CoderModel`; see the module docstring."""

    description = "trained coder (local sentence embeddings, n-grams, linguistic features)"

    def __init__(self, model: CoderModel, embed: Embed) -> None:
        if getattr(model, "format", None) != MODEL_FORMAT:
            raise CoderUnavailable(f"the trained coder is of an older format: run `{TRAIN_COMMAND}`")
        self.model = model
        self.featurizer = Featurizer(embed)
        self.word_names = model.word_ngrams.get_feature_names_out()
        if model.feature_names != self.featurizer.names(model.embedding_dim):
            raise CoderUnavailable(f"the trained coder's features do not match this code: run `{TRAIN_COMMAND}`")
        missing = set(CODES) - set(model.models)
        if missing:
            raise CoderUnavailable(f"the trained coder lacks codes {sorted(missing)}: run `{TRAIN_COMMAND}`")

    @classmethod
    def load(cls, settings: Settings) -> TrainedCoder:
        import joblib

        from simulator.core.embeddings import embedding_function
        from simulator.core.models.weights import ModelNotInstalled

        path = model_dir(settings) / MODEL_NAME
        if not path.is_file():
            raise CoderUnavailable(f"the coder has not been trained here ({path} is missing): run `{TRAIN_COMMAND}`")
        try:
            model = joblib.load(path)
        except Exception as exc:  # a file from another version of scikit-learn or of this code
            raise CoderUnavailable(
                f"the trained coder at {path} cannot be loaded ({exc}): run `{TRAIN_COMMAND}`"
            ) from None
        try:
            embed = embedding_function(settings)
        except ModelNotInstalled as exc:
            raise CoderUnavailable(f"the embedding model is not installed ({exc})") from None
        return cls(model, embed)

    # ---- coding ----------------------------------------------------------------------
    def code(self, text: str, context: str | None = None) -> CodedTurn:
        return self.code_many([(text, context)])[0]

    def code_many(
        self, items: Sequence[tuple[str, str | None]], history: Sequence[Sequence[str]] | None = None
    ) -> list[CodedTurn]:
        """Codes turns one by one; `history` gives each its conversation's earlier coachee turns."""
        live = [i for i, (text, _) in enumerate(items) if text and text.strip()]
        results = {i: CodedTurn(source="trained") for i in range(len(items)) if i not in set(live)}
        if live:
            earlier = [history[i] for i in live] if history is not None else None
            features = self.featurizer.featurize([items[i] for i in live], earlier)
            x = self.model.design(features.matrix, [items[i][0] for i in live])
            probabilities = self.model.probabilities_of(x)
            for row, i in enumerate(live):
                results[i] = self._decide(row, probabilities[row], features, x[row])
        return [results[i] for i in range(len(items))]

    def code_conversation(
        self, items: Sequence[tuple[str, str | None]], earlier: Sequence[str] = ()
    ) -> list[CodedTurn]:
        """Codes a conversation's coachee turns in order, each seeing the ones before it."""
        texts = [*earlier, *(text for text, _ in items)]
        return self.code_many(items, [texts[: len(earlier) + i] for i in range(len(items))])

    def _decide(self, row: int, probs: np.ndarray, features: TurnFeatures, x_row: Any) -> CodedTurn:
        scores = {code: round(float(p), 3) for code, p in zip(CODES, probs, strict=True)}
        thresholds = self.model.thresholds
        codes = {code for code in CODES if scores[code] >= thresholds[code]}
        if "summary" in codes:  # the rubric: a summary is not also a reflection
            codes.discard("reflection")
        cues = {code: self._cue(code, row, features) for code in CODES if code in codes}
        unsure = tuple(code for code in CODES if abs(scores[code] - thresholds[code]) < UNSURE_MARGIN)
        why = {code: self._why(code, scores[code], features.rule_cues[row].get(code), x_row) for code in codes}
        return CodedTurn(frozenset(codes), cues, scores, source="trained", unsure=unsure, why=why)

    def _why(self, code: str, score: float, rule_cue: str | None, x_row: Any) -> str:
        """What gave the code: the rule coder's pattern, or the words that pushed it most."""
        odds = f"{score:.0%} sure, gives it from {self.model.thresholds[code]:.0%}"
        if rule_cue:
            return f"a rule matched “{_clip(rule_cue)}” ({odds})"
        words = self.model.top_words(code, x_row, self.word_names)
        if words:
            return "words like " + ", ".join(f"“{w}”" for w in words) + f" ({odds})"
        return f"what the turn means, by its sentence embeddings ({odds})"

    def _cue(self, code: str, row: int, features: TurnFeatures) -> str:
        parts, vectors = features.sentences[row], features.sentence_vectors[row]
        rule_cue = features.rule_cues[row].get(code)
        if rule_cue:  # the whole sentence it sits in: a coach reads "Why didn't you just ask me?", not "Why didn't you"
            return _clip(next((p for p in parts if rule_cue in p), rule_cue))
        if len(parts) == 1:
            return _clip(parts[0])
        return _clip(parts[int(np.argmax(vectors @ self.model.sentence_push(code)))])


def _clip(text: str) -> str:
    return clip(" ".join(text.split()), MAX_CUE_CHARS)


def read_meta(settings: Settings) -> dict[str, Any] | None:
    path = model_dir(settings) / META_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
