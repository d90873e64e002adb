"""A workshop round's debrief: what the room's conversations say once they are scored.

- the behaviour codes that went with high and with low scores (how often each code appears
  per coachee line in the attempts in the top half of the room by overall score, against the
  bottom half);
- the coachee lines after which the persona's trust rose or fell most, across the room;
- example lines from the reports' weakest moments, side by side with the better line each
  report suggested;
- the distribution of the scores per skill (for the take-away; the board draws it live);
- beside an earlier round, when the trainer compares (the sums are `compare` in
  simulator/engine/debrief.py): participants, median and range per skill, the change in
  median, the codes whose share of coachee lines changed most.

The sums are pure functions of `Take`s (how the debrief labels the participant, the saved
report dict, the attempt's turns), so they are tested without a database; `debrief_markdown`
and `debrief_pdf` make the take-away, `show` draws the debrief on the rounds page.

A participant's lines go under their name only if they agreed to it on the join page
(`BoardRow.speaker`); otherwise under "Participant 3", even where the board shows names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app_pages.formatting import label, quote
from simulator.engine.debrief import (
    OVERALL,
    SKILL_TITLES,
    Comparison,
    RoundSide,
    SkillChange,
    Spread,
    code_shares,
    skill_scores,
    spreads,
)

TOP = 3  # trust swings shown each way; example lines shown before the trainer picks
CODES_SHOWN = 5  # codes shown each way
EARLIER, LATER, CHANGE = "Earlier round", "This round", "Change in median"


@dataclass(frozen=True)
class Take:
    """One participant's attempt in the round."""

    participant: str  # their name if they agreed to it, else "Participant 3"
    report: Mapping[str, Any] = field(default_factory=dict)  # the saved report ({} before it is scored)
    turns: Sequence[Any] = ()  # Turn rows (idx, role, text, codes, state) in order
    attempt_id: int | None = None


