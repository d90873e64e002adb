"""The one place that turns ``Settings`` into a LangChain model.

- ``openai``: ``ChatOpenAI`` against any OpenAI-compatible server (OpenAI, Ollama, vLLM,
  llama.cpp's server); chat-shaped prompts.
- ``embedded``: ``ServerScriptLLM``, screenplay prompts completed by the pinned GGUF in
  llama.cpp's ``llama-server``: a local one this process supervises (started on first use,
  restarted after a crash, shared with every process using the same data directory), or
  the one ``SPARRING_MODEL_SERVER_URL`` names. One model object per process.
- ``fake``: ``FakeScriptLLM``, deterministic lines from the scenario's own examples.

Callers pick the prompt shape with ``prompt_style(model)`` rather than by backend name.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, BaseLanguageModel

from simulator.core.models.fake import FakeScriptLLM
from simulator.core.models.server import MODEL_ALIAS, ModelServer, ServerOptions, llama_server_args
from simulator.core.models.weights import DEFAULT_GGUF, ModelNotInstalled, require_gguf
from simulator.core.settings import Settings

PromptStyle = Literal["script", "chat"]
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
BUILD_COMMAND = "python -m simulator models build"
LOCAL_SERVER_TIMEOUT_S = 300.0

_embedded_lock = threading.Lock()
_embedded: dict[tuple[Path, Path], BaseLanguageModel] = {}


def build_model(settings: Settings) -> BaseLanguageModel:
    """The model for ``settings.llm``. Makes no request; ``embedded`` checks its file.

    Raises ``ModelNotInstalled`` (with the install command) for ``embedded`` when the GGUF
    is missing or does not match its pinned hash.
    """
    if settings.llm == "openai":
        return openai_chat(settings, streaming=True, temperature=0.8, max_tokens=120)
    if settings.llm == "embedded":
        return embedded_model(settings)
    if settings.llm == "fake":
        return FakeScriptLLM(delay_s=settings.fake_delay_s)
    raise ValueError(f"unknown backend {settings.llm!r} (expected openai, embedded or fake)")


def embedded_model(settings: Settings) -> BaseLanguageModel:
    """The screenplay model: over HTTP to the local model server, or to the configured one.

    Raises ``ModelNotInstalled`` when the GGUF or the llama.cpp build is missing (a server
    given by URL needs neither here)."""
    from simulator.core.models.server_llm import ServerScriptLLM

    common = {"timeout_s": settings.request_timeout_s}
    if settings.model_server_url:
        return ServerScriptLLM(base_url=settings.model_server_url, model_name=settings.model or MODEL_ALIAS, **common)
    key = (settings.gguf_path.resolve(), settings.data_dir.resolve())
    with _embedded_lock:
        model = _embedded.get(key)
        if model is None:
            # A full workshop queues replies on the local server: waiting is expected there, failing is not.
            timeout = max(settings.request_timeout_s, LOCAL_SERVER_TIMEOUT_S)
            model = ServerScriptLLM(supervisor=local_model_server(settings), timeout_s=timeout)
            _embedded[key] = model
        return model


def local_model_server(settings: Settings) -> ModelServer:
    """The supervisor of the local llama-server for ``settings`` (nothing is started yet)."""
    from simulator.core.models.llama_build import BuildMissing, require_build

    gguf = require_gguf(settings)
    try:
        build = require_build(settings.models_path)
    except BuildMissing as exc:
        raise ModelNotInstalled(str(exc), command=BUILD_COMMAND) from exc
    options = server_options(settings)
    return ModelServer(
        lambda port: llama_server_args(build.server, gguf, options, port=port),
        settings.data_dir,
        port=settings.model_server_port,
        system_info=build.system_info,
    )


def server_options(settings: Settings) -> ServerOptions:
    return ServerOptions(
        slots=settings.model_server_slots, threads=settings.threads, cache_ram_mib=settings.model_server_cache_mib
    )


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
        if settings.model_server_url:
            return f"Embedded: {settings.model or 'script model'} at {settings.model_server_url} (llama.cpp server)"
        if settings.embedded_model_path is not None:
            return f"Embedded: {settings.gguf_path.name} (local llama.cpp server)"
        short = DEFAULT_GGUF.name.split(" (")[0].removesuffix("-Instruct")
        return f"Embedded: {short} (local llama.cpp server)"
    if settings.llm == "fake":
        return "Fake model (deterministic test lines)"
    return f"Unknown backend {settings.llm!r}"


__all__ = [
    "DEFAULT_OPENAI_MODEL",
    "PromptStyle",
    "build_model",
    "describe_backend",
    "embedded_model",
    "local_model_server",
    "openai_chat",
    "prompt_style",
]
