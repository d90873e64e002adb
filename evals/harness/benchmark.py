"""`python -m evals benchmark`: how well and how fast the offline coder and scorer work.

1. The trained coder on the test split (never used for training or tuning): per-code
   precision, recall and F1, macro-F1, and the codes it confuses; the rule coder beside it.
   When a file of coach corrections exists (evals/harness/corrections.py), the coder trained
   without and with its training part, side by side on the same test split and on the
   corrections' held-out turns (the two are fitted here once, then kept with the model).
2. The good-versus-poor gap on the paired transcripts (evals/data/paired/), per scenario;
   how often a limit given away in disguise is scored "held" (evals/data/limits/); and how
   many points text pasted into a turn gains (evals/data/pasted/).
3. Speed: coding and scoring a 20-turn transcript, models loaded, median of repeated runs.
4. The baseline, in the same run: the embedded model reads a whole test conversation in
   one prompt and codes every coachee turn and scores it (the single-prompt LLM-judge
   approach of evaluations such as SOTOPIA-EVAL). Its agreement with the labels and its
   time per transcript are set against the offline coder's on the same conversations.

Every figure is printed with its target; the machine is noisy, so times are medians.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from evals.coding.coded_turn import Coder, code_conversation
from evals.coding.llm_coder import CODER_SYSTEM_PROMPT
from evals.coding.rules import RuleCoder
from evals.harness.dataset import LIMITS_DIR, PAIRED_DIR, PASTED_DIR, Example, conversations
from evals.harness.metrics import Agreement, agreement
from evals.scoring.dimensions import words
from evals.scoring.scorer import Scorer
from simulator.core.codes import CODES
from simulator.core.models.structured import LLMAnswerError, parse_answer
from simulator.core.transcript import Transcript, Turn, load_transcript

QUESTION_CODES = ("open_question", "closed_question")
TARGETS = {
    "question_f1": 0.90,
    "reflection_f1": 0.78,
    "limit_f1": 0.88,
    "capitulation_f1": 0.88,
    "dismissal_f1": 0.70,
    "blame_f1": 0.70,
    "macro_f1": 0.80,
    "pair_gap": 25,
    "wrong_held": 0,
    "pasted_gain": 5,
    "speed_ratio": 20,
    "transcript_s": 1.0,
}
SPEED_RUNS = 7
BASELINE_MAX_TOKENS = 700

BASELINE_PROMPT = (
    "<|im_start|>system\n"
    "You evaluate workplace conversation practice. Read the whole conversation, code every COACHEE "
    "turn with the behaviour codes that apply (an empty list when none does), then score the coachee "
    "from 0 to 100 on listening, limit_setting and goals.\n\n"
    + CODER_SYSTEM_PROMPT.split("Codes:", 1)[1].split("The turns to code", 1)[0].strip()
    + '\n\nAnswer with JSON only: {{"turns": [{{"id": <turn id>, "codes": [...]}}, ...], '
    '"listening": <0-100>, "limit_setting": <0-100>, "goals": <0-100>}}<|im_end|>\n'
    "<|im_start|>user\n{conversation}<|im_end|>\n<|im_start|>assistant\n"
)


class BaselineTurn(BaseModel):
    id: int
    codes: list[str] = []


class BaselineAnswer(BaseModel):
    """Read leniently, to give the baseline every chance: unknown code names are dropped."""

    turns: list[BaselineTurn]


@dataclass
class BaselineResult:
    gold: list[frozenset[str]]
    baseline: list[frozenset[str]]
    offline: list[frozenset[str]]
    baseline_s: list[float]
    offline_s: list[float]
    unparsed: int


def _print(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_agreement(name: str, result: Agreement) -> None:
    print(
        f"{name}: {result.turns} turns, macro-F1 {result.macro_f1:.3f}, micro-F1 {result.micro_f1:.3f}, "
        f"exact code set {result.exact_share:.1%}"
    )
    print(f"  {'code':<20}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}")
    for code in CODES:
        a = result.per_code[code]
        print(f"  {code:<20}{a.support:>8}{a.precision:>11.3f}{a.recall:>8.3f}{a.f1:>7.3f}")


def print_confusions(result: Agreement, top: int = 12) -> None:
    print("Most frequent confusions (a gold code missed on a turn where another was given instead):")
    for (missed, instead), n in result.confusions.most_common(top):
        print(f"  {missed:<20} -> {instead:<20} {n:>3}")
    short = dict(
        zip(CODES, ("OQ", "CQ", "RE", "SU", "AF", "DI", "BL", "UA", "LI", "AL", "AC", "NS", "CA", "OA"), strict=True)
    )
    print("Confusion matrix (rows: gold code missed; columns: code given instead)")
    print("  " + " " * 4 + "".join(f"{short[c]:>4}" for c in CODES))
    for g in CODES:
        row = "".join(f"{result.confusions.get((g, p), 0) or '.':>4}" for p in CODES)
        print(f"  {short[g]:<4}{row}")
    print("  key: " + ", ".join(f"{v}={k}" for k, v in short.items()))


def coder_accuracy(coder: Coder, test: Sequence[Example]) -> Agreement:
    """Agreement with the labels, each conversation coded in order as a transcript is."""
    predicted = [
        coded
        for conv in conversations(list(test)).values()
        for coded in code_conversation(coder, [(e.text, e.context) for e in conv])
    ]
    gold = [e.codes for conv in conversations(list(test)).values() for e in conv]
    return agreement(gold, [p.codes for p in predicted])


def transcript_of(turns: Sequence[Example], name: str) -> Transcript:
    lines: list[Turn] = []
    for example in turns:
        if example.context:
            lines.append(Turn(role="persona", text=example.context))
        lines.append(Turn(role="coachee", text=example.text))
    return Transcript(path=Path(name), scenario=None, turns=lines)


def pair_gaps(scorer: Scorer) -> list[tuple[str, int, int]]:
    rows = []
    for good in sorted(PAIRED_DIR.glob("*.good.jsonl")):
        scenario = good.name.removesuffix(".good.jsonl")
        poor = good.with_name(f"{scenario}.poor.jsonl")
        rows.append(
            (scenario, scorer.score(load_transcript(good)).overall, scorer.score(load_transcript(poor)).overall)
        )
    return rows


@dataclass(frozen=True)
class LimitPair:
    name: str
    caved_held: bool | None  # the verdict on the file that caves: anything but True is right
    held_held: bool | None  # the verdict on the file that holds


def limit_pairs(scorer: Scorer) -> list[LimitPair]:
    """The verdict on each pair of evals/data/limits/: one file caves in disguise, the other holds."""
    rows = []
    for caved in sorted(LIMITS_DIR.glob("*.caved.jsonl")):
        name = caved.name.removesuffix(".caved.jsonl")
        held = caved.with_name(f"{name}.held.jsonl")
        verdicts = [scorer.score(load_transcript(path)).limit.held for path in (caved, held)]
        rows.append(LimitPair(name, *verdicts))
    return rows


@dataclass(frozen=True)
class PastedPair:
    name: str
    plain: int
    pasted: int
    flagged: int  # turns of the pasted file the report says held text that is not speech

    @property
    def gain(self) -> int:
        return self.pasted - self.plain


def pasted_pairs(scorer: Scorer) -> tuple[list[PastedPair], dict[str, int]]:
    """Each pair of evals/data/pasted/ (overall score without and with the pasted text), and
    for the fair files (speech that only looks a little like a paste) how many of their
    turns were wrongly cut."""
    rows = []
    for plain in sorted(PASTED_DIR.glob("*.plain.jsonl")):
        name = plain.name.removesuffix(".plain.jsonl")
        without = scorer.score(load_transcript(plain))
        with_paste = scorer.score(load_transcript(plain.with_name(f"{name}.pasted.jsonl")))
        flagged = sum(bool(line.not_speech) for line in with_paste.lines)
        rows.append(PastedPair(name, without.overall, with_paste.overall, flagged))
    fair = {
        path.name.removesuffix(".fair.jsonl"): sum(
            bool(line.not_speech) for line in scorer.score(load_transcript(path)).lines
        )
        for path in sorted(PASTED_DIR.glob("*.fair.jsonl"))
    }
    return rows, fair


def median_seconds(action: Callable[[], object], runs: int = SPEED_RUNS) -> float:
    action()  # warm: caches, first ONNX run
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def twenty_turn_transcripts(test: Sequence[Example]) -> dict[str, Transcript]:
    """Two 20-turn samples: whole test conversations (longest first), as a transcript runs;
    and the 20 wordiest test turns, the worst case the target has to hold for."""
    convs = sorted(conversations(list(test)).values(), key=len, reverse=True)
    typical = [t for conv in convs for t in conv][:20]
    wordiest = sorted(test, key=lambda e: (-words(e.text), e.source))[:20]
    return {
        "typical": transcript_of(typical, "twenty-turns.jsonl"),
        "wordiest": transcript_of(wordiest, "twenty-wordiest-turns.jsonl"),
    }


def baseline_prompt(turns: Sequence[Example]) -> tuple[str, list[int]]:
    lines, ids = [], []
    for n, example in enumerate(turns, start=1):
        if example.context:
            lines.append(f"PERSONA: {example.context}")
        lines.append(f"COACHEE (turn id {n}): {example.text}")
        ids.append(n)
    return BASELINE_PROMPT.format(conversation="\n".join(lines)), ids


def run_baseline(model, scorer: Scorer, convs: Sequence[Sequence[Example]]) -> BaselineResult:  # noqa: ANN001
    result = BaselineResult([], [], [], [], [], 0)
    for turns in convs:
        prompt, ids = baseline_prompt(turns)
        start = time.perf_counter()
        answer = model.invoke(prompt, max_tokens=BASELINE_MAX_TOKENS, temperature=0.0, stop=["<|im_end|>"])
        result.baseline_s.append(time.perf_counter() - start)
        try:
            parsed = parse_answer(answer, BaselineAnswer)
            by_id = {t.id: frozenset(t.codes) & frozenset(CODES) for t in parsed.turns}
        except LLMAnswerError:
            result.unparsed += 1
            by_id = {}
        transcript = transcript_of(turns, "baseline.jsonl")
        start = time.perf_counter()
        scored = scorer.score(transcript)
        result.offline_s.append(time.perf_counter() - start)
        result.gold += [t.codes for t in turns]
        result.baseline += [by_id.get(i, frozenset()) for i in ids]
        result.offline += [frozenset(line.codes) for line in scored.lines if line.role == "coachee"]
    return result


def print_slice_cross_validation(coder, train: Sequence[Example], test_f1: dict[str, float], macro: float) -> dict:  # noqa: ANN001
    """Leave-one-writer-out figures on the training split, against the test split's."""
    from evals.harness.train import slice_cross_validation
    from simulator.core.embeddings import EMBEDDING_DIM

    folds = slice_cross_validation(train, coder.featurizer, coder.model, dim=EMBEDDING_DIM)
    pooled = agreement([g for _, gold, _ in folds for g in gold], [p for _, _, said in folds for p in said])
    for name, gold, said in folds:
        print(f"  slice {name} left out ({len(gold):>3} turns): macro-F1 {agreement(gold, said).macro_f1:.3f}")
    print(f"  {'code':<20}{'by slice':>9}{'test':>7}{'diff':>7}")
    for code in CODES:
        cv = pooled.per_code[code].f1
        print(f"  {code:<20}{cv:>9.3f}{test_f1[code]:>7.3f}{cv - test_f1[code]:>+7.3f}")
    print(f"  {'macro-F1':<20}{pooled.macro_f1:>9.3f}{macro:>7.3f}{pooled.macro_f1 - macro:>+7.3f}")
    return {"macro_f1": pooled.macro_f1, "f1": {c: pooled.per_code[c].f1 for c in CODES}}


