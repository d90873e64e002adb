"""build_model / prompt_style / describe_backend: one factory, no network, no weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.core.models import ModelNotInstalled, build_model, describe_backend, prompt_style
from simulator.core.models.fake import FakeScriptLLM
from simulator.core.settings import Settings


def test_fake_backend(tmp_path: Path) -> None:
    settings = Settings(llm="fake", data_dir=tmp_path)
    model = build_model(settings)
    assert isinstance(model, FakeScriptLLM)
    assert prompt_style(model) == "script"
    assert describe_backend(settings) == "Fake model (deterministic test lines)"


def test_openai_backend_points_at_the_base_url_without_calling_it(tmp_path: Path) -> None:
    from langchain_openai import ChatOpenAI

    settings = Settings.from_env(
        {
            "OPENAI_BASE_URL": "http://localhost:11434/v1",
            "SPARRING_MODEL": "qwen2.5:7b",
            "SPARRING_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.llm == "openai"
    model = build_model(settings)
    assert isinstance(model, ChatOpenAI)
    assert model.openai_api_base == "http://localhost:11434/v1"
    assert model.model_name == "qwen2.5:7b"
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == "not-needed"
    assert model.max_retries == 1
    assert model.streaming is True
    assert model.max_tokens == 120
    assert model.request_timeout == settings.request_timeout_s
    assert prompt_style(model) == "chat"
    assert describe_backend(settings) == "OpenAI-compatible: qwen2.5:7b at http://localhost:11434/v1"


def test_openai_defaults(tmp_path: Path) -> None:
    settings = Settings(llm="openai", openai_api_key="sk-test", data_dir=tmp_path)
    model = build_model(settings)
    assert model.model_name == "gpt-4o-mini"  # type: ignore[attr-defined]
    assert model.openai_api_key.get_secret_value() == "sk-test"  # type: ignore[attr-defined]
    assert describe_backend(settings).startswith("OpenAI-compatible: gpt-4o-mini at ")


def test_embedded_backend_missing_weights_says_how_to_install(tmp_path: Path) -> None:
    settings = Settings(llm="embedded", data_dir=tmp_path)
    with pytest.raises(ModelNotInstalled, match="python -m simulator models install"):
        build_model(settings)
    assert describe_backend(settings) == "Embedded: Qwen2.5-Coder-1.5B (local llama.cpp server)"


def test_embedded_backend_with_a_corrupt_default_file_is_refused(tmp_path: Path) -> None:
    settings = Settings(llm="embedded", data_dir=tmp_path)
    settings.gguf_path.parent.mkdir(parents=True)
    settings.gguf_path.write_bytes(b"GGUF not really")
    with pytest.raises(ModelNotInstalled):
        build_model(settings)


def _fake_build(models_path: Path) -> None:
    """A recorded llama.cpp build for this CPU, as `models build` leaves it."""
    import json

    from simulator.core.models import cpu
    from simulator.core.models.llama_build import BuildInfo

    tier = cpu.tiers_for(cpu.cpu_flags())[-1]
    directory = models_path / "llama.cpp" / f"0.3.36-{tier.name}"
    (directory / "build" / "bin").mkdir(parents=True)
    (directory / "build" / "bin" / "llama-server").write_text("")
    info = BuildInfo(version="0.3.36", tier=tier.name, cmake_args=tier.cmake_args, directory=str(directory), smoke="ok")
    (models_path / "llama.cpp" / "current.json").write_text(json.dumps(info.__dict__))


def test_embedded_backend_talks_to_a_supervised_local_server_started_on_first_use(tmp_path: Path) -> None:
    from simulator.core.models.server_llm import ServerScriptLLM

    gguf = tmp_path / "own-model.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)  # a user-chosen file is only checked for the magic
    settings = Settings(llm="embedded", embedded_model_path=gguf, data_dir=tmp_path, threads=3, model_server_slots=6)
    _fake_build(settings.models_path)
    model = build_model(settings)
    assert isinstance(model, ServerScriptLLM)
    assert model is build_model(settings.model_copy())  # one per process
    assert (model.max_tokens, model.temperature, model.top_p, model.repeat_penalty, model.stop) == (
        60,
        0.7,
        0.9,
        1.1,
        ["\n"],
    )
    assert model.reuse_prefix is True
    command = model.supervisor.command(8123)
    assert command[0].endswith("llama-server") and str(gguf) in command
    assert "--parallel 6" in " ".join(command) and "--threads 3" in " ".join(command)
    assert model.supervisor.status()["state"] == "down"  # nothing started until the first call
    assert prompt_style(model) == "script"
    assert describe_backend(settings) == "Embedded: own-model.gguf (local llama.cpp server)"


def test_embedded_backend_without_a_build_says_how_to_build(tmp_path: Path) -> None:
    gguf = tmp_path / "own-model.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(ModelNotInstalled, match="python -m simulator models build"):
        build_model(Settings(llm="embedded", embedded_model_path=gguf, data_dir=tmp_path))


def test_embedded_backend_can_use_a_server_started_elsewhere(tmp_path: Path) -> None:
    from simulator.core.models.server_llm import ServerScriptLLM

    settings = Settings.from_env(
        {"SPARRING_MODEL_SERVER_URL": "http://models.internal:8080", "SPARRING_DATA_DIR": str(tmp_path)}
    )
    model = build_model(settings)  # needs no local weights or build
    assert isinstance(model, ServerScriptLLM) and model.supervisor is None
    assert model.root_url() == "http://models.internal:8080"
    assert "at http://models.internal:8080" in describe_backend(settings)


def test_embedded_user_file_that_is_not_gguf(tmp_path: Path) -> None:
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"nope")
    with pytest.raises(ModelNotInstalled, match="SPARRING_EMBEDDED_MODEL"):
        build_model(Settings(llm="embedded", embedded_model_path=bogus, data_dir=tmp_path))


def test_unknown_backend_is_rejected(tmp_path: Path) -> None:
    settings = Settings(llm="fake", data_dir=tmp_path)
    object.__setattr__(settings, "llm", "bogus")
    with pytest.raises(ValueError, match="unknown backend"):
        build_model(settings)


# --------------------------------------------------------------------------- embedded, with a stub llama


class StubLlama:
    """Enough of ``llama_cpp.Llama`` to drive LlamaCppScript: one token per character."""

    def __init__(self) -> None:
        import numpy as np

        self.input_ids = np.zeros(4096, dtype=np.intc)
        self.n_tokens = 0
        self.resets = 0
        self.calls: list[dict] = []

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(text)

    def reset(self) -> None:
        self.resets += 1
        self.n_tokens = 0

    def create_completion(self, prompt: str, stream: bool = False, **params):
        assert stream
        self.calls.append(params)
        tokens = self.tokenize(prompt.encode())
        self.input_ids[: len(tokens)] = tokens
        self.n_tokens = len(tokens)
        for piece in ["I", " did", " what", " the", " ticket", " said."]:
            yield {"choices": [{"text": piece}]}


def _stub_model(tmp_path: Path, **fields):
    from simulator.core.models.embedded import LlamaCppScript

    gguf = tmp_path / "stub.gguf"
    gguf.write_bytes(b"GGUF")
    model = LlamaCppScript(model_path=gguf, **fields)
    stub = StubLlama()
    model._llama = stub
    return model, stub


def test_embedded_streams_and_passes_its_sampling_defaults(tmp_path: Path) -> None:
    model, stub = _stub_model(tmp_path)
    chunks = list(model.stream("STAN (defensive and short):"))
    assert "".join(chunks) == "I did what the ticket said."
    assert stub.calls[-1] == {"max_tokens": 60, "temperature": 0.7, "top_p": 0.9, "repeat_penalty": 1.1, "stop": ["\n"]}
    model.invoke("x", stop=["."], max_tokens=5)
    assert stub.calls[-1]["stop"] == ["."] and stub.calls[-1]["max_tokens"] == 5
    assert model.n_tokens("abc") == 3


def test_embedded_reuse_prefix_flag(tmp_path: Path) -> None:
    model, stub = _stub_model(tmp_path)
    model.invoke("shared prefix, turn one")
    model.invoke("shared prefix, turn two")
    assert stub.resets == 0  # the KV cache is left for llama.cpp's prefix match
    assert model.last_stats is not None and model.last_stats.reused_tokens == len("shared prefix, turn ")
    model.reuse_prefix = False
    model.invoke("shared prefix, turn three")
    assert stub.resets == 1
    assert model.last_stats.reused_tokens == 0


def test_embedded_refuses_prompts_longer_than_the_context(tmp_path: Path) -> None:
    from simulator.core.models.embedded import PromptTooLong

    model, stub = _stub_model(tmp_path, n_ctx=100)
    with pytest.raises(PromptTooLong, match="context window of 100"):
        model.invoke("x" * 50)  # 50 + max_tokens 60 > 100
    assert stub.calls == []
    assert model.invoke("x" * 40)  # 40 + 60 fits
    model.invoke("y")  # the lock was released after the error


def test_embedded_calls_wait_for_each_other_then_give_up(tmp_path: Path) -> None:
    from simulator.core.models.embedded import ModelBusy

    model, _ = _stub_model(tmp_path, lock_timeout_s=0.1)
    stream = model.stream("first")
    next(stream)  # a stream in progress holds the model
    with pytest.raises(ModelBusy):
        model.invoke("second")
    stream.close()  # closing it frees the model
    assert model.invoke("third") == "I did what the ticket said."
