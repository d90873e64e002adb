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
