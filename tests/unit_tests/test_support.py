import time

import pytest

from simulator.engine.support import Support, detect

OFFERS = [
    ("I'll take two of your tickets this week.", "I'll take two of your tickets this week"),
    (
        "Let me take the dental plan page off your plate so you can focus on the banner.",
        "Let me take the dental plan page off your plate so you can focus on the banner",
    ),
    (
        "You're swamped, so I'll ask your lead to move your other tickets.",
        "I'll ask your lead to move your other tickets",
    ),
    ("Want me to call Northgate myself and explain?", "Want me to call Northgate myself and explain"),
    ("I could pair with you on the banner this afternoon.", "I could pair with you on the banner this afternoon"),
    ("I've already asked Denise to push your other tickets back a week.", None),
    ("The dashboard can wait until next week.", None),
    ("I'll check in with you tomorrow to see if you're stuck on anything.", None),
    ("I can lend you two people on Thursday and Friday.", None),
    ("I'll talk to the product team about a rotation for you.", None),
    ("I\u2019ll write the banner copy and send you the plan documents.", None),  # a curly apostrophe
    ("Can I take the client call off your hands tomorrow?", None),
]
SYMPATHY_AND_OTHER = [
    "I'm sorry you're swamped. That sounds really hard.",
    "I'm here for you. Let me know if you need anything.",
    "Happy to help.",
    "Is there anything I can do?",
    "I'll see what I can do.",
    "I can see you're under a lot of pressure.",
    "I'll take that as a yes.",
    "I'll check in on your progress every morning.",
    "Can I ask what's changed for you?",
    "Let me be clear about the deadline.",
    "I can't take anything off your plate this week.",
    "I won't take your tickets.",
    "I wish I could just do it for you.",
    "The fix goes live Friday.",  # holding a date is a limit, not pressure
    "It has to be live by Friday.",
    "We won't staff the warehouses for free, full stop.",  # closing one's own refusal
    "Would Thursday or Friday work?",
    "Let's get it done.",
    "I'm not asking you to drop everything.",
    "No matter what happens, I've got your back.",
]
PRESSURE = [
    "It gets done by Friday whatever else is on your plate.",
    "I don't care how you do it, just get it done.",
    "You need to have it live by Friday, full stop.",
    "No excuses this time.",
    "Drop everything and fix the banner.",
    "Do it by Friday or I'll escalate this to your manager.",
    "If this slips again it will go on your review.",
    "You'll have to find the time.",
    "It ships Friday no matter what.",
]


@pytest.mark.parametrize(("line", "span"), OFFERS)
def test_concrete_offers_of_help_are_found_with_their_words(line, span):
    found = detect(line)
    assert found.offer is not None and found.pressure is None
    assert found.offer in line
    if span is not None:
        assert found.offer == span


@pytest.mark.parametrize("line", SYMPATHY_AND_OTHER)
def test_sympathy_refusals_limits_and_plain_deadlines_are_neither(line):
    assert detect(line) == Support()


@pytest.mark.parametrize("line", PRESSURE)
def test_pressure_that_ignores_the_other_is_found(line):
    found = detect(line)
    assert found.pressure == line
    assert found.offer is None and found.unsupported_pressure == line


def test_a_curly_apostrophe_is_read_but_kept_in_the_span():
    found = detect("Honestly? I\u2019ll handle the client call so you can focus.")
    assert found.offer == "I\u2019ll handle the client call so you can focus"


def test_pressure_with_help_in_the_same_line_is_supported():
    line = (
        "It gets done by Friday whatever else is on your plate, but I'll talk to Denise about moving your other work."
    )
    found = detect(line)
    assert found.offer == "I'll talk to Denise about moving your other work"
    assert found.pressure == line
    assert found.unsupported_pressure is None


def test_an_offer_in_a_line_coded_capitulation_is_a_concession_not_help():
    line = "Fine, we'll send people to all four warehouses on Saturday."
    assert detect(line).offer == "we'll send people to all four warehouses on Saturday"
    found = detect(line, frozenset({"capitulation"}))
    assert found.offer is None
    assert found.concession == "we'll send people to all four warehouses on Saturday"


def test_an_offer_naming_what_the_limit_refuses_is_a_concession():
    found = detect("I'll put you forward for the next lead role.", (), ["lead role"])
    assert found.offer is None and found.concession == "I'll put you forward for the next lead role"
    # the refusal after "but" is not part of the offer
    kept = detect(
        "I'll talk to the product team about a rotation for you, but I can't promise the lead role.", (), ["lead role"]
    )
    assert kept.offer == "I'll talk to the product team about a rotation for you"
    # a concession word matches at a word's start, in any case
    rotation = "I'll talk to the product team about a rotation for you, which isn't a promotion."
    assert detect(rotation, (), ["promot"]).offer == rotation[:-1]
    promotion = detect("I'll talk to HR about a Promotion for you.", (), ["promot"])
    assert promotion.offer is None and promotion.concession == "I'll talk to HR about a Promotion for you"


def test_long_lines_stay_fast():
    started = time.perf_counter()
    for line in ["I'll take two of your tickets and " * 60, "x " * 1000, "whatever " * 250, "you " * 500]:
        detect(line)
    assert time.perf_counter() - started < 0.5
