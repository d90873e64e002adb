"""A screenplay-completing LangChain ``LLM`` over any OpenAI-compatible ``/v1/completions``.

One client path for the embedded model server (llama.cpp's ``llama-server``, started by
``ModelServer``), a llama-server started by hand (``SPARRING_MODEL_SERVER_URL``), or
vLLM and Ollama serving a small model: the persona engine sends a script and gets one
line back, exactly as it did from the in-process model.

Speed comes from the server keeping each conversation's evaluated prompt: with
``cache_prompt`` llama-server re-evaluates only what follows the longest common prefix in
the slot it picks (the slot whose cached prompt is most similar), and parks prompts it
has to evict in its RAM cache (``--cache-ram``). ``reuse_prefix=False`` turns that off,
which is the benchmark's baseline. Other servers ignore the field.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import ConfigDict, Field, PrivateAttr

from simulator.core.models.calls import CallStats, ModelBusy, ModelRestarting, PromptTooLong
from simulator.core.models.server import MODEL_ALIAS, ServerFailed


class ServerScriptLLM(LLM):
    """Completion-style LangChain LLM for one persona line, served over HTTP."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    base_url: str | None = None
    """The server's root URL (``http://host:port``); None asks ``supervisor`` for it."""
    model_name: str = MODEL_ALIAS
    api_key: str = "not-needed"
    timeout_s: float = 60.0
    n_ctx: int = 4096
    max_tokens: int = 60
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    stop: list[str] = Field(default_factory=lambda: ["\n"])
    seed: int | None = None
    reuse_prefix: bool = True
    """Ask the server to keep and reuse the evaluated prompt (llama-server's cache_prompt)."""
    supervisor: Any = Field(default=None, exclude=True)
    """A ``ModelServer`` that starts the server on first use and restarts it after a crash."""

    _clients: dict[str, openai.OpenAI] = PrivateAttr(default_factory=dict)
    _clients_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _stats: threading.local = PrivateAttr(default_factory=threading.local)

    @property
    def _llm_type(self) -> str:
        return "openai-compatible-script"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model_name, "max_tokens": self.max_tokens}

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return "".join(chunk.text for chunk in self._stream(prompt, stop, run_manager, **kwargs))

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        root = self.root_url()
        extra = {"cache_prompt": self.reuse_prefix, "repeat_penalty": kwargs.pop("repeat_penalty", self.repeat_penalty)}
        if self.seed is not None:
            extra["seed"] = self.seed
        start = time.perf_counter()
        first: float | None = None
        timings: dict[str, Any] = {}
        finished = False
        try:
            stream = self._client(root).completions.create(
                model=self.model_name,
                prompt=prompt,
                max_tokens=kwargs.pop("max_tokens", self.max_tokens),
                temperature=kwargs.pop("temperature", self.temperature),
                top_p=kwargs.pop("top_p", self.top_p),
                stop=list(stop) if stop is not None else list(self.stop),
                stream=True,
                extra_body=extra | kwargs,
            )
            with stream:
                for part in stream:
                    timings = (part.model_extra or {}).get("timings") or timings
                    finished = finished or any(choice.finish_reason for choice in part.choices)
                    text = part.choices[0].text if part.choices else ""
                    if not text:
                        continue
                    if first is None:
                        first = time.perf_counter() - start
                    chunk = GenerationChunk(text=text)
                    if run_manager is not None:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
            if not finished:  # the connection closed cleanly, but before the reply's end
                raise httpx.RemoteProtocolError("the reply stream ended before the reply did")
        except openai.APITimeoutError as exc:
            raise ModelBusy(f"the model server at {root} did not answer within {self.timeout_s:.0f} s") from exc
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            self._lost(root, exc)
        except openai.BadRequestError as exc:
            if "context" in str(exc).lower():
                raise PromptTooLong(f"The prompt does not fit the model's context window: {exc}") from exc
            raise
        finally:
            total = time.perf_counter() - start
            self._stats.last = _stats_from(timings, first, total)

    # ------------------------------------------------------------------ helpers

    def root_url(self) -> str:
        """The server's root URL, starting it first when this client supervises it."""
        if self.supervisor is not None:
            try:
                return self.supervisor.ensure()
            except ServerFailed as exc:
                raise ModelRestarting(str(exc)) from exc
        if not self.base_url:
            raise ValueError("ServerScriptLLM needs a base_url or a supervisor")
        return self.base_url.rstrip("/").removesuffix("/v1")

    def _client(self, root: str) -> openai.OpenAI:
        with self._clients_lock:
            client = self._clients.get(root)
            if client is None:
                client = openai.OpenAI(
                    base_url=f"{root}/v1", api_key=self.api_key, timeout=self.timeout_s, max_retries=0
                )
                self._clients[root] = client
            return client

    def _lost(self, root: str, exc: Exception) -> None:
        if self.supervisor is not None:
            self.supervisor.restart_soon()
            raise ModelRestarting(
                "The model stopped answering and is restarting. Your line is saved: try again in a moment."
            ) from exc
        raise ModelRestarting(f"The model server at {root} is not answering ({exc}).") from exc

    def load(self) -> tuple[int, int] | None:
        """(replies being generated, requests waiting for a free slot), from llama-server's
        ``/metrics``; None when the server does not say (another server, or it is down)."""
        root = self.supervisor.base_url if self.supervisor is not None else self.base_url
        if not root:
            return None
        root = root.rstrip("/").removesuffix("/v1")
        try:
            response = httpx.get(f"{root}/metrics", timeout=0.5)
            response.raise_for_status()
        except httpx.HTTPError:
            return None
        values = {}
        for line in response.text.splitlines():
            name, _, value = line.partition(" ")
            if name in ("llamacpp:requests_processing", "llamacpp:requests_deferred"):
                values[name] = int(float(value))
        if len(values) != 2:
            return None
        return values["llamacpp:requests_processing"], values["llamacpp:requests_deferred"]

    @property
    def context_window(self) -> int:
        return self.n_ctx

    @property
    def last_stats(self) -> CallStats | None:
        """Figures of this thread's most recent call (the server's own timings)."""
        return getattr(self._stats, "last", None)


def _stats_from(timings: dict[str, Any], first: float | None, total: float) -> CallStats:
    evaluated = int(timings.get("prompt_n", 0) or 0)
    reused = int(timings.get("cache_n", 0) or 0)
    return CallStats(
        prompt_tokens=evaluated + reused,
        reused_tokens=reused,
        evaluated_tokens=evaluated,
        first_token_s=first if first is not None else total,
        completion_tokens=int(timings.get("predicted_n", 0) or 0),
        prompt_eval_s=float(timings.get("prompt_ms", 0.0) or 0.0) / 1000,
        generation_s=float(timings.get("predicted_ms", 0.0) or 0.0) / 1000,
        total_s=total,
    )


__all__ = ["ServerScriptLLM"]
