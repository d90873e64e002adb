"""The rule coder: one coachee line into the rubric's behaviour codes, by lexicon and form.

`RuleCoder` is a fast, offline, deterministic coder built from hand-written
lexicons (regular expressions, kept as data in evals/coding/wordlists.py) and a few light
linguistic features:

* the text is split into sentences and clauses, and leading fillers ("okay,",
  "so", "but") are skipped, so that forms can be judged at a clause's start;
* each question is classified by its form (wh-word, auxiliary verb, either/or,
  indirect "tell me ..."), and questions that are really advice, accusations,
  checks ("is that right?"), tags ("okay?") or suggestions ("how about we")
  are told apart, following the conventions in docs/rubric.md;
* every other code has its own lexicon, searched in the whole turn; patterns
  use only bounded gaps (``[^.!?]{0,60}``), never nested unbounded
  quantifiers, so a 20,000-character turn stays fast;
* a resolution step applies the rubric's hard-case conventions (a summary is
  not also a reflection, a limit undone in the same breath is capitulation
  only, a substitute offer's date is not a next step, advice the persona asked
  for is not unsolicited, ...);
* the persona's previous line (`context`) is used where it helps: advice that
  was asked for, a bare "fine" after a demand, a question echoed back.

Following MITI, the coder leaves a code out when unsure. Each code comes with
a cue: the short span of the text that triggered it, as evidence for coaches.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from evals.coding import wordlists as lex
from evals.coding.coded_turn import CodedTurn
from simulator.core.codes import CODES
from simulator.core.text import Span, clip, sentence_spans, trim_span

__all__ = ["RuleCoder"]


# ---------------------------------------------------------------------------------
# Limits. The lexicons themselves are data, in evals/coding/wordlists.py.
# ---------------------------------------------------------------------------------

MAX_CUE_CHARS = 120
MAX_SENTENCE_CHARS = 400
MAX_SENTENCES = 200  # sentence-level features look at this many; lexicon searches see the whole text

_NORMALISE = str.maketrans(  # one character for one, so spans found here index the original text
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u0130": "I"}
)


# ---------------------------------------------------------------------------------
# Compiled lexicons (names are stable feature keys) and small helpers
# ---------------------------------------------------------------------------------


def _compile(patterns: str | Iterable[str], word_start: bool = False) -> re.Pattern[str]:
    """One alternation over lowercased text; a literal space in a pattern matches any whitespace.

    `word_start` puts one shared \\b in front, so that a search over a long text skips
    positions inside words without trying every alternative there.
    """
    if isinstance(patterns, str):
        patterns = (patterns,)
    joined = "|".join(f"(?:{p})" for p in patterns).replace(" ", r"\s+")
    return re.compile(rf"\b(?:{joined})" if word_start else joined)


_SEARCHED = lex.word_set(  # lexicons searched over whole texts or sentences
    "sarcasm dismissal blame advice advice_request limit capitulation_undo capitulation_concession demand"
    " alternative next_step date acknowledge apology self_blame affirm_strong affirm_needs_praise praise"
    " summary_marker open_indirect"
)
_RX = {
    name: _compile(value, word_start=name in _SEARCHED)
    for name, value in {
        "filler": lex.FILLER,
        "auxiliary": lex.AUXILIARY,
        "wh_word": lex.WH_WORD,
        "tag_only": lex.TAG_ONLY,
        "tag_end": lex.TAG_END,
        "check": lex.CHECK_QUESTION,
        "suggestion": lex.SUGGESTION_QUESTION,
        "polite_open": lex.POLITE_OPEN,
        "closed_fact": lex.CLOSED_FACT,
        "closed_other": lex.CLOSED_OTHER,
        "open_indirect": lex.OPEN_INDIRECT,
        "no_mark_question": lex.NO_MARK_QUESTION_START,
        "reflection": lex.REFLECTION_START,
        "so_reflection": lex.SO_REFLECTION,
        "so_restatement": lex.SO_RESTATEMENT,
        "summary_marker": lex.SUMMARY_MARKER,
        "point_separator": lex.POINT_SEPARATOR,
        "affirm_strong": lex.AFFIRM_EFFORT_STRONG,
        "affirm_needs_praise": lex.AFFIRM_EFFORT_NEEDS_PRAISE,
        "praise": lex.PRAISE_MARKER,
        "sarcasm": lex.SARCASM,
        "dismissal": lex.DISMISSAL,
        "turn_opener_dismissal": lex.TURN_OPENER_DISMISSAL,
        "blame": lex.BLAME,
        "advice": lex.UNSOLICITED_ADVICE,
        "advice_imperative": lex.ADVICE_IMPERATIVE,
        "advice_request": lex.ADVICE_REQUEST,
        "limit": lex.LIMIT,
        "capitulation_undo": lex.CAPITULATION_UNDO,
        "capitulation_concession": lex.CAPITULATION_CONCESSION,
        "assent_then_do": lex.ASSENT_THEN_DO,
        "demand": lex.DEMAND,
        "request": lex.REQUEST,
        "refusal_start": lex.REFUSAL_START,
        "negation": lex.NEGATION,
        "alternative": lex.ALTERNATIVE,
        "next_step": lex.NEXT_STEP,
        "date": lex.DATE,
        "acknowledge": lex.ACKNOWLEDGE,
        "apology": lex.APOLOGY,
        "self_blame": lex.SELF_BLAME,
    }.items()
}
_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-+\s|\bbut\b|\bthough\b|\bhowever\b|\band (?=let'?s|then|meet|schedule|book|i'?ll|"
    r"we'll|i will|we will)",
)
_WORD = re.compile(r"[a-z']+")
_EITHER_OR = re.compile(r"\bor\b")
_INTERJECTION = re.compile(
    r"(?:really|seriously|sorry|pardon|huh|eh|what|hm+|oh|wow|you think|come on|is it|are you serious)"
)
_VAGUE_OR = re.compile(r"\bor (?:something|anything|whatever|so)\b")


class QuestionKind(Enum):
    NONE = "none"  # not a question (statement, echo, joke)
    OPEN = "open_question"
    CLOSED = "closed_question"
    CHECK = "check"  # "is that right?" after a reflection or summary
    SUPPRESSED = "suppressed"  # tag, suggestion, advice or accusation in question form


@dataclass
class _Turn:
    """A normalised coachee line with its sentence and clause spans."""

    text: str
    context: str
    sentences: list[Span]
    clauses_by_sentence: dict[Span, list[Span]]
    clauses: list[Span]
    _cores: dict[Span, Span] = field(default_factory=dict, repr=False)  # skip_fillers cache

    @classmethod
    def parse(cls, text: str, context: str | None) -> _Turn:
        norm = _lower(text.translate(_NORMALISE))
        sentences = _split_sentences(norm)
        by_sentence = {s: _split_clauses(norm, s) for s in sentences}
        clauses = [c for s in sentences for c in by_sentence[s]]
        return cls(norm, _lower((context or "").translate(_NORMALISE)), sentences, by_sentence, clauses)

    @property
    def scanned_sentences(self) -> list[Span]:
        return self.sentences[:MAX_SENTENCES]

    @cached_property
    def reflection(self) -> Span | None:
        return _reflection(self)

    @cached_property
    def context_words(self) -> frozenset[str]:
        return frozenset(_words(self.context))

    def search(self, name: str, span: Span | None = None) -> Span | None:
        start, end = span if span else (0, len(self.text))
        m = _RX[name].search(self.text, start, end)
        return Span(m.start(), m.end()) if m else None

    def find_all(self, name: str) -> list[Span]:
        return [Span(m.start(), m.end()) for m in _RX[name].finditer(self.text)]

    def match_at(self, name: str, span: Span) -> Span | None:
        m = _RX[name].match(self.text, span.start, span.end)
        return Span(m.start(), m.end()) if m else None

    def clauses_of(self, sentence: Span) -> list[Span]:
        return self.clauses_by_sentence.get(sentence) or _split_clauses(self.text, sentence)

    def _containing(self, spans: list[Span], pos: int) -> Span:
        i = bisect.bisect_right(spans, (pos, len(self.text) + 1)) - 1
        return spans[max(i, 0)] if spans else Span(0, len(self.text))

    def sentence_of(self, pos: int) -> Span:
        return self._containing(self.sentences, pos)

    def clause_of(self, pos: int) -> Span:
        return self._containing(self.clauses, pos)

    def skip_fillers(self, span: Span) -> Span:
        """The span without its leading fillers ("okay, so, um ..."); cached per span."""
        if (core := self._cores.get(span)) is None:
            core = self._cores[span] = self._skip_fillers(span)
        return core

    def _skip_fillers(self, span: Span) -> Span:
        start = span.start
        for _ in range(6):
            m = _RX["filler"].match(self.text, start, span.end)
            if not m or m.end() == start:
                break
            start = m.end()
        while start < span.end and not self.text[start].isalnum():
            start += 1
        return Span(start, span.end)

    def skip_fillers_keep_so(self, span: Span) -> Span:
        """Like skip_fillers, but stops at a "so" that opens a restatement ("Okay, so the...")."""
        start = span.start
        for _ in range(6):
            if self.text[start : start + 2] == "so" and not self.text[start + 2 : start + 3].isalpha():
                break
            m = _RX["filler"].match(self.text, start, span.end)
            if not m or m.end() == start:
                break
            start = m.end()
        return Span(start, span.end)


def _lower(text: str) -> str:
    """Lowercase that keeps every character at its index (so spans stay valid for the original)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _has_word(text: str) -> bool:
    return _WORD.search(text) is not None


