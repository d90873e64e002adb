"""The model server layer without llama.cpp: portable build tiers, the supervisor (start,
share, restart), and the HTTP client against a stub OpenAI-compatible server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from benchmarks.stub_server import StubServer
from simulator.core.models import cpu
from simulator.core.models.calls import ModelRestarting
from simulator.core.models.llama_build import BuildInfo, current_build
from simulator.core.models.server import (
    ModelServer,
    ServerFailed,
    ServerOptions,
    describe_exit,
    llama_server_args,
    system_info_from_log,
)
from simulator.core.models.server_llm import ServerScriptLLM

REPO = Path(__file__).resolve().parents[2]
AMX_XEON = frozenset(
    [
        "fpu",
        "sse4_2",
        "avx",
        "avx2",
        "fma",
        "f16c",
        "bmi2",
        "avx512f",
        "avx512bw",
        "avx512dq",
        "avx512vl",
        "avx512cd",
        "amx_tile",
        "amx_int8",
        "amx_bf16",
    ]
)
OLD_LAPTOP = frozenset(["fpu", "sse4_2", "avx"])


# ---- portable tiers ---------------------------------------------------------------------------
def test_an_amx_xeon_gets_avx512_first_and_amx_is_never_turned_on():
    tiers = cpu.tiers_for(AMX_XEON, "x86_64")
    assert [t.name for t in tiers] == ["avx512", "avx2", "avx", "sse42", "x86-64"]
    for tier in tiers:
        args = tier.cmake_args
        assert "-DGGML_NATIVE=OFF" in args
        assert {"-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"} <= set(args)
        assert not any("AMX" in a and a.endswith("=ON") for a in args)
    assert cpu.has_amx(AMX_XEON)


def test_a_cpu_without_avx2_never_gets_an_avx2_build():
    assert [t.name for t in cpu.tiers_for(OLD_LAPTOP, "x86_64")] == ["avx", "sse42", "x86-64"]
    assert "-DGGML_AVX2=OFF" in cpu.tier_named("avx").cmake_args


def test_arm_machines_get_the_compilers_baseline():
    assert cpu.tiers_for(frozenset({"neon"}), "aarch64") == [cpu.GENERIC_TIER]


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu avx2 amx_int8\n\nprocessor\t: 1\n")
    assert cpu.cpu_flags(info) == {"fpu", "avx2", "amx_int8"}
    assert cpu.cpu_name(info) == "Some CPU"
    assert cpu.cpu_flags(tmp_path / "missing") == frozenset()


def test_a_recorded_build_is_ignored_on_a_cpu_that_cannot_run_it(tmp_path):
    directory = tmp_path / "llama.cpp" / "0.3.36-avx512"
    (directory / "build" / "bin").mkdir(parents=True)
    (directory / "build" / "bin" / "llama-server").write_text("")
    info = BuildInfo(version="0.3.36", tier="avx512", cmake_args=[], directory=str(directory), smoke="ok")
    (tmp_path / "llama.cpp" / "current.json").write_text(json.dumps(info.__dict__))
    assert current_build(tmp_path, AMX_XEON) is not None
    assert current_build(tmp_path, OLD_LAPTOP) is None  # a shared data directory, another machine


def test_server_command_line_has_slots_batching_and_a_ram_cache():
    args = llama_server_args(Path("/b/llama-server"), Path("/m.gguf"), ServerOptions(slots=6, cache_ram_mib=512))
    joined = " ".join(args)
    assert "--parallel 6" in joined and "--ctx-size 24576" in joined
    assert "--cont-batching" in args and "--cache-ram 512" in joined
    assert "--host 127.0.0.1" in joined


def test_system_info_and_exit_reasons_read_plainly(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("load...\nsystem_info: n_threads = 2 | CPU : AVX2 = 1 | AMX_INT8 = 0 |\nready\n")
    assert system_info_from_log(log) == "n_threads = 2 | CPU : AVX2 = 1 | AMX_INT8 = 0 |"
    assert "SIGSEGV" in describe_exit(-signal.SIGSEGV) and "crash" in describe_exit(-signal.SIGSEGV)
    assert describe_exit(3) == "exited with code 3"


# ---- the supervisor, with the stub server as its child process ---------------------------------
def stub_command(delay: float = 0.0, gap: float | None = None):
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "benchmarks.stub_server", "--port", str(port), "--delay", str(delay)]

    return command


@pytest.fixture
def supervised(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # the stub runs as `python -m benchmarks.stub_server`
    servers: list[ModelServer] = []

    def make(delay: float = 0.0, **kwargs) -> ModelServer:
        server = ModelServer(stub_command(delay), tmp_path / "state", start_timeout_s=30, **kwargs)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
    for server in servers:  # replicas that adopted a server do not own it: end it here
        if server.pid:
            ModelServer._kill(server.pid)


def wait_dead(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def test_replicas_share_one_server_and_a_killed_one_is_started_again(supervised):
    first, replica = supervised(), supervised()
    url = first.ensure()
    assert replica.ensure() == url  # the second process finds it, starts nothing
    pid = first.pid
    os.kill(pid, signal.SIGKILL)
    wait_dead(pid)
    assert first.status()["state"] == "down"
    assert replica.ensure().startswith("http://127.0.0.1:")
    assert replica.pid != pid and replica.status()["state"] == "ok"


def test_a_server_that_crashes_while_starting_is_reported_in_plain_words(tmp_path):
    crash = "import os, signal; print('loading'); os.kill(os.getpid(), signal.SIGSEGV)"
    server = ModelServer(lambda port: [sys.executable, "-c", crash], tmp_path, start_timeout_s=30)
    with pytest.raises(ServerFailed, match=r"killed by SIGSEGV \(a crash"):
        server.ensure()


def test_the_client_streams_a_line_and_records_the_servers_timings(supervised):
    llm = ServerScriptLLM(supervisor=supervised())
    text = "".join(llm.stream("JACK: Hi.\nSTAN:"))
    assert "reply 1." in text
    assert llm.last_stats is not None and llm.last_stats.completion_tokens > 0


def test_a_server_killed_mid_stream_restarts_and_the_next_call_works(supervised):
    server = supervised(delay=0.1)
    llm = ServerScriptLLM(supervisor=server, timeout_s=10)
    llm.invoke("warm up")
    stream = llm.stream("JACK: Hi.\nSTAN:")
    with pytest.raises(ModelRestarting, match="restarting"):
        for i, _ in enumerate(stream):
            if i == 0:
                os.kill(server.pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while server.restarting and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reply" in llm.invoke("JACK: Still there?\nSTAN:")
    assert server.restarts == 1


def test_a_server_given_by_url_that_is_down_says_where(tmp_path):
    from simulator.core.models.server import free_port

    llm = ServerScriptLLM(base_url=f"http://127.0.0.1:{free_port()}/v1", timeout_s=5)
    with pytest.raises(ModelRestarting, match="is not answering"):
        llm.invoke("JACK: Hi.\nSTAN:")


def test_the_in_process_stub_answers_concurrent_requests():
    with StubServer(0.05) as stub:
        llm = ServerScriptLLM(base_url=stub.url)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(10) as pool:
            replies = list(pool.map(lambda i: llm.invoke(f"JACK: line {i}\nSTAN:"), range(10)))
    assert len(set(replies)) == 10
    assert all(stub.state.prompts[r] == f"JACK: line {i}\nSTAN:" for i, r in enumerate(replies))
