"""A workshop round under load: a room of simulated participants, the board, the scores and the CSV.

    python -m benchmarks.round_load                          # 30 participants, 2 lines each, a 15-minute box
    python -m benchmarks.round_load --turns 1 --think 2,6    # quicker (about 7 minutes on 2 cores)
    python -m benchmarks.round_load --json                   # one JSON object on stdout

A trainer creates a round of the built-in scenarios (guests allowed, names on the board);
N guests join with its code at once and wait; the trainer starts it. Each participant
then starts their attempt in the round (as the Join page does), picks a scenario in turn
and sends its scripted lines after human think times through the real engine against the
embedded model server (llama-server, started and read ahead as the app does), as the
concurrency benchmark's coachees do (`benchmarks.concurrency`, whose functions this
reuses). Meanwhile a projector thread reads the board every 4 s as the trainer's page
does, and times each read. Once everybody has said their lines the trainer ends the round
early (or the time box closes first); each participant's page then finds the time up and
ends and scores the attempt as the Rehearse page does (`rehearsal.end()`; a scoring failure is
kept and counted, as the page keeps it beside its retry button).

Then, for every participant, it checks that the board shows them ended, with the lines
they said, a trust value and scores; that their attempt has a current report with scores;
and that the round's CSV (the Workshop rounds page's download) has exactly one row for
them with the scores, turns and duration. It prints the time to first token (median,
p95), the board read (median, max; also while every participant was talking), errors,
lost turns, cross-talk and PASS/FAIL per check, and exits with 1 on any failure.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from benchmarks.concurrency import (
    SCRIPTS,
    WORKSHOP_CACHE_MIB,
    Participant,
    audit,
    converse,
    make_room,
    summarise,
)
from evals.scoring.report import is_current
from simulator.core.settings import Settings
from simulator.engine import round_results as board_view
from simulator.engine.debrief import OVERALL, skill_scores
from simulator.engine.rehearsal import Rehearsal
from simulator.engine.round_results import time_is_up  # the Rehearse page's own check
from simulator.engine.services import Services, build_services, warm_scenes
from simulator.storage.models import Role, User
from simulator.storage.policy import Viewer
from simulator.storage.workshops import BoardRow, time_left

BOARD_REFRESH_S = 4.0  # the live board's refresh on the Workshop rounds page (app_pages/rounds.py)
COUNTDOWN_S = 5.0  # the Rehearse page's countdown looks at the time box this often (app_pages/rehearse_attempt.py)
WAITING_ROOM_S = 3.0  # the Join page's waiting room looks for the start this often (app_pages/join.py)
DIFFICULTY = "standard"


@dataclass
class Seat:
    """One participant of the round: the simulated coachee and what happened to them."""

    person: Participant
    name: str
    user: User | None = None
    scoring_error: str | None = None  # why ending and scoring failed, as the Rehearse page would show it
    joined: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)  # said their lines (or the box closed)
    failure: str | None = None  # an exception that stopped this participant
    scoring_s: float | None = None

    @property
    def said(self) -> int:
        """The lines they sent: each got a reply (timed) or failed after its retries (an error)."""
        return len(self.person.ttft) + self.person.errors


@dataclass
class Projector:
    """The trainer's screen: the board read every few seconds, each read timed."""

    reads: list[tuple[float, int]] = field(default_factory=list)  # (seconds, participants talking)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, services: Services, trainer: Viewer, round_id: int) -> None:
        while True:
            try:
                started = time.perf_counter()
                rows = services.store.workshops.board(trainer, round_id)
                took = time.perf_counter() - started
                counted, _, _ = board_view.counts(rows), board_view.table_rows(rows), board_view.score_rows(rows)
                self.reads.append((took, counted["talking"]))  # the sums the page draws come after the read
            except Exception as exc:  # noqa: BLE001 - counted, and the projector carries on
                self.errors.append(f"{type(exc).__name__}: {exc}")
            if self.stop.wait(BOARD_REFRESH_S):
                return