def _split_sentences(text: str) -> list[Span]:
    """Sentence spans: split after . ! ? … (followed by a space) and at newlines; runs longer
    than MAX_SENTENCE_CHARS are cut at spaces; pieces without a word are dropped."""
    return sentence_spans(text, keep=_has_word, max_chars=MAX_SENTENCE_CHARS)


def _split_clauses(text: str, sentence: Span) -> list[Span]:
    clauses = []
    start = sentence.start
    for m in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        if (span := trim_span(text, start, m.start())) is not None:
            clauses.append(span)
        start = m.end() if m.group(0).strip() else m.start()
    if (span := trim_span(text, start, sentence.end)) is not None:
        clauses.append(span)
    return clauses or [sentence]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


# ---------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------


def _question_clause(turn: _Turn, sentence: Span) -> Span:
    """The part of a sentence that carries its question: its start, else its last clause."""
    core = turn.skip_fillers(sentence)
    if turn.match_at("wh_word", core) or turn.match_at("auxiliary", core):
        return core
    clauses = turn.clauses_of(sentence)
    last = turn.skip_fillers(clauses[-1])
    if len(clauses) > 1 and (turn.match_at("wh_word", last) or turn.match_at("auxiliary", last)):
        return last
    return core


def _is_echo(turn: _Turn, span: Span) -> bool:
    """A short question that only repeats the persona's question back ("What do I want?")."""
    if "?" not in turn.context:
        return False
    words = [w for w in _words(turn.text[span.start : span.end]) if w not in lex.PRONOUNS]
    return 0 < len(words) <= 5 and all(w in turn.context_words for w in words)


