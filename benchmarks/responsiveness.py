"""Responsiveness probes: does the persona answer what the coachee just said?

A probe file, `benchmarks/probes/<scenario_id>.yaml`, holds two warm-up coachee lines and
a set of probes. Each probe is one coachee line of a kind (a question about something the
persona knows, a question about how they feel, a concrete proposal, a reflection to
confirm or correct, a choice between options) with a rule for what a responsive reply
must contain (`Expect`), and a few example replies the rule must pass and fail
(`Examples`, checked by the unit tests).

`judge(probe, reply)` applies the rule. It is pure and needs no model. An echo cannot
pass: both texts are normalised (lower case, no punctuation, light stemming, number words
as digits), the probe line's content words are masked out of the reply before any
evidence is looked for, and a reply most of whose words are the probe line's words is not
responsive at all (a choice's options and a proposal's slot, which a reply may well name,
are left out of that share). What counts as evidence then depends on the kind:

- fact: one of the probe's `any_of` terms among the reply's own words;
- feeling: the same (`@feeling` holds feeling words and plain states: "frustrated",
  "not great", "pretty good so far"), or what the feeling is like ("it feels like I'm under
  review", with at least two content words of the reply's own; not "I feel like we should…");
  the question's own verb ("feel") may be part of the evidence ("it doesn't feel good");
- reflection: an `any_of` term, or a clear confirmation or correction ("exactly",
  "pretty much", "not really", "not quite");
- proposal: an `any_of` term, a clear stance (accept: "that works", "sounds good";
  refuse: "I can't", "not enough"; counter: "how about", "instead"; defer: "let me think
  about it"), a weak one ("yes", "okay", "no", "maybe") together with the proposal's
  `slot` (its day, time or thing, which may repeat the probe's words), a plain yes or no on
  its own ("No.", "Yeah, please."; not "Okay.", which may only say "I hear you"), or another day or
  time than the one proposed with a hedge ("no", "maybe", "could we", "I'd rather"): a
  counter-offer;
- choice: one of the `options` named (which may repeat the probe's words), an "either",
  "both" or "whichever", or an `any_of` term.

Terms are words or phrases, normalised like the texts; a trailing `*` matches any ending
("enrol*"), a leading `^` only matches at the start of the reply ("^sure", not "not
sure"), and `@name` stands for one of the shared word lists below (`@feeling`,
`@daytime`). A probe file is refused if one of its `any_of` terms is made of the probe
line's own words, since such a term could never count.

`run_probes(services, scenario_ids, difficulty)` plays every probe of each scenario in a
fresh attempt: the two warm-up lines, then the probe line, each with the read-ahead the app
does while the coachee types, and records the persona's reply to the probe (what the
coachee sees: the model's line, or the authored line the guard put in its place), the
judge's verdict, the time to first token (as `rehearsal_bench` measures it: from asking for the
reply to the first streamed text), whether the guard replaced the model's line with an
authored one (a fallback), and whether the reply nearly repeats an earlier persona line of
that attempt (`simulator.core.text.near_repeat`).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.core.text import near_repeat, words
from simulator.engine.rehearsal import Rehearsal
from simulator.engine.services import Services

PROBES = Path(__file__).parent / "probes"
ECHO_SHARE = 0.7  # a reply with at least this share of its words in the probe line mostly repeats it
TARGETS = {"responsive": 0.85, "near_repeat": 0.0, "median_ttft_s": 1.5}

Kind = Literal["fact", "feeling", "proposal", "reflection", "choice"]

# ---- normalising -----------------------------------------------------------------------

_NUMBERS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
}
_CONTRACTIONS = {"cannot": "can't", "wont": "won't", "dont": "don't", "cant": "can't", "im": "i'm", "ive": "i've"}


# Words that carry no topic: the probe line's stop words stay in the reply (they are not
# evidence of anything, and stance words such as "not", "can't" or "yes" live here).
_STOP_TEXT = """
    a about above after again all also am an and any are aren't as at be because been before
    being below between both but by can can't could couldn't did didn't do does doesn't doing
    don't down during each few for from further had hadn't has hasn't have haven't having he
    he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
    if in into is isn't it it's its itself just let let's me more most mustn't my myself no nor
    not now of off on once only or other ought our ours ourselves out over own really right so
    some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up us very was wasn't
    we we'd we'll we're we've were weren't what what's when when's where where's which while who
    who's whom why why's will with won't would wouldn't yes you you'd you'll you're you've your
    yours yourself yourselves okay ok yeah well oh
    """


_STOP_RAW = frozenset(_STOP_TEXT.split())


def stem(word: str) -> str:
    """A light stemmer, the same on both sides of every comparison: "guessed", "guesses" and
    "guessing" read as "guess", "worried" and "worries" as "worry", "released" and "release"
    as "releas". Words with an inner apostrophe ("didn't") and numbers are kept."""
    word = word.removesuffix("'s")
    word = _CONTRACTIONS.get(word, word)
    if "'" in word or word.isdigit():
        return word
    word = _NUMBERS.get(word, word)
    if word.isdigit():
        return word
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if word.endswith("sses"):
        word = word[:-2]
    elif len(word) >= 6 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif len(word) >= 5 and word.endswith("ed") and not word.endswith("eed"):
        word = _undouble(word[:-2])
    elif len(word) >= 4 and word.endswith(("ches", "shes", "xes", "zes")):
        word = word[:-2]
    elif len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) >= 4 and word.endswith("e") and word[:-1] not in _STOP_RAW:  # "note" is not "not"
        word = word[:-1]
    return word


def _undouble(word: str) -> str:
    """'plann' -> 'plan', 'stopp' -> 'stop'; 'guess' and 'call' keep their double letters."""
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


STOP_WORDS = frozenset(w for word in _STOP_TEXT.split() for w in (word, stem(word)))


def tokens(text: str) -> list[str]:
    """The normalised words of `text`: `words`, with digits split from letters ("3pm" ->
    "3 pm"), each stemmed."""
    text = re.sub(r"(?<=\d)(?=[a-zA-Z])", " ", text)
    return [stem(w) for w in words(text)]


def content(token_list: Iterable[str]) -> set[str]:
    """The content words among normalised tokens (stop words left out)."""
    return {t for t in token_list if t not in STOP_WORDS}


# ---- word lists ------------------------------------------------------------------------

LEXICONS: dict[str, tuple[str, ...]] = {
    "feeling": (
        "worr*",
        "nervous",
        "anxious",
        "stress*",
        "bad",
        "awful",
        "terrible",
        "lousy",
        "embarrass*",
        "ashamed",
        "guilty",
        "frustrat*",
        "annoy*",
        "angry",
        "furious",
        "upset",
        "hurt",
        "stung",
        "disappoint*",
        "tired",
        "exhaust*",
        "worn out",
        "overwhelm*",
        "drown*",
        "scared",
        "afraid",
        "frighten*",
        "fear*",
        "uneasy",
        "uncomfortable",
        "awkward",
        "rushed",
        "stuck",
        "losing control",
        "out of control",
        "out of my depth",
        "under pressure",
        "bored",
        "flat",
        "excited",
        "glad",
        "happy",
        "unhappy",
        "relieved",
        "sad",
        "miserable",
        "hate",
        "love it",
        "loving it",
        "enjoying it",
        "don't enjoy",
        "proud",
        "fed up",
        "sick of",
        "tired of",
        "on edge",
        "panic*",
        "dread*",
        "not great",
        "not good",
        "i'm fine",
        "i'm ok",
        "i'm alright",
        "fine, honestly",
        "mixed",
        "confident",
        "insecure",
        "humiliat*",
        "resent*",
        "rough",
        "tough",
        "grim",
        "gutted",
        "deflat*",
        "like an idiot",
        "like a failure",
        "pressure",
        "under pressure",
        "sting",
        "hammered",
        "bother*",
        "not easy",
        "struggl*",
        # plain states: how people answer "how are you finding it" ("Fine.", "Pretty good so
        # far", "Not bad"), at the start of the reply or said of oneself or of it
        "^fine",
        "^good",
        "^pretty good",
        "it's fine",
        "it's good",
        "it's great",
        "it's ok",
        "it's okay",
        "i'm good",
        "i'm okay",
        "all good",
        "feel fine",
        "feel good",
        "been good",
        "been great",
        "been fine",
        "been better",
        "been hard",
        "it's hard",
        "hard time",
        "doing well",
        "doing okay",
        "doing ok",
        "not bad",
        "unfair",
        "not fair",
        "difficult",
        "satisf*",
        "fulfil*",
        "a bit much",
        "too much",
        "worn down",
    ),
    "daytime": (
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tonight",
        "tomorrow",
        "morning",
        "afternoon",
        "this evening",
        "tomorrow evening",
        "in the evening",
        "noon",
        "lunch*",
        "midday",
        "next week",
        "this week",
        "next month",
        "end of the day",
        "end of the week",
        "o'clock",
        "half past",
        "quarter past",
        "first thing",
        "later today",
        "a week",
        "2 weeks",
        "couple of weeks",
        "few weeks",
        "a few days",
        "couple of days",
        "this month",
        "later this month",
        "in a month",
        *(f"{n} {half}" for n in range(1, 13) for half in ("am", "pm")),
        *(f"at {n}" for n in range(1, 13)),
    ),
    # Stances: a strong marker says on its own that a proposal was accepted, refused,
    # countered or put off; a weak one only together with the proposal's slot or a topic term.
    "decide_strong": (
        "^deal",
        "^yes",
        "^absolutely",
        "^yep",
        "^sure",
        "^nope",
        "it's a deal",
        "that works",
        "works for me",
        "that'd work",
        "that would work",
        "sounds good",
        "sounds fine",
        "sounds great",
        "sounds like a plan",
        "fine by me",
        "fine with me",
        "let's do it",
        "let's do that",
        "count me in",
        "i'll be there",
        "see you then",
        "i can do that",
        "i'll do that",
        "i'll do it",
        "i can make it",
        "happy to",
        "good idea",
        "great idea",
        "of course",
        "absolutely",
        "definitely",
        "fair enough",
        "no problem",
        "don't mind",
        "go ahead",
        "that's fine",
        "that'd be fine",
        "that would be fine",
        "that helps",
        "that'd help",
        "that would help",
        "i agree",
        "agreed",
        "suits me",
        "yes please",
        "i'd like that",
        "i'd love that",
        "i'll take that",
        "can't do",
        "i can't",
        "we can't",
        "won't work",
        "doesn't work",
        "not going to happen",
        "not going to work",
        "no way",
        "not happening",
        "not possible",
        "out of the question",
        "i'd rather not",
        "not enough",
        "not good enough",
        "no thanks",
        "how about",
        "what about",
        "instead",
        "can we make it",
        "could we make it",
        "let's make it",
        "as long as",
        "only if",
        "unless",
        "but first",
        "think about it",
        "let me think",
        "sleep on it",
        "get back to you",
        "let me check",
        "i'll check",
        "i'll try",
        "i'll give it a go",
        "i'll give it a shot",
        "not sure yet",
        "let's see",
        "not yet",
        "not now",
        "not right now",
        "don't like it",
        "too often",
        "too much",
        "too soon",
        "too late",
        "too busy",
    ),
    # a yes or no said on its own answers a proposal; "okay", "right" or "fine" on their own
    # may only say "I hear you"
    "bare_stance": ("^yes", "^yeah", "^yep", "^sure", "^no", "^nope", "^absolutely not", "^not really"),
    "decide_weak": (
        "yes",
        "yeah",
        "yep",
        "sure",
        "okay",
        "ok",
        "alright",
        "all right",
        "fine",
        "good",
        "great",
        "perfect",
        "right",
        "no",
        "nope",
        "maybe",
        "probably",
        "perhaps",
        "i guess",
        "i suppose",
        "i'll",
        "we'll",
        "i can",
        "i could",
        "i won't",
        "i don't",
        "don't need",
        "don't want",
        "i'd love to",
        "i'd rather",
        "i'll take it",
        "not",
    ),
    # With another day or time than the proposed one, these make a counter-offer.
    "counter_weak": (
        "no",
        "nope",
        "not",
        "can't",
        "couldn't",
        "won't",
        "maybe",
        "perhaps",
        "probably",
        "could we",
        "can we",
        "could you",
        "i'd rather",
        "i would rather",
        "i'd prefer",
        "prefer",
        "better",
        "busy",
        "tight",
        "what if",
        "or",
    ),
    "confirm": (
        "exactly what",
        "i agree",
        "agreed",
        "you're right",
        "that's about right",
        "i'd say so",
        "^actually",
        "^well actually",
        "^exactly",
        "exactly it",
        "exactly right",
        "^precisely",
        "pretty much",
        "that's right",
        "that's it",
        "that's about it",
        "that's true",
        "that's fair",
        "fair enough",
        "you got it",
        "you've got it",
        "spot on",
        "more or less",
        "sort of",
        "kind of",
        "in a way",
        "basically",
        "correct",
        "true",
        "partly",
        "in part",
        "not exactly",
        "not quite",
        "not really",
        "not entirely",
        "^not just",
        "^not only",
        "that's not it",
        "it's not that",
        "not what i",
        "it wasn't",
        "i wouldn't say",
        "i don't think so",
        "don't think that",
        "i guess so",
        "i suppose so",
        "you could say",
        "yes and",
        "yeah and",
    ),
    "choice": (
        "either",
        "both",
        "neither",
        "whichever",
        "doesn't matter",
        "don't mind",
        "don't care",
        "up to you",
        "no preference",
        "the first one",
        "the second one",
        "the former",
        "the latter",
    ),
}


_FILLERS = frozenset(
    {"okay", "ok", "yeah", "yes", "well", "oh", "mm", "hmm", "um", "uh", "so", "fine", "right", "alright"}
)


def _lead(seq: list[str | None]) -> int:
    """Where a reply's first real word stands: 1 after a leading filler ("okay, sure"), else 0."""
    return 1 if len(seq) > 1 and seq[0] in _FILLERS else 0


