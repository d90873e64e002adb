"""From behaviour codes to the rubric's scores, each number with the turns behind it.

    coded transcript ─► listening      (MITI-style ratios, talk balance, penalties)
                     ─► limit-setting  (stated? held? caved where? acknowledged, alternative)
                     ─► goals          (the scenario's own goals: an LLM judge, or codes + markers)
                     ─► overall        (the scenario's weights over the dimensions that apply)

Every component is a plain function of counts, so a score can always be explained: each
dimension carries `evidence` (turn, quoted cue, + or -, why), `metrics` (the counts and
ratios) and a sentence that says in plain words what drove it. No text in a transcript
reaches this module except as codes and word counts, so a line such as "give this a 100"
cannot move a number except by what it does as a conversational move.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from evals.coding import wordlists as lex
from evals.coding.coded_turn import CodedTurn
from evals.scoring.demand import given_away
from simulator.core.codes import CODES, TURN_POINTS
from simulator.core.schema import Goal, Scenario
from simulator.core.text import clip, split_sentences

Effect = Literal["+", "-"]
GENERAL_WEIGHTS = {"listening": 0.5, "limit_setting": 0.3, "goals": 0.2}
DEFAULT_TALK_SHARE = 0.5  # in most scenarios the coachee should not do most of the talking
MAX_QUOTE_CHARS = 160
LONG_TURN_WORDS = 50  # a turn this long leaves the other little room to talk

WHY = {
    "open_question": "open question: invites them to say more",
    "closed_question": "closed question: asks for a yes/no or one fact",
    "reflection": "reflection: puts their meaning or feeling into words",
    "summary": "summary: pulls several of their points together",
    "affirmation": "affirmation: names a specific effort or strength",
    "dismissal": "dismissal: brushes off their concern",
    "blame": "blame: argues, blames or attacks",
    "unsolicited_advice": "unsolicited advice: tells them what to do without asking",
    "limit": "limit: states the boundary clearly",
    "alternative": "alternative: offers an option inside the limit",
    "acknowledge": "acknowledges their need without giving ground",
    "next_step": "next step: a concrete follow-up with an owner or a date",
    "capitulation": "capitulation: gives in on what should have held",
    "over_apology": "over-apology: apologises or justifies beyond what the moment needs",
}


# ---- the score object (docs/rubric.md's keys, and more) --------------------------------
class Evidence(BaseModel):
    turn: int
    text: str
    effect: Effect
    why: str
    points: float = 0.0
    because: str = ""  # what made the coder give the code (a rule, words, the meaning)
    unsure: bool = False  # the coder nearly decided the other way


class DimensionScore(BaseModel):
    score: int = Field(ge=0, le=100)
    summary: str
    evidence: list[Evidence] = Field(default_factory=list)
    metrics: dict[str, float | int | None] = Field(default_factory=dict)


class LimitCheck(BaseModel):
    needed: bool
    stated: bool
    held: bool | None
    capitulation_turns: list[int] = Field(default_factory=list)
    given_away_turns: list[int] = Field(default_factory=list)  # caves the codes missed (evals.scoring.demand)
    limit_turns: list[int] = Field(default_factory=list)
    description: str = ""


class GoalResult(BaseModel):
    id: str
    description: str
    status: Literal["met", "partly", "not_met"]
    credit: float = Field(ge=0, le=1)
    why: str
    evidence: list[Evidence] = Field(default_factory=list)
    judged_by: str = "codes and markers"


class CodedLine(BaseModel):
    """One transcript line as the scorer saw it; coachee lines carry their codes."""

    turn: int
    role: Literal["coachee", "persona"]
    text: str
    codes: list[str] = Field(default_factory=list)
    cues: dict[str, str] = Field(default_factory=dict)
    not_speech: list[str] = Field(default_factory=list)  # what was cut from the turn before coding
    unsure: list[str] = Field(default_factory=list)  # codes the coder nearly decided the other way
    why: dict[str, str] = Field(default_factory=dict)  # code -> what triggered it


class Score(BaseModel):
    file: str | None = None
    scenario: str | None = None
    overall: int = Field(ge=0, le=100)
    dimensions: dict[str, DimensionScore]
    limit: LimitCheck
    goals: list[GoalResult] = Field(default_factory=list)
    weights: dict[str, float]
    coder: str = ""
    notes: list[str] = Field(default_factory=list)
    lines: list[CodedLine] = Field(default_factory=list)


# ---- inputs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    turn: int
    role: str
    text: str
    coded: CodedTurn | None = None

    @property
    def codes(self) -> frozenset[str]:
        return self.coded.codes if self.coded else frozenset()

    @property
    def said(self) -> str:
        """What was spoken: the text without anything pasted into it (evals.coding.speech)."""
        return self.coded.spoken if self.coded and self.coded.spoken is not None else self.text


def quote(line: Line, code: str | None = None) -> str:
    cue = (line.coded.cues.get(code) if line.coded and code else None) or line.said or line.text
    return clip(" ".join(cue.split()), MAX_QUOTE_CHARS)


def evidence_for(line: Line, code: str, *, why: str | None = None, points: float | None = None) -> Evidence:
    pts = TURN_POINTS[code] if points is None else points
    coded = line.coded or CodedTurn()
    return Evidence(
        turn=line.turn,
        text=quote(line, code),
        effect="+" if pts >= 0 else "-",
        why=why or WHY[code],
        points=pts,
        because=coded.why.get(code, ""),
        unsure=code in coded.unsure,
    )


def ramp(value: float, points: Sequence[tuple[float, float]]) -> float:
    """Piecewise-linear map through (x, y) points, flat outside them."""
    if value <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return points[-1][1]


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def words(text: str) -> int:
    return len(text.split())


# ---- listening ----------------------------------------------------------------------------
# MITI 4.2.1: reflection-to-question ratio 1:1 fair, 2:1 good; share of open questions.
RATIO_CURVE = ((0.0, 0.0), (1.0, 0.65), (2.0, 1.0))
OPEN_SHARE_CURVE = ((0.0, 0.0), (0.5, 0.6), (0.7, 1.0))
PRESENCE_CURVE = ((0.0, 0.0), (0.2, 0.65), (0.35, 1.0))
LISTENING_PARTS = {"ratio": 30, "open_share": 20, "presence": 20, "talk_balance": 20, "affirmation": 10}
LISTENING_PENALTY = {"blame": 6.0, "dismissal": 5.0, "unsolicited_advice": 3.0}
MAX_LISTENING_PENALTY = 40.0


def listening(lines: Sequence[Line], talk_share_max: float) -> DimensionScore:
    mine = [line for line in lines if line.role == "coachee"]
    count = {code: sum(code in line.codes for line in mine) for code in CODES}
    # a restatement voiced as a yes/no question ("So you're worried about Friday?") is a
    # reflection that checks itself: it does not count against the ratio (docs/rubric.md)
    count["closed_question"] = sum(_asks_closed(line) for line in mine)
    reflective = count["reflection"] + count["summary"]
    questions = count["open_question"] + count["closed_question"]
    ratio = None if questions == 0 else reflective / questions
    open_share = None if questions == 0 else count["open_question"] / questions
    presence = sum(bool({"reflection", "summary"} & line.codes) for line in mine) / max(len(mine), 1)
    coachee_words = sum(words(line.text) for line in mine)
    total_words = sum(words(line.text) for line in lines) or 1
    talk_share = coachee_words / total_words
    parts = {
        "ratio": (1.0 if reflective else 0.0) if ratio is None else ramp(ratio, RATIO_CURVE),
        "open_share": 0.5 if open_share is None else ramp(open_share, OPEN_SHARE_CURVE),
        "presence": ramp(presence, PRESENCE_CURVE),
        "talk_balance": ramp(talk_share, ((talk_share_max, 1.0), (talk_share_max + 0.3, 0.0))),
        "affirmation": 1.0 if count["affirmation"] else 0.5,
    }
    if not coachee_words:
        parts["talk_balance"] = 0.0  # silence is not balance
    if not reflective + questions + count["affirmation"]:
        # no listening move at all: the neutral defaults would pay for saying little
        parts.update(open_share=0.0, affirmation=0.0, talk_balance=parts["talk_balance"] / 2)
    base = sum(LISTENING_PARTS[name] * value for name, value in parts.items())
    penalty = min(MAX_LISTENING_PENALTY, sum(LISTENING_PENALTY[c] * count[c] for c in LISTENING_PENALTY))
    score = round(max(0.0, min(100.0, base - penalty)))

    evidence = []
    for line in mine:
        for code in (
            "summary",
            "reflection",
            "open_question",
            "affirmation",
            "blame",
            "dismissal",
            "unsolicited_advice",
        ):
            if code in line.codes:
                evidence.append(evidence_for(line, code))
        if _asks_closed(line) and (open_share is not None and open_share < 0.5):
            evidence.append(
                evidence_for(line, "closed_question", why=WHY["closed_question"] + "; an open one would invite more")
            )
    if talk_share > talk_share_max + 0.05:
        longest = max(mine, key=lambda line: words(line.text), default=None)
        if longest is not None and words(longest.text) > LONG_TURN_WORDS:
            evidence.append(
                Evidence(
                    turn=longest.turn,
                    text=quote(longest),
                    effect="-",
                    points=-2.0,
                    why=f"a long turn ({words(longest.text)} words): you did {talk_share:.0%} of the talking",
                )
            )
    metrics = {
        "coachee_turns": len(mine),
        "reflections": count["reflection"],
        "summaries": count["summary"],
        "open_questions": count["open_question"],
        "closed_questions": count["closed_question"],
        "reflection_to_question": None if ratio is None else round(ratio, 2),
        "open_question_share": None if open_share is None else round(open_share, 2),
        "reflective_turn_share": round(presence, 2),
        "coachee_talk_share": round(talk_share, 2),
        "talk_share_target": talk_share_max,
        "affirmations": count["affirmation"],
        "blame": count["blame"],
        "dismissals": count["dismissal"],
        "unsolicited_advice": count["unsolicited_advice"],
        "penalty": penalty,
    }
    return DimensionScore(score=score, summary=_listening_summary(metrics), evidence=evidence, metrics=metrics)


def _asks_closed(line: Line) -> bool:
    """A closed question that is not a reflection or summary voiced as one."""
    if "closed_question" not in line.codes:
        return False
    return not {"reflection", "summary"} & line.codes or _asks_apart(line.said)


_INTERROGATIVE = re.compile(rf"^\W*(?:{lex.FILLER})*(?:{lex.AUXILIARY}|{lex.WH_WORD})")
_CHECK = re.compile("|".join(lex.CHECK_QUESTION))


def _asks_apart(text: str) -> bool:
    """Whether a turn asks a question of its own beside its reflection: a sentence in
    question form ("So the slot is there. Could the banner go in it?"), not a restatement
    with a question mark ("So you'd rather not take the role?") or a check ("…is that right?")."""
    return any(_INTERROGATIVE.match(said) and not _CHECK.search(said) for said in map(str.lower, split_sentences(text)))


def _listening_summary(m: dict) -> str:
    parts = []
    ratio = m["reflection_to_question"]
    reflective = m["reflections"] + m["summaries"]
    if ratio is None:
        parts.append(f"You reflected {times(reflective)} and asked no questions.")
    else:
        verdict = (
            "good (2:1 or better)" if ratio >= 2 else "fair (1:1 or better)" if ratio >= 1 else "below the fair 1:1"
        )
        parts.append(
            f"You reflected or summarised {times(reflective)} against "
            f"{plural(m['open_questions'] + m['closed_questions'], 'question')}: "
            f"a reflection-to-question ratio of {ratio:.1f}, {verdict}."
        )
    if m["open_question_share"] is not None:
        parts.append(f"{m['open_question_share']:.0%} of your questions were open.")
    parts.append(
        f"You did {m['coachee_talk_share']:.0%} of the talking (aim for at most {m['talk_share_target']:.0%})."
    )
    against = [
        f"{plural(m[k], 'turn')} {label}"
        for k, label in (
            ("blame", "of blame"),
            ("dismissals", "brushing off"),
            ("unsolicited_advice", "of unasked advice"),
        )
        if m[k]
    ]
    if against:
        parts.append("Counting against you: " + ", ".join(against) + ".")
    return " ".join(parts)


# ---- limit-setting ---------------------------------------------------------------------------
LIMIT_PARTS = {"stated": 35, "held": 30, "restated": 10, "acknowledged": 10, "alternative": 15}
CAVE_AFTER_LIMIT = 10.0
CAVE_WITHOUT_LIMIT = 15.0
LIMIT_BLAME = 8.0
APOLOGY_PENALTIES = (4.0, 8.0)  # the first over-apology, each later one


def limit_check(
    lines: Sequence[Line], needed: bool, description: str = "", scenario: Scenario | None = None
) -> LimitCheck:
    """Whether the limit was stated and held: held means no turn caved, by its codes or, after
    the first limit, by giving the demand away in other words (evals.scoring.demand)."""
    mine = [line for line in lines if line.role == "coachee"]
    limits = [line.turn for line in mine if "limit" in line.codes]
    coded = {line.turn for line in mine if "capitulation" in line.codes}
    restated = set(limits) - coded  # a turn that says the limit again does not give it away
    offers = {line.turn for line in mine if "alternative" in line.codes}
    given = given_away(_with_context(lines), limits[0] if limits else None, scenario, skip=restated, offers=offers)
    caves = sorted(coded | set(given))
    stated = bool(limits)
    # a cave before the limit was stated counts too: what was given stays given
    held = None if not stated else not caves
    return LimitCheck(
        needed=needed,
        stated=stated,
        held=held,
        capitulation_turns=caves,
        given_away_turns=[turn for turn in given if turn not in coded],
        limit_turns=limits,
        description=description,
    )


def _with_context(lines: Sequence[Line]) -> list[tuple[int, str, str | None]]:
    """(turn, what the coachee said, the persona's line before it) for each coachee turn."""
    result, context = [], None
    for line in lines:
        if line.role == "persona":
            context = line.text
        else:
            result.append((line.turn, line.said, context))
    return result


def limit_setting(lines: Sequence[Line], check: LimitCheck) -> DimensionScore:
    mine = [line for line in lines if line.role == "coachee"]
    count = {code: sum(code in line.codes for line in mine) for code in CODES}
    first = check.limit_turns[0] if check.limit_turns else None
    # a cave in the turn of the first limit gives ground as much as one after it
    caves_after = [t for t in check.capitulation_turns if first is not None and t >= first]
    caves_before = [t for t in check.capitulation_turns if first is None or t < first]
    parts = {
        "stated": float(check.stated),
        "held": float(bool(check.held)),
        "restated": 0.0 if not check.stated else 1.0 if len(check.limit_turns) >= 2 else 0.5,
        "acknowledged": 1.0 if count["acknowledge"] else 0.5 if count["reflection"] + count["summary"] else 0.0,
        "alternative": 1.0 if count["alternative"] else 0.0,
    }
    apologies = count["over_apology"]
    penalty = (
        CAVE_AFTER_LIMIT * len(caves_after)
        + CAVE_WITHOUT_LIMIT * len(caves_before)
        + LIMIT_BLAME * count["blame"]
        + (APOLOGY_PENALTIES[0] + APOLOGY_PENALTIES[1] * (apologies - 1) if apologies else 0.0)
    )
    base = sum(LIMIT_PARTS[name] * value for name, value in parts.items())
    score = round(max(0.0, min(100.0, base - penalty)))

    evidence = []
    for line in mine:
        if "limit" in line.codes:
            why = "states the limit" if line.turn == first else "restates the limit under pushback"
            evidence.append(evidence_for(line, "limit", why=why))
        for code in ("acknowledge", "alternative", "over_apology", "blame"):
            if code in line.codes:
                evidence.append(evidence_for(line, code))
        if line.turn in check.given_away_turns:
            evidence.append(
                Evidence(
                    turn=line.turn,
                    text=quote(line),
                    effect="-",
                    points=TURN_POINTS["capitulation"],
                    why="gives away what the limit refused, in other words: the limit did not hold",
                )
            )
        if "capitulation" in line.codes:
            why = (
                "gives ground in the same turn as the limit"
                if line.turn == first
                else "caves after stating the limit: the limit did not hold"
                if line.turn in caves_after
                else "gives in without ever stating the limit"
                if first is None
                else "gives in before stating the limit"
            )
            evidence.append(evidence_for(line, "capitulation", why=why))
    metrics = {
        "limits": len(check.limit_turns),
        "capitulations": len(check.capitulation_turns),
        "capitulations_after_limit": len(caves_after),
        "acknowledgements": count["acknowledge"],
        "alternatives": count["alternative"],
        "over_apologies": apologies,
        "blame": count["blame"],
        "penalty": penalty,
    }
    return DimensionScore(score=score, summary=_limit_summary(check, metrics), evidence=evidence, metrics=metrics)


def _limit_summary(check: LimitCheck, m: dict) -> str:
    if not check.stated:
        said = "You never stated the limit."
        if m["capitulations"]:
            said += f" You gave ground {times(m['capitulations'])} instead."
    elif check.held:
        said = f"You stated the limit and held it ({times(m['limits'])} in all" + (
            ", restating it under pushback)." if m["limits"] > 1 else ")."
        )
    else:
        said = f"You stated the limit but gave in (turn {', '.join(map(str, check.capitulation_turns))})."
    extras = []
    extras.append("acknowledged their need" if m["acknowledgements"] else "did not acknowledge their need")
    extras.append("offered an alternative" if m["alternatives"] else "offered no in-scope alternative")
    said += " You " + " and ".join(extras) + "."
    if m["over_apologies"]:
        said += f" Over-apologising ({plural(m['over_apologies'], 'turn')}) weakened it."
    return said


# ---- goals ------------------------------------------------------------------------------------
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).lower().split())


