"""What happened to the demand after the limit: was it given away later, in any dress?

The coder reads one line at a time, so a cave spread over lines or dressed up can slip past
it: a trade that hands over the demand ("…you get what you asked for, and in return you
work on X. Deal?"), a compromise that grants it ("we'll staff the two biggest warehouses"),
"fine, just this once", or acting on a concession ("I've already told the team to be there
Saturday"). `given_away` reads every coachee turn after the first limit against the demand
itself: what the persona asked for (the scenario's pushback lines, the line the limit
answered, and a later line that asks again), and the scenario's concession words ("for
free", "no charge").

A turn gives the demand away when it says, without negating it, that the persona will get
or is getting what was refused: a concession word with a giving frame; a handing-over marker (you get, in
return, deal, as agreed, just this once, I've already asked the team) in a sentence with
one of the demand's own words; or a giving verb (we'll do, the team will cover) in a
clause with two of them. An offer that stays inside the limit (a quote, a change request,
the paid or standard rate) is not a cave, and a turn coded `limit` restates the limit and
is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from evals.coding import wordlists as lex
from simulator.core.schema import Scenario
from simulator.core.text import split_sentences

__all__ = ["demand_words", "given_away"]

# frames that hand something over: a marker speaks for its whole sentence, a verb for its clause
_GIVE_MARKER = re.compile(
    r"\b(?:you(?:'ll| will)? get|you can have|you'?ll have|it'?s yours|consider it done|go ahead|in return|"
    r"in exchange|deal\b|as (?:agreed|promised|discussed|we said)|just this once|this (?:one )?time only|"
    r"one[- ]off|an exception|as a favou?r|(?:i|we)'?ve (?:already )?(?:asked|told|booked|scheduled|briefed|"
    r"lined up|arranged|started|put|moved|spoken to|talked to|emailed|set up|sent))",
    re.I,
)
_GIVE_VERB = re.compile(
    r"\b(?:i|we|they|(?:my|our|the) (?:\w+ ){0,2}?\w+)(?:'ll| will| can| could| are going to|'re going to|"
    r" is going to) (?:\w+ ){0,3}?(?:be|do|cover|send|staff|run|have|get|put|give|make|build|add|include|take|"
    r"book|schedule|start|finish|deliver|sort|move|switch|swap|redo|rebuild|change|let|call|phone|approve|sign|"
    r"promote|waive)\b",
    re.I,
)
# a persona line that asks again ("Come on, just have your call center phone everyone")
_ASKS_AGAIN = re.compile(
    r"(?:^|[.!?]\s+)\W*(?:(?:come on|look|fine|okay|ok|then|so|well)\W+)*(?:just )?(?:have|get|do|send|give|put|"
    r"make|let|add|throw|include|cover|staff|run|phone|call)\b|\bwhat if\b|\bsurely\b|\bexception\b|"
    r"\bone more\b",
    re.I,
)
_INSIDE_LIMIT = re.compile(
    r"\b(?:quote|estimate|change (?:request|order)|paid|billable|surcharge|invoice|standard (?:fee|rate)|"
    r"(?:usual|normal|hourly|day|daily) rates?|at cost|in scope|within scope|in the contract|contracted|"
    r"as (?:the contract|agreed in the contract)|next (?:quarter|cycle|review))\b",
    re.I,
)
_PAST = re.compile(r"\b(?:was|were|had been)\s+(?:an?\s+|just\s+)?$", re.I)
_DEMAND = re.compile(f"{lex.DEMAND}|{lex.REQUEST}", re.I)
_NEGATION = re.compile(lex.NEGATION + r"|\bno way\b|\bnot (?:going|able)\b", re.I)
_LIMIT = re.compile("|".join(f"(?:{p})" for p in lex.LIMIT), re.I)
_WORD = re.compile(r"[a-z][a-z-]+")  # "you'll" gives "you", a stop word
_STOP = lex.word_set(
    "the a an and or but to of in on at for with from by as is are was were be been being it its this that these"
    " those you your yours i me my we our us they them their he she him her his hers what which who when where why"
    " how all any some just only then than so very can could will would should shall may might must do does did"
    " have has had not no yes if about into over under again more most other such own same too also get got make"
    " made need needs want wants like there here one two out up down off now today tomorrow week"
)
MIN_SHARED = 2


def demand_words(texts: Iterable[str]) -> frozenset[str]:
    """Content-word stems of what the persona asked for."""
    return frozenset(stem for text in texts for stem in _stems(text))


def given_away(
    turns: Sequence[tuple[int, str, str | None]],
    first_limit: int | None,
    scenario: Scenario | None = None,
    *,
    skip: Collection[int] = (),
    offers: Collection[int] = (),
) -> list[int]:
    """Turns after the first limit that give the demand away: (turn, coachee text, persona's
    line before it) in order, the first limit's turn, the scenario if there is one, and the
    turns not to read (those that restate the limit) and the turns that offer an
    alternative (read for concession words and handing-over markers only: "what I can
    offer is that you write the memos, and I'll make sure the team sees them" is not a cave)."""
    if first_limit is None:
        return []
    refused = next((ctx for turn, _, ctx in turns if turn == first_limit and ctx), "")
    base = demand_words([refused, *(scenario.limit.pushback if scenario else [])])
    concessions = _concessions(scenario)
    caves = []
    for turn, text, context in turns:
        if turn <= first_limit or turn in skip:
            continue
        asked = base | (demand_words([context]) if context and _asks(context) else frozenset())
        if any(_gives(sentence, asked, concessions, verbs=turn not in offers) for sentence in split_sentences(text)):
            caves.append(turn)
    return caves


def _gives(sentence: str, demand: frozenset[str], concessions: re.Pattern[str] | None, *, verbs: bool = True) -> bool:
    if _INSIDE_LIMIT.search(sentence) or _LIMIT.search(sentence.lower()):
        return False
    conceded = concessions is not None and (m := concessions.search(sentence)) and not _negated(sentence, m.start())
    if conceded and (_GIVE_MARKER.search(sentence) or _GIVE_VERB.search(sentence)):
        return True  # "we'll do it for free", not "Transit stays with me"
    for give in _GIVE_MARKER.finditer(sentence):
        past = _PAST.search(sentence[max(0, give.start() - 12) : give.start()])  # "last spring was a one-off"
        if not past and not _negated(sentence, give.end()) and _shared(sentence, demand, 1):
            return True
    return verbs and any(
        not _negated(sentence, give.end()) and _shared(_clause(sentence, give.start()), demand, MIN_SHARED)
        for give in _GIVE_VERB.finditer(sentence)
    )


def _shared(text: str, demand: frozenset[str], least: int) -> bool:
    return len(set(_stems(text)) & demand) >= least


def _clause(sentence: str, pos: int) -> str:
    """The clause around `pos`: from the comma or semicolon before it to the one after it."""
    start = max(sentence.rfind(",", 0, pos), sentence.rfind(";", 0, pos), -1) + 1
    ends = [i for i in (sentence.find(",", pos), sentence.find(";", pos)) if i >= 0]
    return sentence[start : min(ends, default=len(sentence))]


def _negated(sentence: str, end: int) -> bool:
    """A negation in the same clause before `end` ("we won't do it", "no, you don't get…")."""
    clause_start = max(sentence.rfind(",", 0, end), sentence.rfind(";", 0, end), 0)
    return _NEGATION.search(sentence, clause_start, end) is not None


def _asks(persona_line: str) -> bool:
    return any(pattern.search(persona_line) for pattern in (_DEMAND, _ASKS_AGAIN))


def _concessions(scenario: Scenario | None) -> re.Pattern[str] | None:
    words = [c for c in (scenario.support.concessions if scenario and scenario.support else []) if c.strip()]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def _stems(text: str) -> list[str]:
    """Content words cut to five letters, so "warehouses" meets "warehouse" and "staffed" "staff"."""
    return [word[:5] for word in _WORD.findall(text.lower()) if word not in _STOP and len(word) > 2]