@dataclass(frozen=True)
class CodeBand:
    code: str
    high: float  # per coachee line, in the top half of the room
    low: float  # per coachee line, in the bottom half

    @property
    def difference(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class Swing:
    participant: str
    turn: int
    text: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Example:
    participant: str
    turn: int
    text: str
    better: str
    attempt_id: int | None = None


# ---- the sums ---------------------------------------------------------------------------------
def _field(turn: Any, name: str) -> Any:
    return turn.get(name) if isinstance(turn, Mapping) else getattr(turn, name, None)


def _trust(turn: Any) -> float | None:
    state = _field(turn, "state")
    value = state.get("trust") if isinstance(state, Mapping) else None
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def overall(take: Take) -> int | None:
    score = take.report.get("score") if isinstance(take.report, Mapping) else None
    return skill_scores(score or {}).get(OVERALL)


def halves(takes: Iterable[Take]) -> tuple[list[Take], list[Take]]:
    """The scored takes in the top and bottom half by overall score; the middle one of an odd
    number is in neither, and nothing is split with fewer than two scored takes."""
    scored = sorted((t for t in takes if overall(t) is not None), key=lambda t: overall(t) or 0, reverse=True)
    half = len(scored) // 2
    return scored[:half], scored[len(scored) - half :] if half else []


def coachee_codes(takes: Iterable[Take]) -> list[list[str]]:
    """The codes of every coachee line in the takes."""
    return [list(_field(t, "codes") or []) for take in takes for t in take.turns if _field(t, "role") == "coachee"]


def _code_rates(takes: Iterable[Take]) -> dict[str, float]:
    return code_shares(coachee_codes(takes))


def codes_by_band(takes: Iterable[Take]) -> list[CodeBand]:
    """Each behaviour code's rate per coachee line in the top half against the bottom half,
    the codes that went most with high scores first and those that went with low scores last."""
    top, bottom = halves(takes)
    if not top:
        return []
    high, low = _code_rates(top), _code_rates(bottom)
    bands = [CodeBand(code, high.get(code, 0.0), low.get(code, 0.0)) for code in high.keys() | low.keys()]
    return sorted(bands, key=lambda b: (-b.difference, b.code))


def split_codes(bands: Sequence[CodeBand], limit: int = CODES_SHOWN) -> tuple[list[CodeBand], list[CodeBand]]:
    """The codes that went with high scores (most first) and with low scores (most first)."""
    high = [b for b in bands if b.difference > 0][:limit]
    low = sorted((b for b in bands if b.difference < 0), key=lambda b: (b.difference, b.code))[:limit]
    return high, low


def swings(takes: Iterable[Take]) -> list[Swing]:
    """Every coachee line with the persona's trust before it (its latest reply) and after it
    (its next reply); lines with no trust on either side are left out."""
    out = []
    for take in takes:
        before: float | None = None
        pending: Any = None  # the coachee line waiting for the persona's reply
        for turn in sorted(take.turns, key=lambda t: _field(t, "idx") or 0):
            role = _field(turn, "role")
            if role == "coachee":
                pending = (turn, before)
            elif role == "persona":
                trust = _trust(turn)
                if pending is not None and pending[1] is not None and trust is not None:
                    line = pending[0]
                    out.append(
                        Swing(
                            take.participant,
                            int(_field(line, "idx") or 0),
                            _field(line, "text") or "",
                            pending[1],
                            trust,
                        )
                    )
                pending = None
                if trust is not None:
                    before = trust
    return out


def trust_swings(takes: Iterable[Take], top: int = TOP) -> tuple[list[Swing], list[Swing]]:
    """The lines after which trust rose most and fell most across the room (`top` each)."""
    found = swings(takes)
    rises = sorted((s for s in found if s.change > 0), key=lambda s: -s.change)[:top]
    falls = sorted((s for s in found if s.change < 0), key=lambda s: s.change)[:top]
    return rises, falls


def examples(takes: Iterable[Take]) -> list[Example]:
    """From each report's weakest moments, the coachee's line and the better line it suggested
    (a moment that names no turn is left out: a pick of it could not be found again)."""
    out = []
    for take in takes:
        weakest = take.report.get("weakest") if isinstance(take.report, Mapping) else None
        for moment in weakest if isinstance(weakest, list) else []:
            if not isinstance(moment, Mapping):
                continue
            text, better, turn = moment.get("text"), moment.get("better"), moment.get("turn")
            if not isinstance(turn, int) or not isinstance(text, str) or not isinstance(better, str):
                continue
            if text.strip() and better.strip():
                out.append(Example(take.participant, turn, text, better, take.attempt_id))
    return out


def picked_examples(found: Sequence[Example], picks: Sequence[Mapping[str, Any]] | None) -> list[int]:
    """The positions in `found` of the lines the trainer picked (saved as attempt id and turn);
    before any pick, the first few."""
    if picks is None:
        return list(range(min(TOP, len(found))))
    saved = [(p.get("attempt_id"), p.get("turn_idx")) for p in picks if isinstance(p, Mapping)]
    return [i for i, e in enumerate(found) if (e.attempt_id, e.turn) in saved]


def round_side(name: str, participants: int, takes: Iterable[Take]) -> RoundSide:
    """What the comparison with another round needs of this one's takes."""
    takes = list(takes)
    scores = [t.report["score"] for t in takes if overall(t) is not None]
    return RoundSide(name, participants, scores, coachee_codes(takes))


def distribution(takes: Iterable[Take]) -> list[dict[str, Any]]:
    """Per skill: how many were scored, the lowest, median and highest score."""
    scores = [(t.report.get("score") if isinstance(t.report, Mapping) else None) or {} for t in takes]
    return [
        {
            "Skill": SKILL_TITLES[skill],
            "Scored": spread.scored,
            "Lowest": spread.lowest,
            "Median": spread.median,
            "Highest": spread.highest,
        }
        for skill, spread in spreads(scores).items()
    ]


def _spread(spread: Spread | None) -> str:
    if spread is None:
        return "–"
    return f"{_num(spread.median)} ({spread.lowest}–{spread.highest}, {spread.scored} scored)"


def _change(skill: SkillChange) -> str:
    change = skill.change
    return "" if change is None else f"{change:+.0f}" if float(change).is_integer() else f"{change:+.1f}"


def comparison_rows(comparison: Comparison) -> list[dict[str, str]]:
    """The two rounds side by side: participants, then each skill's median (range, how many
    scored) and the change in median."""
    before, after = comparison.before, comparison.after
    rows = [{"": "Participants", EARLIER: str(before.participants), LATER: str(after.participants), CHANGE: ""}]
    for skill in comparison.skills:
        rows.append(
            {
                "": SKILL_TITLES[skill.skill],
                EARLIER: _spread(skill.before),
                LATER: _spread(skill.after),
                CHANGE: _change(skill),
            }
        )
    return rows


def _share(value: float) -> str:
    return f"{value:.0%}"


def shift_lines(comparison: Comparison, arrow: str = "→") -> list[str]:
    """The codes whose share of coachee lines changed most, as `Open question: 20% → 45% (+25 points)`."""
    return [
        f"{label(c.code)}: {_share(c.before)} {arrow} {_share(c.after)} ({c.change * 100:+.0f} points)"
        for c in comparison.codes
    ]


# ---- the take-away ----------------------------------------------------------------------------
def _md(text: str) -> str:
    """Dialogue in Markdown as typed: specials (HTML included) escaped, on one line."""
    out = " ".join(str(text).split())
    for ch in "\\`*_[]<>#|!":
        out = out.replace(ch, "\\" + ch)
    return out


def _rate(value: float) -> str:
    return f"{value:.2f}"


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _comparison_markdown(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
    lines = ["## Against an earlier round", ""]
    lines += [f"{EARLIER}: {_md(before.name)}. {LATER}: {_md(after.name)}. Median (range, how many scored).", ""]
    lines += [f"|  | {EARLIER} | {LATER} | {CHANGE} |", "|---|---|---|---|"]
    lines += [f"| {r['']} | {r[EARLIER]} | {r[LATER]} | {r[CHANGE]} |" for r in comparison_rows(comparison)]
    lines += ["", "**Codes whose share of coachee lines changed most**", ""]
    lines += [f"- {_md(line)}" for line in shift_lines(comparison)] or ["- none"]
    return [*lines, ""]


def debrief_markdown(
    round_name: str,
    takes: Sequence[Take],
    picked: Sequence[Example] | None = None,
    comparison: Comparison | None = None,
) -> str:
    """The debrief as Markdown; `picked` are the example lines to show (all of them when None),
    `comparison` the round beside an earlier one."""
    lines = [f"# Debrief: {_md(round_name)}", ""]
    scored = [t for t in takes if overall(t) is not None]
    lines += [f"{len(scored)} scored conversation{'' if len(scored) == 1 else 's'}.", ""]
    if dist := distribution(takes):
        lines += ["## Scores per skill", "", "| Skill | Scored | Lowest | Median | Highest |", "|---|---|---|---|---|"]
        lines += [
            f"| {d['Skill']} | {d['Scored']} | {d['Lowest']} | {_num(d['Median'])} | {d['Highest']} |" for d in dist
        ]
        lines.append("")
    high, low = split_codes(codes_by_band(takes))
    lines += ["## Behaviour codes and scores", ""]
    if high or low:
        lines += ["Uses per coachee line in the top and bottom half of the room by overall score.", ""]
        for title, group in (("Went with high scores", high), ("Went with low scores", low)):
            lines += [f"**{title}**", ""]
            lines += [f"- {_md(label(b.code))}: {_rate(b.high)} vs {_rate(b.low)}" for b in group] or ["- none"]
            lines.append("")
    else:
        lines += ["Too few scored conversations to compare.", ""]
    rises, falls = trust_swings(takes)
    lines += ["## Where trust moved most", ""]
    for title, group in (("Trust rose", rises), ("Trust fell", falls)):
        lines += [f"**{title}**", ""]
        lines += [
            f"- {_md(s.participant)}, turn {s.turn}: “{_md(s.text)}” ({_num(s.before)} → {_num(s.after)}, "
            f"{s.change:+.0f})"
            for s in group
        ] or ["- none"]
        lines.append("")
    chosen = examples(takes) if picked is None else list(picked)
    lines += ["## Lines to try again", ""]
    for e in chosen:
        where = f", turn {e.turn}" if e.turn is not None else ""
        lines += [f"**{_md(e.participant)}{where}**: “{_md(e.text)}”  ", f"Try instead: *“{_md(e.better)}”*", ""]
    if not chosen:
        lines += ["No example lines picked.", ""]
    if comparison is not None:
        lines += _comparison_markdown(comparison)
    return "\n".join(lines)


def debrief_pdf(
    round_name: str,
    takes: Sequence[Take],
    picked: Sequence[Example] | None = None,
    comparison: Comparison | None = None,
) -> bytes:
    """The same debrief as a PDF (fpdf2, through the report export's Unicode-or-Latin-1 layer)."""
    from evals.scoring.report_export import _Pdf

    doc = _Pdf()
    doc.heading(f"Debrief: {round_name}", 16)
    scored = [t for t in takes if overall(t) is not None]
    doc.para(f"{len(scored)} scored conversation{'' if len(scored) == 1 else 's'}.")
    if dist := distribution(takes):
        doc.heading("Scores per skill", 12)
        for d in dist:
            doc.para(
                f"{d['Skill']}: {d['Scored']} scored, lowest {d['Lowest']}, median {_num(d['Median'])}, "
                f"highest {d['Highest']}",
                10,
            )
    high, low = split_codes(codes_by_band(takes))
    doc.heading("Behaviour codes and scores", 12)
    if high or low:
        doc.para("Uses per coachee line in the top and bottom half of the room by overall score.", 9)
        for title, group in (("Went with high scores", high), ("Went with low scores", low)):
            doc.para(title, 10, bold=True)
            for b in group or []:
                doc.para(f"• {label(b.code)}: {_rate(b.high)} vs {_rate(b.low)}", 9)
            if not group:
                doc.para("• none", 9)
    else:
        doc.para("Too few scored conversations to compare.", 9)
    rises, falls = trust_swings(takes)
    doc.heading("Where trust moved most", 12)
    for title, group in (("Trust rose", rises), ("Trust fell", falls)):
        doc.para(title, 10, bold=True)
        for s in group:
            doc.para(
                f"• {s.participant}, turn {s.turn}: “{s.text}” ({_num(s.before)} to {_num(s.after)}, {s.change:+.0f})",
                9,
            )
        if not group:
            doc.para("• none", 9)
    chosen = examples(takes) if picked is None else list(picked)
    doc.heading("Lines to try again", 12)
    for e in chosen:
        where = f", turn {e.turn}" if e.turn is not None else ""
        doc.para(f"{e.participant}{where}: “{e.text}”", 10, bold=True)
        doc.para(f"Try instead: “{e.better}”", 10)
    if not chosen:
        doc.para("No example lines picked.", 9)
    if comparison is not None:
        doc.heading("Against an earlier round", 12)
        doc.para(f"{EARLIER}: {comparison.before.name}. {LATER}: {comparison.after.name}.", 9)
        for r in comparison_rows(comparison):
            change = f", {r[CHANGE]}" if r[CHANGE] else ""
            doc.para(f"{r['']}: {r[EARLIER]} to {r[LATER]}{change}", 10)
        doc.para("Codes whose share of coachee lines changed most", 10, bold=True)
        for line in shift_lines(comparison, "to") or ["none"]:
            doc.para(f"• {line}", 9)
    return doc.output()


# ---- drawing ----------------------------------------------------------------------------------
def show(
    round_name: str,
    takes: Sequence[Take],
    file_stem: str,
    key: str = "debrief",
    *,
    picks: Sequence[Mapping[str, Any]] | None = None,
    save_picks: Callable[[list[tuple[int, int]]], None] | None = None,
    comparison: Comparison | None = None,
) -> None:
    """The codes by score band, the trust swings, the example lines the trainer picks (`picks`
    as saved with the round; a change goes to `save_picks`), the round beside an earlier one,
    and the debrief as Markdown and PDF (made on the click)."""
    import streamlit as st

    show_codes(takes)
    show_swings(takes)
    picked = pick_lines(takes, key, picks, save_picks)
    if comparison is not None:
        show_comparison(comparison)
    with st.container(horizontal=True):
        st.download_button(
            "Debrief (Markdown)",
            data=lambda: debrief_markdown(round_name, takes, picked, comparison),
            file_name=f"{file_stem}-debrief.md",
            mime="text/markdown",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_md",
        )
        st.download_button(
            "Debrief (PDF)",
            data=lambda: debrief_pdf(round_name, takes, picked, comparison),
            file_name=f"{file_stem}-debrief.pdf",
            mime="application/pdf",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_pdf",
        )


def show_codes(takes: Sequence[Take]) -> None:
    import pandas as pd
    import streamlit as st

    high, low = split_codes(codes_by_band(takes))
    st.markdown("**Behaviour codes and scores**")
    if not (high or low):
        st.caption("Too few scored conversations to compare: at least two are needed.")
        return
    st.caption("Uses per coachee line in the top half of the room by overall score, against the bottom half.")
    for column, title, group in zip(
        st.columns(2), ("Went with high scores", "Went with low scores"), (high, low), strict=True
    ):
        column.markdown(f"*{title}*")
        frame = pd.DataFrame(
            [{"Code": label(b.code), "Top half": round(b.high, 2), "Bottom half": round(b.low, 2)} for b in group]
        )
        if group:
            column.dataframe(frame, hide_index=True, width="stretch")
        else:
            column.caption("None.")


def show_swings(takes: Sequence[Take]) -> None:
    import streamlit as st

    rises, falls = trust_swings(takes)
    st.markdown("**Where the persona's trust moved most**")
    for column, title, group in zip(st.columns(2), ("Trust rose", "Trust fell"), (rises, falls), strict=True):
        column.markdown(f"*{title}*")
        for s in group:
            column.markdown(f"{quote(s.participant)}, turn {s.turn}: “{quote(s.text)}” ({s.change:+.0f})")
        if not group:
            column.caption("None.")


def pick_lines(
    takes: Sequence[Take],
    key: str,
    picks: Sequence[Mapping[str, Any]] | None,
    save_picks: Callable[[list[tuple[int, int]]], None] | None,
) -> list[Example]:
    """The example lines beside the better ones, as the trainer picks them; a change of pick is
    saved (once, on the run that makes it)."""
    import streamlit as st

    found = examples(takes)
    st.markdown("**Lines to try again**")
    if not found:
        st.caption("No report suggested a better line.")
        return []
    names = [f"{e.participant}: {e.text}" for e in found]
    saved = picked_examples(found, picks)
    chosen = st.multiselect(
        "Example lines to show",
        list(range(len(found))),
        default=saved,
        format_func=lambda i: names[i][:90],
        key=f"{key}_examples",
    )
    picked = [found[i] for i in chosen]
    if save_picks is not None and sorted(chosen) != saved:
        save_picks([(e.attempt_id, e.turn) for e in picked if e.attempt_id is not None])
    for e in picked:
        said, better = st.columns(2)
        said.markdown(f"{quote(e.participant)} said: “{quote(e.text)}”")
        better.markdown(f"Try instead: *“{quote(e.better)}”*")
    return picked


def show_comparison(comparison: Comparison) -> None:
    """The two rounds side by side, and the codes whose share of coachee lines moved most."""
    import pandas as pd
    import streamlit as st

    st.markdown("**Against an earlier round**")
    st.caption(
        f"{EARLIER}: {comparison.before.name}. {LATER}: {comparison.after.name}. "
        "Each skill's median, with the lowest and highest score and how many were scored."
    )
    st.dataframe(pd.DataFrame(comparison_rows(comparison)), hide_index=True, width="stretch")
    st.markdown("*Codes whose share of coachee lines changed most*")
    for line in shift_lines(comparison):
        st.markdown(f"- {line}")
    if not comparison.codes:
        st.caption("None: one of the rounds has no coachee line yet, or no code's share changed.")
