"""The feedback report of an ended attempt, as the Rehearse page shows it.

Scores in plain words, each evidence item linked to its line in the transcript below
(`#turn-<index>` anchors), the goals, the best moment, the weakest turns with a better line
and a button to replay from each, the persona's state and the coachee's progress as
charts, and downloads as Markdown and PDF.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common
from evals.scoring.dimensions import Evidence
from evals.scoring.report import DIMENSION_TITLES, NOTHING_LOST, Report, level, nothing_lost, top_evidence, turn_link
from evals.scoring.report_export import to_markdown, to_pdf

STATUS_BADGES = {"met": ":green-badge[met]", "partly": ":orange-badge[partly]", "not_met": ":red-badge[not met]"}
SCORE_COLOR = "#3c5aaa"
REPLAY_SUGGESTION_KEY = "replay_suggestion"  # the better line to try, shown on the replayed attempt


def anchor(turn: int) -> None:
    """An invisible target for `#turn-<index>` links, placed just above a transcript line."""
    st.html(f'<div id="turn-{turn}"></div>')


def _quote(text: str) -> str:
    return common.plain(" ".join(text.split()))


def _evidence(items: list[Evidence]) -> None:
    for e in top_evidence(items):
        icon = ":green[:material/add_circle:]" if e.effect == "+" else ":red[:material/remove_circle:]"
        st.markdown(f"{icon} {turn_link(e.turn)} “{_quote(e.text)}” — {_quote(e.why)}")


def _scores(report: Report) -> None:
    score = report.score
    columns = st.columns(len(score.dimensions) + 1)
    columns[0].metric("Overall", f"{score.overall}/100", help="The scenario's weighted mean of the dimensions.")
    for column, (name, dim) in zip(columns[1:], score.dimensions.items(), strict=True):
        weight = score.weights.get(name, 0)
        column.metric(f"{DIMENSION_TITLES[name]} · {weight:.0%}", f"{dim.score}/100", help=dim.summary)


def _dimensions(report: Report) -> None:
    score = report.score
    for name, dim in score.dimensions.items():
        with st.expander(
            f"{DIMENSION_TITLES[name]}: {dim.score}/100, {level(dim.score)}", expanded=name == "listening"
        ):
            st.markdown(_quote(dim.summary))
            if name == "goals":
                for goal in score.goals:
                    st.markdown(f"{STATUS_BADGES[goal.status]} **{_quote(goal.description)}**  \n{_quote(goal.why)}")
                    st.caption(f"Judged by {goal.judged_by}.")
            if name == "limit_setting":
                limit = score.limit
                held = "held" if limit.held else "not held" if limit.held is False else "never stated"
                caved = ", ".join(turn_link(t) for t in limit.capitulation_turns) or "none"
                st.caption(
                    f"The limit: {_quote(limit.description)}  \nStated: {'yes' if limit.stated else 'no'} · "
                    f"{held} · gave ground at: {caved}"
                )
            if dim.evidence:
                st.markdown("**What moved the score**")
                _evidence(dim.evidence)


def _moments(report: Report, replay) -> None:  # noqa: ANN001 - callable(turn, better line)
    if report.best:
        with st.container(border=True):
            st.markdown(f":material/star: **Your best moment**, {turn_link(report.best.turn)}")
            st.markdown(f"“{_quote(report.best.text)}”")
            st.caption(f"Why it worked: {_quote(report.best.why)}.")
    if nothing_lost(report):
        st.success(NOTHING_LOST, icon=":material/check:")
    for moment in report.weakest:
        with st.container(border=True):
            st.markdown(f":material/construction: **Try this one again**, {turn_link(moment.turn)}")
            st.markdown(f"You said: “{_quote(moment.text)}”")
            st.caption(f"What went wrong: {_quote(moment.why)}.")
            by = "suggested by the model" if moment.better_source == "llm" else "built from the rubric"
            st.markdown(f"**Try instead:** *“{_quote(moment.better or '')}”*")
            left, right = st.columns([3, 2], vertical_alignment="center")
            left.caption(f"Better line {by}.")
            if right.button(
                "Replay from here",
                key=f"replay_weak_{moment.turn}",
                icon=":material/replay:",
                width="stretch",
                help="A new attempt with every line before this one; this one stays saved.",
            ):
                replay(moment.turn, moment.better)


def state_chart(report: Report) -> None:
    if not report.states:
        return
    rows = [
        {"Turn": p.turn, "Measure": measure, "Value": value, "Move": common.label(p.move or "")}
        for p in report.states
        for measure, value in (("Trust", p.trust), ("Frustration", p.frustration))
    ]
    colors = alt.Scale(domain=["Trust", "Frustration"], range=["#2f7d6d", "#c2572b"])
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("Turn:O", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Value:Q", scale=alt.Scale(domain=[0, 100]), title=None),
            color=alt.Color("Measure:N", scale=colors, legend=alt.Legend(orient="top", title=None)),
            tooltip=["Turn", "Measure", "Value", "Move"],
        )
    )
    st.markdown(f"**{report.persona_name} over the conversation**")
    st.altair_chart(chart, width="stretch", height=240)


def progress_chart(report: Report) -> None:
    points = report.progress
    if len(points) < 2:
        st.caption("Your progress chart appears once you have scored two attempts at this scenario.")
        return
    rows = [
        {"Attempt": f"#{p.attempt_id}", "Overall": p.overall, "This one": "yes" if p.current else "no"} for p in points
    ]
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=60), color=SCORE_COLOR)
        .encode(
            x=alt.X("Attempt:N", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Overall:Q", scale=alt.Scale(domain=[0, 100]), title=None),
            tooltip=["Attempt", "Overall", "This one"],
        )
    )
    st.markdown("**Your progress on this scenario**")
    st.altair_chart(chart, width="stretch", height=220)


def downloads(report: Report, stem: str) -> None:
    common.downloads(
        [
            ("Report (Markdown)", to_markdown(report), f"{stem}-report.md", "text/markdown"),
            ("Report (PDF)", to_pdf(report), f"{stem}-report.pdf", "application/pdf"),
        ]
    )


def show_report(report: Report, stem: str, replay) -> None:  # noqa: ANN001 - callable(turn, better line)
    st.subheader("Your feedback", anchor=False)
    st.markdown(f"**{_quote(report.headline)}**")
    _scores(report)
    _dimensions(report)
    _moments(report, replay)
    charts = st.columns(2)
    with charts[0]:
        state_chart(report)
    with charts[1]:
        progress_chart(report)
    for note in report.notes:
        st.caption(f":material/info: {_quote(note)}")
    downloads(report, stem)
    st.divider()
    st.subheader("Transcript", anchor=False)
