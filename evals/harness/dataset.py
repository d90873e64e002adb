"""The project's labelled coachee turns (evals/data/labelled/*.jsonl) and their fixed split.

Each line of a labelled file is one coachee turn inside a short conversation:

    {"conv": "it-007", "setting": "vague_it_colleague", "context": "It's coming along.",
     "text": "What part of the brief was hardest to pin down?", "codes": ["open_question"]}

`context` is the persona's line just before the turn (null at the start of a
conversation), so a conversation's records, in file order, rebuild its transcript.
`setting` is a scenario id or a short tag for another workplace ("other:hospital_ward").

The split is by conversation, never by turn (turns of one conversation share a voice and
a topic), and it is frozen in evals/data/split.json: every conversation is assigned once,
before any training or tuning sees it, and never moves. New data is assigned by
`python -m evals dataset split` (about a quarter to test, by a stable hash of each
conversation id); training, `--if-stale` included, refuses data that has not been assigned.

The module is stdlib only; `python -m evals dataset check [FILE...]` checks files and counts
the codes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.core.codes import CODES, check_codes

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
LABELLED_DIR = DATA_DIR / "labelled"
SPLIT_FILE = DATA_DIR / "split.json"
PAIRED_DIR = DATA_DIR / "paired"
LIMITS_DIR = DATA_DIR / "limits"  # pairs that cave in disguise or hold, alike up to the cave
PASTED_DIR = DATA_DIR / "pasted"  # pairs with and without text pasted into turns, and fair files
TEST_SHARE = 0.25


@dataclass(frozen=True)
class Example:
    """One labelled coachee turn."""

    conv: str
    setting: str
    context: str | None
    text: str
    codes: frozenset[str]
    source: str  # file:line, for error messages and the benchmark's listings


def histories(examples: Sequence[Example]) -> list[tuple[str, ...]]:
    """For each example, the coachee's earlier turns in its conversation (examples of one
    conversation come in order, as in the files)."""
    seen: dict[str, list[str]] = {}
    result = []
    for e in examples:
        earlier = seen.setdefault(e.conv, [])
        result.append(tuple(earlier))
        earlier.append(e.text)
    return result


class DatasetError(ValueError):
    pass


def parse_line(raw: str, where: str) -> Example:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        raise DatasetError(f"{where}: invalid JSON: {err.msg}") from None
    if not isinstance(record, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    missing = [key for key in ("conv", "setting", "text", "codes") if key not in record]
    if missing:
        raise DatasetError(f"{where}: missing {', '.join(missing)}")
    text, context, codes = record["text"], record.get("context"), record["codes"]
    if not isinstance(text, str) or not text.strip():
        raise DatasetError(f"{where}: 'text' must be a non-empty string")
    if context is not None and not isinstance(context, str):
        raise DatasetError(f"{where}: 'context' must be a string or null")
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise DatasetError(f"{where}: 'codes' must be a list of strings")
    try:
        check_codes(codes)
    except ValueError as err:
        raise DatasetError(f"{where}: {err}") from None
    if "summary" in codes and "reflection" in codes:
        raise DatasetError(f"{where}: a summary is not also coded reflection (docs/rubric.md)")
    return Example(str(record["conv"]), str(record["setting"]), context, text, frozenset(codes), where)


def load_file(path: Path) -> list[Example]:
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip():
            examples.append(parse_line(raw, f"{path.name}:{number}"))
    return examples


def load_all(directory: Path = LABELLED_DIR) -> list[Example]:
    examples = [e for path in sorted(directory.glob("*.jsonl")) for e in load_file(path)]
    seen: dict[tuple[str, str], str] = {}
    for example in examples:
        key = (example.conv, example.text)
        if key in seen:
            raise DatasetError(f"{example.source}: duplicate of {seen[key]}")
        seen[key] = example.source
    return examples


def conversations(examples: list[Example]) -> dict[str, list[Example]]:
    by_conv: dict[str, list[Example]] = {}
    for example in examples:
        by_conv.setdefault(example.conv, []).append(example)
    return by_conv


def read_split(split_file: Path = SPLIT_FILE) -> dict[str, list[str]]:
    """{"train": [...], "test": [...]}: the conversations assigned so far."""
    if not split_file.exists():
        raise DatasetError(f"{split_file} is missing: run `python -m evals dataset split` before training")
    try:
        saved = json.loads(split_file.read_text(encoding="utf-8"))
        return {"train": list(saved.get("train", [])), "test": list(saved["test"])}
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
        raise DatasetError(f"{split_file}: not a split file ({type(err).__name__}: {err})") from None


def unassigned(examples: list[Example], saved: dict[str, list[str]]) -> list[str]:
    """Conversations in `examples` that `saved` (a read split file) does not assign."""
    return sorted(set(conversations(examples)) - set(saved["train"]) - set(saved["test"]))


def split(examples: list[Example], split_file: Path = SPLIT_FILE) -> tuple[list[Example], list[Example]]:
    """(train, test) by the frozen assignment; unassigned conversations are an error."""
    saved = read_split(split_file)
    new = unassigned(examples, saved)
    if new:
        shown = ", ".join(new[:5]) + (" …" if len(new) > 5 else "")
        raise DatasetError(
            f"{len(new)} conversations are not in {split_file.name} ({shown}): "
            "run `python -m evals dataset split` to assign them before training"
        )
    test_ids = set(saved["test"])
    train = [e for e in examples if e.conv not in test_ids]
    test = [e for e in examples if e.conv in test_ids]
    return train, test


def goes_to_test(conv: str, share: float = TEST_SHARE) -> bool:
    """A conversation's own fixed draw: its id's hash, read as a number in [0, 1)."""
    return int(hashlib.sha256(conv.encode()).hexdigest(), 16) / 16**64 < share


def assign_new(examples: list[Example], split_file: Path = SPLIT_FILE) -> tuple[int, int]:
    """Assigns conversations not yet in the split file and writes it; earlier assignments
    never move. The first split is `make_split` (a quarter of each stratum); later ones
    decide each new conversation by its own draw, so adding data one conversation at a
    time still sends about a quarter to test. Returns (new, of which test)."""
    if not split_file.exists():
        test = set(make_split(examples))
        saved, new = {"train": [], "test": []}, set(conversations(examples))
    else:
        saved = read_split(split_file)
        new = set(unassigned(examples, saved))
        test = {conv for conv in new if goes_to_test(conv)}
    saved["test"] = sorted(set(saved["test"]) | test)
    saved["train"] = sorted(set(saved["train"]) | (new - test))
    split_file.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    return len(new), len(test)


def make_split(examples: list[Example], share: float = TEST_SHARE) -> list[str]:
    """Test conversations: about `share` of each stratum (who wrote it, and which scenario, or
    "other" for every other workplace), picked by a stable hash of the conversation id."""
    strata: dict[tuple[str, str], list[str]] = {}
    for conv, turns in conversations(examples).items():
        family = "other" if turns[0].setting.startswith("other") else turns[0].setting
        strata.setdefault((conv.split("-")[0], family), []).append(conv)
    test: list[str] = []
    for convs in strata.values():
        ranked = sorted(convs, key=lambda c: hashlib.sha256(c.encode()).hexdigest())
        test += ranked[: round(len(ranked) * share)]
    return sorted(test)


def code_counts(examples: list[Example]) -> Counter[str]:
    return Counter(code for e in examples for code in e.codes)


def describe(examples: list[Example]) -> str:
    counts = code_counts(examples)
    multi = sum(1 for e in examples if len(e.codes) > 1)
    empty = sum(1 for e in examples if not e.codes)
    lines = [
        f"{len(examples)} turns in {len(conversations(examples))} conversations, "
        f"{len({e.setting for e in examples})} settings; {multi} with several codes, {empty} with none",
    ]
    lines += [f"  {code:<20} {counts[code]:>4}" for code in CODES]
    return "\n".join(lines)
