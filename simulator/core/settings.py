"""Settings read from the environment, in one place (pydantic-settings).

SPARRING_LLM picks the backend (openai | embedded | fake). With nothing set the embedded
local model is used; setting OPENAI_BASE_URL alone also selects `openai`, so pointing the
app at Ollama or vLLM is one variable. An empty variable counts as unset.

`Settings()` reads `os.environ`; `Settings.from_env(env)` reads the given mapping instead
(and only it), which is how tests and subprocess set-ups describe an environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

import simulator

Backend = Literal["openai", "embedded", "fake"]

EMBEDDED_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

PACKAGE_DIR = Path(simulator.__file__).resolve().parent
# In an installed copy the repository root's app.py, scenarios/ and personas/ live here
# (setup.py maps them into the package); in a checkout they are at the repository root.
BUNDLE_DIR = PACKAGE_DIR / "bundle"


def checkout_root() -> Path | None:
    """The repository this code runs from, or None for an installed copy."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "scenarios").is_dir() and (root / "app.py").is_file():
        return root
    return None


def default_content_dir() -> Path:
    """The folder holding scenarios/ and personas/: the repository's in a checkout, else the
    copies installed with the package."""
    return checkout_root() or BUNDLE_DIR


def app_script() -> Path:
    """The Streamlit entry point (app.py): the repository's in a checkout, else the installed one."""
    return (checkout_root() or BUNDLE_DIR) / "app.py"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "sparring"


# The environment `Settings.from_env(env)` reads instead of os.environ, while it builds one.
_GIVEN_ENV: ContextVar[Mapping[str, str] | None] = ContextVar("sparring_given_env", default=None)


class _MappingSource(PydanticBaseSettingsSource):
    """The settings' variables looked up in a given mapping, as the environment source looks
    them up in os.environ (exact names, empty values ignored)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env = env

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        name = field.validation_alias if isinstance(field.validation_alias, str) else field_name
        return self.env.get(name) or None, name, False

    def __call__(self) -> dict[str, Any]:
        values = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, name, _ = self.get_field_value(field, field_name)
            if value is not None:
                values[name] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=True,
        env_ignore_empty=True,
        populate_by_name=True,  # Settings(llm="fake") as well as the variable names
        extra="ignore",
    )

    llm: Backend = Field(default="embedded", validation_alias="SPARRING_LLM", description="openai, embedded or fake.")
    model: str | None = Field(default=None, validation_alias="SPARRING_MODEL", description="Model name for openai.")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    request_timeout_s: float = Field(default=60.0, validation_alias="SPARRING_TIMEOUT")
    data_dir: Path = Field(default_factory=_default_data_dir, validation_alias="SPARRING_DATA_DIR")
    models_dir: Path | None = Field(default=None, validation_alias="SPARRING_MODELS_DIR")
    embedded_model_path: Path | None = Field(default=None, validation_alias="SPARRING_EMBEDDED_MODEL")
    database_url: str | None = Field(default=None, validation_alias="SPARRING_DATABASE_URL")
    chroma_host: str | None = Field(default=None, validation_alias="SPARRING_CHROMA_HOST")
    chroma_port: int = Field(default=8000, validation_alias="SPARRING_CHROMA_PORT")
    threads: int = Field(default_factory=lambda: os.cpu_count() or 2, validation_alias="SPARRING_THREADS")
    model_server_url: str | None = Field(
        default=None,
        validation_alias="SPARRING_MODEL_SERVER_URL",
        description="A llama-server (or other OpenAI-compatible server) for the embedded backend.",
    )
    model_server_port: int = Field(
        default=0, validation_alias="SPARRING_MODEL_SERVER_PORT", description="Port of the local model server; 0: any."
    )
    model_server_slots: int = Field(
        default=4, ge=1, validation_alias="SPARRING_MODEL_SERVER_SLOTS", description="Replies generated at once."
    )
    model_server_cache_mib: int = Field(
        default=768,
        ge=0,
        validation_alias="SPARRING_MODEL_SERVER_CACHE_MIB",
        description="RAM for conversations parked out of a slot (about 50 MiB each).",
    )
    scorer_llm: bool = Field(
        default=True, validation_alias="SPARRING_SCORER_LLM", description="Let the scorer use the openai model too."
    )
    fake_delay_s: float = Field(
        default=0.0,
        ge=0,
        validation_alias="SPARRING_FAKE_DELAY",
        description="Seconds the fake model waits before each answer (to try waits and typing ahead).",
    )
    auth: Literal["off", "on"] = Field(
        default="off",
        validation_alias="SPARRING_AUTH",
        description="on: users sign in (password, or single sign-on when [auth] is in secrets.toml); "
        "off: one local user, for a single person on their own computer.",
    )
    local_user: str = Field(
        default="guest",
        validation_alias="SPARRING_LOCAL_USER",
        description="The local user when sign-in is off.",
    )
    secret_key: str | None = Field(
        default=None,
        validation_alias="SPARRING_SECRET_KEY",
        description="Signs session cookies; give every replica the same one (default: a key kept in the data dir).",
    )
    session_days: int = Field(
        default=14, ge=1, validation_alias="SPARRING_SESSION_DAYS", description="How long a sign-in lasts."
    )
    content_dir: Path = Field(
        default_factory=default_content_dir,
        validation_alias="SPARRING_CONTENT_DIR",
        description="The folder holding scenarios/ and personas/.",
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_backend_is_unset(cls, data: Any) -> Any:
        """SPARRING_LLM is read trimmed and in lower case; blank, it is not set."""
        if isinstance(data, dict):
            for key in ("SPARRING_LLM", "llm"):
                if isinstance(data.get(key), str):
                    value = data[key].strip().lower()
                    data = {k: v for k, v in data.items() if k != key} | ({key: value} if value else {})
        return data

    @model_validator(mode="after")
    def _base_url_alone_selects_openai(self) -> Settings:
        if "llm" not in self.model_fields_set and self.openai_base_url:
            self.llm = "openai"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first, then the environment (or the mapping from_env was given); no
        .env or secrets files."""
        given = _GIVEN_ENV.get()
        return init_settings, env_settings if given is None else _MappingSource(settings_cls, given)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings from `env` (only it), or from os.environ when None."""
        if env is None:
            return cls()
        with _reading(env):
            return cls()

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

    @property
    def scenarios_dir(self) -> Path:
        return self.content_dir / "scenarios"

    @property
    def personas_dir(self) -> Path:
        return self.content_dir / "personas"


@contextmanager
def _reading(env: Mapping[str, str]) -> Iterator[None]:
    token = _GIVEN_ENV.set(env)
    try:
        yield
    finally:
        _GIVEN_ENV.reset(token)
