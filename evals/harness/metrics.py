"""Agreement between coders: per-code precision, recall and F1, and which codes get confused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.core.codes import CODES


@dataclass(frozen=True)
class CodeAgreement:
    code: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


@dataclass(frozen=True)
class Agreement:
    per_code: dict[str, CodeAgreement]
    turns: int
    exact: int  # turns whose whole code set matches
    confusions: Counter[tuple[str, str]]  # (gold code missed, code predicted instead) on the same turn

    @property
    def macro_f1(self) -> float:
        present = [a for a in self.per_code.values() if a.support]
        return sum(a.f1 for a in present) / len(present) if present else 0.0

    @property
    def micro_f1(self) -> float:
        tp = sum(a.tp for a in self.per_code.values())
        fp = sum(a.fp for a in self.per_code.values())
        fn = sum(a.fn for a in self.per_code.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def exact_share(self) -> float:
        return self.exact / self.turns if self.turns else 0.0


def agreement(gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]) -> Agreement:
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted code sets differ in length")
    counts = {code: [0, 0, 0] for code in CODES}
    confusions: Counter[tuple[str, str]] = Counter()
    exact = 0
    for g, p in zip(gold, predicted, strict=True):
        exact += g == p
        for code in CODES:
            if code in g and code in p:
                counts[code][0] += 1
            elif code in p:
                counts[code][1] += 1
            elif code in g:
                counts[code][2] += 1
        for missed in g - p:
            for instead in p - g:
                confusions[(missed, instead)] += 1
    per_code = {code: CodeAgreement(code, *counts[code]) for code in CODES}
    return Agreement(per_code, len(gold), exact, confusions)