def participate(services: Services, seat: Seat, code: str) -> None:
    """One participant's browser: join, wait for the start, talk, and be scored at time-up."""
    try:
        store = services.store
        round_, seat.user = store.workshops.join_as_guest(code, seat.name)
        seat.joined.set()
        while (found := store.workshops.by_code(code)) is not None and found.status == "draft":
            time.sleep(WAITING_ROOM_S)
        rehearsal = Rehearsal.start(services, seat.user, seat.person.scenario, round_.difficulty, round_id=round_.id)
        seat.person.attempt_id = rehearsal.attempt.id
        converse(rehearsal, seat.person, stop=lambda: time_is_up(rehearsal))
        seat.done.set()
        while not time_is_up(rehearsal):
            time.sleep(COUNTDOWN_S)
        started = time.perf_counter()
        try:  # as the Rehearse page does when time is up
            rehearsal.end()
        except Exception as exc:  # noqa: BLE001 - the page shows it beside a retry; here it is counted
            seat.scoring_error = f"{type(exc).__name__}: {exc}"
        seat.scoring_s = time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - reported as this participant's failure
        seat.failure = f"{type(exc).__name__}: {exc}"
    finally:
        seat.joined.set()
        seat.done.set()


def _wait(events: list[threading.Event], until: Callable[[], bool], poll: float = 1.0) -> None:
    while not all(e.is_set() for e in events) and not until():
        time.sleep(poll)


