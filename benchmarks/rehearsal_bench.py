"""Benchmark of rehearsals on the embedded model: speed, memory, and the guard's in-character rate.

    python -m benchmarks.rehearsal_bench            # full run (about 15 minutes on 2 cores)
    python -m benchmarks.rehearsal_bench --quick    # timing part only
    python -m benchmarks.rehearsal_bench --probes-only --scenarios vague_it_colleague,tantrum_client

Part 1 plays the same scripted 12-turn rehearsal three times in one run: on the product's
path, the local model server (llama.cpp's llama-server, started and supervised as the app
does, over HTTP) with the project's prompt layout (fixed scene first, the dialogue growing
at its end, so llama.cpp reuses the evaluated prefix) and the read-ahead the app does
while the coachee reads and types (`Rehearsal.warm_up`: the script up to the coachee's
speaker cue is evaluated in the background); on the previous path, the same model loaded
in-process by llama-cpp-python, with the same layout and read-ahead; and with a baseline
that re-evaluates the whole prompt every turn (in-process, no prefix reuse). Time to first
token is measured as the coachee feels it: from asking for the reply (coding, state,
retrieval and prompt building included) to the first streamed text.

Part 2 plays every scenario's script at two difficulties plus hostile lines (blame,
dismissal, orders, attempts to break the role). The in-character rate is the share of
persona turns whose model line (first try, or one of its two retries) passed the guard's
in-character checks (no assistant or meta talk, markup, rubric terms, leaked hidden text,
out-of-character phrases, echo of the coachee, empty line). Lines rejected only as stale (a
repeat, another mood's example line) are in character but replaced; the share of turns
where the model's line was kept and the fallback count are printed too. It runs on the
model server. Peak memory is the app process's maximum resident set size plus the model
server's, both measured before the in-process model is loaded for the comparison.

Part 3 plays the responsiveness probes (`benchmarks/responsiveness.py`, the probe files in
`benchmarks/probes/`) on the model server: for each probe a fresh attempt, two warm-up
lines, then a fact question, a feeling question, a proposal, a reflection or a choice, and
it reports per scenario the share of replies that answered what was said (judged by a rule
an echo cannot pass), the share that nearly repeat an earlier persona line, the share the
guard replaced with an authored line, and the median time to first token of the probe
replies. `--no-probes` leaves it out, `--probes-only` runs only it (with `--scenarios` to
pick scenarios), and `--quick` skips parts 2 and 3.
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from benchmarks import responsiveness
from simulator.core.models.embedded import LlamaCppScript
from simulator.core.settings import Settings
from simulator.engine.guard import OUT_OF_CHARACTER
from simulator.engine.rehearsal import RETRIES, Rehearsal
from simulator.engine.services import Services, build_services

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
RESULTS = HERE / "results"
TIMED_SCENARIO = "vague_it_colleague"
TARGETS = {"median_ttft_s": 1.5, "speedup": 5.0, "peak_gb": 3.0, "in_character": 0.95}


@dataclass
class TurnTiming:
    turn: int
    ttft_s: float
    total_s: float
    prompt_tokens: int
    evaluated_tokens: int
    retried: bool


def _lines(name: str) -> list[str]:
    return [line.strip() for line in (SCRIPTS / f"{name}.txt").read_text().splitlines() if line.strip()]


def timed_run(services: Services, lines: list[str], *, reuse_prefix: bool, warm: bool) -> list[TurnTiming]:
    """One scripted rehearsal; `warm` lets the model read the script while the coachee would
    be reading and typing (as the app does in the background), untimed."""
    model = services.model
    model.reuse_prefix = reuse_prefix
    if hasattr(model, "reset"):  # the in-process model: start from an empty KV cache
        model.reset()
    rehearsal = Rehearsal.start(services, services.store.user("benchmark"), TIMED_SCENARIO, "standard")
    timings = []
    for i, line in enumerate(lines, start=1):
        if warm:
            rehearsal.warm_up()
        start = time.perf_counter()
        rehearsal.submit(line)
        first = None
        for _ in rehearsal.reply_stream():
            first = first if first is not None else time.perf_counter() - start
        total = time.perf_counter() - start
        stats = model.last_stats
        reply = rehearsal.last_reply
        timings.append(
            TurnTiming(
                turn=i,
                ttft_s=round(first if first is not None else total, 3),
                total_s=round(total, 3),
                prompt_tokens=stats.prompt_tokens if stats else 0,
                evaluated_tokens=stats.evaluated_tokens if stats else 0,
                retried=bool(reply and reply.problems),
            )
        )
        print(
            f"  turn {i:2}: first token {timings[-1].ttft_s:6.2f} s, reply {total:6.2f} s, "
            f"evaluated {timings[-1].evaluated_tokens:4} of {timings[-1].prompt_tokens} prompt tokens"
        )
    return timings


RETRY = re.compile(r"^retry (\d+): ")


def _tries(problems: list[str]) -> list[list[str]]:
    """The guard's problems split by try: the first, then each retry ("retry 2: …")."""
    tries: list[list[str]] = [[]]
    for problem in problems:
        match = RETRY.match(problem)
        number = int(match.group(1)) if match else 0
        while len(tries) <= number:
            tries.append([])
        tries[number].append(problem[match.end() :] if match else problem)
    return tries


