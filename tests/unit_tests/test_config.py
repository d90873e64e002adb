"""Settings: every variable, the OPENAI_BASE_URL rule, empty values, and where the content is."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

import simulator
import simulator.core.settings
from simulator.core.settings import Settings, app_script, default_content_dir

REPO = Path(__file__).resolve().parents[2]
VARIABLES = (
    "SPARRING_LLM",
    "SPARRING_MODEL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "SPARRING_TIMEOUT",
    "SPARRING_DATA_DIR",
    "SPARRING_MODELS_DIR",
    "SPARRING_EMBEDDED_MODEL",
    "SPARRING_DATABASE_URL",
    "SPARRING_CHROMA_HOST",
    "SPARRING_CHROMA_PORT",
    "SPARRING_THREADS",
    "SPARRING_MODEL_SERVER_URL",
    "SPARRING_MODEL_SERVER_PORT",
    "SPARRING_MODEL_SERVER_SLOTS",
    "SPARRING_MODEL_SERVER_CACHE_MIB",
    "SPARRING_SCORER_LLM",
    "SPARRING_CONTENT_DIR",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_reaches_its_setting(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "SPARRING_LLM": "openai",
            "SPARRING_MODEL": "llama3.1",
            "OPENAI_BASE_URL": "http://localhost:11434/v1",
            "OPENAI_API_KEY": "sk-test",
            "SPARRING_TIMEOUT": "12.5",
            "SPARRING_DATA_DIR": str(tmp_path / "data"),
            "SPARRING_MODELS_DIR": str(tmp_path / "models"),
            "SPARRING_EMBEDDED_MODEL": str(tmp_path / "own.gguf"),
            "SPARRING_DATABASE_URL": "postgresql+psycopg2://u:p@db/sparring",
            "SPARRING_CHROMA_HOST": "chroma.internal",
            "SPARRING_CHROMA_PORT": "8123",
            "SPARRING_THREADS": "3",
            "SPARRING_MODEL_SERVER_URL": "http://models.internal:8080",
            "SPARRING_MODEL_SERVER_PORT": "8090",
            "SPARRING_MODEL_SERVER_SLOTS": "6",
            "SPARRING_MODEL_SERVER_CACHE_MIB": "512",
            "SPARRING_SCORER_LLM": "off",
            "SPARRING_CONTENT_DIR": str(tmp_path / "library"),
        }
    )
    assert settings.llm == "openai"
    assert settings.model == "llama3.1"
    assert settings.openai_base_url == "http://localhost:11434/v1"
    assert settings.openai_api_key == "sk-test"
    assert settings.request_timeout_s == 12.5
    assert settings.data_dir == tmp_path / "data"
    assert settings.models_path == tmp_path / "models"
    assert settings.gguf_path == tmp_path / "own.gguf"
    assert settings.db_url == "postgresql+psycopg2://u:p@db/sparring"
    assert (settings.chroma_host, settings.chroma_port) == ("chroma.internal", 8123)
    assert settings.threads == 3
    assert settings.model_server_url == "http://models.internal:8080"
    assert settings.model_server_port == 8090
    assert settings.model_server_slots == 6
    assert settings.model_server_cache_mib == 512
    assert settings.scorer_llm is False
    assert settings.scenarios_dir == tmp_path / "library" / "scenarios"
    assert settings.personas_dir == tmp_path / "library" / "personas"


def test_defaults_with_nothing_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = Settings.from_env({})
    assert settings.llm == "embedded"
    assert settings.model is None and settings.openai_base_url is None
    assert settings.request_timeout_s == 60.0
    assert settings.data_dir == tmp_path / "sparring"
    assert settings.models_path == tmp_path / "sparring" / "models"
    assert settings.db_url == f"sqlite:///{tmp_path / 'sparring' / 'sparring.db'}"
    assert settings.chroma_port == 8000 and settings.chroma_host is None
    assert settings.threads >= 1
    assert (settings.model_server_port, settings.model_server_slots, settings.model_server_cache_mib) == (0, 4, 768)
    assert settings.scorer_llm is True


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, "openai"),  # the base URL alone selects openai
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1", "SPARRING_LLM": "embedded"}, "embedded"),
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1", "SPARRING_LLM": " Fake "}, "fake"),  # trimmed, any case
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1", "SPARRING_LLM": ""}, "openai"),  # empty: unset
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1", "SPARRING_LLM": "  "}, "openai"),  # blank: unset
        ({"OPENAI_BASE_URL": ""}, "embedded"),
        ({"OPENAI_API_KEY": "sk-test"}, "embedded"),  # a key alone does not
        ({}, "embedded"),
    ],
)
def test_backend_choice(env: dict[str, str], backend: str) -> None:
    assert Settings.from_env(env).llm == backend


def test_empty_values_count_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = Settings.from_env({name: "" for name in VARIABLES})
    assert settings == Settings.from_env({})


def test_bad_values_are_rejected_with_the_variable_named() -> None:
    with pytest.raises(ValidationError, match="SPARRING_LLM"):
        Settings.from_env({"SPARRING_LLM": "bogus"})
    with pytest.raises(ValidationError, match="SPARRING_MODEL_SERVER_SLOTS"):
        Settings.from_env({"SPARRING_MODEL_SERVER_SLOTS": "0"})
    with pytest.raises(ValidationError, match="SPARRING_CHROMA_PORT"):
        Settings.from_env({"SPARRING_CHROMA_PORT": "eighty"})


def test_names_are_exact() -> None:
    assert Settings.from_env({"sparring_llm": "fake"}).llm == "embedded"


def test_from_env_reads_os_environ_by_default_and_only_the_given_mapping_otherwise(clean_env, tmp_path) -> None:
    clean_env.setenv("SPARRING_LLM", "fake")
    clean_env.setenv("SPARRING_DATA_DIR", str(tmp_path))
    assert Settings.from_env().llm == "fake"
    assert Settings().llm == "fake" and Settings().data_dir == tmp_path
    given = Settings.from_env({"SPARRING_THREADS": "5"})
    assert given.llm == "embedded" and given.threads == 5 and given.data_dir != tmp_path
    assert Settings.from_env().llm == "fake"  # the mapping was read once, not left in place


def test_os_environ_follows_the_same_rules(clean_env) -> None:
    clean_env.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")
    clean_env.setenv("SPARRING_LLM", " ")
    clean_env.setenv("SPARRING_THREADS", "")
    settings = Settings.from_env()
    assert settings.llm == "openai" and settings.threads >= 1


def test_arguments_win_over_the_environment(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("SPARRING_LLM", "openai")
    clean_env.setenv("SPARRING_DATA_DIR", "/nowhere")
    settings = Settings(llm="fake", data_dir=tmp_path)
    assert (settings.llm, settings.data_dir) == ("fake", tmp_path)


# ---- where the scenarios and personas are -----------------------------------------------------
def test_content_dir_defaults_to_the_checkout() -> None:
    assert default_content_dir() == REPO
    assert Settings.from_env({}).scenarios_dir == REPO / "scenarios"
    assert Settings.from_env({}).personas_dir == REPO / "personas"
    assert app_script() == REPO / "app.py"


def test_an_installed_copy_reads_the_copies_inside_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulator.core.settings, "checkout_root", lambda: None)
    bundle = Path(simulator.__file__).resolve().parent / "bundle"
    assert Settings.from_env({}).scenarios_dir == bundle / "scenarios"
    assert app_script() == bundle / "app.py"


def test_the_catalog_reads_the_content_dir(clean_env, tmp_path: Path) -> None:
    from simulator.core.catalog import load_catalog
    from tests.conftest import FIXTURES

    (tmp_path / "scenarios").mkdir()
    (tmp_path / "personas").mkdir()
    (tmp_path / "scenarios" / "catering_dispute.yaml").write_text(
        (FIXTURES / "scenarios" / "catering_dispute.yaml").read_text()
    )
    (tmp_path / "personas" / "dana.yaml").write_text((FIXTURES / "personas" / "dana.yaml").read_text())
    clean_env.setenv("SPARRING_CONTENT_DIR", str(tmp_path))
    catalog = load_catalog()
    assert list(catalog.scenarios) == ["catering_dispute"] and list(catalog.personas) == ["dana"]
    assert not catalog.problems
    other = load_catalog(settings=Settings.from_env({}))
    assert "vague_it_colleague" in other.scenarios
    import simulator.core.catalog

    folders = (simulator.core.catalog.SCENARIOS_DIR, simulator.core.catalog.PERSONAS_DIR)  # read when asked for
    assert folders == (tmp_path / "scenarios", tmp_path / "personas")