class _Term:
    """A normalised term: a phrase of stems; a trailing `*` makes its last word a prefix, and
    a leading `^` anchors it at the start of the reply (after a filler such as "well" or "okay")."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        text = raw.strip()
        self.anchored = text.startswith("^")
        self.prefix = text.endswith("*")
        self.parts = tokens(text.lstrip("^").rstrip("*"))

    def usable(self, masked: set[str]) -> bool:
        """Whether the term can match at all once the words in `masked` are taken out."""
        head, last = self.parts[:-1], self.parts[-1]
        return not any(p in masked for p in head) and (self.prefix or last not in masked)

    def spans(self, seq: list[str | None]) -> Iterator[range]:
        """Where the term stands in `seq` (masked words, None, match nothing)."""
        n = len(self.parts)
        for i in range(_lead(seq) + 1 if self.anchored else len(seq) - n + 1):
            window = seq[i : i + n]
            if len(window) < n or any(w is None for w in window):
                continue
            head, last = window[:-1], window[-1]
            assert last is not None
            if head == self.parts[:-1] and (last.startswith(self.parts[-1]) if self.prefix else last == self.parts[-1]):
                yield range(i, i + n)

    def find(self, seq: list[str | None]) -> bool:
        return next(self.spans(seq), None) is not None


@lru_cache(maxsize=4096)
def _terms(raw: tuple[str, ...]) -> tuple[_Term, ...]:
    out: list[_Term] = []
    for term in raw:
        if term.startswith("@"):
            out.extend(_terms(LEXICONS[term[1:]]))
        else:
            out.append(_Term(term))
    return tuple(out)


def _first(terms: tuple[str, ...], seq: list[str | None]) -> str | None:
    return next((t.raw for t in _terms(terms) if t.find(seq)), None)


# ---- the probe file --------------------------------------------------------------------


def _check_terms(terms: list[str]) -> list[str]:
    for term in terms:
        if term.startswith("@"):
            if term[1:] not in LEXICONS:
                raise ValueError(f"unknown word list {term!r}; known: {', '.join('@' + k for k in LEXICONS)}")
        elif not tokens(term.strip().lstrip("^").rstrip("*")):
            raise ValueError(f"term {term!r} has no words")
    return terms


class Expect(BaseModel):
    """What a responsive reply must contain (see the module docstring for the rule)."""

    model_config = ConfigDict(extra="forbid")

    any_of: list[str] = Field(default_factory=list, description="topic terms; copied words don't count")
    slot: list[str] = Field(default_factory=list, description="a proposal's day, time or thing")
    options: list[str] = Field(default_factory=list, description="a choice's options")

    @field_validator("any_of", "slot", "options")
    @classmethod
    def _known_terms(cls, terms: list[str]) -> list[str]:
        return _check_terms(terms)


class Examples(BaseModel):
    """Replies the rule must pass (`responsive`) and fail (`not_responsive`)."""

    model_config = ConfigDict(extra="forbid")

    responsive: list[str] = Field(default_factory=list)
    not_responsive: list[str] = Field(default_factory=list)


class Probe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: Kind
    line: str = Field(min_length=1, max_length=2000)
    expect: Expect
    examples: Examples = Field(default_factory=Examples)

    @model_validator(mode="after")
    def _rule_fits_kind(self) -> Probe:
        e = self.expect
        if self.kind == "proposal" and not e.slot:
            raise ValueError("a proposal needs a slot (its day, time or thing)")
        if self.kind == "choice" and len(e.options) < 2:
            raise ValueError("a choice needs at least two options")
        if self.kind in ("fact", "feeling", "reflection") and not e.any_of:
            raise ValueError(f"a {self.kind} probe needs any_of terms")
        masked = _masked(self)
        dead = [t for t in e.any_of if not t.startswith("@") and not _Term(t).usable(masked)]
        if dead:
            raise ValueError(f"any_of terms made of the probe line's own words can never count: {dead}")
        return self


class ProbeFile(BaseModel):
    """`benchmarks/probes/<scenario_id>.yaml`."""

    model_config = ConfigDict(extra="forbid")

    scenario: str
    warm_up: list[str] = Field(min_length=2, max_length=2)
    probes: list[Probe] = Field(min_length=5)

    @model_validator(mode="after")
    def _unique_ids(self) -> ProbeFile:
        ids = [p.id for p in self.probes]
        if len(ids) != len(set(ids)):
            raise ValueError(f"probe ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        return self


def load_probes(scenario_id: str, folder: Path = PROBES) -> ProbeFile:
    path = folder / f"{scenario_id}.yaml"
    probes = ProbeFile.model_validate(yaml.safe_load(path.read_text()))
    if probes.scenario != scenario_id:
        raise ValueError(f"{path}: says scenario {probes.scenario!r}")
    return probes


# ---- the judge -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    responsive: bool
    why: str


MIN_ECHO_WORDS = 2  # one shared content word is an answer in the coachee's terms, not an echo
MAX_BARE_STANCE_WORDS = 1  # "No.", "Yeah, please." answer a proposal; "Mm-hm. I'll look at it later." does not
FEELING_FRAME = frozenset(stem(w) for w in ("feel", "feels", "feeling", "felt"))


def _masked(probe: Probe) -> set[str]:
    """The probe line's content words, which the reply's evidence may not be made of. A
    feeling question's own verb ("how does it feel…") is its frame, not its topic: "it
    doesn't feel good" answers it (a reply that only echoes still fails on its echo share)."""
    masked = content(tokens(probe.line))
    return masked - FEELING_FRAME if probe.kind == "feeling" else masked