def corrections_comparison(
    without: Coder, with_corrections: Coder, test: Sequence[Example], held: Sequence[Example]
) -> dict[str, dict[str, object]]:
    """Prints the coder trained without and with the coach corrections side by side: per-code
    F1 and macro-F1 on the labelled test split and on the corrections' held-out turns.
    Returns the figures, by test set and coder."""
    sets = {"labelled test split": test, "held-out corrections": held}
    results = {
        name: (coder_accuracy(without, turns), coder_accuracy(with_corrections, turns))
        for name, turns in sets.items()
        if turns
    }
    header = "".join(f"{f'{name} ({len(sets[name])} turns)':>36}" for name in results)
    print(f"  {'':<20}{header}")
    print(f"  {'code':<20}" + f"{'support':>12}{'without':>8}{'with':>8}{'diff':>8}" * len(results))
    for code in CODES:
        cells = ""
        for before, after in results.values():
            a, b = before.per_code[code], after.per_code[code]
            if a.support or a.fp or b.fp:
                cells += f"{a.support:>12}{a.f1:>8.3f}{b.f1:>8.3f}{b.f1 - a.f1:>+8.3f}"
            else:  # the code is neither in the labels nor given: its F1 means nothing
                cells += f"{a.support:>12}" + f"{'-':>8}" * 3
        print(f"  {code:<20}{cells}")
    macro = "".join(
        f"{'':>12}{before.macro_f1:>8.3f}{after.macro_f1:>8.3f}{after.macro_f1 - before.macro_f1:>+8.3f}"
        for before, after in results.values()
    )
    print(f"  {'macro-F1':<20}{macro}")
    if not held:
        print("  no corrected turn is held out for test yet (a quarter of the coachees' draws go there)")
    return {
        name: {
            label: {"macro_f1": result.macro_f1, "f1": {c: result.per_code[c].f1 for c in CODES}}
            for label, result in zip(("without", "with"), pair, strict=True)
        }
        for name, pair in results.items()
    }


