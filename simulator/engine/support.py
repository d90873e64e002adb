"""Finds, in one coachee line, a concrete offer of help and pressure that ignores the other.

The rubric's behaviour codes say how a line listens or sets a limit; they do not say
whether the coachee offers to carry part of the other's load ("I'll take two of your
tickets this week") or leans on them regardless of it ("it gets done by Friday whatever
else is on your plate"). People warm to the first and cool under the second, so the
persona's state and moves react to both (state.update, director.choose).

- An *offer* is the coachee committing themself to something that lightens the other's
  load or unblocks them: taking, handling or covering work, asking or telling someone on
  their behalf, giving time, people or material, pairing with them, taking another task
  away, checking in to unblock them. Sympathy with nothing to do ("I'm here for you",
  "let me know if you need anything", "happy to help") is not an offer. Neither is an
  offer that gives in: a line coded `capitulation`, or one whose offer names what the
  scenario's limit refuses (`concessions`).
- *Pressure* is a demand that brushes aside the other's situation: "whatever else is on
  your plate", "no excuses", "I don't care how", "just get it done", a demand closed with
  "full stop", or a threat. A plain deadline ("it has to go live Friday") is not pressure:
  holding a date is a limit. Pressure in a line that also offers help is supported, and
  `Support.unsupported_pressure` is None for it.

Plain regular expressions over the line, one sentence at a time; a literal space in a
pattern matches any run of whitespace, and gaps are bounded so long lines stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from simulator.core.text import Span, clip, sentence_spans

MAX_SPAN_CHARS = 160
MAX_SENTENCE_CHARS = 400

# Straight quotes for curly ones, character for character, so offsets stay valid.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _rx(*patterns: str) -> re.Pattern[str]:
    joined = "|".join(f"(?:{p})" for p in patterns).replace(" ", r"\s+")
    return re.compile(joined, re.IGNORECASE)


# --- offers -----------------------------------------------------------------------

# The coachee commits themself ("I'll", "let me", "we can"), or offers in question form
# ("want me to", "would it help if I"). Refusals ("I can't", "I won't") never match.
_LEAD = (
    r"\bi(?:'ll| will| can| could| shall|'m going to| am going to|'m gonna)"
    r"|\bi'?d (?:be )?(?:happy|glad|more than happy|like) to|\bi(?:'m| am) (?:happy|glad|more than happy) to"
    r"|\blet me|\bwe(?:'ll| will| can| could)|\bwhat if i|\bhow about i|\bwhy don'?t i"
    r"|\bwould it help if i|\b(?:do you )?want me to|\bshall i|\bshould i|\bcan i|\bcould i|\bmay i"
)
_FILL = (
    r"(?:also|just|happily|gladly|personally|definitely|then|now|first|absolutely|totally|still|immediately"
    r"|right away|today|try to|go and|go ahead and|quickly|already|willingly)"
)
_OBJECT = (
    r"(?:(?:some|one|two|three|four|five|a few|a couple|half|part|the rest|most|any|all|a bit|a chunk|\d+) of )?"
    r"(?:your|the|those|these|that|this|it|them|some|one|two|three|four|half|part|a few|a couple|\d+)\b"
)
# Who the coachee would talk to on the other's behalf, and for what: "ask Denise to move
# your other tickets", "talk to the client myself". Talk alone is not help.
_ON_BEHALF = (
    r"(?:so (?:that )?you|to (?:get you|free|move|push|buy|clear|give you|find|make|take|shift|reassign|drop|pause"
    r"|hold off|deprioriti|reprioriti|cover|help|lighten|extend|explain)|about (?:getting you|giving you|moving"
    r"|freeing|pushing|taking|more time|extra|help|support|resources|the (?:deadline|date|priorit|scope)|your "
    r"(?:workload|other|load|priorit)|an extension)|for (?:more time|an extension|help|support|resources|another"
    r"|someone|you)|myself|on your behalf)"
)
# Things handed over that lighten the work: the spec, the files, the copy (not a quote or an invite).
_MATERIAL = (
    r"(?:specs?|specification|mock-?ups?|designs?|copy|documents?|docs|files?|pdfs?|templates?|examples?|assets"
    r"|data|details|requirements|notes|slides|login|logins|access|checklist|contacts?|figures|research|write-?up)\b"
)
# Asking someone something is not speaking up for the other: "can I ask what happened for you".
_NOT_SOMEONE = r"(?:you|what|how|why|when|where|who|which|if|whether|about|a question|for)\b"
_HELP = (
    # taking work over
    rf"take (?:on |over |care of )?{_OBJECT}",
    rf"(?:handle|pick up|deal with|sort out|chase(?: up)?|field|write|draft|mock up|prepare|own) {_OBJECT}",
    r"cover (?:for you|your|(?:some|one|two|a few|half|the rest) of)\b|fill in for you|step in\b|take it from here",
    r"do (?:it|that|this|the [\w-]+|your [\w-]+) for you",
    # speaking up for them
    rf"(?:ask|talk to|talk with|speak (?:to|with)|call|email|ping|tell|check with|go to|loop in|phone|message"
    rf"|write to|have a word with|sit down with|push back on|get on the phone with) (?!{_NOT_SOMEONE})[^.!?;]{{0,50}}?"
    rf"\b{_ON_BEHALF}",
    r"(?:take|handle|deal with) (?:the (?:heat|flak|fallout|blame)|the (?:client|call|conversation)\b)",
    r"(?:shield|protect) you\b|run interference|keep [\w ]{1,25}? off your back|back you up\b",
    r"put (?:you|your name) forward|put in a (?:good )?word|recommend you|introduce you|nominate you|sponsor you"
    r"|vouch for you",
    # time, people and material
    r"(?:give|get|find|bring in|lend|send|free up) (?:you )?(?:a hand|more time|extra time|an extra (?:day|week|pair"
    r" of hands|person)|another (?:day|week|person|pair of hands)|(?:a|an|one|two|three|some|a few|a couple of) "
    r"(?:more |extra )?(?:days?|weeks?|hours?|people|devs?|developers?|testers?|hands)|help|support|someone|somebody"
    r"|backup|cover|access|budget|resources|headcount|a contractor|an? (?:designer|tester|contractor|developer|intern"
    r"|analyst|temp))\b",
    rf"(?:get|send|forward|find|bring) (?:you |over )?(?:the|a|an|some|my|our|those|these|that|all the|every)? ?"
    rf"(?:[\w-]+ )?{_MATERIAL}",
    r"send (?:over )?(?:people|staff|someone|help|a team|our (?:team|people|staff))\b",
    # working it through with them
    r"(?:pair|sit|work|go through (?:it|this|that|the [\w-]+)|walk through (?:it|this|that)) (?:down )?with you\b",
    r"pair (?:up|on (?:it|this|that|the))\b|walk you through|show you (?:how|what|where|the)\b",
    r"help you (?:with|to|get|finish|write|fix|test|build|sort|figure|work|prioriti[sz]e|plan|prepare|make|set|find"
    r"|clear|move|manage|deal|catch up|sort)\b|give you a hand|lend (?:you )?a hand",
    # making room
    r"(?:clear|free up|block out|block off|carve out|make) (?:some |the |an? |your |my )?(?:time|room|space|hours?"
    r"|afternoon|morning|calendar|diary|schedule|day)\b",
    r"(?:move|push back|postpone|cancel|pause|park|shelve|deprioriti[sz]e|reprioriti[sz]e|reassign|hand off|take "
    r"away|drop|get rid of|take (?:\w+ )?off) (?:some of |one of |two of |a few of |any of |all of )?(?:your|the "
    r"other|those other|other)\b",
    r"check in (?:with you )?[^.!?;]{0,40}?\b(?:help|need|stuck|block|unblock|support)",
)
_OFFER = _rx(rf"(?:{_LEAD})(?: {_FILL}){{0,3}} (?:{'|'.join(_HELP)})")
# Said without committing oneself: "can I take that off your plate", "the dashboard can wait".
_RELIEF = _rx(
    r"\b(?:take|taking|get|getting|move|moving|lift|lifting|clear|clearing) [^.!?;]{0,40}?off your (?:plate|desk|list"
    r"|hands|back)\b",
    r"\byou can (?:drop|skip|park|shelve|pause|forget about|stop working on|put aside|leave|hand off|hand over"
    r"|ignore) (?:the|your|that|those|this|any|other)\b",
    r"\b(?:the|your|that|those) (?:other )?[\w-]+(?: [\w-]+)? (?:can|will have to|is going to have to) wait\b",
    r"\bdon'?t worry about (?:the|your|any) (?:other|rest of)\b",
    r"\bi(?:'ve| have)(?: already| just)? (?:asked|talked to|spoken (?:to|with)|got|gotten) (?!you\b)[^.!?;]{0,50}?"
    rf"\b{_ON_BEHALF}",
    r"\bi(?:'ve| have)(?: already| just)? (?:cleared|moved|pushed back|booked|blocked out|arranged|found|cancelled"
    r"|canceled|freed up|reassigned|taken|sorted out) (?:some of |one of |two of )?(?:your|the other|you|a|an|some"
    r"|two|three)\b",
)
# Offers that are not help at all: "I'll take that as a yes", "I'll take this to HR".
_NOT_HELP = _rx(
    r"\btake (?:the|your|a|an) (?:[\w-]+ )?(?:number|details|name|email|address|notes|minutes|liberty|chance"
    r"|opportunity|floor|question|view|position|decision)\b",
    r"\btake (?:that|it|this|your|the|my)(?: [\w-]+)? as\b|\btake (?:your|the|my) (?:point|word|advice|feedback)\b",
    r"\btake (?:this|it|that) (?:to|up with|further|personally|offline)\b",
)


# --- pressure ---------------------------------------------------------------------

# Brushing the other's situation aside; the negation is part of the phrase.
_DISREGARD = _rx(
    r"\bwhatever else (?:is |'s |you(?:'ve| have|'re| are)? ?(?:got )?)?(?:on|going on|happening|comes up|happens"
    r"|doing|working on|have on)\b",
    r"\bregardless of (?:what|whatever|anything|everything|your|how|the rest|other)\b",
    r"\bi (?:don'?t|do not) care (?:how|what it takes|who does it|about (?:your|excuses|the excuses|why)|that you)\b",
    r"\bno excuses\b|\bstop making excuses\b|\bi (?:don'?t|do not) (?:need|want) (?:excuses|reasons)\b",
    r"\bi (?:don'?t|do not) want to hear (?:it|any|about|excuses|that|why|how)\b",
    r"\b(?:not|none of) my (?:problem|concern|business)\b|\b(?:that'?s|that is|it'?s|it is) your problem\b",
    r"\b(?:i|we) (?:needed|need|wanted) (?:it|this|that) yesterday\b",
    r"\b(?:stay|work) (?:late|nights|overtime|(?:the|this|over the) weekend)\b[^.!?]{0,20}?\bif (?:you have to"
    r"|need be|necessary|that'?s what it takes)\b",
    r"\byou(?:'ll| will)? (?:just )?(?:have|need) to (?:find|make) (?:the )?time\b",
    r"\byou(?:'ll| will) (?:just )?have to (?:make it work|manage|deal with it|cope|live with it|stay late|work late"
    r"|work (?:the|this) weekend|cancel)\b",
)
# Threats of consequences.
_THREAT = _rx(
    r"\bor else\b|\bor there(?:'ll| will) be\b|\bor you(?:'re| are) (?:out|fired|done|off)\b",
    r"\bor i(?:'ll| will) (?:have to |need to )?(?:escalate|report|tell|talk to|go to|take (?:it|this)|find someone"
    r"|give (?:it|this) to|pull|replace|put (?:it|this|you))\b",
    r"\bor you(?:'ll| will) (?:be (?:fired|out|let go|off|answering)|regret|answer to|lose your|face"
    r"|hear (?:from|about))\b",
    r"\b(?:there (?:will|'?ll) be|face (?:the )?|suffer (?:the )?)consequences\b",
    r"\b(?:this|that|it) (?:will|'?ll|is going to|could|might) (?:go on|show up (?:in|on)|end up (?:in|on)|affect"
    r"|be reflected in|come up (?:in|at)) your (?:review|appraisal|record|file|performance|rating|bonus)\b",
    r"\bi(?:'ll| will|'m going to| am going to) (?:escalate|report) (?:this|it|that|you)\b",
    r"\bgo over your head\b|\bwrite you up\b|\bput you on (?:a |an )?(?:pip|performance (?:plan|improvement plan))\b",
    r"\byour (?:job|position|role|bonus|promotion) (?:is|will be|could be|might be) (?:on the line"
    r"|at (?:risk|stake))\b",
    r"\byou(?:'ll| will) be (?:fired|let go|replaced|out of a job|off the (?:team|project|account))\b",
)
# Brushing-off orders; "I'm not asking you to drop everything" is not one.
_ORDER = _rx(
    r"\bdrop everything\b",
    r"(?<!let's\s)\bjust (?:get it done|do it|make it happen|figure it out|deal with it|sort it out|get on with it"
    r"|fix it|ship it|make it work)\b",
    r"(?<!let's\s)(?<!we'll\s)(?<!we\s)(?<!i'll\s)\bmake it happen\b",
    r"\bfigure it out (?:yourself|on your own)\b|\byou figure it out\b",
)
# "Full stop" closes a demand to discussion; closing one's own refusal ("we won't do it for
# free, full stop") is a limit, so it needs a demand on the other in the same sentence.
_FIRM = _rx(
    r"\bfull stop\b|[,;:\u2014\u2013-] ?period\b|\.\s*period\b|\bend of (?:story|discussion)\b",
    r"\bno ifs\b|\bno arguments?\b|\bnot up for (?:discussion|debate|negotiation)\b|\bno (?:discussion|debate)\b",
    r"\band that'?s (?:final|that)\b|\bnon-?negotiable\b",
)
# "No matter what" is pressure when it backs a demand or a deadline ("it ships Friday no matter
# what"), not when it backs the speaker's own support ("no matter what, I've got your back").
_AT_ANY_COST = _rx(r"\bno matter (?:what|how)\b|\bwhatever it takes\b|\bat any cost\b|\bat all costs\b")
_DEADLINE = _rx(
    r"\b(?:by|before|for) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|noon"
    r"|the end of|end of|eod|close of)\b",
    r"\b(?:ships?|goes live|go live|lands?|launch(?:es)?) (?:on )?(?:monday|tuesday|wednesday|thursday|friday|this"
    r"|next|tomorrow|today)\b",
)
_DEMAND = _rx(
    r"\byou(?:'re| are)? (?:need to|must|have to|'ve got to|have got to|got to|gotta|better|'d better|had better)\b",
    r"\byou(?:'ll| will) (?:have|get|finish|fix|ship|deliver|do|sort|make|be done)\b",
    r"\b(?:gets?|be|is|'s|are|goes?|go) (?:done|finished|fixed|live|shipped|delivered|sorted|out|in)\b",
    r"^(?:just )?(?:get|have|make|do|finish|fix|ship|deliver|sort) ",
)

# Negations in the clause before a match; they turn an offer or an order around.
_NEGATION = re.compile(r"\b(?:not|never|no way|cannot|wish|if only)\b|n't\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[.!?;,:\u2014\u2013]|\s-\s|\b(?:but|so|and|because|though|although|if)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;\u2014\u2013]|\s-\s|,?\s+but\b|,?\s+though\b", re.IGNORECASE)


@dataclass(frozen=True)
class Support:
    """What one coachee line does for, or to, the other person; each is the words that did it."""

    offer: str | None = None  # a concrete offer of help, counted as help
    pressure: str | None = None  # pressure that brushes the other's situation aside
    concession: str | None = None  # an offer that gives in (coded capitulation, or a concession word): not help

    @property
    def unsupported_pressure(self) -> str | None:
        """The pressure, unless the same line offers help with it."""
        return self.pressure if self.offer is None else None


def detect(text: str, codes: Iterable[str] = (), concessions: Iterable[str] = ()) -> Support:
    """The offer of help and the pressure in one coachee line (its first of each).

    `codes` are the line's behaviour codes: a line coded `capitulation` offers no help, only
    a concession. `concessions` are the scenario's words for what its limit refuses ("lead
    role", "for free"): an offer naming one is a concession too.
    """
    plain = text.translate(_QUOTES)  # same length: offsets into it are offsets into `text`
    offer = next(_offers(plain), None)
    pressure = next(_pressures(plain), None)
    concession = None
    if offer is not None and ("capitulation" in set(codes) or _names_any(plain[offer[0] : offer[1]], concessions)):
        offer, concession = None, offer
    return Support(offer=_words(text, offer), pressure=_words(text, pressure), concession=_words(text, concession))


def _sentences(text: str) -> Iterator[Span]:
    yield from sentence_spans(text, max_chars=MAX_SENTENCE_CHARS)


def _offers(text: str) -> Iterator[Span]:
    """Each offer's clause, from where it starts to where it ends (a full stop, "but")."""
    for sentence in _sentences(text):
        for pattern in (_OFFER, _RELIEF):
            for m in pattern.finditer(text, sentence.start, sentence.end):
                if _negated(text, sentence.start, m.start()):
                    continue
                span = Span(_clause_start(text, sentence.start, m.start()), _clause_end(text, m.end(), sentence.end))
                if not _NOT_HELP.search(text, span.start, span.end):
                    yield span


