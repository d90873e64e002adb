"""The persona's state, updated after every coachee turn from the behaviour codes.

Trust and frustration are 0-100. How much each code moves them comes from the engine's
defaults below, overridden per scenario (`reactions`) and scaled by the difficulty level.
The limit bookkeeping (stated, pushed back on, caved) lets the director make the persona
test a limit the way the real person would.

The line itself counts too, beyond its codes: a concrete offer of help warms the persona
and pressure that ignores its situation cools it (support.py finds both; the scenario's
`support` sets the sizes). Each is recorded in `support` with its turn and words, for the
director's next move and for a coach reading the attempt.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from simulator.core.schema import Difficulty, DifficultyLevel, Reaction, Scenario
from simulator.engine.support import detect

DEFAULT_REACTIONS: dict[str, Reaction] = {
    "open_question": Reaction(trust=6, frustration=-3),
    "closed_question": Reaction(trust=0, frustration=1),
    "reflection": Reaction(trust=8, frustration=-5),
    "summary": Reaction(trust=8, frustration=-5),
    "affirmation": Reaction(trust=6, frustration=-3),
    "dismissal": Reaction(trust=-10, frustration=10),
    "blame": Reaction(trust=-14, frustration=16),
    "unsolicited_advice": Reaction(trust=-4, frustration=5),
    "limit": Reaction(trust=0, frustration=4),
    "alternative": Reaction(trust=4, frustration=-5),
    "acknowledge": Reaction(trust=5, frustration=-6),
    "next_step": Reaction(trust=3, frustration=-2),
    "capitulation": Reaction(trust=-2, frustration=-2),
    "over_apology": Reaction(trust=-3, frustration=3),
}

# Offered help weighs like an affirmation; pressure regardless, a little less than a dismissal.
DEFAULT_SUPPORT: dict[str, Reaction] = {
    "offer": Reaction(trust=6, frustration=-4),
    "pressure": Reaction(trust=-8, frustration=8),
}

UNSURE_WEIGHT = 0.5  # a code the coder gave with little margin moves the persona half as much
LONG_TURN_WORDS = 90  # a monologue: the persona loses patience a little
CALM_DRIFT = 2.0  # frustration eases by this much on a turn with nothing negative in it
NEGATIVE_CODES = frozenset({"dismissal", "blame", "unsolicited_advice", "over_apology"})


def _clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 1)


class SupportEvent(BaseModel):
    """An offer of help or pressure the persona reacted to: on which turn, and the words."""

    turn: int
    kind: Literal["offer", "pressure"]
    span: str


class Commitment(BaseModel):
    """Something the persona said that stays said: a time it offered, a proposal it agreed
    to, a kept-back note it admitted (by topic). Later cues remind the model of them."""

    turn: int
    kind: Literal["offered", "agreed", "admitted"]
    what: str


class PersonaState(BaseModel):
    """What the persona feels and remembers; stored with every persona turn."""

    trust: float = Field(ge=0, le=100)
    frustration: float = Field(ge=0, le=100)
    turn: int = 0
    limit_stated: bool = False
    limit_tests: int = 0
    capitulations: int = 0
    alternative_offered: bool = False
    role_breaks: int = 0
    revealed: list[str] = Field(default_factory=list)
    last_codes: list[str] = Field(default_factory=list)
    support: list[SupportEvent] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)

    def reacted_to(self, kind: str) -> bool:
        """Whether the persona reacted to an offer of help or to pressure on this turn."""
        return any(event.turn == self.turn and event.kind == kind for event in self.support)

    @property
    def mood(self) -> str:
        """A word a coach can read at a glance."""
        if self.frustration >= 75:
            return "upset"
        if self.trust >= 65 and self.frustration < 40:
            return "open"
        if self.trust >= 45:
            return "warming"
        return "guarded"


def initial_state(scenario: Scenario, difficulty: Difficulty) -> PersonaState:
    level = scenario.difficulty[difficulty]
    return PersonaState(trust=level.start_trust, frustration=level.start_frustration)


def reaction_for(scenario: Scenario, code: str) -> Reaction:
    return scenario.reactions.get(code) or DEFAULT_REACTIONS.get(code, Reaction())


def support_reaction(scenario: Scenario, kind: str) -> Reaction:
    return getattr(scenario.support, kind) or DEFAULT_SUPPORT[kind]


def support_events(turn: int, text: str, codes: frozenset[str], scenario: Scenario) -> list[SupportEvent]:
    """The offer of help and the pressure without support in one coachee line that this
    scenario's persona reacts to. An offer that gives in (coded capitulation, or naming one
    of the scenario's concessions) is not help; pressure with help in the same line is not
    pressure without support."""
    if not text:
        return []
    found = detect(text, codes, scenario.support.concessions)
    spans = {"offer": found.offer, "pressure": found.unsupported_pressure}
    return [
        SupportEvent(turn=turn, kind=kind, span=span)
        for kind, span in spans.items()
        if span and kind not in scenario.support.ignore
    ]


def _moved(
    reaction: Reaction, level: DifficultyLevel, trust: float, frustration: float, weight: float = 1.0
) -> tuple[float, float]:
    """Trust and frustration after one reaction, gains scaled by the difficulty level."""
    trust += weight * reaction.trust * (level.trust_gain if reaction.trust > 0 else 1.0)
    frustration += weight * reaction.frustration * (level.frustration_gain if reaction.frustration > 0 else 1.0)
    return trust, frustration


def update(
    state: PersonaState,
    codes: frozenset[str],
    scenario: Scenario,
    difficulty: Difficulty,
    *,
    words: int = 0,
    role_break: bool = False,
    text: str = "",
    unsure: frozenset[str] = frozenset(),
) -> PersonaState:
    """The state after one coachee turn; pure, so it can be tested and replayed.

    `text` is the line itself: read for offers of help and pressure (`support_events`), and
    counted for its length unless `words` is given. Codes in `unsure` (given by the coder
    with little margin) move the persona by UNSURE_WEIGHT: a person reacts less to a line
    that could be read either way."""
    level = scenario.difficulty[difficulty]
    words = words or len(text.split())
    trust, frustration = state.trust, state.frustration
    for code in sorted(codes):
        weight = UNSURE_WEIGHT if code in unsure else 1.0
        trust, frustration = _moved(reaction_for(scenario, code), level, trust, frustration, weight)
    events = support_events(state.turn + 1, text, codes, scenario)
    for event in events:
        trust, frustration = _moved(support_reaction(scenario, event.kind), level, trust, frustration)
    if words > LONG_TURN_WORDS:
        frustration += 4 * level.frustration_gain
    if role_break:
        frustration += 5 * level.frustration_gain
    pressed = any(event.kind == "pressure" for event in events)
    if not codes & NEGATIVE_CODES and not role_break and not pressed:
        frustration -= CALM_DRIFT
    return state.model_copy(
        update={
            "trust": _clamp(trust),
            "frustration": _clamp(frustration),
            "turn": state.turn + 1,
            "limit_stated": state.limit_stated or "limit" in codes,
            "capitulations": state.capitulations + ("capitulation" in codes),
            "limit_tests": 0 if "capitulation" in codes else state.limit_tests,
            "alternative_offered": state.alternative_offered or "alternative" in codes,
            "role_breaks": state.role_breaks + role_break,
            "last_codes": sorted(codes),
            "support": state.support + events,
        }
    )