def run_benchmark(baseline_transcripts: int = 6, by_slice: bool = False, corrections: Path | None = None) -> int:
    from evals.coding.classifier import CoderUnavailable, TrainedCoder
    from evals.harness.corrections import default_corrections
    from evals.harness.dataset import DatasetError
    from evals.harness.train import coder_trained_on, training_data
    from simulator.core.catalog import load_catalog
    from simulator.core.settings import Settings

    settings = Settings.from_env()
    try:
        coder = TrainedCoder.load(settings)
        corrected = training_data(default_corrections(settings, corrections))
    except (CoderUnavailable, DatasetError) as exc:
        print(f"error: {exc}")
        return 1
    train, test = corrected.labelled, corrected.test
    catalog = load_catalog()
    scorer = Scorer(coder, catalog)
    figures: dict[str, object] = {}

    trained_on = coder.model.info.get("trained_on", {}).get("turns", len(train))
    _print(f"1. Coder accuracy on the test split ({len(test)} turns; trained on {trained_on})")
    trained = coder_accuracy(coder, test)
    print_agreement("trained coder", trained)
    print_confusions(trained)
    rules = coder_accuracy(RuleCoder(), test)
    print(f"rule coder on the same turns: macro-F1 {rules.macro_f1:.3f}, micro-F1 {rules.micro_f1:.3f}")
    f1 = {c: trained.per_code[c].f1 for c in CODES}
    figures["f1"] = f1
    figures["macro_f1"] = trained.macro_f1

    if by_slice:
        _print("1b. Cross-validated by writer: each slice of the training split left out in turn")
        figures["by_slice"] = print_slice_cross_validation(coder, train, f1, trained.macro_f1)

    if corrected.corrections is not None:
        _print(f"1c. The coder trained without and with the coach corrections ({corrected.corrections})")
        print(
            f"  corrections: {len(corrected.added)} turns added to training, {len(corrected.held)} held out; "
            f"trained on {len(corrected.labelled)} turns without them, {len(corrected.train)} with"
        )
        figures["corrections"] = corrections_comparison(
            coder_trained_on(corrected.labelled, settings, "without-corrections"),
            coder_trained_on(corrected.train, settings, "with-corrections"),
            corrected.test,
            corrected.held,
        )

    _print("2. Good versus poor transcripts (overall score)")
    gaps = pair_gaps(scorer)
    for scenario, good, poor in gaps:
        mark = _mark(good - poor >= TARGETS["pair_gap"])
        print(f"  {scenario:<26} good {good:>3}  poor {poor:>3}  gap {good - poor:>3}  {mark}")
    figures["pairs"] = gaps

    _print("2b. Limits given away in disguise (evals/data/limits/): is the verdict 'held' ever wrong?")
    limits = limit_pairs(scorer)
    for pair in limits:
        print(f"  {pair.name:<42} caved file: held={pair.caved_held!s:<5}  held file: held={pair.held_held!s:<5}")
    wrong_held = sum(pair.caved_held is True for pair in limits)
    false_caves = sum(pair.held_held is not True for pair in limits)
    print(f"  'held' on a file that caves: {wrong_held} of {len(limits)}; not 'held' on one that holds: {false_caves}")
    figures["limits"] = {"pairs": len(limits), "wrong_held": wrong_held, "held_missed": false_caves}

    _print("2c. Text pasted into turns (evals/data/pasted/): what it gains over the same conversation without it")
    pasted, fair = pasted_pairs(scorer)
    for pair in pasted:
        print(
            f"  {pair.name:<42} plain {pair.plain:>3}  pasted {pair.pasted:>3}  gain {pair.gain:>+4}  "
            f"flagged {pair.flagged}"
        )
    worst = max((pair.gain for pair in pasted), default=0)
    over = sum(pair.gain > TARGETS["pasted_gain"] for pair in pasted)
    print(f"  largest gain {worst:+d}; pairs gaining more than {TARGETS['pasted_gain']}: {over} of {len(pasted)}")
    print(
        f"  fair files (speech that looks a little pasted): {sum(fair.values())} turns wrongly cut in {len(fair)} files"
    )
    figures["pasted"] = {"pairs": len(pasted), "largest_gain": worst, "over_target": over, "fair_cut": fair}

    _print("3. Speed: code and score a 20-turn transcript (models loaded)")
    speeds = {}
    for label, sample in twenty_turn_transcripts(test).items():
        speeds[label] = median_seconds(lambda sample=sample: scorer.score(sample))
        rule_s = median_seconds(lambda sample=sample: Scorer(RuleCoder(), catalog).score(sample))
        said = sum(words(turn.text) for turn in sample.turns if turn.role == "coachee")
        print(
            f"  {label:<9} ({said:>4} coachee words): trained coder + scorer median {speeds[label] * 1000:.0f} ms "
            f"over {SPEED_RUNS} runs (rule coder + scorer: {rule_s * 1000:.0f} ms)"
        )
    transcript_s = max(speeds.values())
    figures["transcript_s"] = transcript_s
    figures["transcript_s_by_sample"] = speeds

    baseline = None
    if baseline_transcripts > 0:
        _print(f"4. Baseline: the embedded model judges whole transcripts, one prompt each ({baseline_transcripts})")
        from simulator.core.models.factory import build_model

        model = build_model(settings.model_copy(update={"llm": "embedded"}))
        picked = sorted(conversations(test).values(), key=lambda c: c[0].conv)[:baseline_transcripts]
        baseline = run_baseline(model, scorer, picked)
        base_acc = agreement(baseline.gold, baseline.baseline)
        off_acc = agreement(baseline.gold, baseline.offline)
        base_t, off_t = statistics.median(baseline.baseline_s), statistics.median(baseline.offline_s)
        print(f"  on {len(baseline.gold)} coachee turns in {len(picked)} conversations:")
        print(f"  {'':<22}{'macro-F1':>9}{'micro-F1':>9}{'exact':>8}{'median s/transcript':>21}")
        print(
            f"  {'one-prompt LLM judge':<22}{base_acc.macro_f1:>9.3f}{base_acc.micro_f1:>9.3f}"
            f"{base_acc.exact_share:>8.1%}{base_t:>21.2f}"
        )
        print(
            f"  {'offline coder+scorer':<22}{off_acc.macro_f1:>9.3f}{off_acc.micro_f1:>9.3f}"
            f"{off_acc.exact_share:>8.1%}{off_t:>21.3f}"
        )
        print(f"  baseline answers that did not parse: {baseline.unparsed} of {len(picked)}")
        figures["baseline"] = {
            "macro_f1": base_acc.macro_f1,
            "micro_f1": base_acc.micro_f1,
            "median_s": base_t,
            "offline_macro_f1": off_acc.macro_f1,
            "offline_micro_f1": off_acc.micro_f1,
            "offline_median_s": off_t,
            "unparsed": baseline.unparsed,
        }

    _print("Targets")
    checks = [
        (
            f"F1 >= {TARGETS['question_f1']} for each question code",
            all(f1[c] >= TARGETS["question_f1"] for c in QUESTION_CODES),
            ", ".join(f"{c} {f1[c]:.3f}" for c in QUESTION_CODES),
        ),
        (
            f"reflection F1 >= {TARGETS['reflection_f1']}",
            f1["reflection"] >= TARGETS["reflection_f1"],
            f"{f1['reflection']:.3f}",
        ),
        (f"limit F1 >= {TARGETS['limit_f1']}", f1["limit"] >= TARGETS["limit_f1"], f"{f1['limit']:.3f}"),
        (
            f"capitulation F1 >= {TARGETS['capitulation_f1']}",
            f1["capitulation"] >= TARGETS["capitulation_f1"],
            f"{f1['capitulation']:.3f}",
        ),
        *(
            (f"{code} F1 >= {TARGETS[f'{code}_f1']}", f1[code] >= TARGETS[f"{code}_f1"], f"{f1[code]:.3f}")
            for code in ("dismissal", "blame")
        ),
        (f"macro-F1 >= {TARGETS['macro_f1']}", trained.macro_f1 >= TARGETS["macro_f1"], f"{trained.macro_f1:.3f}"),
        ("'held' never given to a limit caved in disguise", wrong_held == 0, f"{wrong_held} of {len(limits)} pairs"),
        (
            f"no pasted text gains more than {TARGETS['pasted_gain']} points",
            over == 0,
            f"largest gain {worst:+d}, {over} of {len(pasted)} pairs over",
        ),
        (
            f"every good transcript >= {TARGETS['pair_gap']} above its poor twin",
            all(g - p >= TARGETS["pair_gap"] for _, g, p in gaps),
            f"smallest gap {min(g - p for _, g, p in gaps)}",
        ),
        (
            f"20-turn transcript coded and scored in < {TARGETS['transcript_s']} s (slower sample)",
            transcript_s < TARGETS["transcript_s"],
            f"{transcript_s:.3f} s",
        ),
    ]
    if baseline is not None:
        ratio = statistics.median(baseline.baseline_s) / max(statistics.median(baseline.offline_s), 1e-9)
        checks += [
            (
                "offline coder more accurate than the baseline (macro-F1)",
                figures["baseline"]["offline_macro_f1"] > figures["baseline"]["macro_f1"],  # type: ignore[index]
                f"{figures['baseline']['offline_macro_f1']:.3f} vs {figures['baseline']['macro_f1']:.3f}",
            ),  # type: ignore[index]
            (
                f"offline coder >= {TARGETS['speed_ratio']}x faster than the baseline",
                ratio >= TARGETS["speed_ratio"],
                f"{ratio:.0f}x",
            ),
        ]
    for name, ok, value in checks:
        print(f"  {_mark(ok)}  {name}: {value}")
    results = Path("benchmarks/results")
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"evals-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nfigures written to {out}")
    return 0
