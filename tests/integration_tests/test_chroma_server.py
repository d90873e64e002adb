"""Notes retrieval through a real Chroma server (`chroma run`), as SPARRING_CHROMA_HOST selects."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulator.core.catalog import load_catalog
from simulator.core.settings import Settings
from simulator.engine.retrieval import NotesIndex, make_client
from tests.conftest import HashEmbedding

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(chroma).exists():
        pytest.skip("the chroma command line is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("chroma run did not come up within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_notes_are_indexed_once_and_retrieved_through_the_server(chroma_server, tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    scenario = load_catalog().scenario("vague_it_colleague")
    index = NotesIndex(make_client(settings), HashEmbedding())
    assert index.ensure(scenario) is True
    again = NotesIndex(make_client(settings), HashEmbedding())
    assert again.ensure(scenario) is False  # unchanged notes are not indexed twice
    found = again.retrieve(scenario, "the ticket and the request", k=2)
    assert found and all(r.note.reveal == "always" for r in found)


def test_force_rebuilds_an_unchanged_index(chroma_server, tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server)
    scenario = load_catalog().scenario("tantrum_client")
    index = NotesIndex(make_client(settings), HashEmbedding())
    index.ensure(scenario)
    assert index.ensure(scenario, force=True) is True
