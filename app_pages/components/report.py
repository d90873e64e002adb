"""The feedback report of an ended attempt, for the coachee or for someone reading about them.

Scores in plain words, each evidence item linked to its line in the transcript shown below
it (`#turn-<index>` anchors), the goals, the best moment, the weakest turns with a better
line (and a button to replay from each, where the page offers it), the persona's state and
the coachee's progress as charts, and downloads as Markdown and PDF.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages.components.charts import progress_chart, state_chart
from app_pages.components.downloads import downloads
from app_pages.components.reader import YOU, Reader
from app_pages.formatting import quote
from evals.scoring.dimensions import Evidence
from evals.scoring.feedback import Moment
from evals.scoring.report import (
    DIMENSION_TITLES,
    NOTHING_LOST,
    Report,
    level,
    nothing_lost,
    top_evidence,
    turn_link,
    unsure_lines,
)
from evals.scoring.report_export import report_markdown, to_pdf

STATUS_BADGES = {"met": ":green-badge[met]", "partly": ":orange-badge[partly]", "not_met": ":red-badge[not met]"}
Replay = Callable[[int, str | None], None]  # (turn to start again from, the better line to try)


def show_report(report: Report, stem: str, *, reader: Reader = YOU, replay: Replay | None = None) -> None:
    """The whole report, ending with a "Transcript" heading for the page to put the lines
    under. `stem` names the downloads; without `replay` no replay buttons are offered."""
    st.subheader(f"{reader.possessive} feedback", anchor=False)
    st.markdown(f"**{quote(report.headline)}**")
    _scores(report)
    _dimensions(report)
    _best(report, reader)
    for moment in report.weakest:
        _weak(moment, reader, replay)
    left, right = st.columns(2)
    with left:
        state_chart(report.states, f"{report.persona_name} over the conversation")
    with right:
        progress_chart(report.progress, reader=reader)
    for note in report.notes:
        st.caption(f":material/info: {quote(note)}")
    unsure = unsure_lines(report.score)
    if unsure:
        with st.expander(f"Where the coder was unsure ({len(unsure)})"):
            st.caption("A near call: read these lines yourself before trusting their codes.")
            for said in unsure:
                st.markdown(f"- {quote(said)}")
    downloads(
        [
            ("Report (Markdown)", report_markdown(report), f"{stem}-report.md", "text/markdown"),
            ("Report (PDF)", to_pdf(report), f"{stem}-report.pdf", "application/pdf"),
        ]
    )
    st.divider()
    st.subheader("Transcript", anchor=False)


def _evidence(items: list[Evidence]) -> None:
    for e in top_evidence(items):
        icon = ":green[:material/add_circle:]" if e.effect == "+" else ":red[:material/remove_circle:]"
        unsure = " :orange-badge[coder unsure]" if e.unsure else ""
        because = f" :gray[(coded from {quote(e.because)})]" if e.because else ""
        st.markdown(f"{icon} {turn_link(e.turn)} “{quote(e.text)}” — {quote(e.why)}{because}{unsure}")


def _scores(report: Report) -> None:
    score = report.score
    columns = st.columns(len(score.dimensions) + 1)
    columns[0].metric("Overall", f"{score.overall}/100", help="The scenario's weighted mean of the dimensions.")
    for column, (name, dim) in zip(columns[1:], score.dimensions.items(), strict=True):
        weight = score.weights.get(name, 0)
        column.metric(f"{DIMENSION_TITLES[name]} · {weight:.0%}", f"{dim.score}/100", help=dim.summary)


def _dimensions(report: Report) -> None:
    for name, dim in report.score.dimensions.items():
        with st.expander(
            f"{DIMENSION_TITLES[name]}: {dim.score}/100, {level(dim.score)}", expanded=name == "listening"
        ):
            st.markdown(quote(dim.summary))
            if name == "goals":
                _goals(report)
            if name == "limit_setting":
                _limit(report)
            if dim.evidence:
                st.markdown("**What moved the score**")
                _evidence(dim.evidence)


def _goals(report: Report) -> None:
    for goal in report.score.goals:
        st.markdown(f"{STATUS_BADGES[goal.status]} **{quote(goal.description)}**  \n{quote(goal.why)}")
        st.caption(f"Judged by {goal.judged_by}.")


def _limit(report: Report) -> None:
    limit = report.score.limit
    held = "held" if limit.held else "not held" if limit.held is False else "never stated"
    caved = ", ".join(turn_link(t) for t in limit.capitulation_turns) or "none"
    st.caption(
        f"The limit: {quote(limit.description)}  \nStated: {'yes' if limit.stated else 'no'} · "
        f"{held} · gave ground at: {caved}"
    )


def _best(report: Report, reader: Reader) -> None:
    if report.best:
        with st.container(border=True):
            st.markdown(f":material/star: **{reader.possessive} best moment**, {turn_link(report.best.turn)}")
            st.markdown(f"“{quote(report.best.text)}”")
            st.caption(f"Why it worked: {quote(report.best.why)}.")
    if nothing_lost(report):
        st.success(NOTHING_LOST, icon=":material/check:")


def _weak(moment: Moment, reader: Reader, replay: Replay | None) -> None:
    with st.container(border=True):
        st.markdown(f":material/construction: **Try this one again**, {turn_link(moment.turn)}")
        st.markdown(f"{reader.name} said: “{quote(moment.text)}”")
        st.caption(f"What went wrong: {quote(moment.why)}.")
        by = "suggested by the model" if moment.better_source == "llm" else "built from the rubric"
        st.markdown(f"**Try instead:** *“{quote(moment.better or '')}”*")
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.caption(f"Better line {by}.")
        if replay is not None and right.button(
            "Replay from here",
            key=f"replay_weak_{moment.turn}",
            icon=":material/replay:",
            width="stretch",
            help="A new attempt with every line before this one; this one stays saved.",
        ):
            replay(moment.turn, moment.better)
