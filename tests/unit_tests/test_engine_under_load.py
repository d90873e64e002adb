"""The rehearsal engine over HTTP to a model server: a server killed mid-reply loses
nothing and recovers, and 30 people's turns at once are neither lost nor crossed."""

from __future__ import annotations

import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.stub_server import StubServer
from simulator.cli import terminal
from simulator.core.models.server import ModelServer
from simulator.core.models.server_llm import ServerScriptLLM
from simulator.engine.rehearsal import ModelUnavailable, Rehearsal
from simulator.engine.services import Services
from simulator.storage.store import Store
from tests.conftest import owner_of

REPO = Path(__file__).resolve().parents[2]


def make_services(tmp_path: Path, catalog, coder, model) -> Services:
    """Without a notes index: these tests are about the model server and storage, and the
    stub's one canned line would otherwise be retried as not answering the question."""
    return Services(
        catalog=catalog,
        store=Store(f"sqlite:///{tmp_path / 'db.sqlite'}"),
        coder=coder,
        model=model,
        index=None,
        backend_label="stub server",
        prompt_style="script",
    )


@pytest.fixture
def supervised_stub(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    server = ModelServer(
        lambda port: [sys.executable, "-m", "benchmarks.stub_server", "--port", str(port), "--delay", "0.1"],
        tmp_path / "state",
        start_timeout_s=30,
    )
    yield server
    server.stop()


def test_a_model_server_killed_mid_reply_loses_nothing_and_the_retry_answers(
    tmp_path, fixture_catalog, scripted_coder, supervised_stub
):
    services = make_services(tmp_path, fixture_catalog, scripted_coder, ServerScriptLLM(supervisor=supervised_stub))
    rehearsal = Rehearsal.start(services, services.store.user("sam"), "catering_dispute", "standard")
    rehearsal.submit("What happened on your side? [open_question]")
    rehearsal.reply()
    rehearsal.submit("And what do you need from us now? [open_question]")
    stream = rehearsal.reply_stream()
    with pytest.raises(ModelUnavailable) as err:
        for i, _ in enumerate(stream):
            if i == 0:
                os.kill(supervised_stub.pid, signal.SIGKILL)
    assert err.value.restarting and "restarting" in str(err.value)
    assert rehearsal.pending  # the coachee's line is stored and waits for its reply
    assert rehearsal.turns()[-1].text == "And what do you need from us now? [open_question]"

    deadline = time.monotonic() + 20
    while supervised_stub.restarting and time.monotonic() < deadline:
        time.sleep(0.05)
    reply = rehearsal.reply()  # the retry, after the restart
    again = Rehearsal.resume(
        services, rehearsal.attempt.id, owner_of(services, rehearsal.attempt.id)
    )  # read back whole, as after a reload
    assert [t.role for t in again.turns()] == ["persona", "coachee", "persona", "coachee", "persona"]
    assert again.turns()[-1].text == reply.turn.text and not again.pending


def test_thirty_concurrent_turns_are_neither_lost_nor_crossed(tmp_path, fixture_catalog, scripted_coder):
    with StubServer(0.2) as stub:
        services = make_services(tmp_path, fixture_catalog, scripted_coder, ServerScriptLLM(base_url=stub.url))
        people = [
            Rehearsal.start(services, services.store.user(f"p{i}"), "catering_dispute", "standard") for i in range(30)
        ]

        def one_turn(i: int) -> str:
            rehearsal = people[i]
            rehearsal.submit(f"Person {i} asks: what went wrong? [open_question]")
            return rehearsal.reply().turn.text

        started = time.monotonic()
        with ThreadPoolExecutor(30) as pool:
            replies = list(pool.map(one_turn, range(30)))
        elapsed = time.monotonic() - started

    assert elapsed < 0.2 * 30 / 2, "the turns were served one after another, not at once"
    for i, rehearsal in enumerate(people):
        turns = Rehearsal.resume(services, rehearsal.attempt.id, owner_of(services, rehearsal.attempt.id)).turns()
        assert [t.role for t in turns] == ["persona", "coachee", "persona"], f"person {i} lost a turn"
        assert turns[1].text.startswith(f"Person {i} asks")
        assert turns[2].text == replies[i]
        made_for = stub.state.prompts.get(replies[i])
        assert made_for is not None, f"person {i}'s reply did not come from the server"
        assert f"Person {i} asks" in made_for and all(
            f"Person {j} asks" not in made_for for j in range(30) if j != i
        ), f"person {i} got a reply made for someone else"


class KilledOnceMidReply(ServerScriptLLM):
    """Kills its server (SIGKILL) after the first words of the first reply it streams."""

    killed: bool = False

    def _stream(self, prompt, stop=None, run_manager=None, **kwargs):
        for chunk in super()._stream(prompt, stop, run_manager, **kwargs):
            yield chunk
            if not self.killed:
                self.killed = True
                os.kill(self.supervisor.pid, signal.SIGKILL)


def test_the_terminal_says_the_model_is_restarting_and_retries_by_itself(
    tmp_path, fixture_catalog, scripted_coder, supervised_stub, capsys
):
    model = KilledOnceMidReply(supervisor=supervised_stub)
    services = make_services(tmp_path, fixture_catalog, scripted_coder, model)
    rehearsal = Rehearsal.start(services, services.store.user("sam"), "catering_dispute", "standard")
    rehearsal.submit("What happened on your side? [open_question]")

    terminal._answer(rehearsal, show_state=False, waits=(0.5, 1.0, 2.0, 4.0, 8.0))

    assert model.killed
    assert "The model is restarting. Your line is saved" in capsys.readouterr().err
    assert [t.role for t in rehearsal.turns()] == ["persona", "coachee", "persona"]