def _pressures(text: str) -> Iterator[Span]:
    """Each sentence that presses."""
    for sentence in _sentences(text):
        whole = text[sentence.start : sentence.end]
        if (
            _DISREGARD.search(whole)
            or _THREAT.search(whole)
            or any(not _negated(text, sentence.start, m.start()) for m in _ORDER.finditer(text, *sentence))
            or (_FIRM.search(whole) and _DEMAND.search(whole))
            or (_AT_ANY_COST.search(whole) and (_DEMAND.search(whole) or _DEADLINE.search(whole)))
        ):
            yield sentence


def _clause_start(text: str, floor: int, at: int) -> int:
    """Where the clause holding position `at` starts (not before `floor`)."""
    starts = [m.end() for m in _CLAUSE_START.finditer(text, floor, at)]
    return max(starts, default=floor)


def _clause_end(text: str, at: int, ceiling: int) -> int:
    m = _CLAUSE_END.search(text, at, ceiling)
    return m.start() if m else ceiling


def _negated(text: str, floor: int, at: int) -> bool:
    return _NEGATION.search(text, _clause_start(text, floor, at), at) is not None


def _names_any(span: str, words: Iterable[str]) -> bool:
    """Whether `span` names one of `words` (at a word's start, in any case), not negated:
    "a rotation for you, which isn't a promotion" names no promotion."""
    for word in (w.strip() for w in words):
        for m in re.finditer(rf"\b{re.escape(word)}", span, re.IGNORECASE) if word else ():
            if not _negated(span, 0, m.start()):
                return True
    return False


def _words(text: str, span: Span | None) -> str | None:
    """The words of `text` at `span`, trimmed and clipped for a report."""
    if span is None:
        return None
    return clip(text[span[0] : span[1]].strip(" ,;:-"), MAX_SPAN_CHARS)
