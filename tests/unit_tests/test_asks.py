"""What a coachee's line asks of the reply, and whether a reply answers it."""

import pytest

from simulator.engine.asks import AskKind, read_ask, reported
from simulator.engine.relevance import MIN_SIMILARITY, judge
from tests.conftest import HashEmbedding


@pytest.mark.parametrize(
    ("line", "codes", "kind"),
    [
        ("What part of the request was hardest to pin down?", {"open_question"}, AskKind.fact),
        ("What do you need from me to get the banner done by Friday?", set(), AskKind.fact),
        ("How did that feel, being left out of the meeting?", {"open_question"}, AskKind.feeling),
        ("What did you enjoy most in the last year?", set(), AskKind.feeling),
        ("How is all of this sitting with you personally?", set(), AskKind.feeling),
        ("How have you been, in yourself, since the decision?", set(), AskKind.feeling),
        ("Would you rather start with the banner or the PDFs?", {"closed_question"}, AskKind.choice),
        ("How about a ten-minute check-in on Wednesday at nine?", {"next_step"}, AskKind.proposal),
        ("Let's meet tomorrow at 10:30 to go through it.", set(), AskKind.proposal),
        ("So you had to guess which update I meant.", {"reflection"}, AskKind.reflection),
        ("It sounds like the ticket left you guessing.", set(), AskKind.reflection),
        ("Why didn't you just ask me? This is a mess.", set(), AskKind.accusation),
        ("You never tell me when you're stuck.", {"blame"}, AskKind.accusation),
        ("Thanks for coming in today.", set(), AskKind.statement),
        ("For next time, could you bring one real example from this week?", set(), AskKind.proposal),
        ("The team runs rotations. Shall I put your name forward?", set(), AskKind.proposal),
        ("Could you tell me more about the ticket?", {"open_question"}, AskKind.fact),
        ("So what you're after is a plain yes or no you can stand behind.", set(), AskKind.reflection),
        ("Would it help if I brought the plan on Friday, or walked you through it now?", set(), AskKind.choice),
        ("Do you want a quote for on-site days or for outbound calls?", {"closed_question"}, AskKind.choice),
        ("Is that fair or not?", {"closed_question"}, AskKind.fact),
    ],
)
def test_the_kind_of_ask(line, codes, kind):
    assert read_ask(line, frozenset(codes)).kind == kind


def test_a_restatement_followed_by_a_new_question_asks_the_question():
    ask = read_ask("It sounds like the request was unclear. What did you take it to mean?", frozenset({"reflection"}))
    assert ask.kind == AskKind.fact
    assert ask.said == "What did you take it to mean?"


def test_a_proposal_keeps_its_day_and_time():
    ask = read_ask("How about a ten-minute check-in on Wednesday at nine?")
    assert ask.slots == ("ten-minute", "wednesday at nine")
    expected = "saying yes, no or what instead to Jack's proposal of ten-minute and wednesday at nine"
    assert ask.cue("Jack", "Stan") == expected


def test_the_cue_reports_the_question_in_the_script_s_persons():
    ask = read_ask("What did you enjoy most about my project?")
    assert (
        ask.cue("Jack", "Priya", "she/her")
        == "saying plainly how Priya feels, as Jack asked: what did she enjoy most about Jack's project"
    )
    assert reported("(Aside) Are you in?", "Jack") == "aside Are they in"


@pytest.mark.parametrize(
    ("said", "she", "they"),
    [
        ("What did you do on the account?", "what did she do on the account", "what did they do on the account"),
        ("How are you finding the job?", "how is she finding the job", "how are they finding the job"),
        ("What does the CEO need from you?", "what does the CEO need from her", "what does the CEO need from them"),
        ("Shall I put your name forward?", "shall Jack put her name forward", "shall Jack put their name forward"),
        ("You're saying you never got my email.", "she is saying she never got Jack's email",
         "they're saying they never got Jack's email"),
        ("Have you asked yourself why?", "has she asked herself why", "have they asked themselves why"),
        ("You have a point and you do good work.", "she has a point and she does good work",
         "they have a point and they do good work"),
    ],
)  # fmt: skip
def test_the_persona_is_reported_by_its_pronouns_with_verbs_that_agree(said, she, they):
    assert reported(said, "Jack", "she/her") == she
    assert reported(said, "Jack") == they


