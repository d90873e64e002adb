"""Coaches' code corrections as labelled data: exported from a database, split, added to training.

A coach reviewing an attempt may correct the codes of a coachee line (`Reviews.correct_codes`,
table `code_corrections`); the latest correction of a line counts. `export_corrections` turns
them into records in exactly the format of evals/data/labelled/*.jsonl (see dataset.py):

    {"conv": "cc-7-42", "setting": "tantrum_client", "context": "<the persona's line before>",
     "text": "<the coachee's line>", "codes": ["limit", "alternative"]}

- One conversation per corrected attempt, id `cc-<coachee's user id>-<attempt id>`, holding
  only the attempt's corrected coachee lines, in order, each with the persona line just
  before it as `context` (null when the coachee spoke first). Lines a coach did not correct
  are left out: their only codes are the coder's own, and training the coder on what it
  already says would teach it nothing but its mistakes. (So the coachee's earlier lines that
  the coder's history features see are only the corrected ones.)
- The split is the labelled data's rule, a conversation's own stable hash draw
  (`dataset.goes_to_test`, a quarter to test), drawn on `cc-<user id>`: all attempts of one
  coachee, replays included, fall on the same side, since a person retrying a scenario says
  nearly the same lines and a line in training would leak into its twin in test. The draw is
  a pure function of the id, so nothing needs to be written to split.json and an assignment
  never moves.
- Anonymised: no user name or email goes out. Ids are database numbers; the owner's and the
  correcting coaches' names (whole and by part) and every email address in the text are
  replaced by `[name]` and `[email]`. The coach's reason stays in the database.
- Every exported attempt goes into its owner's audit log as an "export", as a CSV export does.

`python -m evals.dataset export-corrections` writes the file, by default beside the database
in the data folder (`$SPARRING_DATA_DIR/corrections.jsonl`, see `corrections_file`): it holds
real people's lines, so it stays with the rest of their data, out of the repository and out
of the package. `python -m evals train` adds its training part when it is there; `python -m
evals benchmark` reports the coder trained with and without it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from evals.harness.dataset import DatasetError, Example, goes_to_test, load_file, parse_line
from simulator.core.codes import CODES
from simulator.core.settings import Settings
from simulator.storage.attempts import record_read
from simulator.storage.models import Attempt, CodeCorrection, Turn, User
from simulator.storage.policy import SYSTEM, readable_attempts
from simulator.storage.store import Store

CORRECTIONS_NAME = "corrections.jsonl"
PREFIX = "cc"
NAME_MARK = "[name]"
EMAIL_MARK = "[email]"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAME_PART = re.compile(r"[^\W\d_]{3,}")  # runs of three or more letters in a user name


def conv_id(user_id: int, attempt_id: int) -> str:
    return f"{PREFIX}-{user_id}-{attempt_id}"


def split_key(conv: str) -> str:
    """What a correction conversation's draw is taken on: its coachee (`cc-<user id>`)."""
    return conv.rsplit("-", 1)[0]


def in_test(conv: str) -> bool:
    return goes_to_test(split_key(conv))


@dataclass
class CorrectionsExport:
    records: list[dict] = field(default_factory=list)
    attempts: int = 0
    skipped: list[str] = field(default_factory=list)  # "attempt 7, line 4: why", for lines left out

    @property
    def test_records(self) -> int:
        return sum(in_test(r["conv"]) for r in self.records)


class Scrubber:
    """Replaces every email address, then the given user names and emails (whole, and each run
    of three or more letters in them: "Ana-Maria Ruiz", "ana.ruiz@x.org" → Ana, Maria, Ruiz),
    with placeholders, ignoring case."""

    def __init__(self, names: Iterable[str | None]) -> None:
        given = [name.strip() for name in names if name and name.strip()]
        words = {name for name in given if len(name) >= 2}
        words |= {part for name in given for part in NAME_PART.findall(name.split("@")[0])}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        self.names = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if alternatives else None

    def __call__(self, text: str) -> str:
        text = EMAIL.sub(EMAIL_MARK, text)
        return self.names.sub(NAME_MARK, text) if self.names else text


