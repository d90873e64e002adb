"""Checks every persona reply before anyone sees it as final.

A reply is cleaned (speaker prefixes, quotes, stage directions in *asterisks*, (brackets)
or [brackets] removed; cut where the model starts writing the coachee's line) and then
rejected if it is empty, sounds like an assistant, leaks the card, the coach's notes or
the rubric, echoes the coachee (in any script or spelling), is not in the scenario's
language, speaks under a speaker label or for several speakers, obeys a rule the coachee
tried to set for the persona's replies (`smuggled_rules`), or repeats an earlier line. The
engine retries once and then falls back to an authored line for the move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator.core.codes import CODES
from simulator.core.text import clip, near_repeat
from simulator.engine import language, smuggled_rules, spelling
from simulator.engine.smuggled_rules import Rules

MAX_WORDS = 60
LEAK_NGRAM = 7  # this many consecutive words shared with a hidden text counts as a leak
ECHO_RUN = 6  # this many of the coachee's words in a row, in any spelling, is an echo, not a reply
ECHO_WHOLE = 5  # a coachee line of at least this many words, said again whole inside a reply, is an echo
NARRATION_NGRAM = 4  # a reply opening on "he"/"she"/the name that shares this many words in a row with a note

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
# A speaker label at the start of a line or sentence: "Manager:", "JACK (quietly):", "Frau Weber:".
# Not a time ("9:30") or an address ("https://"); discourse words ("Look: …") are not names.
SPEAKER_LABEL = re.compile(
    r"(?:^|\n|(?<=[.!?…\"”])[ \t]+)[ \t\"“*]*(?P<label>[^\W\d_][\w'’-]{0,30}(?:[ \t]+[^\W\d_][\w'’-]{0,30}){0,2})"
    r"[ \t]*(?P<mood>\([^()\n]{0,60}\))?[ \t]*:(?![0-9/])"
)
_NOT_NAMES = """
    look listen honestly ok okay fine well seriously basically anyway again first firstly second secondly third
    finally also plus so yes yeah no nope right sure truth point problem thing answer question fact facts reality
    update status deal news hey wait now here there example result reason lesson note summary bottom short long
    simple simply priority priorities context background reminder warning frankly correction agreed done exactly
    true sorry please thanks but and or then because actually really remember whatever nothing everything today
    tomorrow yesterday tonight monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december step option plan goal idea issue risk cost
    budget scope deadline timeline verdict conclusion upshot i my the this that what why how who when where
    briefly clearly obviously personally realistically practically ideally luckily unfortunately fortunately
    generally specifically essentially ultimately technically currently apparently admittedly importantly
    additionally lastly meaning translation caveat catch hint"""
NOT_NAMES = frozenset(_NOT_NAMES.split())
ACRONYMS = frozenset({"OK", "NO", "PS", "FYI", "NB", "ETA", "TBD", "ASAP", "TL;DR", "TLDR", "EOD", "BTW"})


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
        "not in the scenario's language",
        "speaks as someone else (a speaker label)",
        "writes several speakers' lines",
        "goes on with the stage direction",
        "narrates a note about itself",
    }
    | {f"obeys a rule the coachee set ({what})" for what in smuggled_rules.OBEYED.values()}
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
    rules: Rules = Rules()  # what the coachee's lines demanded of the replies (smuggled_rules.in_force)
    language: str = "en"  # the scenario's language
    notes: tuple[str, ...] = ()  # the notes in the prompt, written about the persona
    self_words: tuple[str, ...] = ()  # how the notes name the persona: first name, "he" or "she"


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


def live_problems(text: str, ctx: GuardContext, *, final: bool = False) -> list[str]:
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
    if ctx.last_coachee_line and _echoes(text, ctx.last_coachee_line, final=final):
        problems.append("echoes the coachee")
    if language.other_language(text, ctx.language):
        problems.append("not in the scenario's language")
    if _spills_cue(text):
        problems.append("goes on with the stage direction")
    problems += _label_problems(text, ctx)
    problems += [
        f"obeys a rule the coachee set ({smuggled_rules.OBEYED[kind]})"
        for kind in smuggled_rules.obeyed(text, ctx.rules, final=final)
    ]
    return problems


def check(raw: str, ctx: GuardContext) -> Verdict:
    text = clean(raw, ctx)
    problems = []
    if len(_words(text)) == 0:
        problems.append("empty reply")
    problems += live_problems(text, ctx, final=True)
    problems += _label_problems(raw.replace("\r", "\n"), ctx, spoken=False)
    if _narrates(text, ctx) or _names_itself(text, ctx):
        problems.append("narrates a note about itself")
    if any(_same(text, earlier) for earlier in ctx.previous_lines):
        problems.append("repeats an earlier line")
    elif near_repeat(text, ctx.previous_lines):
        problems.append("nearly repeats an earlier line")
    if any(_same(text, example) for example in ctx.other_moods):
        problems.append("copies an example line of another mood")
    return Verdict(text, list(dict.fromkeys(problems)))


def _narrates(text: str, ctx: GuardContext) -> bool:
    """The model read a note out as it is written ("He depends on IT, operations and the
    call center…" from Jack): the reply opens on the persona's name or pronoun and goes on
    in a note's words. A reply about someone else ("He never told me…") shares no run of them."""
    said = _words(text)
    if not said or said[0] not in ctx.self_words:
        return False
    grams = _ngrams(said, NARRATION_NGRAM)
    return any(grams & _ngrams(_words(note), NARRATION_NGRAM) for note in ctx.notes)


SELF_INTRODUCTIONS = frozenset({"i'm", "im", "am", "is", "it's", "its", "me", "name's", "called"})


def _names_itself(text: str, ctx: GuardContext) -> bool:
    """The persona speaks of itself by its own name, as a note or the card would ("…different
    from what Jack expected", said by Jack). "I'm Jack", "it's Jack", "this is Jack" are fine."""
    name = _words(ctx.persona_name)[:1]
    said = _words(text)
    return bool(name) and any(
        word == name[0] and (i == 0 or said[i - 1] not in SELF_INTRODUCTIONS) for i, word in enumerate(said)
    )


def _spills_cue(text: str) -> bool:
    """The model went on writing the speaker cue ("…keep it tight): Sure."): a bracket closes
    that never opened in the reply."""
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return True
    return False


def _echoes(text: str, line: str, *, final: bool) -> bool:
    """The reply says the coachee's words back: all of them, the whole line inside it, or a
    long run of them, compared in one spelling (`spelling.skeleton`) so that leetspeak,
    look-alike letters, accents or spacing do not hide it. Sharing a few words is fine."""
    said, heard = spelling.skeleton(text), spelling.skeleton(line)
    if not said or not heard:
        return False
    if final and said == heard:
        return True
    if len(heard) >= ECHO_WHOLE and spelling.contains(said, heard):
        return True
    return spelling.shared_run(said, heard, ECHO_RUN)


def _label_problems(text: str, ctx: GuardContext, *, spoken: bool = True) -> list[str]:
    """Speaker labels of any name. `text` is the spoken reply (`spoken`), where any label is
    someone else's (the persona's own was cleaned away), or the raw one, where the persona's
    label may open it and the coachee's may end it (`clean` cuts there)."""
    own = {n.casefold() for n in (ctx.persona_cue, ctx.persona_name, ctx.persona_name.split()[0])}
    coachee = {n.casefold() for n in (ctx.coachee_cue, ctx.coachee_name, ctx.coachee_name.split()[0])}
    problems = []
    for match in SPEAKER_LABEL.finditer(text[:4000]):
        label = " ".join(match["label"].split())
        if not _is_name(label, match["mood"]) or label.casefold() in own:
            continue
        if match.start() == 0 or not text[: match.start()].strip(' \t\n"“*'):
            problems.append("speaks as someone else (a speaker label)")
        elif spoken or label.casefold() not in coachee:
            problems.append("writes several speakers' lines")
    return problems


def _is_name(label: str, mood: str | None) -> bool:
    """Whether the words before a colon read as a speaker's name rather than a discourse word."""
    if mood:
        return True
    cased = [ch for ch in label if ch.isupper() or ch.islower()]
    if not cased:  # a script without case (Han, Arabic…)
        return True
    if len(cased) >= 2 and all(ch.isupper() for ch in cased):
        return label.upper() not in ACRONYMS
    words = label.split()
    return all(not w[0].islower() for w in words) and words[0].casefold() not in NOT_NAMES


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
    """The coachee tries to talk the persona out of its role or into revealing its
    instructions, or sets rules for its replies (a fixed opening, a word limit, a language…)."""
    return bool(ROLE_BREAK.search(text)) or smuggled_rules.detect(text).about_replies
