"""How many people can rehearse at once: the real rehearsal engine under a simulated room.

    python -m benchmarks.concurrency                 # full run (about 40 minutes on 2 cores)
    python -m benchmarks.concurrency --json          # one JSON object on stdout
    python -m benchmarks.concurrency --participants 1,5 --turns 3 --think 2,4   # a quick look

N simulated coachees each start an attempt (scenarios in turn) and send their scenario's
scripted lines, each after a human think time (seeded, 15-40 s), while the app's read-ahead
runs as it does in the browser (``Rehearsal.warm_up`` after every reply). Nothing is
mocked below the engine: coding, state, retrieval, storage in SQLite, and the model
server over HTTP. Per turn it records the time to first token (from sending the line to
the first streamed words, as the coachee feels it) and the full reply time.

Two set-ups in one run:

(a) the embedded model server (llama.cpp's llama-server, started and supervised as the app
    does), sweeping the number of participants; the capacity is the largest N whose p95
    time to first token stays at or under 3 s on this machine;
(b) a stub OpenAI-compatible server on loopback that answers after a fixed delay
    (``benchmarks.stub_server``), with 30 participants: its p95 over the stub's delay is
    what the app itself adds.

It counts errors (a reply that failed after its retries), turns lost (a coachee line left
without a stored reply) and cross-talk (a stored turn that belongs to another attempt: a
coachee line not in that participant's script order, or, with the stub, a reply made for
another conversation's prompt).
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from benchmarks.stub_server import StubServer
from simulator.core.models.server_llm import ServerScriptLLM
from simulator.core.settings import Settings
from simulator.engine.rehearsal import ModelUnavailable, Rehearsal
from simulator.engine.services import Services, build_services, warm_scenes
from simulator.storage.policy import SYSTEM

SCRIPTS = Path(__file__).parent / "scripts"
SCENARIOS = (
    "vague_it_colleague",
    "tantrum_client",
    "career_unsure",
    "disengaged_skip_level",
    "promotion_disappointment",
)
TARGETS = {"p95_ttft_s": 3.0, "capacity": 8, "stub_overhead_ratio": 1.10}
RETRIES = 3
WORKSHOP_CACHE_MIB = 2048  # ~40 parked conversations: the 30-person sweep fits


@dataclass
class Participant:
    index: int
    scenario: str
    lines: list[str]
    think: list[float]
    ttft: list[float] = field(default_factory=list)
    reply: list[float] = field(default_factory=list)
    errors: int = 0
    attempt_id: int | None = None


def _lines(scenario: str, turns: int) -> list[str]:
    lines = [line.strip() for line in (SCRIPTS / f"{scenario}.txt").read_text().splitlines() if line.strip()]
    return (lines * (turns // len(lines) + 1))[:turns]


def make_room(
    n: int, turns: int, think: tuple[float, float], seed: int, scenarios: tuple[str, ...] = SCENARIOS
) -> list[Participant]:
    rng = random.Random(seed * 1000 + n)
    return [
        Participant(
            i,
            scenarios[i % len(scenarios)],
            _lines(scenarios[i % len(scenarios)], turns),
            [rng.uniform(*think) for _ in range(turns)],
        )
        for i in range(n)
    ]


def _timed_reply(rehearsal: Rehearsal, sent: float) -> tuple[float, float]:
    first = None
    for _ in rehearsal.reply_stream():
        if first is None:
            first = time.perf_counter() - sent
    total = time.perf_counter() - sent
    return (first if first is not None else total), total


def play(services: Services, person: Participant, start_gate: threading.Barrier) -> None:
    """One coachee: start, then each line after its think time, retrying a failed reply."""
    rehearsal = Rehearsal.start(services, services.store.user(f"bench-{person.index}"), person.scenario, "standard")
    person.attempt_id = rehearsal.attempt.id
    start_gate.wait()
    converse(rehearsal, person)


def converse(rehearsal: Rehearsal, person: Participant, stop: Callable[[], bool] | None = None) -> None:
    """The coachee's lines, each after its think time, retrying a failed reply; `stop` (asked
    after each think time) ends the conversation early, as a closing time box does."""
    for line, pause in zip(person.lines, person.think, strict=True):
        reading = threading.Thread(target=rehearsal.warm_up, daemon=True)  # as the app does
        reading.start()
        time.sleep(pause)
        if stop is not None and stop():
            return
        sent = time.perf_counter()
        rehearsal.submit(line)
        for attempt in range(RETRIES + 1):
            try:
                ttft, total = _timed_reply(rehearsal, sent)
                person.ttft.append(ttft)
                person.reply.append(total)
                break
            except ModelUnavailable:
                if attempt == RETRIES:
                    person.errors += 1
                else:
                    time.sleep(2.0 * (attempt + 1))


def run_room(services: Services, room: list[Participant]) -> float:
    gate = threading.Barrier(len(room))
    threads = [threading.Thread(target=play, args=(services, p, gate), daemon=True) for p in room]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def audit(services: Services, room: list[Participant], stub: StubServer | None = None) -> tuple[int, int]:
    """(turns lost, cross-talk) from what is stored, attempt by attempt."""
    lost = crossed = 0
    for person in room:
        turns = services.store.turns(person.attempt_id, SYSTEM)
        coachee = [t for t in turns if t.role == "coachee"]
        lost += sum(
            1
            for i, t in enumerate(turns)
            if t.role == "coachee" and (i + 1 >= len(turns) or turns[i + 1].role != "persona")
        )
        crossed += sum(1 for t, line in zip(coachee, person.lines, strict=False) if t.text != line)
        crossed += max(0, len(coachee) - len(person.lines))
        if stub is not None:
            for i, t in enumerate(turns):
                made_for = stub.state.prompts.get(t.text) if t.role == "persona" else None
                if made_for is not None and turns[i - 1].text not in made_for:
                    crossed += 1
    return lost, crossed


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(statistics.quantiles(ordered, n=100, method="inclusive")[q - 1] if len(ordered) > 1 else ordered[0], 3)


def summarise(room: list[Participant], lost: int, crossed: int, wall: float) -> dict:
    ttft = [v for p in room for v in p.ttft]
    later = [v for p in room for v in p.ttft[1:]]  # the first line also pays for the cold scene
    reply = [v for p in room for v in p.reply]
    return {
        "participants": len(room),
        "turns": len(ttft),
        "p50_ttft_s": percentile(ttft, 50),
        "p95_ttft_s": percentile(ttft, 95),
        "p95_ttft_after_first_s": percentile(later, 95),
        "p50_reply_s": percentile(reply, 50),
        "p95_reply_s": percentile(reply, 95),
        "errors": sum(p.errors for p in room),
        "lost": lost,
        "cross_talk": crossed,
        "wall_s": round(wall, 1),
    }


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, flush=True)


def main(
    participants: Annotated[str, typer.Option(help="Room sizes to sweep on the model server")] = "1,5,10,20,30",
    turns: Annotated[int, typer.Option(help="Lines each participant sends")] = 8,
    think: Annotated[str, typer.Option(help="Think time range in seconds, MIN,MAX")] = "15,40",
    stub_participants: Annotated[int, typer.Option(help="Participants against the stub server")] = 30,
    stub_delay: Annotated[float, typer.Option(help="The stub's seconds to the first token")] = 2.0,
    seed: Annotated[int, typer.Option(help="Seed of the think times")] = 7,
    scenarios: Annotated[
        str, typer.Option(help="Scenarios, taken in turn (a workshop practises one: --scenarios career_unsure)")
    ] = ",".join(SCENARIOS),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a report")] = False,
) -> None:
    """Simulate a room of coachees against the model server and a stub; report the figures."""
    sizes = [int(n) for n in participants.split(",") if n.strip()]
    cast = tuple(name.strip() for name in scenarios.split(",") if name.strip())
    low, high = (float(x) for x in think.split(","))
    base = Settings.from_env()
    sweep: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # A room shares one server: park as many conversations as a workshop holds (README).
        cache_mib = max(base.model_server_cache_mib, WORKSHOP_CACHE_MIB)
        update = {"llm": "embedded", "data_dir": Path(tmp), "models_dir": base.models_path}
        settings = base.model_copy(update=update | {"model_server_cache_mib": cache_mib})
        services = build_services(settings)
        server = services.model.supervisor
        _say(as_json, f"Model server: {settings.model_server_slots} slots; starting it …")
        server.ensure()
        started = time.perf_counter()
        scenes = warm_scenes(services)  # as the app does when it starts
        scenes_s = round(time.perf_counter() - started, 1)
        _say(as_json, f"    read {scenes} scenes ahead in {scenes_s} s")
        for n in sizes:
            _say(as_json, f"(a) {n} participant(s) on the model server, {turns} turns each …")
            room = make_room(n, turns, (low, high), seed, cast)
            wall = run_room(services, room)
            sweep[str(n)] = summarise(room, *audit(services, room), wall)
            _say(as_json, f"    {json.dumps(sweep[str(n)])}")
        server.stop()

        _say(as_json, f"(b) {stub_participants} participants on a stub answering after {stub_delay} s …")
        with StubServer(stub_delay) as stub:
            services.model = ServerScriptLLM(base_url=stub.url, timeout_s=300)
            room = make_room(stub_participants, turns, (low, high), seed, cast)
            wall = run_room(services, room)
            stub_figures = summarise(room, *audit(services, room, stub), wall)
        _say(as_json, f"    {json.dumps(stub_figures)}")

    within = [int(n) for n, fig in sweep.items() if fig["p95_ttft_s"] <= TARGETS["p95_ttft_s"]]
    capacity = max(within) if within else 0
    result = {
        "errors": sum(f["errors"] for f in sweep.values()) + stub_figures["errors"],
        "lost": sum(f["lost"] for f in sweep.values()) + stub_figures["lost"],
        "cross_talk": sum(f["cross_talk"] for f in sweep.values()) + stub_figures["cross_talk"],
        "capacity_at_3s": capacity,
        "sweep": {
            n: {k: f[k] for k in ("p50_ttft_s", "p95_ttft_s", "p95_reply_s", "p95_ttft_after_first_s")}
            for n, f in sweep.items()
        },
        "stub": {
            "participants": stub_participants,
            "p95_ttft_s": stub_figures["p95_ttft_s"],
            "stub_delay_s": stub_delay,
            "overhead_ratio": round(stub_figures["p95_ttft_s"] / stub_delay, 3),
        },
        "slots": settings.model_server_slots,
        "scenes_read_ahead_s": scenes_s,
        "turns_per_participant": turns,
        "think_s": [low, high],
        "scenarios": list(cast),
        "details": {"sweep": sweep, "stub": stub_figures},
    }
    if as_json:
        print(json.dumps(result))
        return
    checks = {
        "no errors": result["errors"] == 0,
        "no turn lost": result["lost"] == 0,
        "no cross-talk": result["cross_talk"] == 0,
        f"capacity >= {TARGETS['capacity']} participants at p95 time to first token <= 3 s": capacity
        >= TARGETS["capacity"],
        "the app adds <= 10% to the stub's p95": result["stub"]["overhead_ratio"] <= TARGETS["stub_overhead_ratio"],
    }
    print("\nParticipants  p50 first token  p95 first token  (after line 1)  p95 reply  errors  lost  cross-talk")
    for n, fig in sweep.items():
        print(
            f"{n:>12}  {fig['p50_ttft_s']:>13.2f} s  {fig['p95_ttft_s']:>13.2f} s"
            f"  {fig['p95_ttft_after_first_s']:>12.2f} s  {fig['p95_reply_s']:>7.2f} s"
            f"  {fig['errors']:>6}  {fig['lost']:>4}  {fig['cross_talk']:>10}"
        )
    print(
        f"Stub ({stub_delay} s), {stub_participants} participants: p95 first token {stub_figures['p95_ttft_s']:.2f} s, "
        f"{result['stub']['overhead_ratio']:.2f}x the stub's delay"
    )
    print(f"Capacity at p95 <= 3 s: {capacity} participants")
    for name, ok in checks.items():
        print(f"  [{'PASS' if ok else 'MISS'}] {name}")


if __name__ == "__main__":
    typer.run(main)