def _classify_question(turn: _Turn, sentence: Span) -> tuple[QuestionKind, Span]:
    raw = turn.text[sentence.start : sentence.end].rstrip()
    core = turn.skip_fillers(sentence)
    if raw.endswith("?"):
        if turn.match_at("tag_only", core) or turn.search("tag_end", sentence):
            return QuestionKind.SUPPRESSED, core
        span = _question_clause(turn, sentence)
    elif raw.endswith((".", "!")) or not turn.match_at("no_mark_question", core):
        return _indirect_open(turn, sentence, core)
    else:
        span = core
    if turn.search("blame", sentence) or turn.search("advice", sentence) or turn.match_at("suggestion", span):
        return QuestionKind.SUPPRESSED, span
    if turn.match_at("check", span):
        return QuestionKind.CHECK, span
    if _is_echo(turn, span):
        return QuestionKind.NONE, span
    return _question_form(turn, span), span


def _indirect_open(turn: _Turn, sentence: Span, core: Span) -> tuple[QuestionKind, Span]:
    if turn.search("open_indirect", sentence) is None:
        return QuestionKind.NONE, core
    for clause in turn.clauses_of(sentence):
        clause = turn.skip_fillers(clause)
        if turn.match_at("open_indirect", clause):
            return QuestionKind.OPEN, clause
    return QuestionKind.NONE, core


