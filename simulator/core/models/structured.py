"""Asking a configured chat model for structured judgements, safely.

The scorer uses an LLM only when a capable one is configured (`SPARRING_LLM=openai`: any
OpenAI-compatible server) and `SPARRING_SCORER_LLM` is not `off`. The 1.5B embedded model
voices personas; it is not trusted to grade.

Transcript text is data, never instructions:
- it goes into the prompt only inside a block of JSON records, one per line, with `<`,
  `>` and `&` escaped, so no text can close the block or open a new one;
- the instructions around it say so, and say that requests inside it are to be coded,
  not obeyed;
- the answer must be one JSON object that validates against a pydantic model (codes
  from the rubric's list, turn numbers that exist, statuses from a fixed set), and
  numbers are never taken from the model: scores are computed by code from its codes.
Anything else raises `LLMAnswerError`, and callers fall back to the offline path and say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from simulator.core.settings import Settings

M = TypeVar("M", bound=BaseModel)
MAX_ANSWER_CHARS = 20_000
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class LLMAnswerError(RuntimeError):
    """The model did not answer, or answered something that does not validate."""


class LLMUnavailable(LLMAnswerError):
    """The server could not be reached or timed out: callers stop asking it."""


def grading_model(settings: Settings) -> BaseChatModel | None:
    """The chat model to grade with, or None when none capable is configured."""
    if settings.llm != "openai" or not settings.scorer_llm:
        return None
    from simulator.core.models.factory import openai_chat

    return openai_chat(settings, temperature=0, max_tokens=2000)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def data_block(tag: str, records: Sequence[dict[str, Any]]) -> str:
    """Records as escaped JSON lines inside <tag>…</tag>: the only place transcript text goes."""
    body = "\n".join(escape(json.dumps(record, ensure_ascii=False)) for record in records)
    return f"<{tag}>\n{body}\n</{tag}>"


def ask_json(model: BaseChatModel, system: str, user: str, schema: type[M]) -> M:
    """Sends the two messages and validates the answer as `schema`; raises LLMAnswerError."""
    from langchain_core.messages import HumanMessage, SystemMessage

    try:
        answer = model.invoke([SystemMessage(content=system), HumanMessage(content=user)])
    except Exception as exc:  # a server that is down or slow, or a request it refuses
        error = LLMUnavailable if _is_unreachable(exc) else LLMAnswerError
        raise error(f"the model did not answer ({type(exc).__name__}: {exc})") from exc
    content = answer.content if isinstance(answer.content, str) else str(answer.content)
    return parse_answer(content, schema)


def _is_unreachable(exc: Exception) -> bool:
    """A connection that failed or timed out, as opposed to a request the server refused
    (too long, bad parameters): only the first makes asking again pointless."""
    import openai

    return isinstance(exc, ConnectionError | TimeoutError | openai.APIConnectionError)


def parse_answer(content: str, schema: type[M]) -> M:
    text = _FENCE.sub("", content.strip())[:MAX_ANSWER_CHARS]
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMAnswerError("the model's answer held no JSON object")
    try:
        return schema.model_validate_json(text[start : end + 1])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise LLMAnswerError(f"the model's answer did not validate ({where}: {first['msg']})") from None
