"""Training the offline coder on the training split: `python -m evals train`.

For each code, a logistic regression (scikit-learn, class-balanced) over the features of
evals/coding/classifier.py. Its regularisation strength and decision threshold are chosen by
cross-validation inside the training split, folded by conversation so that turns of one
conversation never sit on both sides; the n-gram vocabularies are refitted inside each
fold. The test split is never read here.

Among thresholds whose cross-validated F1 is within `THRESHOLD_SLACK` of the best, the
highest is kept: following MITI, a missing code beats a wrong one.

The block weights (`EMBEDDING_WEIGHT`, `NGRAM_WEIGHT`) were chosen the same way, by
cross-validated macro-F1 on the training split, among a handful of settings, and checked
with folds that leave out one data slice (one writer) at a time: 0.4 and 15 were best or
tied under both (0.789 by conversation, 0.774 by writer, on 1,815 turns).

Set-up runs `python -m evals train --if-stale`, which trains only when the labelled data,
this code or scikit-learn changed since the model on disk was trained.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.coding.classifier import META_NAME, MODEL_FORMAT, MODEL_NAME, CoderModel, model_dir
from evals.coding.features import Featurizer
from evals.harness.dataset import Example, histories
from simulator.core.codes import CODES

C_GRID = (0.01, 0.03, 0.1, 0.3)
FOLDS = 5
THRESHOLD_SLACK = 0.01
THRESHOLDS = np.round(np.arange(0.2, 0.86, 0.025), 3)
EMBEDDING_WEIGHT = 0.4
NGRAM_WEIGHT = 15.0
SEED = 7
CODE_MODULES = (
    "evals.coding.features",
    "evals.coding.rules",
    "evals.coding.wordlists",
    "evals.coding.classifier",
    "evals.harness.train",
    "simulator.core.codes",
    "simulator.core.text",
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class CodeFit:
    code: str
    c: float
    threshold: float
    cv_f1: float
    positives: int


def f1_at(labels: np.ndarray, probabilities: np.ndarray, threshold: float) -> float:
    predicted = probabilities >= threshold
    tp = int(np.sum(predicted & labels))
    fp = int(np.sum(predicted & ~labels))
    fn = int(np.sum(~predicted & labels))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def best_threshold(labels: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    scores = [f1_at(labels, probabilities, t) for t in THRESHOLDS]
    top = max(scores)
    chosen = max(t for t, s in zip(THRESHOLDS, scores, strict=True) if s >= top - THRESHOLD_SLACK)
    return float(chosen), float(top)


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True)
    return words, chars


def _model(dense: np.ndarray, texts: list[str], models: dict[str, Any] | None = None) -> CoderModel:
    """A CoderModel with its scaler and vocabularies fitted on these turns (models filled later)."""
    from sklearn.preprocessing import StandardScaler

    words, chars = _vectorizers()
    lowered = [t.lower() for t in texts]
    words.fit(lowered)
    chars.fit(lowered)
    return CoderModel(
        feature_names=[],
        embedding_dim=0,
        scaler=StandardScaler().fit(dense),
        word_ngrams=words,
        char_ngrams=chars,
        models=models or {},
        thresholds={},
        embedding_weight=EMBEDDING_WEIGHT,
        ngram_weight=NGRAM_WEIGHT,
    )


def fit(examples: Sequence[Example], featurizer: Featurizer, *, dim: int, log: Log = print) -> CoderModel:
    """The trained CoderModel for `examples` (the training split)."""
    from sklearn.model_selection import GroupKFold

    features = featurizer.featurize([(e.text, e.context) for e in examples], histories(examples))
    dense, texts = features.matrix, [e.text for e in examples]
    labels = np.array([[code in e.codes for code in CODES] for e in examples])
    groups = np.array([e.conv for e in examples])
    folds = []
    for train_idx, held_idx in GroupKFold(n_splits=FOLDS).split(dense, labels[:, 0], groups):
        fold = _model(dense[train_idx], [texts[i] for i in train_idx])
        fold.embedding_dim = dim
        folds.append(
            (
                train_idx,
                held_idx,
                fold.design(dense[train_idx], [texts[i] for i in train_idx]),
                fold.design(dense[held_idx], [texts[i] for i in held_idx]),
            )
        )
    final = _model(dense, texts)
    final.embedding_dim = dim
    x_all = final.design(dense, texts)
    fits = []
    for column, code in enumerate(CODES):
        y = labels[:, column]
        tried = []
        for c in C_GRID:
            oof = np.zeros(len(y))
            for train_idx, held_idx, x_train, x_held in folds:
                oof[held_idx] = _logistic(c).fit(x_train, y[train_idx]).predict_proba(x_held)[:, 1]
            threshold, f1 = best_threshold(y, oof)
            tried.append((f1, -c, c, threshold))
        f1, _, c, threshold = max(tried)
        final.models[code] = _logistic(c).fit(x_all, y)
        final.thresholds[code] = threshold
        fits.append(CodeFit(code, c, threshold, f1, int(y.sum())))
        log(f"  {code:<20} positives {int(y.sum()):>4}  C={c:<5} threshold={threshold:.3f}  cv F1={f1:.3f}")
    final.feature_names = featurizer.names(dim)
    cv = {f.code: {"f1": round(f.cv_f1, 4), "C": f.c, "threshold": f.threshold, "positives": f.positives} for f in fits}
    final.info = {
        "trained_on": {"turns": len(examples), "conversations": len(set(groups))},
        "cross_validation": cv,
        "cv_macro_f1": round(float(np.mean([f.cv_f1 for f in fits])), 4),
    }
    log(f"  cross-validated macro-F1 on the training split: {final.info['cv_macro_f1']:.3f}")
    return final


def slice_cross_validation(
    examples: Sequence[Example], featurizer: Featurizer, model: CoderModel, *, dim: int
) -> list[tuple[str, list[frozenset[str]], list[frozenset[str]]]]:
    """Leave one writer's slice out at a time (the conv id's prefix: `sa`, `sb`, …): train on
    the other slices with the trained model's regularisation and thresholds, code the slice
    left out. Returns (slice, gold codes, predicted codes) per slice, for how well the coder
    carries over to a writer it never saw."""
    features = featurizer.featurize([(e.text, e.context) for e in examples], histories(examples))
    dense, texts = features.matrix, [e.text for e in examples]
    labels = np.array([[code in e.codes for code in CODES] for e in examples])
    slices = np.array([e.conv.split("-")[0] for e in examples])
    results = []
    for name in sorted(set(slices)):
        train_idx, held_idx = np.flatnonzero(slices != name), np.flatnonzero(slices == name)
        fold = _model(dense[train_idx], [texts[i] for i in train_idx])
        fold.embedding_dim = dim
        x_train = fold.design(dense[train_idx], [texts[i] for i in train_idx])
        x_held = fold.design(dense[held_idx], [texts[i] for i in held_idx])
        c_of = model.info.get("cross_validation", {})
        predicted = np.zeros((len(held_idx), len(CODES)), dtype=bool)
        for column, code in enumerate(CODES):
            c = c_of.get(code, {}).get("C", 0.1)
            probs = _logistic(c).fit(x_train, labels[train_idx, column]).predict_proba(x_held)[:, 1]
            predicted[:, column] = probs >= model.thresholds[code]
        gold = [examples[i].codes for i in held_idx]
        said = [frozenset(code for code, on in zip(CODES, row, strict=True) if on) for row in predicted]
        results.append((name, gold, said))
    return results


def fingerprint(examples: Sequence[Example]) -> str:
    """Changes when the training data, the coder's code or scikit-learn change."""
    import sklearn

    digest = hashlib.sha256(f"format {MODEL_FORMAT} sklearn {sklearn.__version__}".encode())
    for e in examples:
        digest.update(json.dumps([e.conv, e.context, e.text, sorted(e.codes)]).encode())
    for name in CODE_MODULES:
        digest.update(Path(importlib.util.find_spec(name).origin).read_bytes())
    return digest.hexdigest()


