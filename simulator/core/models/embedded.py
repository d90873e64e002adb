"""The GGUF run in-process by llama.cpp's Python binding, as a LangChain ``LLM``.

The product runs the embedded model in a separate server (``server_llm``, ``server``), so
that a crash in the model cannot take the app down. This in-process path stays as the
benchmark's reference ("today's path") and shares the server's build: the binding loads
the libraries ``llama_build`` compiled for this CPU (``LLAMA_CPP_LIB_PATH``).

Small models hold a persona far better when asked to continue a screenplay than when
given chat turns (see shared/offline-models.md), so this is a plain completion model: the
persona engine sends ``...scene...\\nJACK: ...\\nSTAN (defensive and short):`` and gets one
line back. Defaults suit that: at most 60 tokens, stop at the newline.

Prompt evaluation is the slow part on a CPU (~100 tokens/s for the 1.5B model on two
cores). llama-cpp-python keeps the evaluated tokens of the previous call in the KV cache
and, at the next call, re-evaluates only what follows the longest common token prefix
(``Llama.generate``: "prefix-match hit"). Nothing here defeats that: the same ``Llama``
object serves every call, no state is saved or restored, and ``reset()`` is called only
when ``reuse_prefix`` is False (the benchmark's baseline, which re-evaluates the whole
prompt each turn). For the reuse to pay, prompts must only grow at their end: fixed text
first, then the history, then the new material - which is how the persona engine builds
them.

One ``Llama`` is shared by every Streamlit session in the process; a lock serialises
calls (a streaming call holds it until its generator finishes or is closed).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import ConfigDict, Field, PrivateAttr

from simulator.core.models.calls import CallStats, ModelBusy, PromptTooLong
from simulator.core.models.weights import require_gguf
from simulator.core.settings import Settings


class LlamaCppScript(LLM):
    """Completion-style LangChain LLM over ``llama_cpp.Llama``, tuned for one persona line."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    n_ctx: int = 4096
    n_threads: int | None = None
    max_tokens: int = 60
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    stop: list[str] = Field(default_factory=lambda: ["\n"])
    seed: int | None = None
    lock_timeout_s: float = 300.0
    """How long a call waits for the shared model before raising ``ModelBusy`` (an abandoned
    stream that is never closed would otherwise block every later call)."""
    reuse_prefix: bool = True
    """Keep the KV cache between calls (llama.cpp re-evaluates only the new suffix). False
    resets the model state before every call: the whole prompt is evaluated each time."""

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _last_stats: CallStats | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> LlamaCppScript:
        """Check the GGUF (pinned SHA-256 for the installed default) and build the model.

        Raises ``ModelNotInstalled`` with the install command when the file is missing or
        does not verify. The weights themselves are loaded on first use (or ``load()``).
        """
        path = require_gguf(settings)
        use_build_libraries(settings)
        params: dict[str, Any] = {"model_path": path, "n_threads": settings.threads}
        params.update(overrides)
        return cls(**params)

    # ------------------------------------------------------------------ LangChain API

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-script"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": str(self.model_path),
            "n_ctx": self.n_ctx,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "repeat_penalty": self.repeat_penalty,
        }

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
        llama = self.load()
        params = {
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "temperature": kwargs.pop("temperature", self.temperature),
            "top_p": kwargs.pop("top_p", self.top_p),
            "repeat_penalty": kwargs.pop("repeat_penalty", self.repeat_penalty),
            "stop": list(stop) if stop is not None else list(self.stop),
        }
        params.update(kwargs)
        if not self._lock.acquire(timeout=self.lock_timeout_s):
            raise ModelBusy(f"the embedded model stayed busy for {self.lock_timeout_s:.0f} s")
        try:
            tokens = self._tokenize(prompt)
            budget = len(tokens) + int(params["max_tokens"] or 0)
            if budget > self.n_ctx:
                raise PromptTooLong(
                    f"The prompt is {len(tokens)} tokens; with max_tokens={params['max_tokens']} it needs "
                    f"{budget}, more than the model's context window of {self.n_ctx}. Trim the history."
                )
            if self.reuse_prefix:
                reused = _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
            else:
                llama.reset()
                reused = 0
            _perf_reset(llama)
            start = time.perf_counter()
            first: float | None = None
            stream = llama.create_completion(prompt, stream=True, **params)
            try:
                for part in stream:
                    text = part["choices"][0]["text"]
                    if not text:
                        continue
                    if first is None:
                        first = time.perf_counter() - start
                    chunk = GenerationChunk(text=text)
                    if run_manager is not None:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
            finally:
                stream.close()
                total = time.perf_counter() - start
                perf = _perf(llama)
                self._last_stats = CallStats(
                    prompt_tokens=len(tokens),
                    reused_tokens=min(reused, len(tokens)),
                    evaluated_tokens=perf.get("n_p_eval", 0),
                    first_token_s=first if first is not None else total,
                    # The last sampled token is never decoded, the others are, one by one.
                    completion_tokens=perf.get("n_eval", 0) + (1 if first is not None else 0),
                    prompt_eval_s=perf.get("t_p_eval_ms", 0.0) / 1000,
                    generation_s=perf.get("t_eval_ms", 0.0) / 1000,
                    total_s=total,
                )
        finally:
            self._lock.release()

    # ------------------------------------------------------------------ helpers

    def load(self) -> Any:
        """Load the weights once (thread-safe) and return the ``llama_cpp.Llama``."""
        if self._llama is None:
            with self._lock:
                if self._llama is None:
                    from llama_cpp import Llama

                    threads = self.n_threads or None
                    self._llama = Llama(
                        model_path=str(self.model_path),
                        n_ctx=self.n_ctx,
                        n_threads=threads,
                        n_threads_batch=threads,
                        seed=self.seed if self.seed is not None else 0xFFFFFFFF,
                        verbose=False,
                    )
        return self._llama

    def _tokenize(self, text: str) -> list[int]:
        # The same tokenization create_completion uses (BOS only if the vocabulary wants it).
        return self.load().tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def n_tokens(self, text: str) -> int:
        """How many tokens ``text`` is as a prompt, for budgeting and benchmarks."""
        return len(self._tokenize(text))

    @property
    def context_window(self) -> int:
        return self.n_ctx

    @property
    def last_stats(self) -> CallStats | None:
        """Prompt/reuse/timing figures of the most recent call."""
        return self._last_stats

    def reset(self) -> None:
        """Drop the cached prompt state (the next call evaluates its whole prompt)."""
        if self._llama is not None:
            with self._lock:
                self._llama.reset()


def use_build_libraries(settings: Settings) -> None:
    """Point the binding at the portable build's libraries (before ``llama_cpp`` is
    imported); a user's own ``LLAMA_CPP_LIB_PATH`` wins."""
    from simulator.core.models.llama_build import require_build

    os.environ.setdefault("LLAMA_CPP_LIB_PATH", str(require_build(settings.models_path).bin_dir))


def _perf_reset(llama: Any) -> None:
    try:
        import llama_cpp

        llama_cpp.llama_perf_context_reset(llama._ctx.ctx)
    except Exception:  # noqa: BLE001 - counters are for reporting only
        pass


def _perf(llama: Any) -> dict[str, Any]:
    try:
        import llama_cpp

        data = llama_cpp.llama_perf_context(llama._ctx.ctx)
        return {name: getattr(data, name) for name, _ in data._fields_}
    except Exception:  # noqa: BLE001
        return {}


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


__all__ = ["CallStats", "LlamaCppScript", "ModelBusy", "PromptTooLong", "use_build_libraries"]