def _question_form(turn: _Turn, span: Span) -> QuestionKind:
    text = turn.text[span.start : span.end]
    if turn.match_at("polite_open", span) or turn.match_at("open_indirect", span):
        return QuestionKind.OPEN
    if _EITHER_OR.search(text) and not _VAGUE_OR.search(text):
        return QuestionKind.CLOSED
    if turn.match_at("closed_other", span) or turn.match_at("closed_fact", span):
        return QuestionKind.CLOSED
    if turn.match_at("wh_word", span):
        return QuestionKind.OPEN
    if turn.match_at("auxiliary", span):
        return QuestionKind.CLOSED
    if _INTERJECTION.fullmatch(text.strip(" ?!.,").lower()):
        return QuestionKind.NONE  # "Really?", "Sorry?"
    # a declarative or clipped question ("Just the banner?", "You're leaving?") asks for a yes/no
    return QuestionKind.CLOSED if turn.text[span.start : span.end].rstrip().endswith("?") else QuestionKind.NONE


# ---------------------------------------------------------------------------------
# The coder
# ---------------------------------------------------------------------------------


Detector = Callable[[_Turn], Span | None]  # returns the span that triggers a code, or None


class RuleCoder:
    """Deterministic lexicon-and-form coder; see the module docstring.

    `note` says why this coder is in use when a better one was wanted (it is passed on in
    every coded turn's notes)."""

    description = "rule coder (lexicons and question forms)"

    def __init__(self, note: str = "") -> None:
        self.notes = (note,) if note else ()

    def code(self, text: str, context: str | None = None) -> CodedTurn:
        if not text or not text.strip():
            return CodedTurn(frozenset(), {}, source="rules", notes=self.notes)
        turn = _Turn.parse(text, context)
        found: dict[str, Span] = {}
        checks = self._questions(turn, found)
        self._listening(turn, found)
        self._limit_setting(turn, found)
        _resolve(turn, found, checks)
        cues = {code: _cue(text, found[code]) for code in CODES if code in found}
        why = {code: f"a rule matched “{cue}”" for code, cue in cues.items()}
        return CodedTurn(frozenset(cues), cues, source="rules", notes=self.notes, why=why)

    # -- detectors: each adds code -> first triggering span to `found` --------------

    @staticmethod
    def _questions(turn: _Turn, found: dict[str, Span]) -> list[Span]:
        checks: list[Span] = []
        for sentence in turn.scanned_sentences:
            kind, span = _classify_question(turn, sentence)
            if kind is QuestionKind.CHECK:
                checks.append(span)
            elif kind in (QuestionKind.OPEN, QuestionKind.CLOSED):
                found.setdefault(kind.value, span)
        return checks

    def _listening(self, turn: _Turn, found: dict[str, Span]) -> None:
        detectors: dict[str, Detector] = {
            "reflection": lambda t: t.reflection,
            "summary": _summary,
            "affirmation": _affirmation,
            "dismissal": _dismissal,
            "blame": lambda t: t.search("blame") or t.search("sarcasm"),
            "unsolicited_advice": _advice,
        }
        _run(turn, detectors, found)

    def _limit_setting(self, turn: _Turn, found: dict[str, Span]) -> None:
        detectors: dict[str, Detector] = {
            "limit": _limit,
            "alternative": lambda t: t.search("alternative"),
            "acknowledge": lambda t: t.search("acknowledge"),
            "next_step": _next_step,
            "capitulation": _capitulation,
            "over_apology": _over_apology,
        }
        _run(turn, detectors, found)


def _run(turn: _Turn, detectors: dict[str, Detector], found: dict[str, Span]) -> None:
    for code, detect in detectors.items():
        if (span := detect(turn)) is not None:
            found[code] = span


def _cue(text: str, span: Span) -> str:
    return clip(text[span.start : span.end].strip(), MAX_CUE_CHARS, ellipsis="")


def _reflection(turn: _Turn) -> Span | None:
    """The first restatement in the other's frame: "So you...", "Sounds like...", "You're..."."""
    for sentence in turn.scanned_sentences:
        if (span := turn.match_at("so_reflection", turn.skip_fillers_keep_so(sentence))) is not None:
            return Span(span.start, turn.clause_of(span.end - 1).end)
        for clause in turn.clauses_of(sentence):
            if (span := turn.match_at("reflection", turn.skip_fillers(clause))) is not None:
                return Span(span.start, clause.end)
    return None


