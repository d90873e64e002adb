"""The embedded model as a local server: llama.cpp's own ``llama-server``, supervised.

Why a separate process: a crash inside the model (a bad CPU build, an out-of-memory kill)
used to take the app, and every coachee's session in it, down with it. Now the model runs
in ``llama-server`` (parallel slots, continuous batching, a prompt cache in RAM, an
OpenAI-compatible API) and the app talks to it over HTTP like to any other server.

``ModelServer`` starts it on first use, checks it, and starts it again when it dies. Every
app process that shares a data directory (several Streamlit replicas on one machine)
shares one server: a lock file elects the process that starts it, and a state file tells
the others where it listens. The process that started it stops it when it exits; if that
process is killed outright, the server lives on and the next process adopts it.

Standard library only, so set-up can smoke-test a fresh build before anything else works.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_ALIAS = "sparring-embedded"
DEFAULT_START_TIMEOUT_S = 180.0


class ServerFailed(RuntimeError):
    """The model server would not start, or died while starting; the message says why."""


@dataclass(frozen=True)
class ServerOptions:
    """How the local ``llama-server`` runs. Every field has a setting (``Settings``)."""

    slots: int = 4
    """Replies generated at once (continuous batching). More slots serve more people at
    once at a lower speed each; each slot holds one conversation's prompt in its KV cache."""
    ctx_per_slot: int = 4096
    threads: int | None = None
    cache_ram_mib: int = 768
    """Host memory for conversations parked out of a slot (llama-server's prompt cache):
    a coachee who comes back after others used their slot resumes without a cold prompt."""
    batch: int = 128
    """Prompt tokens evaluated per step. Small steps interleave one person's long prompt
    with the others' replies instead of stalling them for seconds."""