def latest_corrections(store: Store) -> dict[tuple[int, int], CodeCorrection]:
    """The latest correction of each corrected line, by (attempt id, turn index)."""
    with store.db.session() as s:
        query = (
            select(CodeCorrection)
            .join(Attempt, Attempt.id == CodeCorrection.attempt_id)
            .where(readable_attempts(SYSTEM))
            .order_by(CodeCorrection.created_at, CodeCorrection.id)
        )
        return {(c.attempt_id, c.turn_idx): c for c in s.scalars(query)}


def export_corrections(store: Store) -> CorrectionsExport:
    """Every corrected coachee line of the database as a labelled record (see the module)."""
    latest = latest_corrections(store)
    export = CorrectionsExport()
    with store.db.session() as s:
        attempts = s.scalars(select(Attempt).where(Attempt.id.in_({a for a, _ in latest})).order_by(Attempt.id)).all()
        people = {u.id: u for u in s.scalars(select(User))}
        for attempt in attempts:
            corrected = {idx: c for (a, idx), c in latest.items() if a == attempt.id}
            owner = people[attempt.user_id]
            authors = [people[c.author_id] for c in corrected.values() if c.author_id in people]
            scrub = Scrubber([value for u in (owner, *authors) for value in (u.name, u.email)])
            turns = s.scalars(select(Turn).where(Turn.attempt_id == attempt.id).order_by(Turn.idx)).all()
            records = _records(attempt, turns, corrected, scrub, export.skipped)
            if records:
                export.attempts += 1
                export.records += records
                record_read(s, SYSTEM, attempt, "export")
    return export


def _records(
    attempt: Attempt, turns: Sequence[Turn], corrected: dict[int, CodeCorrection], scrub: Scrubber, skipped: list[str]
) -> list[dict]:
    records, context = [], None
    for turn in turns:
        if turn.role == "persona":
            context = turn.text
            continue
        if turn.idx not in corrected:
            continue
        record = {
            "conv": conv_id(attempt.user_id, attempt.id),
            "setting": attempt.scenario_id,
            "context": scrub(context) if context and context.strip() else None,
            "text": scrub(turn.text),
            "codes": [code for code in CODES if code in corrected[turn.idx].codes],
        }
        try:
            parse_line(json.dumps(record), "export")
        except DatasetError as err:
            skipped.append(f"attempt {attempt.id}, line {turn.idx}: {str(err).removeprefix('export: ')}")
            continue
        records.append(record)
    return records


def write_records(records: Sequence[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tmp.replace(path)


def load_corrections(path: Path) -> list[Example]:
    """An exported corrections file, checked like labelled data; its ids must be `cc-…`, so
    they never meet the labelled conversations (split.json does not list them)."""
    examples = load_file(path)
    foreign = sorted({e.conv for e in examples if not e.conv.startswith(f"{PREFIX}-")})
    if foreign:
        raise DatasetError(f"{path.name}: not exported corrections (conversation {foreign[0]})")
    return examples


def split_corrections(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(train, test) by each coachee's stable draw; see the module."""
    return [e for e in examples if not in_test(e.conv)], [e for e in examples if in_test(e.conv)]


def corrections_file(settings: Settings) -> Path:
    """Where corrections are exported by default and looked for: the data folder, beside the database."""
    return settings.data_dir / CORRECTIONS_NAME


def default_corrections(settings: Settings, path: Path | None = None, *, use: bool = True) -> Path | None:
    """The corrections file to use: `path` (which must exist), else the exported one if there
    is one; None when `use` is off or there is none."""
    if not use:
        return None
    if path is not None:
        if not path.is_file():
            raise DatasetError(f"{path}: no such file (`python -m evals.dataset export-corrections` writes one)")
        return path
    default = corrections_file(settings)
    return default if default.is_file() else None
