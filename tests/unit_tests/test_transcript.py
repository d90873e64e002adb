"""Loading JSON Lines transcripts (docs/rubric.md) and pairing coachee turns with context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.core.transcript import Transcript, TranscriptError, Turn, coachee_turns_with_context, load_transcript


def write_lines(tmp_path: Path, lines: list[str], name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def record(role: str, text: str, **extra: object) -> str:
    return json.dumps({"role": role, "text": text, **extra})


def test_loads_turns_scenario_and_extras(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        [
            record("persona", "I already told you, it's coming along fine.", scenario="vague_dev", ts=1),
            record("coachee", "What part was hardest to pin down?", id="c1"),
        ],
    )
    transcript = load_transcript(path)
    assert transcript.path == path
    assert transcript.scenario == "vague_dev"
    assert [t.role for t in transcript.turns] == ["persona", "coachee"]
    assert transcript.turns[1].model_extra == {"id": "c1"}
    assert transcript.lines == [0, 1]


def test_scenario_only_counts_on_the_first_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [record("coachee", "Hi."), record("persona", "Hello.", scenario="late")])
    assert load_transcript(path).scenario is None


def test_may_start_with_either_role_and_repeat_roles(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [record("coachee", "One."), record("coachee", "Two."), record("persona", "Ok.")])
    assert len(load_transcript(path).turns) == 3


def test_blank_lines_are_skipped_but_keep_line_indices(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        [
            record("persona", "P1"),
            "",
            "   ",
            record("coachee", "C1"),
            "",
            record("persona", "P2"),
            record("coachee", "C2"),
        ],
    )
    transcript = load_transcript(path)
    assert transcript.lines == [0, 3, 5, 6]
    assert coachee_turns_with_context(transcript) == [(3, "C1", "P1"), (6, "C2", "P2")]


def test_context_is_none_before_any_persona_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [record("coachee", "C0"), record("persona", "P1"), record("coachee", "C2")])
    assert coachee_turns_with_context(load_transcript(path)) == [(0, "C0", None), (2, "C2", "P1")]


def test_consecutive_coachee_turns_share_the_last_persona_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [record("persona", "P"), record("coachee", "A"), record("coachee", "B")])
    assert coachee_turns_with_context(load_transcript(path)) == [(1, "A", "P"), (2, "B", "P")]


def test_crlf_and_utf8_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    body = record("persona", "Caf\u00e9?") + "\r\n" + record("coachee", "I can\u2019t.") + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    turns = coachee_turns_with_context(load_transcript(path))
    assert turns == [(1, "I can\u2019t.", "Caf\u00e9?")]


def test_transcript_built_without_line_numbers_uses_positions() -> None:
    transcript = Transcript(
        path=Path("x.jsonl"), scenario=None, turns=[Turn(role="persona", text="P"), Turn(role="coachee", text="C")]
    )
    assert coachee_turns_with_context(transcript) == [(1, "C", "P")]


@pytest.mark.parametrize(
    ("lines", "line", "reason"),
    [
        ([record("coachee", "ok"), "{not json"], 2, "invalid JSON"),
        ([record("coachee", "ok"), "[1, 2]"], 2, "expected a JSON object"),
        ([record("coachee", "ok"), '"just a string"'], 2, "expected a JSON object"),
        ([json.dumps({"text": "no role"})], 1, "missing 'role'"),
        ([json.dumps({"role": "coachee"})], 1, "missing 'text'"),
        ([record("coachee", "ok"), json.dumps({"role": "coach", "text": "x"})], 2, "'role' must be"),
        ([json.dumps({"role": "coachee", "text": 42})], 1, "invalid 'text'"),
        ([json.dumps({"role": "coachee", "text": None})], 1, "invalid 'text'"),
        ([json.dumps({"role": None, "text": "x"})], 1, "'role' must be"),
        ([record("coachee", "ok", scenario=7)], 1, "'scenario' must be a string"),
        (["", "", "{oops"], 3, "invalid JSON"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, lines: list[str], line: int, reason: str) -> None:
    path = write_lines(tmp_path, lines)
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    assert info.value.line == line
    assert info.value.path == path
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    assert info.value.line is None
    assert str(info.value) == f"{path}: file not found"


def test_directory_is_not_a_transcript(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="directory"):
        load_transcript(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptError, match="empty transcript") as info:
        load_transcript(path)
    assert str(info.value).startswith(str(path))


def test_no_coachee_turns(tmp_path: Path) -> None:
    path = write_lines(tmp_path, [record("persona", "Hello?"), record("persona", "Anyone there?")])
    with pytest.raises(TranscriptError, match="no coachee turns"):
        load_transcript(path)


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(record("persona", "ok").encode() + b"\n" + b'{"role": "coachee", "text": "caf\xe9"}\n')
    with pytest.raises(TranscriptError, match="UTF-8") as info:
        load_transcript(path)
    assert info.value.line == 2


def test_unicode_line_separator_inside_text_is_not_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "u2028.jsonl"
    text = "first\u2028second"
    path.write_text(json.dumps({"role": "coachee", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert coachee_turns_with_context(load_transcript(path)) == [(0, text, None)]
