"""What a coachee's line asks of the persona's reply.

A reply has to answer what was said: a question (about a fact, a feeling or a choice), a
proposal to accept, refuse or counter (with its day, time or thing), a restatement to
confirm or correct, an accusation to answer. `read_ask` finds that from the line and the
codes the coder gave it; the engine then retrieves the note about the question's topic,
tells the model in the speaker cue what it is answering, and checks the reply against it.

Plain rules over words, in the style of the rule coder: fast, offline, and good enough to
name the question's topic, which is all a cue and a retrieval query need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class AskKind(StrEnum):
    fact = "fact"  # "What part of the request was hardest to pin down?"
    feeling = "feeling"  # "How did that feel?"
    choice = "choice"  # "Would you rather take the banner or the PDFs?"
    proposal = "proposal"  # "How about a check-in on Wednesday at nine?"
    reflection = "reflection"  # "So you had to guess which update I meant."
    accusation = "accusation"  # "Why didn't you just ask me? This is a mess."
    statement = "statement"  # anything else: react to it


@dataclass(frozen=True)
class Ask:
    kind: AskKind
    said: str = ""  # the sentence that carries the ask (the last question, else the last sentence)
    topic: str = ""  # its content words: what is asked about, for retrieval and relevance
    slots: tuple[str, ...] = field(default=())  # a proposal's day, time or duration
    options: tuple[str, ...] = field(default=())  # a choice's content words, on both sides of its "or"

    def cue(self, coachee: str, persona: str, pronouns: str = "they/them") -> str:
        """The part of the speaker cue that says what the reply answers, e.g. `answering
        Jack's question: what did she enjoy most in the last year`."""
        said = reported(self.said, coachee, pronouns)
        when = f" of {' and '.join(self.slots)}" if self.slots else ""
        return {
            AskKind.fact: f"answering {coachee}'s question: {said}",
            AskKind.feeling: f"saying plainly how {persona} feels, as {coachee} asked: {said}",
            AskKind.choice: f"choosing, as {coachee} asked: {said}",
            AskKind.proposal: f"saying yes, no or what instead to {coachee}'s proposal{when}",
            AskKind.reflection: f"telling {coachee} whether that is right",
            AskKind.accusation: f"answering {coachee}'s charge: {said}",
            AskKind.statement: f"answering {coachee}: {said}",
        }[self.kind]


DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|next week|this week)"
NUMBER = r"(?:\d{1,2}(?::\d{2})?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midday)"
SLOT = re.compile(
    rf"\b(?:{DAYS}(?:\s+(?:morning|afternoon|evening|at\s+{NUMBER}(?:\s*(?:am|pm|o'clock))?))?"
    rf"|(?:at|by|before|after)\s+{NUMBER}(?:\s*(?:am|pm|o'clock))?"
    rf"|(?:end of|close of)\s+(?:the\s+)?(?:day|week|month)"
    rf"|{NUMBER}[- ](?:minute|hour|day|week)s?)\b",
    re.IGNORECASE,
)
PROPOSAL = re.compile(
    r"\b(how about|what about|what if (?:we|i|you)|shall we|should we|let'?s|why don'?t (?:we|you|i)|"
    r"can we|could we|would you be (?:ok|okay|up for|willing)|are you (?:ok|okay|up for) |"
    r"i (?:propose|suggest)|my (?:proposal|suggestion)|(?:does|would) (?:that|this|it) work|"
    r"i'?ll (?:take|handle|cover|send|set up|book)|deal\?)",
    re.IGNORECASE,
)
FEELING = re.compile(
    r"\b(how (?:do|did|does|are|were|was|is|has|have) (?:you|that|it|this|all (?:of )?(?:this|that|it))\b.*"
    r"\b(?:feel|feeling|going|sit|sitting|land|landing|leave you)|"
    r"how (?:are|were) you (?:doing|holding up|finding)|how (?:have|has) (?:you|things|it) been|"
    r"how do you feel|how did you feel|"
    r"what(?:'s| is| was) (?:that|it) like|feel(?:ing|s)? about|frustrat|upset|worried|disappoint|"
    r"enjoy|like most|love about|hardest for you|bother(?:s|ed)? you|\bfeel(?:s|ing)?\b|\bfelt\b)",
    re.IGNORECASE,
)
REQUEST = re.compile(  # "could you bring one example next time?", "shall I put your name forward?"
    r"(?:^|[,;:] )(?:and |so |ok,? |okay,? |then )?(?:shall i|should i|can i|may i|could you|can you|would you|"
    r"will you|do you want me to|would you like me to|want me to)\b(?! (?:rather|tell|say|explain|describe|share|"
    r"talk|walk me|give me an example|help me understand|clarify|remind|think|expand|see|imagine|feel|be honest))",
    re.IGNORECASE,
)
CHOICE = re.compile(
    r"\b(would you rather|which (?:one|would you|do you)|prefer|or (?:would|should|do) )"
    r"|\bor\b(?! (?:not|so|anything|something|whatever|what)\b)(?=[^?]*\?\s*$)",  # "Friday, or right now?"
    re.IGNORECASE,
)
ACCUSATION = re.compile(
    r"\b(why (?:didn'?t|don'?t|haven'?t|wouldn'?t|can'?t|won'?t) you|you (?:never|always|should have|"
    r"didn'?t even|just (?:ignored|left))|this is (?:a mess|unacceptable|ridiculous)|your fault|"
    r"what were you thinking|how could you)",
    re.IGNORECASE,
)
REFLECTION_OPENERS = re.compile(
    r"^\s*(so\b|it sounds like|sounds like|it seems|you'?re saying|what i'?m hearing|if i understand|"
    r"let me check|you feel|you felt|you were|you had|you mean|in other words)",
    re.IGNORECASE,
)
QUESTION_WORDS = re.compile(
    r"^(?:and|but|so|ok|okay|well|right|then|now|also)?[ ,]*"
    r"(what|which|who|whom|whose|when|where|why|how|do|does|did|is|are|was|were|can|could|would|will|"
    r"should|have|has|had|any)\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    """a an the and or but so of to in on at by for with from about as into than then that this these those
    it its it's is are was were be been being am do does did done have has had having can could would should
    will shall may might must i me my mine we us our you your yours he him his she her they them their
    what which who whom whose when where why how there here just really very quite maybe also too any some
    all more most much many lot lots thing things kind sort bit part way get got go going think know
    tell say said make made like feel felt want need let let's ok okay well right yeah yes no not
    i'm you're we're i've you've i'd you'd i'll you'll don't didn't doesn't isn't wasn't can't couldn't
    won't wouldn't""".split()  # noqa: SIM905 - a word list reads better as text
)
MAX_TOPIC_WORDS = 6
CHOOSING = frozenset({"rather", "prefer", "first", "pick", "choose", "option", "options"})


def read_ask(text: str, codes: frozenset[str] = frozenset()) -> Ask:
    """What `text` (the coachee's line, coded `codes`) asks the reply to do."""
    last = _last_sentence(text)
    slots = tuple(dict.fromkeys(m.group(0).lower() for m in SLOT.finditer(text)))
    proposes = PROPOSAL.search(text) or REQUEST.search(last)
    if proposes and (slots or "next_step" in codes or "alternative" in codes or "?" in text):
        return Ask(AskKind.proposal, last, _topic(last), slots)
    if ACCUSATION.search(text) or "blame" in codes:
        return Ask(AskKind.accusation, last, _topic(last))
    is_question = "?" in text or bool(QUESTION_WORDS.match(last)) or codes & {"open_question", "closed_question"}
    if ("reflection" in codes or "summary" in codes or REFLECTION_OPENERS.match(text)) and not _asks_new(last):
        return Ask(AskKind.reflection, text, _topic(text))
    if is_question:
        if CHOICE.search(last):
            return Ask(AskKind.choice, last, _topic(last), options=_options(last))
        return Ask(AskKind.feeling if FEELING.search(last) else AskKind.fact, last, _topic(last))
    return Ask(AskKind.statement, last, _topic(last))


PRONOUNS = {  # subject, object, possessive, possessive pronoun, reflexive, verb takes -s
    "she/her": ("she", "her", "her", "hers", "herself", True),
    "he/him": ("he", "him", "his", "his", "himself", True),
    "they/them": ("they", "them", "their", "theirs", "themselves", False),
}
COACHEE_SWAPS = {  # the coachee speaks of themselves: the script names them
    "i": "{c}",
    "me": "{c}",
    "my": "{c}'s",
    "mine": "{c}'s",
    "myself": "{c}",
    "i'm": "{c} is",
    "i've": "{c} has",
    "i'd": "{c} would",
    "i'll": "{c} will",
}
SUBJECT_BEFORE = frozenset(  # after these words "you" is a subject ("did you", "if you"); else an object
    """do does did don't didn't doesn't are aren't were weren't is was have haven't has had hadn't can can't
    could couldn't would wouldn't will won't should shouldn't shall may might must if when what how why where
    that so and but because which who whether as than once until unless while since or then""".split()  # noqa: SIM905
)
SUBJECT_AFTER = frozenset(  # "...saying you never got it": before these words "you" is a subject too
    """never just always really still also actually already didn't don't did were are have had can could would
    will should want need said felt think thought know knew got seem seemed mean meant feel""".split()  # noqa: SIM905
)
PREPOSITIONS = frozenset("to for from with about at on of by into onto without towards toward".split())  # noqa: SIM905
AUXILIARIES = frozenset("do does did are were have has had".split())  # noqa: SIM905
THIRD_PERSON = {"are": "is", "were": "was", "have": "has", "do": "does", "don't": "doesn't", "aren't": "isn't",
                "weren't": "wasn't", "haven't": "hasn't"}  # fmt: skip
MAX_CUE_WORDS = 20


def reported(sentence: str, coachee: str, pronouns: str = "they/them") -> str:
    """`sentence` as a stage direction reports it: the coachee by name, the persona ("you")
    by its pronouns, verbs agreeing, no final mark, one line, at most MAX_CUE_WORDS words
    ("Did you enjoy my talk?" -> "did she enjoy Jack's talk")."""
    subject, obj, possessive, possessive_pronoun, reflexive, verb_s = PRONOUNS[pronouns]
    swaps = {"your": possessive, "yours": possessive_pronoun, "yourself": reflexive}
    contracted = {"you're": "'re", "you've": "'ve", "you'd": "'d", "you'll": "'ll"}
    words = " ".join(sentence.replace("\u2019", "'").split()).rstrip("?.!").split()[:MAX_CUE_WORDS]
    cores = [w.strip(',;:"()').lower() for w in words]
    out = []
    for i, (word, core) in enumerate(zip(words, cores, strict=True)):
        before = cores[i - 1] if i else ""
        after = cores[i + 1] if i + 1 < len(cores) else ""
        if core == "you":
            swap = obj if before in PREPOSITIONS else subject if _subject(i, before, after) else obj
        elif core in contracted:
            ending = (
                {"'re": " is", "'ve": " has"}.get(contracted[core], contracted[core]) if verb_s else contracted[core]
            )
            swap = subject + ending
        elif core in swaps:
            swap = swaps[core]
        elif core in COACHEE_SWAPS:
            swap = COACHEE_SWAPS[core].format(c=coachee)
        elif verb_s and core in THIRD_PERSON and (after == "you" or _follows_subject_you(cores, i)):
            swap = THIRD_PERSON[core]
        else:
            out.append(word)
            continue
        bare = word.strip(',;:"()')
        out.append(word.replace(bare, swap))
    text = re.sub(r"[()\[\]]", "", " ".join(out))  # brackets would close the speaker cue
    return text[:1].lower() + text[1:]


def _subject(i: int, before: str, after: str) -> bool:
    return i == 0 or before in SUBJECT_BEFORE or after in SUBJECT_AFTER or after in THIRD_PERSON


def _follows_subject_you(cores: list[str], i: int) -> bool:
    """`cores[i]` is the verb of a statement's "you" ("you have"), not the main verb of a
    question ("did you do"), which keeps its plain form."""
    return i >= 1 and cores[i - 1] == "you" and (i < 2 or cores[i - 2] not in AUXILIARIES)


def _last_sentence(text: str) -> str:
    """The sentence that carries the ask: the last question if there is one, else the last sentence."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
    questions = [s for s in sentences if s.endswith("?")]
    return (questions or sentences or [text])[-1]


def _asks_new(sentence: str) -> bool:
    """A restatement followed by a fresh wh-question asks the question, not for a check
    ("So what you need is a yes or no." is a restatement: no question mark)."""
    return (
        sentence.rstrip().endswith("?")
        and bool(
            re.match(r"^(?:[^,?]{1,40},\s*)?(?:and |but |so )?(what|which|who|when|where|why|how)\b", sentence, re.I)
        )
        and len(sentence.split()) > 3
    )


def _options(sentence: str) -> tuple[str, ...]:
    """The content words of a choice's alternatives: all after its last "or", and as many
    (plus two) before it ("the banner or the PDFs" -> banner, pdfs)."""
    left, _, right = re.sub(r"\?\s*$", "", sentence).rpartition(" or ")
    after = [w for w in _topic(right).split() if w not in CHOOSING]
    before = [w for w in _topic(left).split() if w not in CHOOSING][-(len(after) + 2) :] if after else []
    return tuple(before + after)


def _topic(sentence: str) -> str:
    """The content words of `sentence`, in order: what a question is about."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", sentence.replace("\u2019", "'"))
    content = [w for w in words if w.lower() not in STOPWORDS and len(w) > 2]
    return " ".join(content[:MAX_TOPIC_WORDS]).lower()
