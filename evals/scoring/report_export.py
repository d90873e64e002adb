"""The feedback report as Markdown and as PDF (fpdf2), for coachees to keep and coaches to file.

Both carry the same content: the headline, each dimension with its plain-language summary
and evidence (each item points at its turn in the transcript at the end: a link in
Markdown, a turn number in the PDF), the goals, the best and weakest moments with better
lines, the persona's trust and frustration over the conversation, and progress across
attempts (as charts in the PDF, as tables in Markdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from evals.scoring.charts import TICKS, Series, attempt_labels, progress_series, state_series, state_x
from evals.scoring.dimensions import Evidence
from evals.scoring.report import (
    DIMENSION_TITLES,
    NOTHING_LOST,
    Report,
    evidence_why,
    level,
    nothing_lost,
    top_evidence,
    turn_link,
    unsure_lines,
)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
STATUS_WORDS = {"met": "met", "partly": "partly met", "not_met": "not met"}


def _who(report: Report, role: str) -> str:
    return report.coachee_name if role == "coachee" else report.persona_name


def _md(text: str) -> str:
    """Dialogue in Markdown as typed: specials escaped, on one line."""
    out = " ".join(text.split())
    for ch in "\\`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return out


def _evidence_md(items: Sequence[Evidence]) -> list[str]:
    return [
        f"- {'➕' if e.effect == '+' else '➖'} {turn_link(e.turn)}: “{_md(e.text)}” ({_md(evidence_why(e))})"
        for e in top_evidence(items)
    ]


def report_markdown(report: Report) -> str:
    score = report.score
    lines = [f"# Feedback: {report.scenario_title}", "", f"**{report.headline}**", ""]
    lines += ["| Dimension | Score | Weight |", "|---|---|---|"]
    for name, dim in score.dimensions.items():
        lines.append(
            f"| {DIMENSION_TITLES[name]} | {dim.score}/100 ({level(dim.score)}) | {score.weights.get(name, 0):.0%} |"
        )
    lines.append(f"| **Overall** | **{score.overall}/100** | |")
    lines.append("")
    for name, dim in score.dimensions.items():
        lines += [f"## {DIMENSION_TITLES[name]}: {dim.score}/100", "", dim.summary, ""]
        if name == "goals":
            for goal in score.goals:
                lines.append(f"- **{_md(goal.description)}**: {STATUS_WORDS[goal.status]}. {_md(goal.why)}")
            lines.append("")
        lines += _evidence_md(dim.evidence) + [""]
    if report.best:
        lines += [
            "## Your best moment",
            "",
            f"{turn_link(report.best.turn)}: “{_md(report.best.text)}”",
            "",
            f"Why it worked: {report.best.why}.",
            "",
        ]
    if nothing_lost(report):
        lines += [NOTHING_LOST, ""]
    if report.weakest:
        lines += ["## Lines to try again", ""]
        for moment in report.weakest:
            lines += [
                f"**{turn_link(moment.turn)}**: you said “{_md(moment.text)}”  ",
                f"What went wrong: {moment.why}.  ",
                f"Try instead: *“{_md(moment.better or '')}”*",
                "",
            ]
    if report.states:
        lines += [
            f"## {report.persona_name} over the conversation",
            "",
            "| Turn | Trust | Frustration | Move |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {p.turn} | {p.trust:.0f} | {p.frustration:.0f} | {(p.move or '').replace('_', ' ')} |"
            for p in report.states
        ]
        lines.append("")
    if len(report.progress) > 1:
        lines += ["## Progress on this scenario", "", "| Attempt | Date | Overall |", "|---|---|---|"]
        for p in report.progress:
            when = p.when.strftime("%d %b %Y") if p.when else ""
            lines.append(f"| #{p.attempt_id}{' (this one)' if p.current else ''} | {when} | {p.overall} |")
        lines.append("")
    if report.notes:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in report.notes] + [""]
    if unsure := unsure_lines(score):
        lines += ["## Where the coder was unsure", ""] + [f"- {_md(u)}" for u in unsure] + [""]
    lines += ["## Transcript", ""]
    for line in score.lines:
        codes = f" *({', '.join(c.replace('_', ' ') for c in line.codes)})*" if line.codes else ""
        lines += [
            f'<a id="turn-{line.turn}"></a>**{line.turn}. {_md(_who(report, line.role))}:** {_md(line.text)}{codes}',
            "",
        ]
    return "\n".join(lines)


# ---- PDF ---------------------------------------------------------------------------------------
GRID_RGB = (210, 210, 210)


class _Pdf:
    """A thin layer over fpdf2: a Unicode font where one is installed, Latin-1 otherwise."""

    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(18, 16, 18)
        self.pdf.add_page()
        self.unicode = self._add_fonts()
        self.family = "DejaVu" if self.unicode else "Helvetica"

    def _add_fonts(self) -> bool:
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.is_file() and bold.is_file():
                self.pdf.add_font("DejaVu", "", str(regular))
                self.pdf.add_font("DejaVu", "B", str(bold))
                return True
        return False

    def text(self, value: str) -> str:
        value = " ".join(value.split())
        if self.unicode:
            return value
        table = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})
        return value.translate(table).encode("latin-1", "replace").decode("latin-1")

    def heading(self, value: str, size: int = 14) -> None:
        self.pdf.ln(2)
        self.pdf.set_font(self.family, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def para(self, value: str, size: int = 10, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def chart(self, title: str, series: Sequence[Series], labels: list[str]) -> None:
        """A line chart on a 0–100 scale, one line per series."""
        pdf = self.pdf
        width, height = 170.0, 45.0
        if pdf.get_y() + height + 20 > pdf.h - 15:
            pdf.add_page()
        self.para(title, bold=True)
        x0, y0 = pdf.l_margin + 8, pdf.get_y() + 2
        pdf.set_font(self.family, "", 7)
        pdf.set_draw_color(*GRID_RGB)
        for value in TICKS:
            y = y0 + height * (1 - value / 100)
            pdf.line(x0, y, x0 + width - 8, y)
            pdf.text(pdf.l_margin, y + 1, str(value))
        count = max(len(labels), 2)
        step = (width - 12) / (count - 1)
        for i, label in enumerate(labels):
            pdf.text(x0 + i * step - 1, y0 + height + 4, self.text(label))
        legend_x = x0
        for line in series:
            pdf.set_draw_color(*line.rgb)
            pdf.set_line_width(0.6)
            points = [
                (x0 + i * step, y0 + height * (1 - max(0.0, min(100.0, v)) / 100)) for i, v in enumerate(line.values)
            ]
            for a, b in zip(points, points[1:], strict=False):
                pdf.line(*a, *b)
            for x, y in points:
                pdf.circle(x, y, 0.8, style="D")
            pdf.set_text_color(*line.rgb)
            pdf.text(legend_x, y0 - 1, self.text(line.name))
            legend_x += 30
            pdf.set_text_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.set_y(y0 + height + 8)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def to_pdf(report: Report) -> bytes:
    score = report.score
    doc = _Pdf()
    doc.heading(f"Feedback: {report.scenario_title}", 16)
    doc.para(report.headline, 11, bold=True)
    for name, dim in score.dimensions.items():
        doc.heading(
            f"{DIMENSION_TITLES[name]}: {dim.score}/100 ({level(dim.score)}, weight {score.weights.get(name, 0):.0%})",
            12,
        )
        doc.para(dim.summary)
        if name == "goals":
            for goal in score.goals:
                doc.para(f"• {goal.description}: {STATUS_WORDS[goal.status]}. {goal.why}", 9)
        for e in top_evidence(dim.evidence):
            doc.para(f"{'+' if e.effect == '+' else '–'} Turn {e.turn}: “{e.text}” ({evidence_why(e)})", 9)
    if report.best:
        doc.heading("Your best moment", 12)
        doc.para(f"Turn {report.best.turn}: “{report.best.text}”")
        doc.para(f"Why it worked: {report.best.why}.", 9)
    if nothing_lost(report):
        doc.para(NOTHING_LOST, 10)
    if report.weakest:
        doc.heading("Lines to try again", 12)
        for moment in report.weakest:
            doc.para(f"Turn {moment.turn}: you said “{moment.text}”", 10, bold=True)
            doc.para(f"What went wrong: {moment.why}.", 9)
            doc.para(f"Try instead: “{moment.better or ''}”", 10)
    if report.states:
        doc.chart(
            f"{report.persona_name} over the conversation (trust and frustration, 0–100)",
            state_series(report.states),
            [str(x) for x in state_x(report.states)],
        )
    if len(report.progress) > 1:
        doc.chart(
            "Progress on this scenario (overall score by attempt)",
            [progress_series(report.progress)],
            attempt_labels(report.progress),
        )
    if report.notes:
        doc.heading("Notes", 12)
        for note in report.notes:
            doc.para(f"• {note}", 9)
    if unsure := unsure_lines(score):
        doc.heading("Where the coder was unsure", 12)
        for said in unsure:
            doc.para(f"• {said}", 9)
    doc.heading("Transcript", 12)
    for line in score.lines:
        codes = f"  [{', '.join(c.replace('_', ' ') for c in line.codes)}]" if line.codes else ""
        doc.para(f"{line.turn}. {_who(report, line.role)}: {line.text}{codes}", 9)
    return doc.output()
