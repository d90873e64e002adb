"""A deterministic completion model for tests and for the UI's ``fake`` mode.

In the spirit of LangChain's ``FakeListLLM`` and simonw/llm's fake model, but it reads the
screenplay prompt the persona engine builds, so a whole conversation can run with no model
and still sound like the scenario's persona.

Parsing contract (the persona engine builds prompts this way):

- Dialogue lines, including the authored example lines in the fixed part, look like
  ``STAN (defensive and short): I did what the ticket said.`` - a speaker in capitals, a
  stage direction in parentheses, a colon, the line (``DIALOGUE_RE``).
- The prompt's last line is the speaker cue to complete, ``STAN (defensive and short):``,
  ending right after the colon, perhaps with a trailing space (``CUE_RE``).
- If a line reading exactly ``The conversation:`` is present, example lines are taken from
  before its first occurrence and everything after it is the conversation so far.

Answering, in order:

1. the queued ``responses``, one per call, if any are left;
2. an example line whose speaker is the cue's and whose stage direction begins the cue's
   (a cue may add what the line answers after a comma). Lines already
   spoken in the conversation are avoided while fresh ones remain (without the marker, a
   line that appears more than once counts as spoken). Among the candidates the pick is
   ``number of dialogue lines so far % number of candidates``, so the same prompt always
   gets the same answer and successive turns walk through the bank;
3. otherwise ``NEUTRAL_LINE`` ("Hm."): no cue, or no example for that speaker and move.

``_stream`` yields the same text word by word (chunks join back to the full line). ``stop``
sequences cut the text as a real model would. ``raise_error`` makes every call raise that
exception (after recording the prompt), to simulate a dead server; ``delay_s`` sleeps
before answering, to simulate a slow one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import ConfigDict, Field, PrivateAttr

DIALOGUE_RE = re.compile(r"^([A-Z][A-Z .'-]*) \(([^)]*)\): (.+)$")
CUE_RE = re.compile(r"^([A-Z][A-Z .'-]*) \(([^)]*)\):\s*$")
# Any spoken line, with or without a stage direction ("JACK: ..." or "STAN (...): ...").
_SPOKEN_RE = re.compile(r"^([A-Z][A-Z .'-]*)(?: \(([^)]*)\))?: (.+)$")
CONVERSATION_MARKER = "The conversation:"
NEUTRAL_LINE = "Hm."


def parse_cue(prompt: str) -> tuple[str, str] | None:
    """``(speaker, direction)`` of the cue the prompt ends with, or None."""
    stripped = prompt.rstrip()
    if not stripped:
        return None
    last = stripped.splitlines()[-1]
    # rstrip() removed the trailing space after the colon; the cue pattern allows either.
    m = CUE_RE.match(last)
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def script_reply(prompt: str) -> str:
    """The fake's answer to a screenplay prompt (rules 2 and 3 of the module docstring)."""
    cue = parse_cue(prompt)
    if cue is None:
        return NEUTRAL_LINE
    lines = prompt.rstrip().splitlines()[:-1]  # drop the cue itself
    marker = next((i for i, line in enumerate(lines) if line.strip() == CONVERSATION_MARKER), None)
    fixed = lines if marker is None else lines[:marker]
    conversation = lines if marker is None else lines[marker + 1 :]

    candidates: list[str] = []
    for line in fixed:
        m = DIALOGUE_RE.match(line.strip())
        if m and _same_mood((m.group(1).strip(), m.group(2).strip()), cue):
            text = m.group(3).strip()
            if text not in candidates:
                candidates.append(text)
    if not candidates:
        return NEUTRAL_LINE

    spoken = [m.group(3).strip() for line in conversation if (m := _SPOKEN_RE.match(line.strip()))]
    # Without the marker the examples are part of `spoken`: only a repeat means it was said.
    used = {text for text in spoken if spoken.count(text) > 1} if marker is None else set(spoken)
    fresh = [text for text in candidates if text not in used]
    pool = fresh or candidates
    return pool[len(spoken) % len(pool)]


def _same_mood(example: tuple[str, str], cue: tuple[str, str]) -> bool:
    """The example's speaker and direction are the cue's; a cue may add after a comma what
    the line answers ("defensive, answering JACK's question: …")."""
    (speaker, mood), (cue_speaker, cue_mood) = example, cue
    return speaker == cue_speaker and (cue_mood == mood or cue_mood.startswith(mood + ", "))


def _apply_stop(text: str, stop: list[str] | None) -> str:
    for s in stop or []:
        if s and s in text:
            text = text[: text.index(s)]
    return text


class FakeScriptLLM(LLM):
    """Deterministic fake completion model; see the module docstring for its rules."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    responses: list[str] = Field(default_factory=list)
    """Answers returned first, one per call, in order."""
    prompts: list[str] = Field(default_factory=list)
    """Every prompt this model was asked, in order (appended even when it raises)."""
    raise_error: Exception | None = None
    """When set, every call records its prompt and then raises this."""
    delay_s: float = 0.0
    """Seconds to sleep before answering."""

    _next_response: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "fake-script"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"responses": len(self.responses), "delay_s": self.delay_s}

    def _answer(self, prompt: str, stop: list[str] | None) -> str:
        with self._lock:
            self.prompts.append(prompt)
            queued = None
            if self._next_response < len(self.responses):
                queued = self.responses[self._next_response]
                self._next_response += 1
        if self.raise_error is not None:
            raise self.raise_error
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        text = queued if queued is not None else script_reply(prompt)
        return _apply_stop(text, stop)

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return self._answer(prompt, stop)

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        text = self._answer(prompt, stop)
        for piece in re.findall(r"\s*\S+\s*$|\s*\S+", text) or ([text] if text else []):
            chunk = GenerationChunk(text=piece)
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


__all__ = ["CONVERSATION_MARKER", "CUE_RE", "DIALOGUE_RE", "NEUTRAL_LINE", "FakeScriptLLM", "parse_cue", "script_reply"]