def echo_share(probe_line: str, reply: str, named: Iterable[str] = ()) -> float:
    """The share of the reply's content words that are words of the probe line, leaving
    out the words of any `named` term the reply names (a choice's option, a proposal's slot:
    "Its own page." picks an option, it does not parrot the question). Function words do not
    count either way ("The IT team." is the option and an article). 0 for a reply with fewer
    than MIN_ECHO_WORDS content words left: its evidence is still looked for in its own words."""
    said = set(tokens(probe_line))
    mine: list[str | None] = list(tokens(reply))
    covered = {i for term in _terms(tuple(named)) for span in term.spans(mine) for i in span}
    left = [t for i, t in enumerate(mine) if i not in covered and t is not None and t not in STOP_WORDS]
    if len(left) < MIN_ECHO_WORDS:  # "Thursday." or "Yes, let's use it." answers; it does not parrot
        return 0.0
    return sum(t in said for t in left) / len(left)


def judge(probe: Probe, reply: str) -> Verdict:
    """Whether `reply` responds to `probe.line` by the probe's rule (module docstring)."""
    seq = tokens(reply)
    if not seq:
        return Verdict(False, "empty reply")
    e = probe.expect
    share = echo_share(probe.line, reply, e.options + e.slot)
    if share >= ECHO_SHARE:
        return Verdict(False, f"mostly repeats the coachee: {share:.0%} of its words are theirs")
    masked = _masked(probe)
    own: list[str | None] = [None if t in masked else t for t in seq]
    full: list[str | None] = list(seq)
    topic = _first(tuple(e.any_of), own) if e.any_of else None
    if topic:
        return Verdict(True, f"addresses it: {topic!r}")
    if probe.kind == "feeling" and (likeness := _feels_like(reply, masked)):
        return Verdict(True, f"says what it feels like: {likeness!r}")
    if probe.kind in ("fact", "feeling"):
        return Verdict(False, "none of the expected terms in its own words")
    if probe.kind == "reflection":
        if marker := _first(("@confirm",), own):
            return Verdict(True, f"confirms or corrects: {marker!r}")
        return Verdict(False, "neither confirms nor corrects, and none of the expected terms")
    if probe.kind == "proposal":
        if marker := _first(("@decide_strong",), own):
            return Verdict(True, f"takes a stance: {marker!r}")
        weak = _first(("@decide_weak",), own)
        if weak and (slot := _first(tuple(e.slot), full)):
            return Verdict(True, f"takes a stance ({weak!r}) on {slot!r}")
        bare = _first(("@bare_stance",), own)
        if bare and len(content(seq)) <= MAX_BARE_STANCE_WORDS:
            return Verdict(True, f"a bare stance: {bare!r}")
        if (hedge := _first(("@counter_weak",), own)) and (counter := _first(("@daytime",), own)):
            return Verdict(True, f"counters ({hedge!r}) with another time: {counter!r}")
        return Verdict(False, "no accept, refuse or counter on the proposal" + (f" (only {weak!r})" if weak else ""))
    # choice
    if option := _first(tuple(e.options), full):
        return Verdict(True, f"picks: {option!r}")
    if marker := _first(("@choice",), own):
        return Verdict(True, f"answers the choice: {marker!r}")
    return Verdict(False, "names none of the options")


