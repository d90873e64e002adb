"""The one place that turns ``Settings`` into a LangChain model.

- ``openai``: ``ChatOpenAI`` against any OpenAI-compatible server (OpenAI, Ollama, vLLM,
  llama.cpp's server); chat-shaped prompts.
- ``embedded``: ``LlamaCppScript``, the pinned GGUF run in-process; screenplay prompts.
  Cached per GGUF path, so the weights are loaded once per process however many sessions
  or rebuilds ask for it.
- ``fake``: ``FakeScriptLLM``, deterministic lines from the scenario's own examples.

Callers pick the prompt shape with ``prompt_style(model)`` rather than by backend name.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, BaseLanguageModel

from simulator.config import Settings
from simulator.models.fake import FakeScriptLLM
from simulator.models.weights import DEFAULT_GGUF

PromptStyle = Literal["script", "chat"]
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"

_embedded_lock = threading.Lock()
_embedded: dict[Path, BaseLanguageModel] = {}


def build_model(settings: Settings) -> BaseLanguageModel:
    """The model for ``settings.llm``. Makes no request; ``embedded`` checks its file.

    Raises ``ModelNotInstalled`` (with the install command) for ``embedded`` when the GGUF
    is missing or does not match its pinned hash.
    """
    if settings.llm == "openai":
        return openai_chat(settings, streaming=True, temperature=0.8, max_tokens=120)
    if settings.llm == "embedded":
        from simulator.models.embedded import LlamaCppScript

        key = settings.gguf_path.resolve()
        with _embedded_lock:
            model = _embedded.get(key)
            if model is None:
                model = LlamaCppScript.from_settings(settings)
                _embedded[key] = model
            return model
    if settings.llm == "fake":
        return FakeScriptLLM()
    raise ValueError(f"unknown backend {settings.llm!r} (expected openai, embedded or fake)")


def openai_chat(settings: Settings, **params: Any) -> BaseChatModel:
    """``ChatOpenAI`` for the configured OpenAI-compatible server; `params` tune it per use
    (the persona streams short warm lines, the scorer wants long, deterministic answers)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.model or DEFAULT_OPENAI_MODEL,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or "not-needed",
        timeout=settings.request_timeout_s,
        max_retries=1,
        **params,
    )


def prompt_style(model: BaseLanguageModel) -> PromptStyle:
    """``"chat"`` for chat models (message lists), ``"script"`` for completion models."""
    return "chat" if isinstance(model, BaseChatModel) else "script"


def describe_backend(settings: Settings) -> str:
    """A short human description of the configured backend, for the UI."""
    if settings.llm == "openai":
        where = settings.openai_base_url or "api.openai.com"
        return f"OpenAI-compatible: {settings.model or DEFAULT_OPENAI_MODEL} at {where}"
    if settings.llm == "embedded":
        if settings.embedded_model_path is not None:
            return f"Embedded: {settings.gguf_path.name} (local, llama.cpp)"
        short = DEFAULT_GGUF.name.split(" (")[0].removesuffix("-Instruct")
        return f"Embedded: {short} (local, llama.cpp)"
    if settings.llm == "fake":
        return "Fake model (deterministic test lines)"
    return f"Unknown backend {settings.llm!r}"


__all__ = ["DEFAULT_OPENAI_MODEL", "PromptStyle", "build_model", "describe_backend", "openai_chat", "prompt_style"]