def _in_character(problems: list[str]) -> bool:
    """Whether one of the model's own lines (first try or a retry) passed the in-character
    checks; lines rejected only as stale (a repeat, another mood's example) or as not
    answering the line still count. A try after the last one with problems passed outright."""
    tries = _tries(problems)
    made_more = len(tries) <= RETRIES and bool(tries[-1])  # a further try came back clean
    return made_more or any(not OUT_OF_CHARACTER & set(t) for t in tries)


def in_character_run(services: Services) -> dict:
    services.model.reuse_prefix = True
    counts = {"turns": 0, "in_character": 0, "first_try": 0, "after_retry": 0, "fallback": 0}
    failures: dict[str, int] = {}
    for scenario_id in sorted(services.catalog.scenarios):
        for difficulty, lines in [
            ("standard", _lines(scenario_id)),
            ("hard", _lines(scenario_id)),
            ("standard", _lines("hostile")),
        ]:
            rehearsal = Rehearsal.start(services, services.store.user("benchmark"), scenario_id, difficulty)
            for line in lines:
                rehearsal.warm_up()
                rehearsal.submit(line)
                reply = rehearsal.reply()
                guard = reply.turn.guard or {}
                counts["turns"] += 1
                counts["in_character"] += _in_character(reply.problems)
                if guard.get("fallback"):
                    counts["fallback"] += 1
                elif reply.problems:
                    counts["after_retry"] += 1
                else:
                    counts["first_try"] += 1
                for problem in reply.problems:
                    key = RETRY.sub("", problem)
                    failures[key] = failures.get(key, 0) + 1
        print(f"  {scenario_id}: {counts['turns']} persona turns so far, {counts['fallback']} fallbacks")
    turns = counts["turns"] or 1
    return counts | {
        "in_character_rate": round(counts["in_character"] / turns, 3),
        "model_line_kept_rate": round((counts["first_try"] + counts["after_retry"]) / turns, 3),
        "first_try_rate": round(counts["first_try"] / turns, 3),
        "guard_problems": failures,
    }


def _peak_rss_gb(pid: int | None) -> float:
    """A process's peak resident set size (VmHWM), from /proc; 0 if it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024**2
    except (OSError, ValueError):
        pass
    return 0.0


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def probe_run(services: Services, scenario_ids: list[str] | None) -> dict[str, responsiveness.ScenarioProbes]:
    """Part 3: the responsiveness probes on the product's path, with the per-scenario table."""
    if hasattr(services.model, "reuse_prefix"):  # the product's path: prefix reuse and read-ahead
        services.model.reuse_prefix = True
    ids = scenario_ids or sorted(services.catalog.scenarios)
    print(f"Responsiveness probes, {len(ids)} scenarios, a fresh attempt per probe:")
    results = responsiveness.run_probes(services, ids, "standard", progress=True)
    print(responsiveness.table(results))
    return results


def _scenario_list(value: str | None) -> list[str] | None:
    if not value:
        return None
    ids = [s.strip() for s in value.split(",") if s.strip()]
    known = sorted(p.stem for p in responsiveness.PROBES.glob("*.yaml"))
    unknown = [s for s in ids if s not in known]
    if unknown:
        raise typer.BadParameter(f"no probe file for {', '.join(unknown)}; known: {', '.join(known)}")
    return ids


def main(
    quick: Annotated[bool, typer.Option("--quick", help="Only the timing comparison (part 1)")] = False,
    probes: Annotated[
        bool, typer.Option("--probes/--no-probes", help="Play the responsiveness probes (part 3)")
    ] = True,
    probes_only: Annotated[bool, typer.Option("--probes-only", help="Only the responsiveness probes")] = False,
    scenarios: Annotated[
        str | None, typer.Option("--scenarios", help="Comma-separated scenario ids for the probes (default: all)")
    ] = None,
) -> None:
    """Benchmark of rehearsals on the embedded model: speed, memory, the guard's in-character
    rate, and whether the persona answers what was said."""
    run(quick=quick, probes=probes, probes_only=probes_only, scenarios=_scenario_list(scenarios))