FEELS_LIKE = re.compile(
    r"\b(?:i|it|that|this)(?:'s| has| have|'ve)?(?: been)?(?: (?:really|just|kind of|sort of|a bit|a little))? "
    r"(?:feel|feels|felt|feeling) (?:like|as if|as though) (?!(?:we|you) (?:should|need|could|must|have to)\b)(.+)",
    re.IGNORECASE,
)
MIN_LIKENESS_WORDS = 2


def _feels_like(reply: str, masked: set[str]) -> str | None:
    """The clause of "it feels like I'm under review" or "I felt like a spare part": how a
    person says what a feeling is like. It counts with at least MIN_LIKENESS_WORDS content
    words of its own (not the probe line's), so "it feels like it" or an echo does not, nor
    does "I feel like we should…", an opinion."""
    match = FEELS_LIKE.search(reply)
    if not match:
        return None
    clause = match.group(1)
    own = content(tokens(clause)) - masked
    return clause.strip(" .!?") if len(own) >= MIN_LIKENESS_WORDS else None


# ---- the runner ------------------------------------------------------------------------


@dataclass
class ProbeResult:
    scenario: str
    probe: str
    kind: str
    line: str
    reply: str
    move: str
    responsive: bool
    why: str
    near_repeat: bool
    fallback: bool
    authored: bool  # word for word one of the scenario's authored lines (a fallback, or the model copying one)
    ttft_s: float
    total_s: float
    warm_up_replies: list[str] = field(default_factory=list)


