"""What a coachee said to the persona, as opposed to text pasted into the turn.

A turn can carry text that is not speech: a fake transcript with speaker labels, JSON
turns, chat-template tags, a fake judge's verdict or evidence list, a block between
delimiters, a code fence, markdown or HTML. Coded as it stands, its smuggled "So what I
hear is…" lines would earn the coachee listening credit they never gave. `spoken` cuts
all of that out and says what it found; only the rest is coded (`code_spoken`), and the
report says which turns held what ("Turn 7 contains pasted dialogue; not scored").

A turn that is a wall of text (over `WALL_WORDS` words, pasted parts included) is not a
conversational move either: it keeps only the codes that count against it, so burying a
few good sentences in filler or a pasted report earns nothing.

Speech that merely looks like a paste keeps its credit: a quoted phrase ('your email said
"we'll see"'), the persona's name before a colon ("Stan: quick question…"), options in a
list, dashes as punctuation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from evals.coding.coded_turn import CodedTurn, Coder, code_conversation, code_many

__all__ = ["WALL_KEEPS", "WALL_WORDS", "Speech", "code_spoken", "report_line", "spoken"]

WALL_WORDS = 250  # far more than anyone says in one breath in a rehearsal
WALL_KEEPS = frozenset({"blame", "dismissal", "unsolicited_advice", "capitulation", "over_apology"})

# kinds of non-speech, as the report names them
DIALOGUE = "pasted dialogue"
JSON_TURNS = "JSON"
TEMPLATE = "chat-template tags"
VERDICT = "a scoring verdict"
DELIMITED = "a delimited block"
CODE = "a code block"
MARKUP = "markup"

_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_TEMPLATE_BLOCK = re.compile(
    r"<\|im_start\|>.*?(?:<\|im_end\|>|\Z)|<s>.*?(?:</s>|\Z)|\[INST\].*?(?:</s>|\Z)|<<SYS>>.*?(?:<</SYS>>|\Z)|"
    r"<start_of_turn>.*?(?:<end_of_turn>|\Z)|<\|start_header_id\|>.*?(?:<\|eot_id\|>|\Z)",
    re.S | re.I,
)
_CLOSING_TAG = re.compile(r"</s>|<\|im_end\|>|<end_of_turn>|<\|eot_id\|>|<\|end\|>|<\|endoftext\|>", re.I)
_TABLE = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M)
_TEMPLATE_TAG = re.compile(
    r"<\|[^|<>\n]{1,30}\|>|</?s>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>|"
    r"^\s*#{2,}\s*(?:assistant|user|human|system|instruction|response)\b",
    re.I | re.M,
)
_BULLETS = re.compile(r"(?:^[ \t]*(?:[-*\u2022+]|\d{1,2}[.)])[ \t]+\S.*(?:\n|$)){2,}", re.M)
_TRIPLE_QUOTED = re.compile(r'"""[\s\S]*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)|<<<[\s\S]*?(?:>>>|\Z)')
_DELIMITER_LINE = re.compile(
    r"^\s*(?:[-=_*~#+]{3,}(?:[ \t]*[\w ]{0,40}[ \t]*[-=_*~#+]{3,})?|(?:BEGIN|END)\b[\w ]*|\[/?[A-Z][A-Z _]+\])\s*$",
    re.M,
)
_HTML_BLOCK = re.compile(r"<([a-z][a-z0-9]*)\b[^>]*>[\s\S]*?</\1\s*>|<[a-z][a-z0-9]*\b[^>]*/?>", re.I)
_HEADER = re.compile(r"^\s*#{1,6}\s+\S.*$", re.M)
_QUOTE_LINE = re.compile(r"^\s*>.*$", re.M)
_JSON_START = re.compile(r"[\[{][\s\[{]*\"")
_JSON_PAIR = re.compile(r"\"[\w ]{1,30}\"\s*:")
# "Stan: …", "[Manager]: …", "**Me:** …": a name or role of up to three words, then a colon
# a name or role of up to three words and a colon, at the start of a line or a sentence;
# or a name and a dash at the start of a line ("Chris - …")
_NAME = r"[\[(*]*([A-Z][\w'-]*(?: [A-Z0-9][\w'-]*){0,2}|[a-z]{1,12})[\])*]*"
_LABEL = re.compile(rf"(?:^[ \t]*|(?<=[.!?])\s+){_NAME}\s*:(?!//)\s*(?=\S)|^[ \t]*{_NAME} [-\u2013\u2014] (?=\S)", re.M)
ROLE_WORDS = frozenset(
    {"me", "you", "i", "coachee", "persona", "user", "assistant", "system", "human", "ai", "bot", "model"}
    | {"coach", "client", "manager", "employee", "interviewer", "speaker", "colleague", "boss", "candidate"}
    | {"customer", "agent", "evaluator", "judge", "grader"}
)
_VERDICT_STRONG = re.compile(
    r"\b(?:rubric|evaluator|grader|graded|scorer|judge'?s?|verdict|coded as|behaviou?r codes?|"
    r"listening score|overall score|full marks|\d{1,3}\s*/\s*100|out of 100|score(?:d)?\s*[:=]|"
    r"system (?:note|prompt|message)|ignore (?:all |any )?(?:previous|prior|above) instructions|"
    r"[a-z_]+(?:\.[a-z_]+)?\s*=\s*(?:true|false|\d+)|(?:reflections?|questions?|summar(?:y|ies))\s*[x\u00d7]\s*\d)"
    r"(?!\w)",
    re.I,
)
_VERDICT_WEAK = re.compile(
    r"\b(?:score|scored|scores|evidence|assessment|rating|reflections?|open questions?|excellent|"
    r"empathy|active listening|demonstrat\w+|turn \d+|detected|open[_ ]questions?|closed[_ ]questions?|"
    r"limit[_ ]setting|over[_ ]apology|unsolicited[_ ]advice|next[_ ]step|summary|acknowledge|alternative|"
    r"capitulation|affirmation|dismissal|limit|blame)\b",
    re.I,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Speech:
    """The spoken part of a turn; `found` names what was cut, `wall` a turn still too long."""

    text: str
    found: tuple[str, ...] = ()
    wall: bool = False


def spoken(text: str, own_names: Iterable[str] = ()) -> Speech:
    """Cuts what was pasted into a turn, not said; `own_names` are the coachee's names
    (a line labelled with one is a script, not speech addressed to the persona)."""
    own = {name.lower() for name in own_names if name}
    found: list[str] = []
    wall = len(text.split()) > WALL_WORDS  # what it holds does not make a wall any shorter
    text = _cut(_FENCE, text, CODE, found)
    text = _cut(_TEMPLATE_BLOCK, text, TEMPLATE, found)
    text = _cut_from_tag(text, found)
    text = _cut_json(text, found)
    text = _cut(_TRIPLE_QUOTED, text, DELIMITED, found)
    text = _cut_delimited(text, found)
    text = _cut(_HTML_BLOCK, text, MARKUP, found)
    text = _cut(_HEADER, text, MARKUP, found)
    text = _cut(_QUOTE_LINE, text, MARKUP, found)
    text = _cut(_BULLETS, text, MARKUP, found)
    text = _cut(_TABLE, text, MARKUP, found)
    text = _cut_verdicts(text, found)
    text = _cut_dialogue(text, own, found)
    said = " ".join(text.split())
    return Speech(said, tuple(dict.fromkeys(found)), wall=wall)


def code_spoken(
    coder: Coder,
    items: Sequence[tuple[str, str | None]],
    own_names: Iterable[str] = (),
    earlier: Sequence[str] = (),
) -> list[CodedTurn]:
    """Codes the spoken part of each (text, context) pair of one conversation, in order (after
    the coachee's `earlier` turns); see the module's docstring."""
    names = tuple(own_names)
    speeches = [spoken(text, names) for text, _ in items]
    to_code = [(speech.text, context) for speech, (_, context) in zip(speeches, items, strict=True) if speech.text]
    said = iter(code_conversation(coder, to_code, [spoken(text, names).text for text in earlier]))
    spoken_codes = [next(said) if speech.text else CodedTurn(source="nothing spoken") for speech in speeches]
    # a turn with a paste is also coded whole: what it holds earns nothing, but can still cost
    coded = iter(code_many(coder, [item for speech, item in zip(speeches, items, strict=True) if speech.found]))
    result = []
    for speech, turn in zip(speeches, spoken_codes, strict=True):
        if speech.wall:
            turn = _keep(turn, turn.codes & WALL_KEEPS)
        if speech.found:
            as_pasted = next(coded)
            costs = as_pasted.codes & WALL_KEEPS - turn.codes
            turn = _keep(turn, turn.codes | costs, as_pasted.cues)
        result.append(replace(turn, not_speech=speech.found, wall=speech.wall, spoken=speech.text))
    return result


def _keep(turn: CodedTurn, codes: frozenset[str], more_cues: dict[str, str] | None = None) -> CodedTurn:
    """The turn with only `codes`, each with its cue (from `more_cues` where the turn has none)."""
    cues = {c: turn.cues.get(c) or (more_cues or {}).get(c, "") for c in codes}
    return replace(turn, codes=frozenset(codes), cues=cues, why={c: w for c, w in turn.why.items() if c in codes})


def report_line(turn: int, coded: CodedTurn) -> str | None:
    """What the report says about a turn that held text that is not speech, or None."""
    said = []
    if coded.not_speech:
        what = _join(coded.not_speech)
        rest = "only the rest was scored" if coded.spoken else "not scored"
        said.append(f"Turn {turn} contains {what}; {rest}.")
    if coded.wall:
        said.append(
            f"Turn {turn} is a wall of text (over {WALL_WORDS} words): it earns no listening or limit-setting "
            "credit, only what counts against it."
        )
    return " ".join(said) or None


# ---- the cuts -------------------------------------------------------------------------------
def _cut(pattern: re.Pattern[str], text: str, kind: str, found: list[str]) -> str:
    cut, n = pattern.subn("\n", text)
    if n:
        found.append(kind)
    return cut


def _cut_from_tag(text: str, found: list[str]) -> str:
    """Drops everything from a stray template tag on: the tags lead fake turns, and after
    the first one nothing tells the coachee's words from the script."""
    m = _TEMPLATE_TAG.search(text)
    if m is None:
        return text
    found.append(TEMPLATE)
    closing = [c for c in _CLOSING_TAG.finditer(text, m.start())]
    return text[: m.start()] + ("\n" + text[closing[-1].end() :] if closing else "")


def _cut_json(text: str, found: list[str]) -> str:
    """Drops JSON objects and arrays with at least one "key": pair, wherever they start."""
    decoder = json.JSONDecoder()
    out, i = [], 0
    for m in _JSON_START.finditer(text):
        if m.start() < i:
            continue
        try:
            _, end = decoder.raw_decode(text, m.start())
        except ValueError:
            end = _json_like_end(text, m.start())
            if end is None:
                continue
        out.append(text[i : m.start()] + "\n")
        i = end
    if not out:
        return text
    found.append(JSON_TURNS)
    return "".join(out) + text[i:]


def _json_like_end(text: str, start: int) -> int | None:
    """The end of broken JSON ('{"role": "coachee", "text": "…"' with a missing brace): the
    rest of its line, when that line has two or more "key": pairs."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    return end if len(_JSON_PAIR.findall(text[start:end])) >= 2 else None


def _cut_delimited(text: str, found: list[str]) -> str:
    """Drops what stands between delimiter lines (-----, =====, BEGIN/END, [TRANSCRIPT]).
    With one delimiter, the pasted side is the one that is not the turn's shortest piece."""
    pieces = _DELIMITER_LINE.split(text)
    if len(pieces) == 1:
        return text
    found.append(DELIMITED)
    if len(pieces) % 2 == 1 and len(pieces) > 2:  # pairs: keep what stands outside them
        return "\n".join(pieces[::2])
    spoken_pieces = [p for p in pieces if p.strip()]
    return min(spoken_pieces, key=lambda p: len(p.split()), default="")


def _cut_dialogue(text: str, own: set[str], found: list[str]) -> str:
    """Drops speaker-labelled segments: two or more labels, or one that is a role word or the
    coachee's own name. A single label naming someone else ("Stan: quick question") is the
    coachee addressing them, and stays."""
    labels = list(_LABEL.finditer(text))
    named = [(m, (m.group(1) or m.group(2)).lower()) for m in labels]
    scripted = [m for m, name in named if name in ROLE_WORDS | own or name.startswith("speaker")]
    names = {name for m, name in named if (m.group(1) or m.group(2))[0].isupper()}
    if not scripted and len(names) < 2:
        return text
    if not scripted:
        labels = [m for m, _ in named if (m.group(1) or m.group(2))[0].isupper()]
    found.append(DIALOGUE)
    out, i = [], 0
    for m in labels:
        out.append(text[i : m.start()])
        i = _segment_end(text, m.end(), labels)
    return "\n".join(out) + "\n" + text[i:]


def _segment_end(text: str, start: int, labels: Sequence[re.Match[str]]) -> int:
    """A labelled segment runs to the next label or the end of its line."""
    next_label = next((m.start() for m in labels if m.start() >= start), len(text))
    line_end = text.find("\n", start)
    return min(next_label, len(text) if line_end < 0 else line_end)


def _cut_verdicts(text: str, found: list[str]) -> str:
    """Drops sentences that talk about the score rather than to the persona; once a turn holds
    one, also the lines around it that list evidence (two scoring words or more)."""

    def verdict(m: re.Match[str]) -> str:
        sentence = m.group(0)
        if _VERDICT_STRONG.search(sentence) or len(_VERDICT_WEAK.findall(sentence)) >= 3:
            found.append(VERDICT)
            return ""
        return sentence

    cut = _SENTENCE.sub(verdict, text)
    if VERDICT not in found:
        return cut
    lines = text.split("\n")
    if len(lines) > 1:  # an evidence list: its quoted lines split into "sentences" that look innocent
        kept = [line for line in lines if len(_VERDICT_WEAK.findall(line)) < 2 and not _VERDICT_STRONG.search(line)]
        cut = _SENTENCE.sub(verdict, "\n".join(kept))
    return cut


def _join(kinds: Sequence[str]) -> str:
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