def _ms(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median_ms": None, "max_ms": None}
    return {"median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_participant(seat: Seat, row: BoardRow | None, report: Any, lines: list[dict[str, str]]) -> dict[str, str]:
    """What is wrong for one participant on the board, in their report and in the CSV (empty: nothing)."""
    wrong: dict[str, str] = {}
    person = seat.person
    if row is None:
        wrong["board"] = "not on the board"
    else:
        scores = skill_scores(row.scores)
        problems = [
            f"name {row.participant!r}" if row.participant != seat.name else "",
            f"attempt {row.attempt_id} (not {person.attempt_id})" if row.attempt_id != person.attempt_id else "",
            f"state {row.state}" if row.state != "ended" else "",
            f"{row.lines} lines (said {seat.said})" if row.lines != seat.said else "",
            "no trust" if not isinstance(row.trust, int | float) else "",
            "no overall score" if OVERALL not in scores else "",
        ]
        if any(problems):
            wrong["board"] = ", ".join(p for p in problems if p)
    score = report.get("score", {}) if is_current(report) else {}
    if not score or _int(score.get("overall")) is None:
        wrong["report"] = "no current report with an overall score"
    elif seat.scoring_error:
        wrong["report"] = seat.scoring_error
    mine = [line for line in lines if line.get("participant") == seat.name]
    if len(mine) != 1:
        wrong["csv"] = f"{len(mine)} rows"
    else:
        line, expected = mine[0], skill_scores(score)
        problems = [
            f"{skill} {line.get(skill)!r} (report: {value})"
            for skill, value in expected.items()
            if _int(line.get(skill)) != value
        ]
        if OVERALL not in expected:
            problems.append("no score")
        if _int(line.get("turns")) != seat.said:
            problems.append(f"turns {line.get('turns')!r} (said {seat.said})")
        try:
            if float(line.get("duration_min") or "") < 0:
                problems.append(f"duration {line['duration_min']}")
        except ValueError:
            problems.append(f"duration {line.get('duration_min')!r}")
        if problems:
            wrong["csv"] = ", ".join(problems)
    return wrong


def play_round(
    services: Services,
    participants: int,
    turns: int,
    minutes: int,
    think: tuple[float, float],
    seed: int,
    cast: tuple[str, ...],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The round from its creation to the CSV; the figures and the checks."""
    store = services.store
    trainer = Viewer.of(store.accounts.create_user("Trainer", None, Role.trainer))
    round_ = store.workshops.create_round(
        trainer, "Load test", list(cast), DIFFICULTY, minutes, guests=True, anonymous=False
    )
    room = make_room(participants, turns, think, seed, cast)
    seats = [Seat(person, f"Guest {person.index + 1:02d}") for person in room]
    threads = [
        threading.Thread(target=participate, args=(services, seat, round_.join_code), daemon=True) for seat in seats
    ]
    for thread in threads:
        thread.start()
    _wait([seat.joined for seat in seats], lambda: False, 0.2)
    say(f"    {sum(seat.user is not None for seat in seats)} joined with code {round_.join_code}; starting the round")
    projector = Projector()
    watching = threading.Thread(target=projector.watch, args=(services, trainer, round_.id), daemon=True)
    watching.start()
    store.workshops.start(trainer, round_.id)
    started = time.perf_counter()

    def over() -> bool:
        current = store.workshops.get(round_.id)
        return current is None or time_left(current) == timedelta(0)

    _wait([seat.done for seat in seats], over)
    closed = "early: everyone said their lines" if not over() else "by the time box"
    store.workshops.end(trainer, round_.id)
    talked = time.perf_counter() - started
    say(f"    the round ended {closed} after {talked:.0f} s; scoring …")
    for thread in threads:
        thread.join()
    scored = time.perf_counter() - started - talked
    projector.stop.set()
    watching.join()

    rows = {row.user_id: row for row in store.workshops.board(trainer, round_.id)}
    titles = {sid: scenario.title for sid, scenario in services.catalog.scenarios.items()}
    lines = list(csv.DictReader(io.StringIO(board_view.round_csv(store, trainer, round_.id, titles))))
    wrong: dict[str, dict[str, str]] = {}
    for seat in seats:
        attempt = store.attempt(seat.person.attempt_id, trainer) if seat.person.attempt_id else None
        row = rows.get(seat.user.id) if seat.user else None
        found = check_participant(seat, row, attempt.report if attempt else None, lines)
        if seat.failure:
            found["failure"] = seat.failure
        if found:
            wrong[seat.name] = found
    lost, crossed = audit(services, [s.person for s in seats if s.person.attempt_id is not None])
    figures = summarise(room, lost, crossed, talked)
    failures = sum(seat.failure is not None for seat in seats)
    scoring_errors = sum(bool(seat.scoring_error) for seat in seats)
    errors = figures["errors"] + failures + scoring_errors + len(projector.errors)
    read_s = [took for took, _ in projector.reads]
    live_s = [took for took, talking in projector.reads if talking == participants]

    def nobody(kind: str) -> bool:
        return not any(kind in found for found in wrong.values())

    checks = {
        f"all {participants} participants joined, talked and were scored": failures == 0 and len(rows) == participants,
        "the board: each one ended, with the lines they said, a trust value and scores": nobody("board"),
        "each attempt has a current report with scores": nobody("report"),
        "the CSV: exactly one row each, with scores, turns and duration": nobody("csv") and len(lines) == participants,
        "no errors (replies, scoring, board reads)": errors == 0,
        "no turn lost": lost == 0,
        "no cross-talk": crossed == 0,
    }
    return {
        "participants": participants,
        "turns_per_participant": turns,
        "think_s": list(think),
        "minutes": minutes,
        "scenarios": list(cast),
        "closed": closed,
        "lines_said": sum(seat.said for seat in seats),
        "lines_scripted": participants * turns,
        "p50_ttft_s": figures["p50_ttft_s"],
        "p95_ttft_s": figures["p95_ttft_s"],
        "p95_ttft_after_first_s": figures["p95_ttft_after_first_s"],
        "p95_reply_s": figures["p95_reply_s"],
        "errors": errors,
        "reply_errors": figures["errors"],
        "scoring_errors": scoring_errors,
        "lost": lost,
        "cross_talk": crossed,
        "board": {
            "reads": len(read_s),
            **_ms(read_s),
            "reads_all_talking": len(live_s),
            **{f"all_talking_{k}": v for k, v in _ms(live_s).items()},
            "most_talking": max((talking for _, talking in projector.reads), default=0),
            "errors": projector.errors[:5],
        },
        "round_s": round(talked, 1),
        "scoring_s": round(scored, 1),
        "p95_scoring_s": _p95([seat.scoring_s for seat in seats if seat.scoring_s is not None]),
        "checks": checks,
        "passed": all(checks.values()),
        "wrong": wrong,
    }


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2)


def built_in_scenarios(services: Services) -> tuple[str, ...]:
    """The catalog's scenarios that have a participant script in benchmarks/scripts."""
    return tuple(sid for sid in services.catalog.scenarios if (SCRIPTS / f"{sid}.txt").exists())


def run(
    participants: int = 30,
    turns: int = 2,
    minutes: int = 15,
    think: tuple[float, float] = (15.0, 40.0),
    seed: int = 7,
    scenarios: tuple[str, ...] = (),
    say: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Starts the embedded model server as the app does, plays the round, stops the server."""
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        cache_mib = max(base.model_server_cache_mib, WORKSHOP_CACHE_MIB)  # a room shares one server
        update = {"llm": "embedded", "data_dir": Path(tmp), "models_dir": base.models_path}
        settings = base.model_copy(update=update | {"model_server_cache_mib": cache_mib})
        services = build_services(settings)
        server = services.model.supervisor
        try:
            say(f"Model server: {settings.model_server_slots} slots; starting it …")
            server.ensure()
            started = time.perf_counter()
            scenes = warm_scenes(services)  # as the app does when it starts
            scenes_s = round(time.perf_counter() - started, 1)
            say(f"    read {scenes} scenes ahead in {scenes_s} s")
            cast = scenarios or built_in_scenarios(services)
            say(f"A round of {participants} participants, {turns} line(s) each, a {minutes}-minute box …")
            result = play_round(services, participants, turns, minutes, think, seed, cast, say)
        finally:
            server.stop()
    return result | {"slots": settings.model_server_slots, "scenes_read_ahead_s": scenes_s}


def _seconds(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f} s"  # no line after the first with --turns 1


def report(result: dict[str, Any]) -> str:
    board = result["board"]
    n = result["participants"]
    out = [
        "",
        f"Round of {n} participants ({result['slots']} model slots), closed {result['closed']}:",
        f"  lines said           {result['lines_said']} of {result['lines_scripted']} scripted"
        f" in {result['round_s']:.0f} s; scoring took {result['scoring_s']:.0f} s"
        f" (p95 per attempt {result['p95_scoring_s']} s)",
        f"  time to first token  median {result['p50_ttft_s']:.2f} s, p95 {result['p95_ttft_s']:.2f} s"
        f" (after line 1: p95 {_seconds(result['p95_ttft_after_first_s'])});"
        f" p95 full reply {result['p95_reply_s']:.2f} s",
        f"  board read           median {board['median_ms']} ms, max {board['max_ms']} ms over {board['reads']} reads;"
        f" with all {n} talking: median {board['all_talking_median_ms']} ms,"
        f" max {board['all_talking_max_ms']} ms ({board['reads_all_talking']} reads)",
        f"  errors {result['errors']}, lost turns {result['lost']}, cross-talk {result['cross_talk']}",
    ]
    out += [f"  [{'PASS' if ok else 'FAIL'}] {name}" for name, ok in result["checks"].items()]
    out += [f"    {who}: {json.dumps(found)}" for who, found in list(result["wrong"].items())[:10]]
    return "\n".join(out)


def main(
    participants: Annotated[int, typer.Option(help="People in the round")] = 30,
    turns: Annotated[int, typer.Option(help="Lines each participant sends")] = 2,
    minutes: Annotated[int, typer.Option(help="The time box in minutes (ends early once all have talked)")] = 15,
    think: Annotated[str, typer.Option(help="Think time range in seconds, MIN,MAX")] = "15,40",
    seed: Annotated[int, typer.Option(help="Seed of the think times")] = 7,
    scenarios: Annotated[
        str, typer.Option(help="The round's scenarios, taken in turn; default: every built-in one with a script")
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a report")] = False,
) -> None:
    """Run a workshop round of simulated participants on the model server; check the board, scores and CSV."""
    low, high = (float(x) for x in think.split(","))
    cast = tuple(name.strip() for name in scenarios.split(",") if name.strip())
    say = (lambda message: None) if as_json else (lambda message: print(message, flush=True))
    result = run(participants, turns, minutes, (low, high), seed, cast, say)
    print(json.dumps(result) if as_json else report(result))
    if not result["passed"]:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
