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

Coaches' code corrections exported by `python -m evals.dataset export-corrections`
(evals/harness/corrections.py) join the training split when the file exists: their
training part only, drawn per coachee by the split's hash rule; their test part is held
out like the test split (`--corrections PATH` names another file, `--no-corrections`
leaves them out).

Set-up runs `python -m evals train --if-stale`, which trains only when the training data
(corrections included), this code or scikit-learn changed since the model on disk was trained.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evals.coding.classifier import META_NAME, MODEL_FORMAT, MODEL_NAME, CoderModel, model_dir, ngram_text
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
    lowered = [ngram_text(t) for t in texts]
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


def coder_trained_on(examples: Sequence[Example], settings: Any, cache: str, log: Log = print) -> Any:
    """A TrainedCoder fitted on exactly `examples`: the installed model when its fingerprint
    says so, else one an earlier run kept in `<model dir>/<cache>/`, else one fitted now (as
    `python -m evals train` would) and kept there for the next run."""
    import joblib

    from evals.coding.classifier import TrainedCoder
    from simulator.core.embeddings import EMBEDDING_DIM, embedding_function

    stamp, embed = fingerprint(examples), embedding_function(settings)
    kept = model_dir(settings) / cache
    for folder in (model_dir(settings), kept):
        try:
            meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
            if meta.get("fingerprint") == stamp:
                return TrainedCoder(joblib.load(folder / MODEL_NAME), embed)
        except Exception:  # noqa: BLE001 - none there, or unreadable or outdated (CoderUnavailable): look on
            continue
    log(f"  fitting a coder on {len(examples)} turns for the comparison (kept in {kept} for the next run)…")
    start = time.perf_counter()
    model = fit(examples, Featurizer(embed), dim=EMBEDDING_DIM, log=lambda _: None)
    save(model, kept, {"fingerprint": stamp, "trained_s": round(time.perf_counter() - start, 1), **model.info})
    return TrainedCoder(model, embed)


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


@dataclass(frozen=True)
class TrainingData:
    """The labelled split, and a coach-corrections file's split (evals/harness/corrections.py)."""

    labelled: list[Example]  # the labelled training split
    test: list[Example]  # the labelled test split
    corrections: Path | None = None
    added: list[Example] = field(default_factory=list)  # the corrections' training part
    held: list[Example] = field(default_factory=list)  # their test part, held out like the test split

    @property
    def train(self) -> list[Example]:
        return self.labelled + self.added


def training_data(corrections: Path | None = None) -> TrainingData:
    """The labelled data split by split.json, and `corrections` (a file) split by its own rule."""
    from evals.harness.corrections import load_corrections, split_corrections
    from evals.harness.dataset import load_all, split

    train, test = split(load_all())
    if corrections is None:
        return TrainingData(train, test)
    added, held = split_corrections(load_corrections(corrections))
    return TrainingData(train, test, corrections, added, held)


def run_training(
    if_stale: bool = False, log: Log = print, corrections: Path | None = None, use_corrections: bool = True
) -> int:
    """`python -m evals train`: fits on the training split (and the training part of the coach
    corrections: `corrections`, else the exported file if there is one, unless `use_corrections`
    is off) and writes the model."""
    from evals.coding.classifier import read_meta
    from evals.harness.corrections import default_corrections
    from evals.harness.dataset import DatasetError
    from simulator.core.embeddings import EMBEDDING_DIM, embedding_function
    from simulator.core.settings import Settings

    settings = Settings.from_env()
    try:
        data = training_data(default_corrections(settings, corrections, use=use_corrections))
    except DatasetError as err:
        log(f"error: {err}")
        return 1
    if data.corrections is not None:
        log(
            f"Coach corrections from {data.corrections}: {len(data.added)} turns added to training, "
            f"{len(data.held)} held out for test."
        )
    train = data.train
    stamp = fingerprint(train)
    folder = model_dir(settings)
    meta = read_meta(settings)
    if if_stale and meta and meta.get("fingerprint") == stamp and (folder / MODEL_NAME).is_file():
        log(f"The trained coder in {folder} is up to date.")
        return 0
    log(f"Training the coder on {len(train)} turns (the {len(data.test) + len(data.held)} test turns are not used)…")
    start = time.perf_counter()
    model = fit(train, Featurizer(embedding_function(settings)), dim=EMBEDDING_DIM, log=log)
    model.info["corrections"] = {"file": str(data.corrections), "turns": len(data.added)} if data.corrections else None
    save(model, folder, {"fingerprint": stamp, "trained_s": round(time.perf_counter() - start, 1), **model.info})
    log(f"Wrote {folder / MODEL_NAME} in {time.perf_counter() - start:.0f} s.")
    return 0
