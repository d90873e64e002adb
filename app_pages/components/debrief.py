"""A workshop round's debrief: what the room's conversations say once they are scored.

- the behaviour codes that went with high and with low scores (how often each code appears
  per coachee line in the attempts in the top half of the room by overall score, against the
  bottom half);
- the coachee lines after which the persona's trust rose or fell most, across the room;
- example lines from the reports' weakest moments, side by side with the better line each
  report suggested;
- the distribution of the scores per skill (for the take-away; the board draws it live).

The sums are pure functions of `Take`s (a participant's label as the board shows it, the saved
report dict, the attempt's turns), so they are tested without a database; `debrief_markdown`
and `debrief_pdf` make the take-away, `show` draws the debrief on the rounds page.

Participants are labelled as the board labels them: names only where the round shows names.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app_pages.components.board import OVERALL, SKILL_TITLES, SKILLS, skill_scores
from app_pages.formatting import label

TOP = 3  # trust swings shown each way
CODES_SHOWN = 5  # codes shown each way


@dataclass(frozen=True)
class Take:
    """One participant's attempt in the round."""

    participant: str  # as the board labels them
    report: Mapping[str, Any] = field(default_factory=dict)  # the saved report ({} before it is scored)
    turns: Sequence[Any] = ()  # Turn rows (idx, role, text, codes, state) in order


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
    turn: int | None
    text: str
    better: str


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


def _code_rates(takes: Iterable[Take]) -> dict[str, float]:
    counted: Counter[str] = Counter()
    lines = 0
    for take in takes:
        for turn in take.turns:
            if _field(turn, "role") != "coachee":
                continue
            lines += 1
            counted.update(set(_field(turn, "codes") or []))
    return {code: n / lines for code, n in counted.items()} if lines else {}


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
    """From each report's weakest moments, the coachee's line and the better line it suggested."""
    out = []
    for take in takes:
        weakest = take.report.get("weakest") if isinstance(take.report, Mapping) else None
        for moment in weakest if isinstance(weakest, list) else []:
            if not isinstance(moment, Mapping):
                continue
            text, better = moment.get("text"), moment.get("better")
            if isinstance(text, str) and text.strip() and isinstance(better, str) and better.strip():
                turn = moment.get("turn")
                out.append(Example(take.participant, turn if isinstance(turn, int) else None, text, better))
    return out


def distribution(takes: Iterable[Take]) -> list[dict[str, Any]]:
    """Per skill: how many were scored, the lowest, median and highest score."""
    scores: dict[str, list[int]] = {skill: [] for skill in SKILLS}
    for take in takes:
        score = take.report.get("score") if isinstance(take.report, Mapping) else None
        for skill, value in skill_scores(score or {}).items():
            scores[skill].append(value)
    return [
        {
            "Skill": SKILL_TITLES[skill],
            "Scored": len(values),
            "Lowest": min(values),
            "Median": statistics.median(values),
            "Highest": max(values),
        }
        for skill, values in scores.items()
        if values
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


def debrief_markdown(round_name: str, takes: Sequence[Take], picked: Sequence[Example] | None = None) -> str:
    """The debrief as Markdown; `picked` are the example lines to show (all of them when None)."""
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
    return "\n".join(lines)


def debrief_pdf(round_name: str, takes: Sequence[Take], picked: Sequence[Example] | None = None) -> bytes:
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
    return doc.output()


# ---- drawing ----------------------------------------------------------------------------------
def show(round_name: str, takes: Sequence[Take], file_stem: str, key: str = "debrief") -> None:
    """The codes by score band, the trust swings, the example lines the trainer picks, and the
    debrief as Markdown and PDF (made on the click)."""
    import pandas as pd
    import streamlit as st

    from app_pages.formatting import label, quote

    high, low = split_codes(codes_by_band(takes))
    st.markdown("**Behaviour codes and scores**")
    if high or low:
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
    else:
        st.caption("Too few scored conversations to compare: at least two are needed.")

    rises, falls = trust_swings(takes)
    st.markdown("**Where the persona's trust moved most**")
    for column, title, group in zip(st.columns(2), ("Trust rose", "Trust fell"), (rises, falls), strict=True):
        column.markdown(f"*{title}*")
        for s in group:
            column.markdown(f"{quote(s.participant)}, turn {s.turn}: “{quote(s.text)}” ({s.change:+.0f})")
        if not group:
            column.caption("None.")

    found = examples(takes)
    st.markdown("**Lines to try again**")
    picked: list[Example] = []
    if found:
        names = [f"{e.participant}: {e.text}" for e in found]
        chosen = st.multiselect(
            "Example lines to show",
            list(range(len(found))),
            default=list(range(min(TOP, len(found)))),
            format_func=lambda i: names[i][:90],
            key=f"{key}_examples",
        )
        picked = [found[i] for i in chosen]
        for e in picked:
            said, better = st.columns(2)
            said.markdown(f"{quote(e.participant)} said: “{quote(e.text)}”")
            better.markdown(f"Try instead: *“{quote(e.better)}”*")
    else:
        st.caption("No report suggested a better line.")

    with st.container(horizontal=True):
        st.download_button(
            "Debrief (Markdown)",
            data=lambda: debrief_markdown(round_name, takes, picked),
            file_name=f"{file_stem}-debrief.md",
            mime="text/markdown",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_md",
        )
        st.download_button(
            "Debrief (PDF)",
            data=lambda: debrief_pdf(round_name, takes, picked),
            file_name=f"{file_stem}-debrief.pdf",
            mime="application/pdf",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_pdf",
        )