def llama_server_args(
    binary: Path, gguf: Path, options: ServerOptions, *, host: str = "127.0.0.1", port: int = 8080
) -> list[str]:
    """The ``llama-server`` command line for ``options``: the one place it is written."""
    threads = str(options.threads or os.cpu_count() or 2)
    return [
        str(binary),
        "--model", str(gguf),
        "--alias", MODEL_ALIAS,
        "--host", host,
        "--port", str(port),
        "--parallel", str(options.slots),
        "--ctx-size", str(options.slots * options.ctx_per_slot),
        "--no-kv-unified",
        "--cont-batching",
        "--cache-ram", str(options.cache_ram_mib),
        "--batch-size", str(options.batch),
        "--ubatch-size", str(options.batch),
        "--threads", threads,
        "--threads-batch", threads,
        "--no-webui",
        "--metrics",
    ]  # fmt: skip


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def health(base: str, timeout: float = 2.0) -> str:
    """``ok``, ``loading`` (up, weights not ready) or ``down`` for a llama-server root URL."""
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=timeout) as response:
            return "ok" if response.status == 200 else "loading"
    except urllib.error.HTTPError as exc:
        return "loading" if exc.code == 503 else "down"
    except (OSError, ValueError):
        return "down"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def system_info_from_log(path: Path) -> str | None:
    """The CPU features line llama.cpp prints at start (``llama_print_system_info``)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if "system_info:" in line:
            return line.split("system_info:", 1)[1].strip()
    return None


def log_tail(path: Path, lines: int = 12) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        crash = " (a crash: the build may use an instruction this CPU lacks)" if name in ("SIGILL", "SIGSEGV") else ""
        return f"was killed by {name}{crash}"
    return f"exited with code {code}"


class ModelServer:
    """Starts, checks and restarts one model server for everyone sharing ``state_dir``.

    ``command(port)`` gives the command line (``llama_server_args`` in the product; a stub
    in tests). ``ensure()`` returns the server's root URL once it answers, starting it if
    nobody has; ``restart_soon()`` is what a client calls when its connection broke.
    """

    def __init__(
        self,
        command: Callable[[int], list[str]],
        state_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        start_timeout_s: float = DEFAULT_START_TIMEOUT_S,
        name: str = "model-server",
        system_info: str | None = None,
    ) -> None:
        self.command = command
        self.system_info = system_info  # the CPU features line of the build it runs, if known
        self.state_dir = Path(state_dir)
        self.host = host
        self.port = port
        self.start_timeout_s = start_timeout_s
        self.state_path = self.state_dir / f"{name}.json"
        self.lock_path = self.state_dir / f"{name}.lock"
        self.log_path = self.state_dir / "logs" / f"{name}.log"
        self.restarts = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._restarting = threading.Lock()
        self._local = threading.Lock()
        atexit.register(self.stop)

    # ---- where it is -----------------------------------------------------------------
    def _read_state(self) -> dict | None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and "port" in state and "pid" in state else None

    def _base(self, state: dict) -> str:
        return f"http://{state.get('host', self.host)}:{state['port']}"

    @property
    def base_url(self) -> str | None:
        """The root URL of the server the state file names (it may be down)."""
        state = self._read_state()
        return self._base(state) if state else None

    def status(self) -> dict:
        """For the UI and ``models info``: ``state`` (ok, loading, restarting, down), url, pid,
        restarts and the CPU features line of the running build."""
        state = self._read_state()
        if state is None:
            return {
                "state": "down",
                "url": None,
                "pid": None,
                "restarts": self.restarts,
                "system_info": self.system_info,
            }
        alive = pid_alive(int(state["pid"]))
        now = health(self._base(state), timeout=1.0) if alive else "down"
        if now == "down" and self._restarting.locked():
            now = "restarting"
        return {
            "state": now,
            "url": self._base(state),
            "pid": state["pid"],
            "restarts": self.restarts,
            "system_info": system_info_from_log(self.log_path) or self.system_info,
        }

    # ---- starting --------------------------------------------------------------------
    @contextlib.contextmanager
    def _election(self) -> Iterator[None]:
        """Held by the one process (and thread) allowed to start the server right now."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self._local, open(self.lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ensure(self) -> str:
        """The root URL of a healthy server, starting one if none is running (blocks until
        it answers, at most ``start_timeout_s``). Raises ``ServerFailed`` with the reason."""
        state = self._read_state()
        if state and health(self._base(state)) == "ok":
            return self._base(state)
        with self._election():
            if self._proc is not None:
                self._proc.poll()  # reap a child that died, so its pid no longer looks alive
            state = self._read_state()
            if state and pid_alive(int(state["pid"])) and health(self._base(state)) != "down":
                return self._wait_healthy(state, None)  # someone else started it: wait for it
            if state and pid_alive(int(state["pid"])):
                self._kill(int(state["pid"]))  # alive but not serving: a hung server
            return self._start()

    def _start(self) -> str:
        port = self.port or free_port(self.host)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as out:
            proc = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the app's terminal is the app's, not the model's
            )
        self._proc = proc
        state = {"pid": proc.pid, "host": self.host, "port": port, "started": time.time(), "owner": os.getpid()}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(self.state_path)
        log.info("model server starting (pid %s, port %s)", proc.pid, port)
        return self._wait_healthy(state, proc)

    def _wait_healthy(self, state: dict, proc: subprocess.Popen[bytes] | None) -> str:
        base = self._base(state)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if health(base) == "ok":
                return base
            if proc is not None and proc.poll() is not None:
                raise ServerFailed(
                    f"The model server {describe_exit(proc.returncode)} while starting. "
                    f"Its log ({self.log_path}) ends:\n{log_tail(self.log_path)}"
                )
            if proc is None and not pid_alive(int(state["pid"])):
                raise ServerFailed(f"The model server stopped while starting; see {self.log_path}.")
            time.sleep(0.2)
        raise ServerFailed(f"The model server did not answer within {self.start_timeout_s:.0f} s; see {self.log_path}.")

    # ---- after a failure ---------------------------------------------------------------
    def restart_soon(self) -> None:
        """Start the server again in the background (once, however many callers ask)."""
        if not self._restarting.acquire(blocking=False):
            return

        def run() -> None:
            try:
                self.ensure()
                self.restarts += 1
            except Exception:  # the next call's ensure() raises it to someone who can show it
                log.exception("model server restart failed")
            finally:
                self._restarting.release()

        threading.Thread(target=run, name="model-server-restart", daemon=True).start()

    @property
    def restarting(self) -> bool:
        return self._restarting.locked()

    # ---- stopping ---------------------------------------------------------------------
    def stop(self) -> None:
        """Stops the server if this process started it (other processes adopt or restart)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        state = self._read_state()
        if state and int(state["pid"]) == proc.pid:
            self.state_path.unlink(missing_ok=True)

    @staticmethod
    def _kill(pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    @property
    def pid(self) -> int | None:
        state = self._read_state()
        return int(state["pid"]) if state else None


__all__ = [
    "MODEL_ALIAS",
    "ModelServer",
    "ServerFailed",
    "ServerOptions",
    "describe_exit",
    "free_port",
    "health",
    "llama_server_args",
    "system_info_from_log",
]
