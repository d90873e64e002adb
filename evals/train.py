"""Training the offline coder on the training split: `python -m evals train`.

For each code, a logistic regression (scikit-learn) over the standardised features of
evals/features.py. Its regularisation strength and decision threshold are chosen by
cross-validation inside the training split, folded by conversation so that turns of one
conversation never sit on both sides. The test split is not read here at all.

Among thresholds whose cross-validated F1 is within `THRESHOLD_SLACK` of the best, the
highest is kept: following MITI, a missing code beats a wrong one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.classifier import MODEL_FILE, MODEL_FORMAT
from evals.codes import CODES
from evals.dataset import Example
from evals.features import Featurizer

C_GRID = (0.01, 0.03, 0.1, 0.3)
FOLDS = 5
THRESHOLD_SLACK = 0.01
THRESHOLDS = np.round(np.arange(0.2, 0.86, 0.025), 3)
SEED = 7


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


def _out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    probabilities = np.zeros(len(y))
    for train_idx, held_idx in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        if y[train_idx].all() or not y[train_idx].any():
            probabilities[held_idx] = float(y[train_idx].mean())
            continue
        model = _logistic(c).fit(x[train_idx], y[train_idx])
        probabilities[held_idx] = model.predict_proba(x[held_idx])[:, 1]
    return probabilities


def fit(examples: Sequence[Example], featurizer: Featurizer, *, dim: int, log=print) -> dict[str, Any]:  # noqa: ANN001
    """The model dictionary that evals/classifier.py loads, trained on `examples`."""
    from sklearn.preprocessing import StandardScaler

    features = featurizer.featurize([(e.text, e.context) for e in examples])
    scaler = StandardScaler().fit(features.matrix)
    scale = np.where(scaler.scale_ > 1e-6, scaler.scale_, 1.0)
    x = (features.matrix - scaler.mean_) / scale
    groups = np.array([e.conv for e in examples])
    codes: dict[str, Any] = {}
    fits = []
    for code in CODES:
        y = np.array([code in e.codes for e in examples])
        tried = []
        for c in C_GRID:
            oof = _out_of_fold(x, y, groups, c)
            threshold, f1 = best_threshold(y, oof)
            tried.append((f1, -c, c, threshold))
        f1, _, c, threshold = max(tried)
        model = _logistic(c).fit(x, y)
        codes[code] = {
            "coef": [round(float(v), 6) for v in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 6),
            "threshold": threshold,
        }
        fits.append(CodeFit(code, c, threshold, f1, int(y.sum())))
        log(f"  {code:<20} positives {int(y.sum()):>4}  C={c:<5} threshold={threshold:.3f}  cv F1={f1:.3f}")
    return {
        "format": MODEL_FORMAT,
        "embedding_dim": dim,
        "feature_names": featurizer.names(dim),
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scale],
        "codes": codes,
        "cross_validation": {f.code: {"f1": round(f.cv_f1, 4), "C": f.c, "positives": f.positives} for f in fits},
        "trained_on": {
            "turns": len(examples),
            "conversations": len(set(groups)),
            "data_sha256": data_fingerprint(examples),
        },
    }


def data_fingerprint(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.conv, e.context, e.text, sorted(e.codes)]).encode())
    return digest.hexdigest()


def save(model: dict[str, Any], path: Path = MODEL_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")


def run_training(log=print) -> int:  # noqa: ANN001
    """`python -m evals train`: fits on the training split and writes the model file."""
    from evals.dataset import DatasetError, load_all, split
    from simulator.config import Settings
    from simulator.embeddings import EMBEDDING_DIM, embedding_function

    try:
        train, test = split(load_all())
    except DatasetError as err:
        log(f"error: {err}")
        return 1
    log(f"training on {len(train)} turns ({len(test)} test turns are not read)")
    featurizer = Featurizer(embedding_function(Settings.from_env()))
    model = fit(train, featurizer, dim=EMBEDDING_DIM, log=log)
    save(model)
    log(f"wrote {MODEL_FILE}")
    return 0
