"""What every script-style model reports and raises, in-process or over HTTP."""

from __future__ import annotations

from dataclasses import dataclass


class PromptTooLong(ValueError):
    """The prompt plus the reply budget does not fit the model's context window."""


class ModelBusy(TimeoutError):
    """The model did not start answering in time (shared and busy, or a slow server)."""


class ModelRestarting(ConnectionError):
    """The model server died; it is being started again and the call can be retried."""


@dataclass(frozen=True)
class CallStats:
    """Figures for the last call, for benchmarks and logs.

    ``evaluated_tokens`` and the eval timings come from llama.cpp's own counters (the
    in-process performance counters, or the server's ``timings``), so they show what was
    really computed: with prefix reuse, ``evaluated_tokens`` is only the new suffix.
    """

    prompt_tokens: int
    reused_tokens: int  # leading prompt tokens still in the KV cache from an earlier call
    evaluated_tokens: int  # prompt tokens llama.cpp actually evaluated for this call
    first_token_s: float  # wall time from the call to the first generated text
    completion_tokens: int
    prompt_eval_s: float
    generation_s: float
    total_s: float

    @property
    def prompt_tokens_per_s(self) -> float:
        return self.evaluated_tokens / self.prompt_eval_s if self.prompt_eval_s > 0 else 0.0

    @property
    def tokens_per_s(self) -> float:
        """Generation speed (llama.cpp's eval timer)."""
        return self.completion_tokens / self.generation_s if self.generation_s > 0 else 0.0


__all__ = ["CallStats", "ModelBusy", "ModelRestarting", "PromptTooLong"]
