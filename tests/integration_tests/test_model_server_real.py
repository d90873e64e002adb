"""The real model server: the portable llama.cpp build set-up made, llama-server on the
embedded GGUF, killed mid-reply and restarted, and several coachees at once.

Needs the model (``python -m simulator models install``) and the build (``python -m
simulator models build``); set-up does both, and these tests skip with the reason
otherwise."""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator.core.models import cpu
from simulator.core.models.llama_build import current_build
from simulator.core.settings import Settings
from simulator.engine.rehearsal import ModelUnavailable, Rehearsal
from simulator.engine.services import build_services
from tests.conftest import owner_of

pytestmark = pytest.mark.integration

# llama_print_system_info's names -> the /proc/cpuinfo flag the instruction set needs
FEATURE_FLAGS = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AVX_VNNI": "avx_vnni",
    "AMX_INT8": "amx_int8",
}


@pytest.fixture(scope="module")
def build():
    settings = Settings.from_env()
    info = current_build(settings.models_path)
    if info is None or not settings.gguf_path.exists():
        pytest.skip("no llama.cpp build or model here: run `python -m simulator models install` and `... build`")
    return info


def test_the_build_is_portable_uses_no_amx_and_nothing_the_cpu_lacks(build):
    assert build.smoke == "ok"
    assert "-DGGML_NATIVE=OFF" in build.cmake_args
    assert not [a for a in build.cmake_args if "AMX" in a and not a.endswith("=OFF")]
    features = dict(re.findall(r"([A-Z0-9_]+) = (\d)", build.system_info or ""))
    assert features, f"no CPU features line recorded: {build.system_info!r}"
    assert features.get("AMX_INT8", "0") == "0"
    flags = cpu.cpu_flags()
    lacking = [name for name, on in features.items() if on == "1" and name in FEATURE_FLAGS]
    lacking = [name for name in lacking if FEATURE_FLAGS[name] not in flags]
    assert not lacking, f"the build uses {lacking}, which this CPU does not report"


@pytest.fixture(scope="module")
def services(build, tmp_path_factory):
    base = Settings.from_env()
    settings = base.model_copy(
        update={"llm": "embedded", "data_dir": tmp_path_factory.mktemp("data"), "models_dir": base.models_path}
    )
    services = build_services(settings)
    yield services
    services.model.supervisor.stop()


def wait_restarted(server, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while server.restarting and time.monotonic() < deadline:
        time.sleep(0.1)


def test_killing_the_model_server_mid_reply_loses_nothing_and_the_retry_answers(services):
    server = services.model.supervisor
    rehearsal = Rehearsal.start(services, services.store.user("crash"), "vague_it_colleague", "standard")
    rehearsal.submit("What part of the request was hardest to pin down?")
    stream = rehearsal.reply_stream()
    app_pid = os.getpid()
    with pytest.raises(ModelUnavailable) as err:
        for i, _ in enumerate(stream):
            if i == 0:
                os.kill(server.pid, signal.SIGKILL)
        pytest.fail("the reply finished although its server was killed")  # pragma: no cover
    assert os.getpid() == app_pid  # the app's process lives on
    assert err.value.restarting
    assert rehearsal.pending and rehearsal.turns()[-1].role == "coachee"

    wait_restarted(server)
    reply = rehearsal.reply()  # the coachee's retry
    assert reply.turn.text.strip()
    again = Rehearsal.resume(services, rehearsal.attempt.id, owner_of(services, rehearsal.attempt.id))
    assert [t.role for t in again.turns()] == ["persona", "coachee", "persona"]
    assert server.status()["state"] == "ok" and server.restarts >= 1


def test_several_coachees_at_once_each_get_their_own_reply(services):
    people = [
        Rehearsal.start(services, services.store.user(f"p{i}"), scenario, "standard")
        for i, scenario in enumerate(["vague_it_colleague", "tantrum_client", "vague_it_colleague", "tantrum_client"])
    ]
    lines = [f"Can you tell me, in your own words, what happened on day {i + 2}?" for i in range(len(people))]

    def turn(i: int) -> None:
        people[i].submit(lines[i])
        people[i].reply()

    with ThreadPoolExecutor(len(people)) as pool:
        list(pool.map(turn, range(len(people))))
    for i, rehearsal in enumerate(people):
        turns = Rehearsal.resume(services, rehearsal.attempt.id, owner_of(services, rehearsal.attempt.id)).turns()
        assert [t.role for t in turns] == ["persona", "coachee", "persona"]
        assert turns[1].text == lines[i] and turns[2].text.strip()
