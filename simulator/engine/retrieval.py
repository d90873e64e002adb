"""Scenario notes in Chroma: one collection per scenario, indexed once per content change.

Chroma runs embedded (PersistentClient under the data dir) by default and as a server
(HttpClient) when SPARRING_CHROMA_HOST is set. Embeddings are computed here, with a local
model, so a Chroma server needs no model of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.types import EmbeddingFunction

from simulator.core.schema import Note, Scenario
from simulator.core.settings import Settings

CHUNK_WORDS = 60
COLLECTION_PREFIX = "sparring_notes_"


@dataclass(frozen=True)
class Retrieved:
    note: Note
    chunk: str
    distance: float


def make_client(settings: Settings) -> ClientAPI:
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path))


def chunks(note: Note) -> list[str]:
    """Splits a note into pieces of about CHUNK_WORDS words, on sentence boundaries."""
    sentences = re.split(r"(?<=[.!?])\s+", note.text.strip())
    pieces, current = [], []
    for sentence in sentences:
        if current and len(" ".join(current + [sentence]).split()) > CHUNK_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    pieces.append(" ".join(current))
    return [f"{note.topic}: {piece}" for piece in pieces if piece]


def content_hash(scenario: Scenario, embedder: str = "") -> str:
    """Changes whenever what is indexed would: the notes, the chunking, the embedding model."""
    notes = [n.model_dump(exclude={"coach_note"}) for n in scenario.notes]
    payload = json.dumps({"notes": notes, "chunk_words": CHUNK_WORDS, "embedder": embedder}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _embedder_name(ef: EmbeddingFunction) -> str:
    try:
        return f"{ef.name()}:{json.dumps(ef.get_config(), sort_keys=True, default=str)}"
    except Exception:  # an embedding function without a config still has a class
        return type(ef).__name__


class NotesIndex:
    def __init__(self, client: ClientAPI, embedding_function: EmbeddingFunction) -> None:
        self._client = client
        self._ef = embedding_function
        self._collections: dict[str, tuple[str, object]] = {}  # name -> (content hash, collection)

    def embed(self, texts: list[str]) -> list[list[float]]:
        """The texts' vectors in the index's embedding space (for checking a reply's relevance)."""
        return [list(map(float, v)) for v in self._ef(texts)]

    def _name(self, scenario: Scenario) -> str:
        """One collection per scenario file, and one per version of a scenario written in the
        app (an attempt keeps the notes of the version it started with; 0 is the draft)."""
        version = "" if scenario.version is None else f"_v{scenario.version}"
        return f"{COLLECTION_PREFIX}{scenario.id}{version}"

    def ensure(self, scenario: Scenario, *, force: bool = False) -> bool:
        """Indexes the scenario's notes if they changed since the last time (or `force`);
        True if it did."""
        digest = content_hash(scenario, _embedder_name(self._ef))
        name = self._name(scenario)
        cached = self._collections.get(name)
        if not force and cached and cached[0] == digest:
            return False
        existing = {c if isinstance(c, str) else c.name for c in self._client.list_collections()}
        if name in existing:
            collection = self._client.get_collection(name, embedding_function=self._ef)
            if not force and (collection.metadata or {}).get("content_hash") == digest:
                self._collections[name] = (digest, collection)
                return False
            self._client.delete_collection(name)
        collection = self._client.create_collection(
            name, embedding_function=self._ef, metadata={"content_hash": digest, "hnsw:space": "cosine"}
        )
        ids, docs, metas = [], [], []
        for note in scenario.notes:
            for i, piece in enumerate(chunks(note)):
                ids.append(f"{note.id}#{i}")
                docs.append(piece)
                metas.append({"note_id": note.id, "reveal": note.reveal})
        collection.add(ids=ids, documents=docs, metadatas=metas)
        self._collections[name] = (digest, collection)
        return True

    def retrieve(
        self, scenario: Scenario, query: str, *, k: int = 2, reveal: str = "always", exclude: tuple[str, ...] = ()
    ) -> list[Retrieved]:
        """The notes nearest the query among those with the given `reveal` ("always",
        "on_trust": what the persona keeps back, or "any")."""
        self.ensure(scenario)  # cheap when nothing changed; a draft's notes may have
        collection = self._collections[self._name(scenario)][1]
        clauses: list[dict] = [] if reveal == "any" else [{"reveal": reveal}]
        if exclude:
            clauses.append({"note_id": {"$nin": list(exclude)}})
        where = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)
        result = collection.query(query_texts=[query], n_results=k * 2, where=where)
        by_id = {n.id: n for n in scenario.notes}
        found: dict[str, Retrieved] = {}
        for meta, doc, dist in zip(result["metadatas"][0], result["documents"][0], result["distances"][0], strict=True):
            note_id = meta["note_id"]
            if note_id in by_id and note_id not in found:
                found[note_id] = Retrieved(by_id[note_id], doc, float(dist))
        return list(found.values())[:k]
