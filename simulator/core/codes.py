"""The behaviour codes of the rubric (docs/rubric.md): a fixed contract."""

LISTENING_CODES = (
    "open_question",
    "closed_question",
    "reflection",
    "summary",
    "affirmation",
    "dismissal",
    "blame",
    "unsolicited_advice",
)
LIMIT_CODES = (
    "limit",
    "alternative",
    "acknowledge",
    "next_step",
    "capitulation",
    "over_apology",
)
CODES = LISTENING_CODES + LIMIT_CODES

# How much one turn carrying a code helps or hurts, for ranking moments (best, weakest).
TURN_POINTS = {
    "summary": 4.0,
    "reflection": 3.0,
    "open_question": 2.0,
    "affirmation": 2.0,
    "acknowledge": 2.0,
    "alternative": 3.0,
    "limit": 3.0,
    "next_step": 2.0,
    "closed_question": -0.5,
    "unsolicited_advice": -3.0,
    "over_apology": -3.0,
    "dismissal": -4.0,
    "blame": -5.0,
    "capitulation": -6.0,
}


def check_codes(codes):  # noqa: ANN001, ANN201 - any collection of names; stdlib only, for evals.harness.dataset
    """Returns `codes` unchanged, or raises ValueError naming the ones the rubric does not have."""
    unknown = sorted(set(codes) - set(CODES))
    if unknown:
        raise ValueError(f"unknown behaviour code(s): {', '.join(unknown)}")
    return codes