def _summary(turn: _Turn) -> Span | None:
    marker = turn.search("summary_marker")
    if marker is not None:
        region = Span(marker.end, turn.sentence_of(marker.start).end)
        if _count_points(turn, region) < 2:  # "let me check I have it:" then the points
            following = [s for s in turn.sentences if s.start >= region.end][:3]
            region = Span(marker.end, following[-1].end) if following else region
        return Span(marker.start, region.end) if _count_points(turn, region) >= 2 else None
    for sentence in turn.scanned_sentences:  # "So the scope grew, the budget didn't, and ..."
        reflection = turn.reflection
        start = reflection.start if reflection and turn.sentence_of(reflection.start) == sentence else None
        if start is None and turn.match_at("so_restatement", turn.skip_fillers_keep_so(sentence)):
            start = turn.skip_fillers_keep_so(sentence).start
        if start is not None and _count_points(turn, Span(start, sentence.end)) >= 3:
            return Span(start, sentence.end)
    return None


def _count_points(turn: _Turn, region: Span) -> int:
    parts = _RX["point_separator"].split(turn.text[region.start : region.end])
    return sum(1 for part in parts if part and len(_words(part)) >= 2)


def _affirmation(turn: _Turn) -> Span | None:
    if (span := turn.search("affirm_strong")) is not None:
        return span
    span = turn.search("affirm_needs_praise")
    if span is not None and turn.search("praise", turn.sentence_of(span.start)):
        return span
    return None


def _dismissal(turn: _Turn) -> Span | None:
    """Brushing off ("don't worry about it"), or opening the turn with "Anyway," to change the subject."""
    if (span := turn.search("dismissal")) is not None:
        return span
    return turn.match_at("turn_opener_dismissal", turn.sentences[0]) if turn.sentences else None


def _advice(turn: _Turn) -> Span | None:
    if (span := turn.search("advice")) is not None:
        return span
    for sentence in turn.scanned_sentences:
        for clause in turn.clauses_of(sentence):
            if (span := turn.match_at("advice_imperative", turn.skip_fillers(clause))) is not None:
                return span
    return None


def _next_step(turn: _Turn) -> Span | None:
    """A follow-up with an owner or a date, outside any clause that makes a substitute offer."""
    offers = {turn.clause_of(span.start) for span in turn.find_all("alternative")}
    for span in _next_step_candidates(turn):
        if turn.clause_of(span.start) not in offers:
            return span
    return None


def _next_step_candidates(turn: _Turn) -> Iterator[Span]:
    yield from turn.find_all("next_step")
    for sentence in turn.scanned_sentences:  # "How about Thursday at ten?"
        core = turn.skip_fillers(sentence)
        if turn.match_at("suggestion", core) and turn.search("date", sentence):
            yield core


def _limit(turn: _Turn) -> Span | None:
    if (span := turn.search("limit")) is not None:
        return span
    words = _words(turn.text)  # a bare "No." to a request
    first = turn.sentences[0] if turn.sentences else Span(0, 0)
    bare = turn.match_at("refusal_start", first) and len(words) <= 6 and set(words) <= lex.REFUSAL_WORDS
    if bare and (_RX["demand"].search(turn.context) or _RX["request"].search(turn.context)):
        return trim_span(turn.text, 0, len(turn.text))
    return None


def _capitulation(turn: _Turn) -> Span | None:
    if (span := turn.search("capitulation_undo")) is not None:
        return span
    for span in turn.find_all("capitulation_concession"):
        if not _negated_before(turn, span):  # "we can't do it for free" is a limit
            return span
    if turn.context and _RX["demand"].search(turn.context):
        return _assent_to_demand(turn)
    return None


def _negated_before(turn: _Turn, span: Span) -> bool:
    clause = turn.clause_of(span.start)
    return _RX["negation"].search(turn.text, clause.start, span.start) is not None


def _assent_to_demand(turn: _Turn) -> Span | None:
    """A bare "fine, okay" or "sure, we'll do it" right after the persona's demand."""
    if turn.search("limit") is not None:
        return None
    if (span := turn.search("assent_then_do")) is not None:
        return span
    words = _words(re.sub(r"\bno problem\b", "noproblem", turn.text.lower()))
    if 0 < len(words) <= 6 and set(words) <= lex.ASSENT_WORDS and set(words) & lex.ASSENT_CORE:
        return trim_span(turn.text, 0, len(turn.text))
    return None


