"""Checks every persona reply before anyone sees it as final.

A reply is cleaned (speaker prefixes, quotes, stage directions in *asterisks*, (brackets)
or [brackets] removed; cut where the model starts writing the coachee's line) and then
rejected if it is empty, sounds like an assistant, leaks the card, the coach's notes or
the rubric, echoes the coachee, or repeats an earlier line. The engine retries once and
then falls back to an authored line for the move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.core.codes import CODES
from simulator.core.text import clip

MAX_WORDS = 60
LEAK_NGRAM = 7  # this many consecutive words shared with a hidden text counts as a leak

ASSISTANT_TALK = re.compile(
    r"\b(as an ai|i('m| am) (just )?(an? )?(ai|bot|language model|chatbot|program)\b|a language model|"
    r"large language model|chatbot|openai|(ai|virtual|digital) assistant|"
    r"how (can|may) i (help|assist) you( today)?\b|here('s| is) (a|an|the) (response|reply|line|dialogue)|"
    r"role-?play|in character|out of character|my (instructions|programming|system prompt)|system prompt|"
    r"stage direction|screenplay|rubric|coachee)\b",
    re.IGNORECASE,
)
ASSISTANT_OPENERS = re.compile(r"^(certainly[,!] here|sure[,!] here|absolutely[,!] here|great question)", re.IGNORECASE)
STAGE_DIRECTIONS = re.compile(r"\*[^*]{0,200}\*|\([^()]{0,200}\)|\[[^\[\]]{0,200}\]")
RUBRIC_TERMS = [code for code in CODES if "_" in code]  # plain words like "limit" are fine to say
CODE_LIKE = re.compile(r"```|</?[a-z]+>|https?://|\{\s*\"|\b(" + "|".join(RUBRIC_TERMS) + r")\b")


# What the checks find falls in two kinds: out of character (the line must never be shown)
# and stale (an in-character line that repeats or belongs to another mood; retried for freshness).
OUT_OF_CHARACTER = frozenset(
    {
        "empty reply",
        "assistant talk or meta talk",
        "markup, code or rubric terms",
        "repeats hidden card or notes text",
        "something the persona never says",
        "echoes the coachee",
    }
)


@dataclass(frozen=True)
class GuardContext:
    persona_name: str
    persona_cue: str
    coachee_name: str
    coachee_cue: str
    hidden_texts: tuple[str, ...] = ()  # card, coach notes, locked notes: never to be said
    previous_lines: tuple[str, ...] = ()  # the persona's own earlier lines
    other_moods: tuple[str, ...] = ()  # example lines written for other moves than this one
    never_says: tuple[str, ...] = ()  # phrases from the persona card that are out of character
    last_coachee_line: str = ""


@dataclass
class Verdict:
    text: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def clean(raw: str, ctx: GuardContext) -> str:
    """The spoken words of a raw model reply, cut before anything that isn't the persona's."""
    text = raw.replace("\r", "\n").strip()
    for cue in {ctx.coachee_cue, ctx.coachee_name.split()[0], ctx.coachee_name}:
        text = re.split(rf"(?:^|\n|(?<=[.!?\"”…])\s+)(?:{re.escape(cue)})\s*(?:\([^)]*\))?\s*:", text)[0]
    text = text.split("\n")[0] if text.strip() else ""
    for cue in {ctx.persona_cue, ctx.persona_name, ctx.persona_name.split()[0]}:
        text = re.sub(rf"^\s*{re.escape(cue)}\s*(\([^)]*\))?\s*:\s*", "", text, flags=re.IGNORECASE)
    text = STAGE_DIRECTIONS.sub(" ", text)
    text = " ".join(text.split()).strip(" \"'“”‘’-–—")
    return clip(text, MAX_WORDS, words=True, at_sentence_end=True)


def live_problems(text: str, ctx: GuardContext) -> list[str]:
    """What can be told from part of a reply: checked while it streams, before it is shown."""
    problems = []
    if ASSISTANT_TALK.search(text) or ASSISTANT_OPENERS.search(text):
        problems.append("assistant talk or meta talk")
    if CODE_LIKE.search(text):
        problems.append("markup, code or rubric terms")
    if _leaks(text, ctx.hidden_texts):
        problems.append("repeats hidden card or notes text")
    lowered = text.lower()
    if any(phrase.lower().rstrip(".!?") in lowered for phrase in ctx.never_says):
        problems.append("something the persona never says")
    return problems


def check(raw: str, ctx: GuardContext) -> Verdict:
    text = clean(raw, ctx)
    problems = []
    if len(_words(text)) == 0:
        problems.append("empty reply")
    problems += live_problems(text, ctx)
    if ctx.last_coachee_line and _same(text, ctx.last_coachee_line):
        problems.append("echoes the coachee")
    if any(_same(text, earlier) for earlier in ctx.previous_lines):
        problems.append("repeats an earlier line")
    if any(_same(text, example) for example in ctx.other_moods):
        problems.append("copies an example line of another mood")
    return Verdict(text, problems)


def _same(a: str, b: str) -> bool:
    return _words(a) == _words(b) and bool(_words(a))


def _leaks(text: str, hidden: tuple[str, ...]) -> bool:
    grams = _ngrams(_words(text), LEAK_NGRAM)
    return bool(grams) and any(grams & _ngrams(_words(h), LEAK_NGRAM) for h in hidden)


ROLE_BREAK = re.compile(
    r"\b(ignore (all |your |the |any )?(previous |prior |above |earlier )?(instructions|prompts?)\b|"
    r"(system|initial|original) prompt|your (system )?prompt\b(?! (reply|response|answer|attention))|"
    r"you('re| are) (just |only )?(an? )?(ai|llm|language model|chatbot|bot|assistant)\b|"
    r"are you (an? )?(ai|bot|robot|llm|chatbot|real person|language model)\b|"
    r"(stop|quit|end|drop) (the )?(role-?play|roleplay|acting|pretending)|break character|out of character|"
    r"(reveal|show|print|repeat|tell me) (me )?(your|the) (instructions|system prompt|prompt)\b|"
    r"what are your instructions|developer mode|jailbreak|act as (an? )?(assistant|ai)\b)",
    re.IGNORECASE,
)


def is_role_break(text: str) -> bool:
    """The coachee tries to talk the persona out of its role or into revealing its instructions."""
    return bool(ROLE_BREAK.search(text))