def test_a_proposal_needs_a_stance():
    ask = read_ask("How about a check-in on Wednesday at nine?")
    assert judge(ask, "Wednesday works, nine is fine.").responsive
    assert judge(ask, "Can we make it Thursday instead?").responsive
    assert judge(ask, "Thursday at ten would suit me better.").responsive
    assert judge(ask, "Thursday at ten?").responsive
    assert not judge(ask, "The template already has a banner slot.").responsive
    assert not judge(ask, "Lunch was late again today, the whole team waited.").responsive


def test_a_restatement_needs_a_confirmation_or_a_correction():
    ask = read_ask("So you had to guess which update I meant.", frozenset({"reflection"}))
    assert judge(ask, "Yeah, pretty much.").responsive
    assert judge(ask, "Not quite, I thought it was the PDFs.").responsive


def test_a_question_needs_a_reply_about_its_topic():
    embed = HashEmbedding()
    ask = read_ask("Which banner did the client want on the home page?")
    on_topic = judge(ask, "The client wanted the deadline banner on the home page.", embed=embed)
    off_topic = judge(ask, "Lunch was late again today.", embed=embed)
    assert on_topic.responsive and on_topic.score >= MIN_SIMILARITY
    assert not off_topic.responsive and "something else" in off_topic.why


def test_the_note_retrieved_for_the_question_counts_as_its_topic():
    embed = HashEmbedding()
    ask = read_ask("What held you up?")
    note = "Stan got stuck on the dental plan PDFs and did not want to ask."
    assert judge(ask, "Honestly the dental PDFs, I got stuck.", [note], embed).responsive


def test_without_embeddings_a_question_is_not_judged():
    assert judge(read_ask("What held you up?"), "Lunch.").responsive


def test_a_feeling_question_needs_a_feeling():
    ask = read_ask("How are you feeling about the project these days?")
    assert judge(ask, "Honestly? Swamped.").responsive
    assert judge(ask, "Fine, mostly. A bit tired.").responsive
    assert judge(ask, "Pretty good so far, actually.").responsive
    assert judge(ask, "I'm not feeling great about it.").responsive
    assert judge(ask, "It feels like I'm always the last to know.").responsive
    assert not judge(ask, "The release goes out on Friday.").responsive
    assert not judge(ask, "Honestly, it's just a busy job.").responsive  # "honestly" names no feeling
    assert not judge(ask, "I'm doing a great job on it.").responsive  # "great" said of the work
    assert not judge(ask, "I feel like we should ask Denise.").responsive  # an opinion


def test_a_choice_needs_an_option():
    ask = read_ask("Would you rather start with the banner or the PDFs?")
    assert ask.options == ("start", "banner", "pdfs")
    assert judge(ask, "The PDFs, they're quicker.").responsive
    assert judge(ask, "Either, honestly.").responsive
    assert not judge(ask, "I don't know. It's not easy.").responsive


def test_a_forthcoming_answer_uses_the_note_that_holds_the_fact():
    ask = read_ask("What did you do on the Lindqvist account last quarter?")
    note = "Carol rebuilt the Lindqvist onboarding checklist and ran their quarterly data audit."
    assert judge(ask, "I rebuilt their onboarding checklist, mostly.", answer=note).responsive
    missed = judge(ask, "I worked on it with the other analysts.", answer=note)
    assert not missed.responsive and "what the persona knows" in missed.why
    assert judge(ask, "I worked on it with the other analysts.").responsive  # guarded moves pass no answer