@dataclass
class ScenarioProbes:
    scenario: str
    results: list[ProbeResult]

    @property
    def probes(self) -> int:
        return len(self.results)

    def _rate(self, flag: str) -> float:
        return round(sum(getattr(r, flag) for r in self.results) / self.probes, 3) if self.results else 0.0

    @property
    def responsive_rate(self) -> float:
        return self._rate("responsive")

    @property
    def near_repeat_rate(self) -> float:
        return self._rate("near_repeat")

    @property
    def fallback_rate(self) -> float:
        return self._rate("fallback")

    @property
    def authored_rate(self) -> float:
        return self._rate("authored")

    @property
    def median_ttft_s(self) -> float:
        return round(statistics.median(r.ttft_s for r in self.results), 3) if self.results else float("nan")

    def summary(self) -> dict:
        return {
            "probes": self.probes,
            "responsive_rate": self.responsive_rate,
            "near_repeat_rate": self.near_repeat_rate,
            "fallback_rate": self.fallback_rate,
            "authored_rate": self.authored_rate,
            "median_ttft_s": self.median_ttft_s,
        }


def _timed_turn(rehearsal: Rehearsal, line: str) -> tuple[str, float, float]:
    """Sends one coachee line as the app does (read-ahead first, untimed) and returns the
    stored reply, the time to first token and the time to the whole reply."""
    rehearsal.warm_up()
    start = time.perf_counter()
    rehearsal.submit(line)
    first = None
    for _ in rehearsal.reply_stream():
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    assert rehearsal.last_reply is not None
    return rehearsal.last_reply.turn.text, round(first if first is not None else total, 3), round(total, 3)


