"""Shared test doubles: the fixture scenario, a scripted coder, a hashing embedding."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from evals.coding.coded_turn import CodedTurn
from simulator.core.catalog import Catalog, load_catalog
from simulator.engine.services import Services
from simulator.storage.models import Role
from simulator.storage.policy import SYSTEM, Viewer

FIXTURES = Path(__file__).parent / "fixtures"


class ScriptedCoder:
    """Codes a line by the [code, code] tags written at its end, e.g. "No. [limit]"; a tag
    ending in "?" is a code given with little margin ("[blame?]").

    Tests decide exactly which codes a turn carries, like a fake model's queued answers;
    the real coder has tests of its own. Records what it was asked.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def code(self, text: str, context: str | None = None) -> CodedTurn:
        self.calls.append((text, context))
        match = re.search(r"\[([a-z_, ?]+)\]\s*$", text)
        tags = [c.strip() for c in match.group(1).split(",")] if match else []
        codes = frozenset(c.rstrip("?") for c in tags)
        unsure = tuple(c.rstrip("?") for c in tags if c.endswith("?"))
        return CodedTurn(codes=codes, cues={c: text for c in codes}, unsure=unsure)


class HashEmbedding(EmbeddingFunction[Documents]):
    """A deterministic bag-of-words embedding so retrieval tests need no model."""

    DIM = 64

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's protocol name
        vectors = []
        for text in input:
            vec = np.zeros(self.DIM, dtype=np.float32)
            for word in re.findall(r"[a-z]+", text.lower()):
                vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.DIM] += 1.0
            vectors.append(vec / (np.linalg.norm(vec) or 1.0))
        return vectors

    @staticmethod
    def name() -> str:
        return "sparring-test-hash"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config: dict) -> HashEmbedding:
        return HashEmbedding()


@pytest.fixture
def fixture_catalog() -> Catalog:
    catalog = load_catalog(FIXTURES / "scenarios", FIXTURES / "personas")
    assert not catalog.problems
    return catalog


@pytest.fixture
def scripted_coder() -> ScriptedCoder:
    return ScriptedCoder()


class RecordingChatModel(FakeListChatModel):
    """A fake chat model that answers from a queue and records the messages it was sent."""

    calls: list = []

    def _call(self, messages, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - LangChain's signature
        self.calls.append(messages)
        return super()._call(messages, *args, **kwargs)


class DownChatModel(FakeListChatModel):
    """A chat model whose server is down; counts the calls it refused."""

    calls: list = []

    def _call(self, messages, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        self.calls.append(messages)
        raise ConnectionError("connection refused")


@pytest.fixture
def chat_model():
    """Factory: chat_model("answer 1", "answer 2") -> a RecordingChatModel."""

    def make(*responses: str) -> RecordingChatModel:
        return RecordingChatModel(responses=list(responses), calls=[])

    return make


def owner_of(services: Services, attempt_id: int) -> Viewer:
    """The coachee who owns the attempt, as the engine sees them: for resuming it in a test."""
    attempt = services.store.attempt(attempt_id, SYSTEM)
    assert attempt is not None, f"no attempt {attempt_id}"
    return Viewer(attempt.user_id, Role.coachee)