def save(model: CoderModel, folder: Path, meta: dict[str, Any]) -> None:
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{MODEL_NAME}.tmp"
    joblib.dump(model, tmp)
    tmp.replace(folder / MODEL_NAME)
    (folder / META_NAME).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def run_training(if_stale: bool = False, log: Log = print) -> int:
    """`python -m evals train`: fits on the training split and writes the model."""
    from evals.coding.classifier import read_meta
    from evals.harness.dataset import DatasetError, load_all, split
    from simulator.core.embeddings import EMBEDDING_DIM, embedding_function
    from simulator.core.settings import Settings

    settings = Settings.from_env()
    try:
        train, test = split(load_all())
    except DatasetError as err:
        log(f"error: {err}")
        return 1
    stamp = fingerprint(train)
    folder = model_dir(settings)
    meta = read_meta(settings)
    if if_stale and meta and meta.get("fingerprint") == stamp and (folder / MODEL_NAME).is_file():
        log(f"The trained coder in {folder} is up to date.")
        return 0
    log(f"Training the coder on {len(train)} turns (the {len(test)} test turns are not used)…")
    start = time.perf_counter()
    model = fit(train, Featurizer(embedding_function(settings)), dim=EMBEDDING_DIM, log=log)
    save(model, folder, {"fingerprint": stamp, "trained_s": round(time.perf_counter() - start, 1), **model.info})
    log(f"Wrote {folder / MODEL_NAME} in {time.perf_counter() - start:.0f} s.")
    return 0