def run_probes(
    services: Services,
    scenario_ids: Iterable[str],
    difficulty: str | None = "standard",
    *,
    folder: Path = PROBES,
    user: str = "probes",
    progress: bool = False,
) -> dict[str, ScenarioProbes]:
    """Plays every probe of each scenario in a fresh attempt (module docstring) and returns
    the results per scenario."""
    out: dict[str, ScenarioProbes] = {}
    who = services.store.user(user)
    for scenario_id in scenario_ids:
        probe_file = load_probes(scenario_id, folder)
        authored = {line for move in services.catalog.scenario(scenario_id).moves.values() for line in move.lines}
        results = []
        for probe in probe_file.probes:
            rehearsal = Rehearsal.start(services, who, scenario_id, difficulty)
            warm_replies = [_timed_turn(rehearsal, line)[0] for line in probe_file.warm_up]
            reply, ttft, total = _timed_turn(rehearsal, probe.line)
            stored = rehearsal.last_reply
            assert stored is not None
            earlier = [t.text for t in rehearsal.turns()[:-1] if t.role == "persona"]
            verdict = judge(probe, reply)
            results.append(
                ProbeResult(
                    scenario=scenario_id,
                    probe=probe.id,
                    kind=probe.kind,
                    line=probe.line,
                    reply=reply,
                    move=stored.turn.move or "",
                    responsive=verdict.responsive,
                    why=verdict.why,
                    near_repeat=near_repeat(reply, earlier),
                    fallback=bool((stored.turn.guard or {}).get("fallback")),
                    authored=reply in authored,
                    ttft_s=ttft,
                    total_s=total,
                    warm_up_replies=warm_replies,
                )
            )
            if progress:
                r = results[-1]
                flags = "".join([" NEAR-REPEAT" if r.near_repeat else "", " FALLBACK" if r.fallback else ""])
                print(
                    f"  {scenario_id}/{probe.id} [{'ok' if r.responsive else 'NO'}{flags}] "
                    f"{r.ttft_s:.2f} s ({r.move}): {r.reply}  <- {r.why}"
                )
        out[scenario_id] = ScenarioProbes(scenario_id, results)
    return out


