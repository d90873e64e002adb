"""A workshop round of 30 simulated participants against the real embedded model server
(`benchmarks.round_load`): every participant on the board, scored, and once in the CSV.

Needs the model (``python -m simulator models install``) and the llama.cpp build (``python
-m simulator models build``); set-up does both, and this test skips with the reason
otherwise. One line each and short think times keep it to about 7 minutes on 2 cores (two
lines each took 11: the room's 30 replies queue for the model's 4 slots).
"""

from __future__ import annotations

import pytest

from simulator.core.models.llama_build import current_build
from simulator.core.settings import Settings

pytestmark = pytest.mark.integration

PARTICIPANTS = 30
LINES = 1


@pytest.fixture(scope="module")
def result():
    settings = Settings.from_env()
    if current_build(settings.models_path) is None or not settings.gguf_path.exists():
        pytest.skip("no llama.cpp build or model here: run `python -m simulator models install` and `... build`")
    from benchmarks.round_load import report, run

    found = run(participants=PARTICIPANTS, turns=LINES, minutes=8, think=(2.0, 6.0), seed=7, say=print)
    print(report(found))  # the figures, with -s
    return found


def test_every_check_passes(result) -> None:
    failed = [name for name, ok in result["checks"].items() if not ok]
    assert not failed, f"{failed}; per participant: {result['wrong']}"


def test_everyone_talked_inside_the_box_and_nothing_was_lost(result) -> None:
    assert result["closed"].startswith("early"), "the time box closed before everyone had said their lines"
    assert result["lines_said"] == result["lines_scripted"] == PARTICIPANTS * LINES
    assert (result["errors"], result["lost"], result["cross_talk"]) == (0, 0, 0)
    assert result["wrong"] == {}


def test_the_projector_saw_the_whole_room_talking(result) -> None:
    board = result["board"]
    assert board["errors"] == []
    assert board["most_talking"] == PARTICIPANTS
    assert board["reads_all_talking"] >= 1
