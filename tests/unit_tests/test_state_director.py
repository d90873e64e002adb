import pytest

from simulator.core.catalog import load_catalog
from simulator.core.schema import Difficulty, Move, Reaction, SupportReactions
from simulator.engine.director import OPEN, WARM, after_move, choose
from simulator.engine.state import DEFAULT_SUPPORT, SupportEvent, initial_state, update

STD = Difficulty.standard


def _after(scenario, codes, state=None, difficulty=STD, **kw):
    state = state or initial_state(scenario, difficulty)
    codes = frozenset(codes)
    state = update(state, codes, scenario, difficulty, **kw)
    return state, choose(state, codes, scenario, difficulty, role_break=kw.get("role_break", False))


def test_listening_raises_trust_and_blame_lowers_it(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    start = initial_state(scenario, STD)
    warm, _ = _after(scenario, {"open_question", "reflection"})
    cold, _ = _after(scenario, {"blame"})
    assert warm.trust > start.trust > cold.trust
    assert cold.frustration > start.frustration > warm.frustration


def test_difficulty_scales_the_reaction(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    easy, _ = _after(scenario, {"reflection"}, difficulty=Difficulty.easy)
    hard, _ = _after(scenario, {"reflection"}, difficulty=Difficulty.hard)
    assert (
        easy.trust - initial_state(scenario, Difficulty.easy).trust
        > hard.trust - initial_state(scenario, Difficulty.hard).trust
    )


def test_scenario_reactions_override_defaults(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state, _ = _after(scenario, {"capitulation"})
    assert state.frustration > initial_state(scenario, STD).frustration  # caving makes Dana push harder


def test_same_line_in_different_states_gets_different_moves(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    calm = initial_state(scenario, STD)
    upset = calm.model_copy(update={"frustration": 90.0})
    codes = frozenset({"closed_question"})
    assert choose(update(calm, codes, scenario, STD), codes, scenario, STD).move == Move.deflect
    assert choose(update(upset, codes, scenario, STD), codes, scenario, STD).move == Move.escalate


def test_blame_triggers_the_pressure_move(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    _, decision = _after(scenario, {"blame"})
    assert decision.move == scenario.pressure_move


def test_a_limit_is_tested_then_accepted_when_it_holds(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, STD)
    moves = []
    for codes in [{"limit"}, {"limit", "acknowledge"}, {"limit", "alternative"}]:
        state, decision = _after(scenario, codes, state)
        state = after_move(state, decision.move, [])
        moves.append(decision.move)
    assert moves == [Move.test_limit, Move.test_limit, Move.accept]


def test_caving_makes_a_tantrum_persona_escalate(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    _, decision = _after(scenario, {"capitulation"})
    assert decision.move == Move.escalate


def test_limit_that_gave_way_keeps_being_tested(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, Difficulty.easy)
    for codes in [{"limit"}, {"capitulation"}, {"limit", "alternative"}]:
        state, decision = _after(scenario, codes, state, difficulty=Difficulty.easy)
        state = after_move(state, decision.move, [])
    assert decision.move == Move.test_limit


def test_trust_opens_up_hidden_notes_once_earned(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, STD).model_copy(update={"trust": 70.0, "frustration": 10.0})
    codes = frozenset({"open_question"})
    assert choose(update(state, codes, scenario, STD), codes, scenario, STD).move == Move.open_up
    assert choose(update(state, codes, scenario, STD), codes, scenario, STD, hidden_left=False).move == Move.engage


def test_role_break_keeps_the_persona_in_role(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state, decision = _after(scenario, set(), role_break=True)
    assert decision.move == Move.stay_in_role
    assert state.role_breaks == 1


def test_after_move_counts_limit_tests_and_remembers_reveals(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, STD).model_copy(update={"limit_stated": True})
    state = after_move(state, Move.test_limit, ["boss"])
    state = after_move(state, Move.engage, ["boss"])
    assert state.limit_tests == 1
    assert state.revealed == ["boss"]


def test_state_stays_in_bounds(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, STD)
    for _ in range(20):
        state = update(state, frozenset({"blame", "dismissal"}), scenario, Difficulty.hard, words=500)
    assert state.trust == 0 and state.frustration == 100
    assert state.mood == "upset"


def test_blame_after_a_held_limit_is_not_accepted(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, Difficulty.easy)
    for codes in [{"limit", "alternative"}, {"limit"}]:
        state, decision = _after(scenario, codes, state, difficulty=Difficulty.easy)
        state = after_move(state, decision.move, [])
    _, decision = _after(scenario, {"blame"}, state, difficulty=Difficulty.easy)
    assert decision.move != Move.accept


def test_a_coachee_who_caved_can_still_win_by_holding_the_limit_again(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, Difficulty.easy)
    moves = []
    for codes in [{"capitulation"}, {"limit"}, {"limit", "acknowledge"}, {"limit", "alternative"}]:
        state, decision = _after(scenario, codes, state, difficulty=Difficulty.easy)
        state = after_move(state, decision.move, [])
        moves.append(decision.move)
    assert moves[-1] == Move.accept


# ---- offers of help and pressure without support --------------------------------

OFFER = "I'll take two of your tickets this week."
PRESSURE = "It gets done by Friday whatever else is on your plate."
NEUTRAL = "Right, the deliveries."


def _said(scenario, text, codes=(), state=None, difficulty=STD, hidden_left=True):
    state = state or initial_state(scenario, difficulty)
    codes = frozenset(codes)
    state = update(state, codes, scenario, difficulty, text=text)
    return state, choose(state, codes, scenario, difficulty, hidden_left=hidden_left)


def _with_support(scenario, **support):
    return scenario.model_copy(update={"support": SupportReactions(**support)})


def test_an_offer_of_help_warms_and_pressure_cools_relative_to_a_neutral_line(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    neutral, _ = _said(scenario, NEUTRAL)
    offered, _ = _said(scenario, OFFER)
    pressed, _ = _said(scenario, PRESSURE)
    assert offered.trust == neutral.trust + DEFAULT_SUPPORT["offer"].trust
    assert pressed.trust == neutral.trust + DEFAULT_SUPPORT["pressure"].trust
    assert offered.frustration < neutral.frustration < pressed.frustration
    assert neutral.support == []
    assert offered.support == [SupportEvent(turn=1, kind="offer", span="I'll take two of your tickets this week")]
    assert pressed.support == [SupportEvent(turn=1, kind="pressure", span=PRESSURE)]


def test_pressure_gets_no_calming_drift(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    start = initial_state(scenario, STD)
    pressed, _ = _said(scenario, PRESSURE)
    assert pressed.frustration == start.frustration + DEFAULT_SUPPORT["pressure"].frustration


def test_offers_and_pressure_are_scaled_by_difficulty_and_remembered_by_turn(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    easy, _ = _said(scenario, OFFER, difficulty=Difficulty.easy)
    hard, _ = _said(scenario, OFFER, difficulty=Difficulty.hard)
    gain = {
        d: s.trust - initial_state(scenario, d).trust for d, s in [(Difficulty.easy, easy), (Difficulty.hard, hard)]
    }
    assert gain[Difficulty.easy] > gain[Difficulty.hard] > 0
    state, _ = _said(scenario, OFFER)
    state, _ = _said(scenario, NEUTRAL, state=state)
    state, _ = _said(scenario, PRESSURE, state=state)
    assert [(e.turn, e.kind) for e in state.support] == [(1, "offer"), (3, "pressure")]
    assert state.reacted_to("pressure") and not state.reacted_to("offer")


def test_help_that_caves_is_not_help(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    caving = "Fine, I'll handle the two extra deliveries this week."
    caved, _ = _said(scenario, caving, {"capitulation"})
    bare, _ = _said(scenario, "", {"capitulation"})
    assert caved.support == [] and caved.trust == bare.trust
    conceding, _ = _said(_with_support(scenario, concessions=["extra deliver"]), caving)
    assert conceding.support == [] and conceding.trust < _said(scenario, caving)[0].trust


def test_pressure_with_help_in_the_same_line_counts_as_help(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state, _ = _said(scenario, PRESSURE[:-1] + ", but I'll take two of your tickets.")
    assert [e.kind for e in state.support] == ["offer"]
    assert state.trust > initial_state(scenario, STD).trust


def test_a_scenario_sets_the_sizes_or_ignores_a_kind(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    default, _ = _said(scenario, OFFER)
    bigger, _ = _said(_with_support(scenario, offer=Reaction(trust=12, frustration=-8)), OFFER)
    assert bigger.trust - default.trust == 12 - DEFAULT_SUPPORT["offer"].trust
    neutral, resting = _said(scenario, NEUTRAL)
    ignored, decision = _said(_with_support(scenario, ignore=["pressure"]), PRESSURE)
    assert (ignored.trust, ignored.frustration, ignored.support) == (neutral.trust, neutral.frustration, [])
    assert decision.move == resting.move == scenario.resting_move


def test_an_offer_gets_a_warmer_move_sooner_than_listening(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    start = initial_state(scenario, STD)
    _, neutral = _said(scenario, NEUTRAL)
    _, offered = _said(scenario, OFFER)
    assert neutral.move == Move.deflect and offered.move == Move.engage
    # trust still short of what a next step (WARM) or listening (OPEN) needs on their own
    middling = start.model_copy(update={"trust": WARM - 12})
    _, step = _said(scenario, "Let's meet Thursday.", {"next_step"}, state=middling)
    helped_state, helped = _said(scenario, OFFER, {"next_step"}, state=middling)
    assert helped_state.trust < WARM
    assert step.move == Move.deflect and helped.move == Move.agree_next_step
    warm = start.model_copy(update={"trust": OPEN - 14, "frustration": 10.0})
    _, listened = _said(scenario, "What's behind it?", {"open_question"}, state=warm)
    confided_state, confided = _said(scenario, OFFER, {"open_question"}, state=warm)
    _, nothing_left = _said(scenario, OFFER, state=warm, hidden_left=False)
    assert confided_state.trust < OPEN
    assert listened.move == Move.engage and confided.move == Move.open_up
    assert nothing_left.move == Move.agree_next_step


def test_pressure_gets_the_pressure_move_even_while_a_limit_is_tested(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    _, decision = _said(scenario, PRESSURE)
    assert decision.move == scenario.pressure_move
    stated, tested = _said(scenario, "Extras aren't in the contract.", {"limit"})
    assert tested.move == Move.test_limit
    _, pressed = _said(scenario, "Extras aren't in the contract, no excuses.", {"limit"}, state=stated)
    assert pressed.move == scenario.pressure_move and pressed.reason == "pressed, with no help offered"


def test_an_offer_after_a_held_limit_is_accepted(fixture_catalog):
    scenario = fixture_catalog.scenario("catering_dispute")
    state = initial_state(scenario, Difficulty.easy)
    state, decision = _said(
        scenario, "Extras aren't in the contract.", {"limit"}, state=state, difficulty=Difficulty.easy
    )
    state = after_move(state, decision.move, [])
    _, bare = _said(scenario, "Still no.", {"limit"}, state=state, difficulty=Difficulty.easy)
    _, helped = _said(
        scenario,
        "Still no, but I'll call your boss myself to explain the volumes.",
        {"limit"},
        state=state,
        difficulty=Difficulty.easy,
    )
    assert bare.move != Move.accept and helped.move == Move.accept


@pytest.mark.parametrize("scenario_id", sorted(load_catalog().scenarios))
def test_every_shipped_persona_warms_to_help_and_cools_under_pressure(scenario_id):
    scenario = load_catalog().scenario(scenario_id)
    neutral, _ = _said(scenario, "I see.")
    offered, helped = _said(scenario, OFFER)
    pressed, pushed = _said(scenario, PRESSURE)
    assert offered.trust > neutral.trust > pressed.trust
    assert offered.frustration < neutral.frustration < pressed.frustration
    assert helped.move in {Move.engage, Move.agree_next_step, Move.open_up}
    assert pushed.move in {scenario.pressure_move, Move.escalate}


@pytest.mark.parametrize("scenario_id", sorted(s.id for s in load_catalog().scenarios.values() if s.limit.needed))
def test_shipped_scenarios_with_a_limit_do_not_count_giving_in_as_help(scenario_id):
    scenario = load_catalog().scenario(scenario_id)
    assert scenario.support.concessions
    line = f"Okay, I'll talk to them about {scenario.support.concessions[0]} for you."
    counted, _ = _said(_with_support(scenario), line)
    conceded, _ = _said(scenario, line)
    assert [e.kind for e in counted.support] == ["offer"]
    assert conceded.support == [] and conceded.trust < counted.trust
