"""What the trained coder sees of a coachee turn: sentence embeddings plus linguistic features.

A turn is one vector made of:

- the mean of its sentences' local embeddings (all-MiniLM-L6-v2, 384 dimensions),
  normalised: as accurate in cross-validation as embedding the whole turn again, and
  each sentence is embedded only once;
- the element-wise maximum of its sentences' embeddings, so one sentence doing a job
  (a limit tucked after an acknowledgement) is not averaged away in a long turn;
- the embedding of the persona's previous line: it matters for a few codes (a bare
  "fine" after a demand is capitulation, advice that was asked for is not unsolicited);
- how close the turn is to that line (cosine of the embeddings, best sentence, shared
  content words): a reflection restates it, a question or a limit mostly does not;
- form features: length, question marks, how sentences open, pronoun frames;
- the rule coder's verdicts and its lexicon hits (evals/coding/rules.py);
- the conversation so far, where it is given: the turn's position, whether the coachee
  already set a limit (or caved) in an earlier turn, what the previous turn did and how
  much this one repeats it. "Still no." is a limit restated; "okay, fine" after a limit
  under pressure is a cave.

Embeddings come from an `Embed` callable (texts -> vectors); the product passes the
offline ONNX model (simulator/core/embeddings.py), tests can pass anything deterministic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from evals.coding.coded_turn import CodedTurn
from evals.coding.rules import RuleCoder, lexicon_features
from simulator.core.codes import CODES
from simulator.core.text import STOP_RUN, split_sentences

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

MAX_SENTENCES = 12  # a huge turn is embedded by its first sentences; n-grams, rules and form see all of it
MAX_EMBED_CHARS = 2000

_WORD = re.compile(r"[A-Za-z']+")
_WH = re.compile(r"^\W*(?:so|and|but|okay|ok|well)?\W*(what|how|why|when|where|who|which)\b", re.IGNORECASE)
_AUX = re.compile(
    r"^\W*(?:so|and|but|okay|ok|well)?\W*(do|does|did|is|are|was|were|can|could|would|will|should|have|has)\b",
    re.IGNORECASE,
)
_YOU_FRAME = re.compile(r"^\W*(?:so|it|sounds|seems|you|you're|youre|your)\b", re.IGNORECASE)
_I_FRAME = re.compile(r"^\W*(?:i|i'm|im|i've|i'll|we|we're|we'll|let's|lets)\b", re.IGNORECASE)
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|can't|cannot|won't|don't|isn't|aren't)\b|n't\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_STOPWORDS = frozenset(
    {"the", "and", "but", "for", "with", "that", "this", "was", "were", "are", "have", "has", "had", "will"}
    | {"would", "can", "could", "just", "not", "you", "your", "yours", "our", "they", "their", "them", "she"}
    | {"her", "him", "his", "its", "it's", "i'm", "you're", "don't", "can't"}
)
HISTORY_CODES = ("limit", "capitulation", "alternative", "blame", "dismissal", "reflection", "closed_question")
HISTORY_NAMES = (
    "hist:position",
    "hist:limit_before",
    "hist:capitulation_before",
    "hist:shared_with_previous",
    *(f"hist:previous_{code}" for code in HISTORY_CODES),
)
SIMILARITY_NAMES = (
    "sim:turn_context",
    "sim:sentence_context",
    "sim:turn_words_in_context",
    "sim:context_words_in_turn",
)


def sentences(text: str) -> list[str]:
    """The turn's sentences (at most MAX_SENTENCES), each stripped; the turn itself if none.

    Any run of . ! ? … ends a sentence, even inside a word ("3.5"), as when the model was trained."""
    return split_sentences(text, ends=STOP_RUN)[:MAX_SENTENCES] or [text.strip()]


def form_features(text: str, context: str | None) -> dict[str, float]:
    words = _WORD.findall(text)
    parts = sentences(text)
    letters = [ch for ch in text if ch.isalpha()]
    return {
        "form:log_words": math.log1p(len(words)),
        "form:log_sentences": math.log1p(len(parts)),
        "form:question_marks": min(text.count("?"), 4) / 4,
        "form:ends_question": float(text.rstrip().endswith("?")),
        "form:exclamations": min(text.count("!"), 3) / 3,
        "form:starts_wh": float(any(_WH.match(s) for s in parts)),
        "form:starts_aux": float(any(_AUX.match(s) for s in parts)),
        "form:you_frame": float(any(_YOU_FRAME.match(s) for s in parts)),
        "form:i_frame": float(any(_I_FRAME.match(s) for s in parts)),
        "form:apologies": min(len(_APOLOGY.findall(text)), 3) / 3,
        "form:negations": min(len(_NEGATION.findall(text)), 4) / 4,
        "form:digits": float(bool(_DIGIT.search(text))),
        "form:lowercase": float(bool(letters) and all(ch.islower() for ch in letters)),
        "form:context_question": float("?" in (context or "")),
        "form:context_log_words": math.log1p(len(_WORD.findall(context or ""))),
    }


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norm, 1e-9)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS}


def similarity_features(
    text: str, context: str | None, turn: np.ndarray, sentence_vecs: np.ndarray, context_vec: np.ndarray
) -> list[float]:
    """SIMILARITY_NAMES, in order; all 0 without a persona line before the turn."""
    if not (context or "").strip():
        return [0.0] * len(SIMILARITY_NAMES)
    ctx = _unit(context_vec)
    said, heard = content_words(text), content_words(context or "")
    shared = len(said & heard)
    return [
        float(_unit(turn) @ ctx),
        float(np.max(_unit(sentence_vecs) @ ctx)),
        shared / max(len(said), 1),
        shared / max(len(heard), 1),
    ]


def history_features(text: str, earlier: Sequence[str], rules: Callable[[str], CodedTurn]) -> list[float]:
    """HISTORY_NAMES, in order: where the turn stands in the conversation, whether a limit (or a
    cave) is already on the table from the coachee's earlier turns, what the previous one did
    (by the rule coder) and how much this turn repeats it."""
    before = [rules(t).codes for t in earlier]
    previous = before[-1] if before else frozenset()
    said, last = content_words(text), content_words(earlier[-1]) if earlier else set()
    return [
        math.log1p(len(earlier)),
        float(any("limit" in codes for codes in before)),
        float(any("capitulation" in codes for codes in before)),
        len(said & last) / max(len(said), 1),
        *(float(code in previous) for code in HISTORY_CODES),
    ]


@dataclass
class TurnFeatures:
    """Feature rows for a batch of turns, with each turn's sentences and their embeddings
    (kept to point at the sentence that carries a code, as its cue)."""

    matrix: np.ndarray  # (turns, features)
    sentences: list[list[str]]
    sentence_vectors: list[np.ndarray]  # per turn: (its sentences, 384)
    rule_cues: list[dict[str, str]]


class Featurizer:
    """Builds feature rows; `names` are stable so a trained model can check it fits."""

    def __init__(self, embed: Embed) -> None:
        self.embed = embed
        self.rules = RuleCoder()
        probe, _ = self._hand_features("What happened?", None)
        self.hand_names = sorted(probe)

    def names(self, dim: int) -> list[str]:
        blocks = ("turn", "max_sentence", "context")
        return (
            [f"{b}:{i}" for b in blocks for i in range(dim)]
            + self.hand_names
            + list(SIMILARITY_NAMES)
            + list(HISTORY_NAMES)
        )

    def _hand_features(self, text: str, context: str | None) -> tuple[dict[str, float], CodedTurn]:
        coded = self.rules.code(text, context)
        features = {f"rule:{code}": float(code in coded.codes) for code in CODES}
        features |= lexicon_features(text, context)
        features |= form_features(text, context)
        return features, coded

    def featurize(
        self, items: Sequence[tuple[str, str | None]], history: Sequence[Sequence[str]] | None = None
    ) -> TurnFeatures:
        """Feature rows for (text, persona's previous line) pairs; `history` gives each turn
        the coachee's earlier turns in its conversation (none where it is left out)."""
        history = history if history is not None else [()] * len(items)
        rule_memo: dict[str, CodedTurn] = {}

        def rules(text: str) -> CodedTurn:
            if text not in rule_memo:
                rule_memo[text] = self.rules.code(text)
            return rule_memo[text]

        texts = [text[:MAX_EMBED_CHARS] for text, _ in items]
        contexts = [(context or "")[:MAX_EMBED_CHARS] for _, context in items]
        split = [sentences(text) for text in texts]
        flat = [s for parts in split for s in parts]
        unique_contexts = sorted({c for c in contexts if c})
        vectors = self._embed(flat + unique_contexts)
        context_vecs = dict(zip(unique_contexts, vectors[len(flat) :], strict=True))
        dim = vectors.shape[1]
        rows, per_turn, rule_cues = [], [], []
        offset = 0
        for i, (text, context) in enumerate(items):
            mine = vectors[offset : offset + len(split[i])]
            offset += len(split[i])
            per_turn.append(mine)
            turn = _unit(mine.mean(axis=0))
            ctx = context_vecs.get(contexts[i], np.zeros(dim, dtype=np.float32))
            hand, coded = self._hand_features(text, context)
            rule_cues.append(dict(coded.cues))
            similarity = similarity_features(text, context, turn, mine, ctx)
            earlier = history_features(text, history[i], rules)
            rows.append(
                np.concatenate([turn, mine.max(axis=0), ctx, [hand[n] for n in self.hand_names], similarity, earlier])
            )
        return TurnFeatures(np.vstack(rows).astype(np.float32), split, per_turn, rule_cues)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts`, each distinct text embedded once, shortest first: batches are
        padded to their longest member, so mixing one long turn with short ones wastes most
        of the work."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        unique = sorted(set(texts), key=lambda t: (len(t), t))
        vectors = np.asarray(self.embed(unique), dtype=np.float32)
        row = {text: i for i, text in enumerate(unique)}
        return vectors[[row[t] for t in texts]]
