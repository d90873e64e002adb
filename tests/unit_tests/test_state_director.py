from simulator.core.schema import Difficulty, Move
from simulator.engine.director import after_move, choose
from simulator.engine.state import initial_state, update

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
