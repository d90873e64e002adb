"""Rehearsing in a terminal: interactive, or played from a script of coachee lines."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import typer

from evals.scoring.report import DIMENSION_TITLES, NOTHING_LOST, Report, nothing_lost
from simulator.core.catalog import Catalog
from simulator.core.settings import Settings
from simulator.engine.debrief import ScoringFailed
from simulator.engine.rehearsal import MessageError, ModelUnavailable, Rehearsal, validate_message
from simulator.engine.transcript_export import to_jsonl

END_COMMANDS = {"/end", "/quit", "/exit"}
RESTART_WAITS_S = (2.0, 4.0, 8.0, 15.0, 30.0)  # about a minute: a restart takes seconds


def read_script(path: Path) -> list[str]:
    """The coachee lines of a script file, every one checked before anything is sent."""
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        typer.secho(f"{path}: cannot read the script: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from exc
    lines, problems = [], []
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            lines.append(validate_message(line))
        except MessageError as exc:
            problems.append(f"{path}:{number}: {exc}")
    if problems or not lines:
        for problem in problems or [f"{path}: no coachee lines in the script"]:
            typer.secho(problem, fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    return lines


def _say(rehearsal: Rehearsal, show_state: bool) -> None:
    name = rehearsal.persona.name
    typer.secho(f"{name}: ", fg=typer.colors.CYAN, nl=False)
    streamed = ""
    for delta in rehearsal.reply_stream():
        streamed += delta
        typer.echo(delta, nl=False)
    reply = rehearsal.last_reply
    typer.echo("")
    if reply and reply.replaced:
        typer.secho(f"{name}: {reply.turn.text}", fg=typer.colors.CYAN)
    if show_state and reply:
        state = reply.turn.state or {}
        typer.secho(
            f"   [{reply.turn.move}: trust {state.get('trust')}, frustration {state.get('frustration')}]",
            fg=typer.colors.BRIGHT_BLACK,
        )


def _answer(rehearsal: Rehearsal, show_state: bool, waits: tuple[float, ...] = RESTART_WAITS_S) -> None:
    """The persona's reply; while the model server restarts, says so and tries again (the
    coachee's line is already saved). Any other failure, or one that outlasts the waits,
    is raised for the caller to report."""
    for wait in (*waits, None):
        try:
            _say(rehearsal, show_state)
            return
        except ModelUnavailable as exc:
            if not exc.restarting or wait is None:
                raise
            typer.echo("")
            typer.secho(
                f"The model is restarting. Your line is saved; trying again in {wait:g} s…",
                fg=typer.colors.YELLOW,
                err=True,
            )
            time.sleep(wait)


def _briefing(rehearsal: Rehearsal) -> None:
    b = rehearsal.scenario.briefing
    typer.secho(rehearsal.scenario.title, bold=True)
    typer.echo(f"You are {b.coachee_role}.\n{b.situation}\nYour goal: {b.your_goal}")
    typer.echo("Type your lines; /end finishes.\n")


def run(
    settings: Settings,
    catalog: Catalog,
    scenario_id: str,
    difficulty: str | None,
    user_name: str,
    *,
    lines: list[str] | None = None,
    out: Path | None = None,
    show_state: bool = False,
) -> int:
    from simulator.engine.services import build_services

    typer.secho("Loading the model and the scenario notes…", fg=typer.colors.BRIGHT_BLACK, err=True)
    services = build_services(settings, catalog=catalog)
    user = services.store.user(user_name)
    rehearsal = Rehearsal.start(services, user, scenario_id, difficulty)
    if lines is None:
        threading.Thread(target=rehearsal.warm_up, daemon=True).start()  # while the coachee reads
        _briefing(rehearsal)
    typer.secho(f"{rehearsal.persona.name}: {rehearsal.scenario.opening}", fg=typer.colors.CYAN)
    code = 0
    try:
        for line in lines if lines is not None else _prompt_lines():
            try:
                rehearsal.submit(line)
            except MessageError as exc:
                typer.secho(str(exc), fg=typer.colors.YELLOW, err=True)
                continue
            if lines is not None:
                typer.echo(f"{rehearsal.scenario.briefing.coachee_name}: {line}")
            _answer(rehearsal, show_state)
    except ModelUnavailable as exc:
        typer.secho(f"{exc}\nYour lines are saved (attempt {rehearsal.attempt.id}).", fg=typer.colors.RED, err=True)
        code = 1
    try:
        report = rehearsal.end()
    except ScoringFailed as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        report, code = None, 1
    if report is not None:
        _print_report(report)
    if out:
        out.write_text(to_jsonl(scenario_id, rehearsal.turns()), encoding="utf-8")
        typer.secho(f"Transcript written to {out}", fg=typer.colors.GREEN, err=True)
    return code


def _print_report(report: Report) -> None:
    typer.secho(f"\n{report.headline}", bold=True, err=True)
    for name, dim in report.score.dimensions.items():
        typer.echo(f"  {DIMENSION_TITLES[name]:<15} {dim.score:>3}/100  {dim.summary}", err=True)
    if nothing_lost(report):
        typer.echo(f"  {NOTHING_LOST}", err=True)
    for moment in report.weakest:
        typer.echo(f"  Turn {moment.turn}: {moment.why}.\n    Try: {moment.better}", err=True)


def _prompt_lines():
    while True:
        try:
            line = input("You: ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line.strip().lower() in END_COMMANDS:
            return
        yield line