def _over_apology(turn: _Turn) -> Span | None:
    apologies = list(_RX["apology"].finditer(turn.text))
    if len(apologies) >= 2:
        return Span(apologies[0].start(), apologies[1].end())
    return turn.search("self_blame")


# ---------------------------------------------------------------------------------
# Resolution of the rubric's hard cases
# ---------------------------------------------------------------------------------


def _resolve(turn: _Turn, found: dict[str, Span], checks: list[Span]) -> None:
    _resolve_listening(turn, found, checks)
    _resolve_limit_setting(turn, found)


def _resolve_listening(turn: _Turn, found: dict[str, Span], checks: list[Span]) -> None:
    if "reflection" in found and _in_clause_with(turn, found["reflection"], found, ("blame", "unsolicited_advice")):
        del found["reflection"]
    if "summary" in found:
        found.pop("reflection", None)
    if checks and not ({"reflection", "summary"} & found.keys()):
        found.setdefault("closed_question", checks[0])
    if "affirmation" in found and _in_sentence_with(turn, found["affirmation"], found, ("blame",)):
        del found["affirmation"]
    advice = found.get("unsolicited_advice")
    if advice and "blame" in found and _overlaps(advice, found["blame"]):
        del found["unsolicited_advice"]  # "Why can't you just...?" is an accusation, not advice
    if "unsolicited_advice" in found and turn.context and _RX["advice_request"].search(turn.context):
        del found["unsolicited_advice"]


def _resolve_limit_setting(turn: _Turn, found: dict[str, Span]) -> None:
    if "acknowledge" in found and _in_clause_with(turn, found["acknowledge"], found, ("affirmation",)):
        del found["acknowledge"]
    if "capitulation" in found:
        _resolve_capitulation(turn, found)


def _resolve_capitulation(turn: _Turn, found: dict[str, Span]) -> None:
    cap = found["capitulation"]
    undo = turn.search("capitulation_undo")
    if "limit" in found and undo is not None and undo.start >= found["limit"].start:
        del found["limit"]  # a limit undone in the same breath
    for code in ("alternative", "next_step"):
        if code in found and turn.sentence_of(found[code].start) == turn.sentence_of(cap.start):
            del found[code]  # capitulation dressed as a compromise
    if "limit" not in found:
        found.pop("acknowledge", None)  # acknowledging while giving ground


def _in_clause_with(turn: _Turn, span: Span, found: dict[str, Span], codes: tuple[str, ...]) -> bool:
    clause = turn.clause_of(span.start)
    return any(code in found and _overlaps(turn.clause_of(found[code].start), clause) for code in codes)


def _in_sentence_with(turn: _Turn, span: Span, found: dict[str, Span], codes: tuple[str, ...]) -> bool:
    sentence = turn.sentence_of(span.start)
    return any(code in found and turn.sentence_of(found[code].start) == sentence for code in codes)


# ---------------------------------------------------------------------------------
# Lexicon hits as features, for the trained coder (evals/coding/features.py)
# ---------------------------------------------------------------------------------

FEATURE_LEXICONS = tuple(name for name in _RX if name not in {"filler", "point_separator"})
CONTEXT_LEXICONS = ("demand", "request", "advice_request", "wh_word", "auxiliary", "apology", "blame")


def lexicon_features(text: str, context: str | None = None) -> dict[str, float]:
    """For each lexicon: found anywhere in the turn, and found at a sentence's start (after
    fillers); for a few, found in the persona's previous line. Names are stable feature keys."""
    turn = _Turn.parse(text, context)
    starts = [turn.skip_fillers(s) for s in turn.scanned_sentences]
    features: dict[str, float] = {}
    for name in FEATURE_LEXICONS:
        features[f"lex:{name}"] = float(turn.search(name) is not None)
        features[f"lex_start:{name}"] = float(any(turn.match_at(name, s) for s in starts))
    for name in CONTEXT_LEXICONS:
        features[f"ctx:{name}"] = float(_RX[name].search(turn.context) is not None)
    features["ctx:question_mark"] = float("?" in turn.context)
    features["ctx:empty"] = float(not turn.context.strip())
    return features
