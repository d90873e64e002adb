"""Builds llama.cpp portably for this CPU, proves the build with a smoke completion, and
records what it built.

``python -m simulator models build`` (set-up runs it):

1. takes llama.cpp's sources from the pinned ``llama-cpp-python`` source package (the
   package registry is the only source; pip's own download), so the server and the
   Python binding are the same llama.cpp;
2. builds ``llama-server`` and the shared libraries (``libllama``, ``libggml*``) with the
   best tier of explicit CPU flags this CPU reports (``cpu.tiers_for``: never native,
   never AMX, AVX-512 only where the CPU has it);
3. starts the built server on the model in a child process and completes one line; if
   that crashes or fails, it says so in plain words and builds the next tier down;
4. writes ``build.json`` beside the build (tier, CMake flags, CPU, the CPU features line
   llama.cpp prints) and points ``current.json`` at it.

The Python binding (``llama_cpp``, used by the benchmark's in-process comparison) is
installed without a native build of its own and loads these libraries
(``LLAMA_CPP_LIB_PATH``), so there is one build to trust. Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from simulator.core.models import cpu
from simulator.core.models.server import (
    ModelServer,
    ServerFailed,
    ServerOptions,
    describe_exit,
    llama_server_args,
)

LLAMA_CPP_PYTHON = "0.3.36"  # the llama-cpp-python release whose vendored llama.cpp is built
TARGETS = ("llama-server", "llama")
COMMON_CMAKE = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=ON",
    "-DGGML_CCACHE=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
)
SMOKE_PROMPT = "JACK: Good morning.\nSTAN:"

Echo = Callable[[str], None]


class BuildFailed(RuntimeError):
    """No tier of the build could be compiled and pass its smoke completion on this CPU."""


class BuildMissing(RuntimeError):
    """No working build is installed for this machine (set-up has not built one yet)."""


@dataclass
class BuildInfo:
    """What was built, where, for which CPU, and whether it answered."""

    version: str
    tier: str
    cmake_args: list[str]
    directory: str
    cpu: str = ""
    cpu_flags_used: list[str] = field(default_factory=list)
    built_at: float = 0.0
    smoke: str = "untested"  # ok | untested | failed: <reason>
    system_info: str | None = None

    @property
    def bin_dir(self) -> Path:
        return Path(self.directory) / "build" / "bin"

    @property
    def server(self) -> Path:
        return self.bin_dir / "llama-server"

    @property
    def ok(self) -> bool:
        return self.smoke == "ok" and self.server.exists()


def build_root(models_path: Path) -> Path:
    return models_path / "llama.cpp"


def _record_path(models_path: Path) -> Path:
    return build_root(models_path) / "current.json"


def _read(path: Path) -> BuildInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return BuildInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, info: BuildInfo) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    tmp.replace(path)


def current_build(models_path: Path, flags: frozenset[str] | None = None) -> BuildInfo | None:
    """The recorded build, if it is there and this CPU can run its tier (a data directory
    shared between machines may hold a build for another CPU)."""
    info = _read(_record_path(models_path))
    if info is None or not info.server.exists():
        return None
    tier = cpu.tier_named(info.tier)
    if not tier.needs <= (cpu.cpu_flags() if flags is None else flags):
        return None
    return info


def require_build(models_path: Path) -> BuildInfo:
    info = current_build(models_path)
    if info is None:
        raise BuildMissing(
            "llama.cpp is not built for this machine yet (set-up builds it: a few minutes on two cores)."
        )
    return info


# ---- sources -------------------------------------------------------------------------------
def fetch_sources(root: Path, echo: Echo) -> Path:
    """The pinned llama-cpp-python source package, downloaded once with pip."""
    sdist_dir = root / "sdist"
    found = sorted(sdist_dir.glob(f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz"))
    if found:
        return found[0]
    echo(f"  downloading llama-cpp-python=={LLAMA_CPP_PYTHON} sources from the package registry")
    sdist_dir.mkdir(parents=True, exist_ok=True)
    # Only this package as source: its build tools (cmake, scikit-build-core) come as wheels, or pip
    # would compile cmake itself to read the source package's metadata (half an hour on two cores).
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", "llama-cpp-python"]
    cmd += ["--dest", str(sdist_dir), f"llama-cpp-python=={LLAMA_CPP_PYTHON}"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = sorted(sdist_dir.glob(f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz"))
    if result.returncode != 0 or not found:
        raise BuildFailed(f"could not download the llama.cpp sources: {result.stderr.strip()[-500:]}")
    return found[0]


def extract_llama_cpp(sdist: Path, dest: Path) -> Path:
    """``vendor/llama.cpp`` of the source package, as ``dest``."""
    if (dest / "CMakeLists.txt").exists():
        return dest
    prefix = f"llama_cpp_python-{LLAMA_CPP_PYTHON}/vendor/llama.cpp/"
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp, tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
        tar.extractall(tmp, members=members, filter="data")
        shutil.move(str(Path(tmp) / prefix), dest)
    (dest / ".git").unlink(missing_ok=True)  # a submodule pointer that no longer points anywhere
    return dest


# ---- building ------------------------------------------------------------------------------
def _tool(name: str) -> str:
    """A build tool from this environment (pip's cmake and ninja) or else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise BuildFailed(f"{name} is missing: install it (pip install {name}) and run the build again")
    return found


def _run(cmd: list[str], log_path: Path) -> None:
    with open(log_path, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    if code != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        raise BuildFailed(f"`{' '.join(cmd[:3])} …` failed (exit {code}); {log_path} ends:\n{tail}")


def compile_tier(root: Path, sdist: Path, tier: cpu.Tier, echo: Echo, jobs: int | None = None) -> BuildInfo:
    """Configure and build one tier (incrementally: a finished build costs seconds)."""
    directory = root / f"{LLAMA_CPP_PYTHON}-{tier.name}"
    directory.mkdir(parents=True, exist_ok=True)
    src = extract_llama_cpp(sdist, directory / "src")
    args = [*COMMON_CMAKE, *tier.cmake_args]
    try:
        generator = ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}"]
    except BuildFailed:
        generator = []
    cmake = _tool("cmake")
    log_path = directory / "build.log"
    log_path.write_text("", encoding="utf-8")
    echo(f"  building llama.cpp ({tier.name}: {' '.join(a for a in tier.cmake_args if a.endswith('=ON'))})")
    _run([cmake, "-S", str(src), "-B", str(directory / "build"), *generator, *args], log_path)
    jobs = jobs or os.cpu_count() or 2
    _run([cmake, "--build", str(directory / "build"), "--target", *TARGETS, "-j", str(jobs)], log_path)
    return BuildInfo(
        version=LLAMA_CPP_PYTHON,
        tier=tier.name,
        cmake_args=args,
        directory=str(directory),
        cpu=cpu.cpu_name(),
        cpu_flags_used=sorted(tier.needs),
        built_at=time.time(),
    )


def binding_system_info(bin_dir: Path) -> str:
    """``llama_print_system_info()`` (the CPU features the build uses), asked of the Python
    binding loading this build's libraries, in a child process: a crash is reported."""
    env = dict(os.environ, LLAMA_CPP_LIB_PATH=str(bin_dir))
    code = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    try:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"unavailable ({describe_exit(done.returncode)}: {last})"
    return done.stdout.strip()


def smoke_test(info: BuildInfo, gguf: Path, state_dir: Path, timeout_s: float = 240.0) -> BuildInfo:
    """Starts the built server on the model in a child process and completes one line.
    Returns ``info`` with ``smoke`` set to ``ok`` or ``failed: <reason in plain words>``."""
    options = ServerOptions(slots=1, ctx_per_slot=512, cache_ram_mib=0, batch=64)
    server = ModelServer(
        lambda port: llama_server_args(info.server, gguf, options, port=port),
        state_dir,
        start_timeout_s=timeout_s,
        name=f"smoke-{info.tier}",
    )
    try:
        root = server.ensure()
        body = json.dumps({"prompt": SMOKE_PROMPT, "n_predict": 8, "temperature": 0}).encode()
        request = urllib.request.Request(f"{root}/completion", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            answer = json.loads(response.read())
        if not isinstance(answer.get("content"), str):
            raise ServerFailed(f"the server answered without text: {str(answer)[:200]}")
        info.smoke = "ok"
    except (ServerFailed, OSError, ValueError) as exc:
        proc = server._proc
        if proc is not None and proc.poll() is not None:
            info.smoke = f"failed: the model server {describe_exit(proc.returncode)} on its first completion"
        else:
            info.smoke = f"failed: {str(exc).splitlines()[0]}"
    finally:
        server.stop()
        server.state_path.unlink(missing_ok=True)
    if info.smoke == "ok":
        info.system_info = binding_system_info(info.bin_dir)
    return info


def build(
    models_path: Path,
    gguf: Path | None,
    *,
    echo: Echo = print,
    tiers: list[cpu.Tier] | None = None,
    force: bool = False,
) -> BuildInfo:
    """Build (or reuse) the best tier that passes its smoke completion; record and return it.

    Without the model file the smoke completion cannot run: the build is recorded as
    ``untested`` and the next run (once the model is installed) tests it.
    """
    root = build_root(models_path)
    flags = cpu.cpu_flags()
    if tiers is None:
        tiers = cpu.tiers_for(flags)
        if cpu.has_amx(flags):
            echo("  this CPU has AMX: it stays off in every build (its weight repacking crashed llama.cpp)")
    current = None if force else current_build(models_path, flags)
    if current is not None and current.ok and current.tier in {t.name for t in tiers}:
        echo(f"llama.cpp {current.version} ({current.tier}) is built and answered its smoke completion.")
        return current
    sdist = fetch_sources(root, echo)
    failures: list[str] = []
    for tier in tiers:
        record = Path(root / f"{LLAMA_CPP_PYTHON}-{tier.name}" / "build.json")
        earlier = _read(record)
        if not force and earlier is not None and earlier.smoke.startswith("failed"):
            failures.append(f"{tier.name}: {earlier.smoke} (earlier run)")
            continue
        try:
            info = compile_tier(root, sdist, tier, echo)
        except BuildFailed as exc:
            failures.append(f"{tier.name}: {exc}")
            echo(f"  the {tier.name} build did not compile; trying a safer one")
            continue
        if gguf is not None and gguf.exists():
            echo("  smoke test: one completion in a child process")
            info = smoke_test(info, gguf, root)
        _write(record, info)
        if info.smoke.startswith("failed"):
            failures.append(f"{tier.name}: {info.smoke}")
            echo(f"  the {tier.name} build {info.smoke.removeprefix('failed: ')}; building a safer one")
            continue
        _write(_record_path(models_path), info)
        echo(f"Built llama.cpp {info.version} for this CPU ({info.tier}); smoke test: {info.smoke}.")
        if info.system_info:
            echo(f"  CPU features in use: {info.system_info}")
        return info
    raise BuildFailed("no build of llama.cpp works on this machine:\n  " + "\n  ".join(failures))


__all__ = [
    "LLAMA_CPP_PYTHON",
    "BuildFailed",
    "BuildInfo",
    "BuildMissing",
    "build",
    "binding_system_info",
    "build_root",
    "current_build",
    "require_build",
    "smoke_test",
]
