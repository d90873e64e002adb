"""FakeScriptLLM: the deterministic stand-in for the persona's model."""

from __future__ import annotations

import time

import pytest

from simulator.core.models.fake import NEUTRAL_LINE, FakeScriptLLM, parse_cue, script_reply

FIXED = """\
INT. OPEN-PLAN OFFICE - MORNING
Jack, a team lead, checks in with Stan, a junior developer, about a late preview.
STAN (vague, doesn't admit confusion): It's coming along, mostly.
STAN (vague, doesn't admit confusion): I've been working through it.
STAN (vague, doesn't admit confusion): There are a few moving parts.
STAN (defensive and short): I did what the ticket said.
STAN (opening up): Honestly, I wasn't sure which banner the client wanted.
"""


def screenplay(*conversation: str, cue: str = "STAN (vague, doesn't admit confusion):", marker: bool = True) -> str:
    parts = [FIXED.rstrip("\n")]
    if marker:
        parts.append("The conversation:")
    parts.extend(conversation)
    parts.append(cue)
    return "\n".join(parts)


VAGUE = {
    "It's coming along, mostly.",
    "I've been working through it.",
    "There are a few moving parts.",
}


def test_parse_cue_accepts_trailing_space_and_rejects_dialogue() -> None:
    assert parse_cue("x\nSTAN (defensive and short):") == ("STAN", "defensive and short")
    assert parse_cue("x\nSTAN (defensive and short): ") == ("STAN", "defensive and short")
    assert parse_cue("x\nMS. O'NEIL-SMITH (curt):\n") == ("MS. O'NEIL-SMITH", "curt")
    assert parse_cue("x\nSTAN (defensive and short): I did it.") is None
    assert parse_cue("JACK:") is None
    assert parse_cue("") is None


def test_answers_with_an_example_for_the_cued_speaker_and_direction() -> None:
    llm = FakeScriptLLM()
    assert llm.invoke(screenplay("JACK: So where are we with the preview?")) in VAGUE
    short = screenplay("JACK: Why is it late?", cue="STAN (defensive and short):")
    assert llm.invoke(short) == "I did what the ticket said."
    opening = screenplay("JACK: What's getting in the way?", cue="STAN (opening up): ")
    assert llm.invoke(opening) == "Honestly, I wasn't sure which banner the client wanted."


def test_is_deterministic() -> None:
    prompt = screenplay("JACK: So where are we with the preview?")
    answers = {FakeScriptLLM().invoke(prompt) for _ in range(5)}
    assert len(answers) == 1


def test_avoids_lines_already_spoken_in_the_conversation() -> None:
    llm = FakeScriptLLM()
    conversation: list[str] = []
    said: list[str] = []
    for question in ("Where are we?", "And the banner?", "Any blockers?"):
        conversation.append(f"JACK: {question}")
        line = llm.invoke(screenplay(*conversation))
        said.append(line)
        conversation.append(f"STAN (vague, doesn't admit confusion): {line}")
    assert set(said) == VAGUE  # three turns, three different lines
    # Once the bank is used up it repeats rather than going silent.
    conversation.append("JACK: Hm?")
    assert llm.invoke(screenplay(*conversation)) in VAGUE


def test_spoken_lines_count_even_without_a_stage_direction() -> None:
    prompt = screenplay(
        "JACK: Where are we?",
        "STAN: It's coming along, mostly.",
        "JACK: And?",
        "STAN: I've been working through it.",
        "JACK: Anything else?",
    )
    assert script_reply(prompt) == "There are a few moving parts."


def test_without_the_marker_repeated_lines_count_as_spoken() -> None:
    prompt = screenplay(
        "JACK: Where are we?",
        "STAN (vague, doesn't admit confusion): It's coming along, mostly.",
        "JACK: And?",
        marker=False,
    )
    reply = script_reply(prompt)
    assert reply in VAGUE and reply != "It's coming along, mostly."


def test_examples_after_the_marker_are_not_used_as_the_bank() -> None:
    prompt = "Scene.\nThe conversation:\nSTAN (curt): Fine.\nJACK: Really?\nSTAN (curt):"
    assert script_reply(prompt) == NEUTRAL_LINE


@pytest.mark.parametrize(
    "prompt",
    [
        "Just a question with no cue",
        screenplay("JACK: Hi.", cue="STAN (furious):"),
        screenplay("JACK: Hi.", cue="DANA (vague, doesn't admit confusion):"),
        "",
    ],
)
def test_no_match_gives_the_neutral_line(prompt: str) -> None:
    assert FakeScriptLLM().invoke(prompt) == NEUTRAL_LINE == "Hm."


def test_queued_responses_come_first_then_the_script() -> None:
    llm = FakeScriptLLM(responses=["first", "second"])
    prompt = screenplay("JACK: Why is it late?", cue="STAN (defensive and short):")
    assert [llm.invoke(prompt) for _ in range(3)] == ["first", "second", "I did what the ticket said."]


def test_streaming_chunks_join_to_the_full_line() -> None:
    prompt = screenplay("JACK: What's getting in the way?", cue="STAN (opening up):")
    chunks = list(FakeScriptLLM().stream(prompt))
    assert len(chunks) == 9  # one per word
    assert "".join(chunks) == FakeScriptLLM().invoke(prompt)
    queued = list(FakeScriptLLM(responses=["  spaced   out line "]).stream("x"))
    assert "".join(queued) == "  spaced   out line "


def test_stop_sequences_cut_the_text() -> None:
    llm = FakeScriptLLM(responses=["one line\nJACK: another", "a. b", "a. b"])
    assert llm.invoke("x", stop=["\n"]) == "one line"
    assert llm.invoke("x", stop=[". "]) == "a"
    assert "".join(llm.stream("x", stop=[". "])) == "a"


def test_records_every_prompt() -> None:
    llm = FakeScriptLLM()
    llm.invoke("p1")
    list(llm.stream("p2"))
    llm.batch(["p3", "p4"])
    assert sorted(llm.prompts) == ["p1", "p2", "p3", "p4"]
    assert llm.prompts[:2] == ["p1", "p2"]


def test_error_simulation_raises_on_call_and_stream_and_still_records() -> None:
    llm = FakeScriptLLM(raise_error=ConnectionError("server down"))
    with pytest.raises(ConnectionError, match="server down"):
        llm.invoke("p1")
    with pytest.raises(ConnectionError):
        list(llm.stream("p2"))
    assert llm.prompts == ["p1", "p2"]


def test_delay_simulates_a_slow_model() -> None:
    llm = FakeScriptLLM(responses=["ok"], delay_s=0.2)
    start = time.perf_counter()
    assert llm.invoke("x") == "ok"
    assert time.perf_counter() - start >= 0.2


async def _astream(llm: FakeScriptLLM, prompt: str) -> str:
    return "".join([chunk async for chunk in llm.astream(prompt)])


def test_async_paths_work() -> None:
    import asyncio

    llm = FakeScriptLLM()
    prompt = screenplay("JACK: Why?", cue="STAN (defensive and short):")
    assert asyncio.run(llm.ainvoke(prompt)) == "I did what the ticket said."
    assert asyncio.run(_astream(llm, prompt)) == "I did what the ticket said."