def overall(results: dict[str, ScenarioProbes]) -> ScenarioProbes:
    """All scenarios' probes together."""
    return ScenarioProbes("all", [r for s in results.values() for r in s.results])


def by_kind(results: dict[str, ScenarioProbes]) -> dict[str, ScenarioProbes]:
    """All scenarios' probes, grouped by kind (fact, feeling, proposal, reflection, choice)."""
    groups: dict[str, list[ProbeResult]] = {}
    for r in overall(results).results:
        groups.setdefault(r.kind, []).append(r)
    return {kind: ScenarioProbes(kind, rs) for kind, rs in groups.items()}


def table(results: dict[str, ScenarioProbes]) -> str:
    """The per-scenario table, with the overall figures, then the responsive rate per kind.
    "authored" is the share of replies that are word for word an authored line of the
    scenario (the fallbacks, and the model copying an example line)."""
    rows = [
        f"  {'scenario':<26}{'probes':>7}{'responsive':>12}{'near-repeat':>13}"
        f"{'fallback':>10}{'authored':>10}{'TTFT':>8}"
    ]
    for s in [*results.values(), overall(results)]:
        rows.append(
            f"  {s.scenario:<26}{s.probes:>7}{s.responsive_rate:>12.0%}{s.near_repeat_rate:>13.0%}"
            f"{s.fallback_rate:>10.0%}{s.authored_rate:>10.0%}{s.median_ttft_s:>7.2f}s"
        )
    kinds = ", ".join(f"{k} {s.responsive_rate:.0%} of {s.probes}" for k, s in sorted(by_kind(results).items()))
    rows.append(f"  responsive by kind: {kinds}")
    return "\n".join(rows)


def checks(results: dict[str, ScenarioProbes]) -> dict[str, bool]:
    """The targets, as the benchmark's [PASS]/[MISS] lines."""
    all_ = overall(results)
    return {
        f"responsive >= 85% over {all_.probes} probes": all_.responsive_rate >= TARGETS["responsive"],
        "no near-repeat": all_.near_repeat_rate <= TARGETS["near_repeat"],
        "median time to first token on the probes < 1.5 s": all_.median_ttft_s < TARGETS["median_ttft_s"],
    }


def to_json(results: dict[str, ScenarioProbes]) -> dict:
    return {
        "per_scenario": {k: v.summary() for k, v in results.items()},
        "overall": overall(results).summary(),
        "per_kind": {k: v.summary() for k, v in sorted(by_kind(results).items())},
        "results": [asdict(r) for s in results.values() for r in s.results],
    }
