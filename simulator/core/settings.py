"""Settings read from the environment, in one place.

SPARRING_LLM picks the backend (openai | embedded | fake). With nothing set the embedded
local model is used; setting OPENAI_BASE_URL alone also selects `openai`, so pointing the
app at Ollama or vLLM is one variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

Backend = Literal["openai", "embedded", "fake"]

EMBEDDED_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "sparring"


class Settings(BaseModel):
    llm: Backend = "embedded"
    model: str | None = Field(default=None, description="Model name for the openai backend.")
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    request_timeout_s: float = 60.0
    data_dir: Path = Field(default_factory=_default_data_dir)
    models_dir: Path | None = None
    embedded_model_path: Path | None = None
    database_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    model_server_url: str | None = Field(
        default=None, description="A llama-server (or other OpenAI-compatible server) for the embedded backend."
    )
    model_server_port: int = Field(default=0, description="Port of the local model server; 0 picks a free one.")
    model_server_slots: int = Field(default=4, ge=1, description="Replies the local model server generates at once.")
    model_server_cache_mib: int = Field(
        default=2048, ge=0, description="RAM for conversations parked out of a slot (about 50 MiB each)."
    )
    scorer_llm: bool = Field(default=True, description="Let the scorer use the configured openai model too.")

    @property
    def models_path(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def gguf_path(self) -> Path:
        return self.embedded_model_path or self.models_path / EMBEDDED_MODEL_FILE

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sparring.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        llm = env.get("SPARRING_LLM", "").strip().lower()
        if llm:
            values["llm"] = llm
        elif env.get("OPENAI_BASE_URL"):
            values["llm"] = "openai"
        mapping = {
            "SPARRING_MODEL": "model",
            "OPENAI_BASE_URL": "openai_base_url",
            "OPENAI_API_KEY": "openai_api_key",
            "SPARRING_TIMEOUT": "request_timeout_s",
            "SPARRING_DATA_DIR": "data_dir",
            "SPARRING_MODELS_DIR": "models_dir",
            "SPARRING_EMBEDDED_MODEL": "embedded_model_path",
            "SPARRING_DATABASE_URL": "database_url",
            "SPARRING_CHROMA_HOST": "chroma_host",
            "SPARRING_CHROMA_PORT": "chroma_port",
            "SPARRING_THREADS": "threads",
            "SPARRING_MODEL_SERVER_URL": "model_server_url",
            "SPARRING_MODEL_SERVER_PORT": "model_server_port",
            "SPARRING_MODEL_SERVER_SLOTS": "model_server_slots",
            "SPARRING_MODEL_SERVER_CACHE_MIB": "model_server_cache_mib",
            "SPARRING_SCORER_LLM": "scorer_llm",
        }
        for var, field in mapping.items():
            if env.get(var):
                values[field] = env[var]
        return cls(**values)
