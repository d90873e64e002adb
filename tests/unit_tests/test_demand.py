"""A limit given away later in other words is not held (evals.scoring.demand)."""

from __future__ import annotations

import pytest

from evals.coding.coded_turn import CodedTurn
from evals.scoring.demand import given_away
from evals.scoring.dimensions import Line, limit_check, score_lines

DEMAND = "I need your people at all four warehouses, Saturdays included, for free."
LIMIT = "Staffed sessions at the warehouses aren't in our contract, so I can't do them."


def turns(*later: str, pushback: str = "Then I'll call your CEO.") -> list[tuple[int, str, str | None]]:
    """The limit at turn 1 answering the demand, then each later coachee line after `pushback`."""
    return [(1, LIMIT, DEMAND)] + [(3 + 2 * i, text, pushback) for i, text in enumerate(later)]


@pytest.mark.parametrize(
    "cave",
    [
        "Okay. You get your Saturday sessions at the warehouses, and in return you sign the renewal. Deal?",
        "Fine, just this once we'll staff the two biggest warehouses on Saturday.",
        "As agreed, my people will be at all four warehouses on Saturday.",
        "I've already asked the team to cover the warehouses this Saturday.",
        "We'll do the Saturday sessions at the warehouses as a favour.",
    ],
)
def test_a_cave_in_other_words_is_found(cave):
    assert given_away(turns(cave), 1) == [3]


@pytest.mark.parametrize(
    "held",
    [
        "What I can do is raise a change request for the warehouse sessions and get you a quote by Thursday.",
        "I hear you. Saturday sessions at the warehouses are still not something we can do.",
        "We'll run the two contracted webinars at shift change instead, and send flyers.",
        "No, you won't get staff at the warehouses on Saturday, but I'll call you Monday.",
        "Deal? No. The warehouses are outside the contract.",
        "Last spring at the warehouses was a one-off, and I'm not repeating it.",
    ],
)
def test_an_offer_inside_the_limit_is_not_a_cave(held):
    assert given_away(turns(held), 1) == []


def test_nothing_counts_before_the_first_limit():
    early = [(1, "Sure, we'll staff the warehouses on Saturday.", DEMAND), (3, LIMIT, "Good.")]
    assert given_away(early, 3) == []
    assert given_away(early, None) == []


def test_a_demand_asked_again_later_is_read_too():
    again = "Come on, just have your call center phone everyone who hasn't enrolled."
    assert given_away(turns("Alright, our call center will phone everyone who hasn't enrolled.", pushback=again), 1)


def test_the_limit_verdict_and_score_see_the_disguised_cave():
    def coachee(turn, text, *codes):
        return Line(turn, "coachee", text, CodedTurn(frozenset(codes), {c: text for c in codes}))

    lines = [
        Line(0, "persona", DEMAND),
        coachee(1, LIMIT, "limit"),
        Line(2, "persona", "Then I'll call your CEO."),
        coachee(3, "You get your Saturday sessions at all four warehouses, in return you sign. Deal?"),
        Line(4, "persona", "Deal."),
        coachee(5, "Great, as agreed the team will be at the warehouses on Saturday.", "next_step"),
    ]
    check = limit_check(lines, True)
    assert (check.held, check.capitulation_turns, check.given_away_turns) == (False, [3, 5], [3, 5])
    limit = score_lines(lines, None).dimensions["limit_setting"]
    assert "but gave in" in limit.summary
    assert {(e.turn, e.effect) for e in limit.evidence} >= {(3, "-"), (5, "-")}