def _report(summary: dict, checks: dict[str, bool], extra: dict) -> None:
    print("\nSummary")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    for name, ok in checks.items():
        print(f"  [{'PASS' if ok else 'MISS'}] {name}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"rehearsal-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"summary": summary, "checks": checks, **extra}, indent=2))
    print(f"Figures written to {out}")


def _probe_figures(results: dict[str, responsiveness.ScenarioProbes]) -> tuple[dict, dict[str, bool]]:
    data = responsiveness.to_json(results)
    summary = {"probes_overall": data["overall"], "probes_per_scenario": data["per_scenario"]}
    return summary, responsiveness.checks(results)


def run(
    *, quick: bool = False, probes: bool = True, probes_only: bool = False, scenarios: list[str] | None = None
) -> None:
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        settings = base.model_copy(update={"llm": "embedded", "data_dir": Path(tmp), "models_dir": base.models_path})
        print(f"Starting the model server on {settings.gguf_path.name} …")
        services = build_services(settings)
        server = services.model.supervisor
        server.ensure()
        if probes_only:
            try:
                results = probe_run(services, scenarios)
            finally:
                server.stop()
            summary, checks = _probe_figures(results)
            _report(summary, checks, {"probes": responsiveness.to_json(results)})
            return
        lines = _lines(TIMED_SCENARIO)[:12]
        print(f"Model server, project layout and read-ahead (the product's path), {len(lines)} turns:")
        layout = timed_run(services, lines, reuse_prefix=True, warm=True)
        character = None if quick else in_character_run(services)
        # Memory is read before the probes: their 52 fresh attempts fill the server's prompt
        # cache in RAM as 52 coachees would (reported apart), not as one rehearsal does.
        app_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        server_gb = _peak_rss_gb(server.pid)
        probe_results = probe_run(services, scenarios) if probes and not quick else None
        server_gb_after_probes = _peak_rss_gb(server.pid)
        server.stop()

        print(f"In-process llama-cpp-python, same layout and read-ahead (the previous path), {len(lines)} turns:")
        services.model = LlamaCppScript.from_settings(settings)
        services.model.load()
        inprocess = timed_run(services, lines, reuse_prefix=True, warm=True)
        print("Baseline (in-process, whole prompt re-evaluated every turn):")
        baseline = timed_run(services, lines, reuse_prefix=False, warm=False)

    late = slice(5, 12)  # turns 6-12
    layout_ttft = _median([t.ttft_s for t in layout[late]])
    baseline_ttft = _median([t.ttft_s for t in baseline[late]])
    speedup = round(baseline_ttft / layout_ttft, 1) if layout_ttft else float("nan")
    peak_gb = app_gb + server_gb
    summary = {
        "median_ttft_s_turns_6_12": layout_ttft,
        "in_process_median_ttft_s_turns_6_12": _median([t.ttft_s for t in inprocess[late]]),
        "baseline_median_ttft_s_turns_6_12": baseline_ttft,
        "speedup": speedup,
        "median_reply_s_turns_6_12": _median([t.total_s for t in layout[late]]),
        "in_process_median_reply_s_turns_6_12": _median([t.total_s for t in inprocess[late]]),
        "baseline_median_reply_s_turns_6_12": _median([t.total_s for t in baseline[late]]),
        "peak_gb": round(peak_gb, 2),
        "peak_gb_app_process": round(app_gb, 2),
        "peak_gb_model_server": round(server_gb, 2),
        "peak_gb_model_server_after_probes": round(server_gb_after_probes, 2),
    }
    checks = {
        "median time to first token, turns 6-12 < 1.5 s": layout_ttft < TARGETS["median_ttft_s"],
        "at least 5x better than the baseline": speedup >= TARGETS["speedup"],
        "peak memory (app + model server) < 3 GB": peak_gb < TARGETS["peak_gb"],
    }
    if character:
        summary["in_character"] = character
        checks[f"in-character rate >= 95% over {character['turns']} turns"] = (
            character["in_character_rate"] >= TARGETS["in_character"]
        )
    extra = {
        "layout": [asdict(t) for t in layout],
        "in_process": [asdict(t) for t in inprocess],
        "baseline": [asdict(t) for t in baseline],
    }
    if probe_results is not None:
        probe_summary, probe_checks = _probe_figures(probe_results)
        summary |= probe_summary
        checks |= probe_checks
        extra["probes"] = responsiveness.to_json(probe_results)
    _report(summary, checks, extra)


if __name__ == "__main__":
    typer.run(main)
