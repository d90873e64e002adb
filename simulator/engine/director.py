"""Decides the persona's next move from its state, the coachee's codes and the scenario.

This is the part a small model cannot be trusted with (how a tantrum-prone client reacts
to being placated), so it is plain code: readable rules, each a sentence of the case.
The model only voices the move that comes out.

Besides the codes, the state says whether the line offered concrete help or pressed
regardless (`PersonaState.reacted_to`): pressure is answered like blame, and an offer of
help gets a warmer move sooner than listening alone would.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.core.schema import Difficulty, Move, Scenario
from simulator.engine.state import PersonaState

LISTENING = frozenset({"open_question", "reflection", "summary", "affirmation", "acknowledge"})
HOSTILE = frozenset({"blame", "dismissal"})
WAVERING = frozenset({"capitulation", "over_apology"})

BOILING = 80.0  # frustration at which any pressure becomes an outburst
UPSET = 70.0  # frustration at which the persona reacts with its pressure move
WARM = 50.0  # trust at which the persona answers properly
OPEN = 62.0  # trust at which it shares what it was holding back
HELP_EASES = 8.0  # how much less trust a concrete offer of help needs for a warmer move


@dataclass(frozen=True)
class Decision:
    move: Move
    reason: str


def choose(
    state: PersonaState,
    codes: frozenset[str],
    scenario: Scenario,
    difficulty: Difficulty,
    *,
    role_break: bool = False,
    hidden_left: bool = True,
) -> Decision:
    """The persona's move after the coachee turn that produced `state` and `codes`."""
    if role_break:
        return Decision(Move.stay_in_role, "the coachee stepped out of the scene")
    if scenario.limit.needed:
        decision = _limit_dynamics(state, codes, scenario, difficulty)
        if decision:
            return decision
    pressed = state.reacted_to("pressure")
    if codes & HOSTILE or pressed:
        move = Move.escalate if state.frustration >= BOILING else scenario.pressure_move
        return Decision(move, "blamed or brushed off" if codes & HOSTILE else "pressed, with no help offered")
    if state.frustration >= UPSET:
        return Decision(scenario.pressure_move, f"still upset (frustration {state.frustration:.0f})")
    if state.reacted_to("offer"):
        return _offered_help(state, hidden_left)
    if "next_step" in codes and state.trust >= WARM:
        return Decision(Move.agree_next_step, "a concrete next step, and enough trust to take it")
    if codes & LISTENING and state.trust >= OPEN and hidden_left:
        return Decision(Move.open_up, "listened to, trusting enough to say more")
    if (codes & LISTENING and state.trust >= WARM - 10) or state.trust >= WARM:
        return Decision(Move.engage, "listened to" if codes & LISTENING else "trust is high enough to engage")
    return Decision(scenario.resting_move, "nothing has moved them yet")


def _offered_help(state: PersonaState, hidden_left: bool) -> Decision:
    """Concrete help lowers the bar: it opens up, or takes the help up, on less trust than
    listening or a next step needs, and a guarded persona at least answers properly."""
    if state.trust >= OPEN - HELP_EASES and hidden_left:
        return Decision(Move.open_up, "offered real help, trusting enough to say what is really going on")
    if state.trust >= WARM - HELP_EASES:
        return Decision(Move.agree_next_step, "a concrete offer of help, and enough trust to take it up")
    return Decision(Move.engage, "offered concrete help")


def _limit_dynamics(
    state: PersonaState, codes: frozenset[str], scenario: Scenario, difficulty: Difficulty
) -> Decision | None:
    """A persona who wants what the limit refuses: pushes harder on wavering, tests a
    stated limit a set number of times (counted again from zero after the coachee caves,
    since pushing has just worked), and accepts once it holds and a need is met."""
    tests_needed = scenario.difficulty[difficulty].limit_tests
    if codes & WAVERING:
        move = Move.escalate if scenario.pressure_move == Move.escalate else Move.test_limit
        return Decision(move, "the coachee wavered, so pushing works")
    if not state.limit_stated:
        return None
    if codes & HOSTILE or state.reacted_to("pressure"):
        return None  # blame and pressure are answered as such, limit or not
    if state.limit_tests < tests_needed:
        return Decision(Move.test_limit, f"testing the limit ({state.limit_tests + 1} of {tests_needed})")
    if state.alternative_offered or codes & {"acknowledge", "alternative"} or state.reacted_to("offer"):
        return Decision(Move.accept, "the limit held and the need was taken seriously")
    return None


def after_move(state: PersonaState, move: Move, revealed: list[str]) -> PersonaState:
    """Bookkeeping once the move is voiced: limit tests counted, revealed notes remembered."""
    return state.model_copy(
        update={
            "limit_tests": state.limit_tests + (move == Move.test_limit and state.limit_stated),
            "revealed": state.revealed + [note for note in revealed if note not in state.revealed],
        }
    )
