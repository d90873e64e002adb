"""Does a persona reply answer the coachee's line?

A proposal needs a stance (yes, no, or something instead: another day, time or thing); a
choice needs one of its options named (or both, or neither); a question about feelings needs
one named; a restatement needs a
confirmation or a correction; a question or a charge needs a reply about its topic: close
enough, in the local sentence embeddings, to the question or to the note retrieved to
answer it. The embedding test only catches clear non sequiturs (a reply about something
else entirely): short question–answer pairs are too noisy for more, so the engine pairs it
with a cue that says what is being answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.engine.asks import SLOT, Ask, AskKind

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

SHORT_COUNTER_WORDS = 6  # "Thursday at ten?" is a counter; "lunch was late today" is not
MIN_SIMILARITY = 0.15  # measured on hand-written pairs: answers 0.19-0.76, clear non sequiturs 0.06-0.12
STANCE = re.compile(
    r"\b(yes|yeah|yep|sure|ok(ay)?|fine|works?|sounds (good|fine|okay|great)|deal|agreed?|i can|i'?ll|let'?s|"
    r"no|nope|not|can'?t|cannot|won'?t|rather|instead|how about|what about|could we|maybe|better|prefer)\b",
    re.IGNORECASE,
)
CONFIRM = re.compile(
    r"\b(yes|yeah|yep|right|exactly|true|that'?s (it|right|fair)|kind of|sort of|pretty much|not (really|quite|"
    r"exactly)|no|nope|actually|mostly|partly|i guess|i suppose|basically)\b",
    re.IGNORECASE,
)

# A reply to "how do you feel" names a feeling: a word for one, a plain state ("fine",
# "not bad", "all good"; at the start or said of oneself, not "a great job"), or "it feels
# like…" with what it feels like. "Honestly" or "like" alone name nothing.
FEELING_WORDS = (
    r"worr\w*|nervous|anxious|stress\w*|frustrat\w*|annoy\w*|angry|furious|irritat\w*|upset|hurt|hurts|stung|"
    r"sting\w*|disappoint\w*|tired|exhaust\w*|worn (?:out|down)|overwhelm\w*|drown\w*|scared|afraid|fear\w*|uneasy|"
    r"uncomfortable|awkward|rushed|stuck|bored|flat|excited|glad|happy|unhappy|relieved|sad|miserable|proud|fed up|"
    r"sick of|on edge|panic\w*|dread\w*|mixed|confident|insecure|humiliat\w*|resent\w*|rough|tough|grim|gutted|"
    r"deflat\w*|embarrass\w*|ashamed|guilty|under pressure|pressured|struggl\w*|hammered|concerned|confused|unsure|"
    r"not sure|lost|torn|undervalued|overlooked|unappreciated|ignored|sidelined|blindsided|swamped|stretched|"
    r"burn(?:ed|t) out|demotivated|unmotivated|isolated|restless|numb|meh|mad|pissed|unfair|not fair|untenable|"
    r"insult\w*|demean\w*|bad|(?:been|it'?s|so|pretty|really) (?:hard|difficult)|hard time|lonely|enjoy\w*|"
    r"hate|bother\w*|love it|like it|don'?t like|a mess|satisfied|fulfilled|comfortable|a bit much|too much"
)
PLAIN_STATE = r"fine|good|great|okay|ok|alright|all right|better|not bad|not great"
FELT = re.compile(
    rf"\b(?:{FEELING_WORDS})\b"
    rf"|^\W*(?:well,? |honestly,? |oh,? )?(?:{PLAIN_STATE})\b"
    rf"|\b(?:i'?m|it'?s|i am|it is|been|feel|feels|felt|feeling|all|doing|pretty|mostly) (?:{PLAIN_STATE})\b"
    r"|\b(?:feel|feels|felt|feeling) (?:like|as if|as though) (?!(?:we|you) (?:should|need|could|must)\b)",
    re.IGNORECASE,
)
EITHER = re.compile(r"\b(both|either|neither|the first|the second|the former|the latter|whichever)\b", re.I)
COMMON = frozenset(  # long words that any reply may say without drawing on the note
    """about after again against because before being could doesn't didn't there their these those thing things
    think where which while would really actually should still every other someone something always never
    people without""".split()  # noqa: SIM905
)
STEM = 5  # "presentation" names "presenting"; "onboarding" names "onboard"


@dataclass(frozen=True)
class Relevance:
    responsive: bool
    score: float  # how close the reply is to what was asked (1.0 where a rule decided)
    why: str


def judge(
    ask: Ask, reply: str, notes: Sequence[str] = (), embed: Embed | None = None, *, answer: str = ""
) -> Relevance:
    """Whether `reply` answers `ask`; `notes` are the texts retrieved to answer it, and
    `answer` (when the persona is forthcoming) the note that holds the fact asked for: the
    reply must then use at least one of its words that the question did not already say."""
    if ask.kind == AskKind.proposal:
        if STANCE.search(reply) or (SLOT.search(reply) and len(reply.split()) <= SHORT_COUNTER_WORDS):
            return Relevance(True, 1.0, "takes a stance on the proposal")
        return Relevance(False, 0.0, "neither accepts, refuses nor counters the proposal")
    if ask.kind == AskKind.choice and ask.options:
        if EITHER.search(reply) or _names(reply, ask.options):
            return Relevance(True, 1.0, "picks one of the options, or both, or neither")
        return Relevance(False, 0.0, "names none of the options")
    if ask.kind == AskKind.feeling and not FELT.search(reply):
        return Relevance(False, 0.0, "says nothing of how it feels")
    if ask.kind == AskKind.reflection and CONFIRM.search(reply):
        return Relevance(True, 1.0, "confirms or corrects the restatement")
    if answer and not _names(reply, _new_words(answer, ask.said)):
        return Relevance(False, 0.1, "does not use what the persona knows about it")
    if embed is None or not ask.said:
        return Relevance(True, 1.0, "nothing to compare with")
    score = _similarity(embed, reply, [ask.said, *notes])
    if score >= MIN_SIMILARITY:
        return Relevance(True, score, f"about what was asked (similarity {score:.2f})")
    return Relevance(False, score, f"about something else (similarity {score:.2f} < {MIN_SIMILARITY})")


def _names(reply: str, words: Sequence[str]) -> bool:
    said = {w[:STEM] for w in re.findall(r"[a-z0-9']+", reply.lower())}
    return any(w[:STEM] in said for w in words)


def _new_words(note: str, question: str) -> list[str]:
    """The note's content words (five letters or more: names, numbers' words, things) that the question lacks."""
    asked = {w[:STEM] for w in re.findall(r"[a-z0-9']+", question.lower())}
    found = re.findall(r"[a-z0-9']+", note.lower())
    return [w for w in found if (len(w) >= STEM or w.isdigit()) and w[:STEM] not in asked and w not in COMMON]


def _similarity(embed: Embed, reply: str, targets: list[str]) -> float:
    vectors = np.asarray(embed([reply, *targets]), dtype=float)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return float(np.max(vectors[1:] @ vectors[0]))