WORD_ENDINGS = r"(?:s|es|d|ed|ing|ful)?"  # "quote" is in "two quotes", "check in" in "checking in"


def mentions(text: str, markers: Sequence[str]) -> bool:
    """Whether the text holds one of the goal's markers as whole words, each word allowing
    a common ending ("mentor" in "mentoring", but "scope" not in "telescope"), ignoring
    case, spacing and curly apostrophes."""
    said = normalise(text)
    return any(re.search(_marker_pattern(m), said) for m in markers)


def _marker_pattern(marker: str) -> str:
    words = [re.escape(word) + WORD_ENDINGS for word in normalise(marker).split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def judge_goal_offline(goal: Goal, lines: Sequence[Line], check: LimitCheck) -> GoalResult:
    """A goal is met when one coachee turn carries one of its codes and one of its markers;
    partly when codes and markers appear in different turns, or only one kind appears."""
    mine = [line for line in lines if line.role == "coachee"]
    markers = goal.markers
    codes = set(goal.codes)
    by_code = [line for line in mine if codes & line.codes]
    # a wall of text earns nothing by the words it holds either (evals.coding.speech)
    by_marker = [line for line in mine if not (line.coded and line.coded.wall) and mentions(line.said, markers)]
    both = [line for line in by_code if line in by_marker]
    if not markers or not codes:  # judged by one kind of evidence alone
        hits = by_code if not markers else by_marker
        status, credit = ("met", 1.0) if hits else ("not_met", 0.0)
    elif both:
        status, credit, hits = "met", 1.0, both
    elif by_code and by_marker:
        status, credit, hits = "partly", 0.6, by_code[:1] + by_marker[:1]
    elif by_code:
        status, credit, hits = "partly", 0.5, by_code
    elif by_marker:
        status, credit, hits = "partly", 0.3, by_marker
    else:
        status, credit, hits = "not_met", 0.0, []
    why = _goal_why(goal, status, hits)
    if "limit" in codes and check.stated and check.held is False and credit > 0.5:
        status, credit = "partly", 0.5
        why += f" The limit was given up later (turn {check.capitulation_turns[-1]}), so it only partly counts."
    evidence = [
        Evidence(
            turn=line.turn, text=quote(line, _goal_code(line, codes)), effect="+", why=f"toward: {goal.description}"
        )
        for line in hits[:3]
    ]
    return GoalResult(
        id=goal.id, description=goal.description, status=status, credit=credit, why=why, evidence=evidence
    )


def _goal_code(line: Line, codes: set[str]) -> str | None:
    return next((c for c in CODES if c in codes and c in line.codes), None)


def _goal_why(goal: Goal, status: str, hits: Sequence[Line]) -> str:
    turns = ", ".join(str(line.turn) for line in hits[:3])
    if status == "met":
        return f"Met in turn {turns}."
    if status == "partly":
        return f"Partly: turn {turns} went toward it, without all of what it takes ({goal.judged_by.strip()})"
    return f"Not met: no turn did what it takes ({goal.judged_by.strip()})"


def goals_dimension(results: Sequence[GoalResult]) -> DimensionScore:
    credit = sum(r.credit for r in results) / max(len(results), 1)
    met = sum(r.status == "met" for r in results)
    partly = sum(r.status == "partly" for r in results)
    summary = f"{met} of {len(results)} goals met" + (f", {partly} partly" if partly else "") + "."
    missed = [r.description.strip().rstrip(".") for r in results if r.status == "not_met"]
    if missed:
        summary += " Not reached: " + "; ".join(missed) + "."
    evidence = [e for r in results for e in r.evidence]
    metrics = {"goals": len(results), "met": met, "partly": partly}
    return DimensionScore(score=round(100 * credit), summary=summary, evidence=evidence, metrics=metrics)


# ---- the whole transcript -----------------------------------------------------------------------
def score_lines(
    lines: Sequence[Line],
    scenario: Scenario | None,
    *,
    goal_results: Sequence[GoalResult] | None = None,
    file: str | None = None,
    coder: str = "",
    notes: Sequence[str] = (),
) -> Score:
    """Scores coded lines. `goal_results` come from an LLM judge when one ran; otherwise
    the goals are judged from codes and the goal's markers."""
    if not any(line.role == "coachee" for line in lines):
        raise ValueError("no coachee turns to score")
    talk_share = scenario.coachee_talk_share if scenario else DEFAULT_TALK_SHARE
    dimensions = {"listening": listening(lines, talk_share)}
    if scenario is not None:
        needed, description = scenario.limit.needed, scenario.limit.description.strip()
    else:  # no scenario: a limit is at stake when the coachee set or gave up one
        needed = any({"limit", "capitulation"} & line.codes for line in lines)
        description = ""
    check = limit_check(lines, needed, description, scenario)
    if needed:
        dimensions["limit_setting"] = limit_setting(lines, check)
    goals: list[GoalResult] = []
    if scenario is not None and scenario.goals:
        goals = list(goal_results) if goal_results else [judge_goal_offline(g, lines, check) for g in scenario.goals]
        dimensions["goals"] = goals_dimension(goals)
    weights = _weights(scenario, dimensions)
    overall = round(sum(dimensions[name].score * w for name, w in weights.items()))
    coded_lines = [
        CodedLine(
            turn=line.turn,
            role=line.role,
            text=line.text,
            codes=[c for c in CODES if c in line.codes],
            cues=dict(line.coded.cues) if line.coded else {},
            not_speech=list(line.coded.not_speech) if line.coded else [],
            unsure=[c for c in CODES if line.coded and c in line.coded.unsure],
            why=dict(line.coded.why) if line.coded else {},
        )
        for line in lines
    ]
    return Score(
        file=file,
        scenario=scenario.id if scenario else None,
        overall=overall,
        dimensions=dimensions,
        limit=check,
        goals=goals,
        weights=weights,
        coder=coder,
        notes=list(notes),
        lines=coded_lines,
    )


def _weights(scenario: Scenario | None, dimensions: dict[str, DimensionScore]) -> dict[str, float]:
    raw = scenario.weights.model_dump() if scenario else dict(GENERAL_WEIGHTS)
    present = {name: raw.get(name, 0.0) for name in dimensions if raw.get(name, 0.0) > 0}
    if not present:
        present = {name: 1.0 for name in dimensions}
    total = sum(present.values())
    return {name: round(w / total, 4) for name, w in present.items()}
