"""The trainer's live board with a room of 30: its read against the obvious alternative.

    python -m benchmarks.board [--participants 30] [--runs 15]

Builds a round of N participants in a fresh SQLite database (half ended and scored, each
with six lines), then times `Workshops.board` (a fixed handful of queries whatever N) and,
as the baseline in the same run, reading the same facts one participant at a time through
the attempts repository (`attempt` + `turns` per participant). It prints the median and
p95 of each, their ratio, and the statements each sends to the database, which is the load
the board adds every refresh (it refreshes every 4 s per trainer's screen).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import event

from simulator.storage.models import Role
from simulator.storage.policy import Viewer
from simulator.storage.store import Store

SCENARIO = "tantrum_client"


def build_room(store: Store, participants: int) -> tuple[Viewer, int]:
    trainer = Viewer.of(store.accounts.create_user("trainer", None, Role.trainer))
    round_ = store.workshops.create_round(trainer, "Bench", [SCENARIO], "standard", 15, guests=True)
    store.workshops.start(trainer, round_.id)
    for i in range(participants):
        _, guest = store.workshops.join_as_guest(round_.join_code, f"P{i}")
        attempt = store.create_attempt(guest, SCENARIO, "standard", "bench", round_id=round_.id)
        for turn in range(6):
            store.add_turn(attempt.id, "coachee", f"line {turn}")
            store.add_turn(attempt.id, "persona", f"reply {turn}", state={"trust": 30.0 + turn})
        if i % 2:
            store.end_attempt(attempt.id)
            store.save_report(attempt.id, {"score": {"overall": 50 + i}})
    return trainer, round_.id


def one_at_a_time(store: Store, trainer: Viewer, round_id: int) -> int:
    """The baseline: each participant's attempt and turns read on their own."""
    rows = 0
    for attempt in store.attempts(trainer):
        if attempt.round_id == round_id:
            turns = store.turns(attempt.id, trainer)
            rows += sum(t.role == "coachee" for t in turns)
    return rows


def timed(read: Callable[[], object], runs: int) -> list[float]:
    read()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return times


def statements(store: Store, read: Callable[[], object]) -> int:
    sent: list[str] = []
    listener = lambda *args: sent.append(args[2])  # noqa: E731 - an event hook
    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        read()
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    return len(sent)


def main(
    participants: Annotated[int, typer.Option(help="People in the round")] = 30,
    runs: Annotated[int, typer.Option(help="Timed reads of each kind")] = 15,
) -> None:
    """Time the board against reading the room one participant at a time."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        trainer, round_id = build_room(store, participants)
        board = lambda: store.workshops.board(trainer, round_id)  # noqa: E731
        baseline = lambda: one_at_a_time(store, trainer, round_id)  # noqa: E731
        results = {"board": timed(board, runs), "one at a time (baseline)": timed(baseline, runs)}
        counts = {"board": statements(store, board), "one at a time (baseline)": statements(store, baseline)}
    print(f"Live board, {participants} participants, {runs} runs each (SQLite):")
    for name, times in results.items():
        ms = sorted(t * 1000 for t in times)
        p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
        print(f"  {name:26} median {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  {counts[name]:3} statements")
    ratio = statistics.median(results["one at a time (baseline)"]) / statistics.median(results["board"])
    print(f"  the board takes 1/{ratio:.1f} of the baseline's time")


if __name__ == "__main__":
    typer.run(main)
