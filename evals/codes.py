"""The behaviour codes of the rubric (shared/rubric.md): a fixed contract."""

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


def check_codes(codes):  # noqa: ANN001, ANN201 - any collection of names; stdlib only, for evals.dataset
    """Returns `codes` unchanged, or raises ValueError naming the ones the rubric does not have."""
    unknown = sorted(set(codes) - set(CODES))
    if unknown:
        raise ValueError(f"unknown behaviour code(s): {', '.join(unknown)}")
    return codes
