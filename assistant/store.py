"""The Chroma index: passages with their vectors, and a catalogue of documents (the manifest)."""

from __future__ import annotations

import chromadb
from chromadb.config import Settings as ChromaSettings

from .config import Settings

CATALOGUE_SUFFIX = "_documents"
GENERATION_ID = "__generation__"  # catalogue record that changes whenever the index does
REBUILD_SUFFIX = "__rebuild"


class IndexMismatchError(RuntimeError):
    """The stored vectors come from another embedding model than the one configured."""


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """Embedded PersistentClient by default; HttpClient when ASSISTANT_CHROMA_HOST is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                   settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def finish_rebuild(client: chromadb.ClientAPI, name: str) -> None:
    """Put a completed rebuild in place of the live index: drop the old, rename the new.

    Readers never see a half-built index: the new one is complete before this runs, and if the
    process dies between the drop and the rename, the next open finishes the job.
    """
    for suffix in ("", CATALOGUE_SUFFIX):
        try:
            client.delete_collection(name + suffix)
        except Exception:  # already gone (an earlier attempt got this far)
            pass
    for suffix in ("", CATALOGUE_SUFFIX):
        client.get_collection(name + REBUILD_SUFFIX + suffix).modify(name=name + suffix)


class KnowledgeIndex:
    """Passages (embedded, searchable) and one catalogue record per document.

    The catalogue holds each document's content hash and source path: it is the manifest that
    makes ingestion idempotent, and it lives in Chroma so it follows the index to a server.
    """

    def __init__(self, client: chromadb.ClientAPI, name: str) -> None:
        self.client = client
        self.name = name
        self.max_batch = max(1, min(client.get_max_batch_size(), 5000))
        self.reopen()

    def reopen(self) -> None:
        """(Re)attach to the collections by name, e.g. after a rebuild swapped them."""
        existing = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        if self.name not in existing and self.name + REBUILD_SUFFIX in existing:
            finish_rebuild(self.client, self.name)  # a rebuild died between its two renames
        self.passages = self.client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        self.catalogue = self.client.get_or_create_collection(
            self.name + CATALOGUE_SUFFIX, embedding_function=None)

    def copy_documents_from(self, other: KnowledgeIndex, doc_ids: list[str]) -> None:
        """Carry documents over unchanged (with their vectors) from another index."""
        records = other.documents()
        for doc_id in doc_ids:
            if doc_id not in records:
                continue
            got = other.passages.get(where={"doc_id": doc_id},
                                     include=["documents", "metadatas", "embeddings"])
            self.add_passages(got["ids"], got["documents"], got["metadatas"],
                              [list(map(float, v)) for v in got["embeddings"]])
            self.record_document(doc_id, records[doc_id])

    # -- catalogue -------------------------------------------------------------------------
    def documents(self) -> dict[str, dict]:
        """doc_id -> catalogue metadata (content_hash, source, title, ...)."""
        got = self.catalogue.get(include=["metadatas"])
        return {i: m for i, m in zip(got["ids"], got["metadatas"], strict=True)
                if i != GENERATION_ID}

    def generation(self) -> str:
        """Changes whenever an ingest changes the index; readers compare it to see news."""
        got = self.catalogue.get(ids=[GENERATION_ID], include=["metadatas"])
        return str(got["metadatas"][0]["stamp"]) if got["ids"] else "0"

    def bump_generation(self, embedding: str | None = None, stamp: str | None = None) -> str:
        """Announce a changed index. `stamp` lets the ingest name the generation whose search
        index it has already saved, so readers find it ready when they see the news."""
        import uuid

        stamp = stamp or uuid.uuid4().hex
        metadata = {"stamp": stamp, "embedding": embedding or self.embedding_id() or ""}
        self.catalogue.upsert(ids=[GENERATION_ID], embeddings=[[0.0]], metadatas=[metadata])
        return stamp

    def embedding_id(self) -> str | None:
        """Which embedding model built the stored vectors (None for an empty or old index)."""
        got = self.catalogue.get(ids=[GENERATION_ID], include=["metadatas"])
        return (got["metadatas"][0].get("embedding") or None) if got["ids"] else None

    def check_embedding(self, wanted: str) -> None:
        built = self.embedding_id()
        if built and built != wanted and self.count():
            raise IndexMismatchError(
                f"the index was built with the embedding model '{built}' but the settings ask "
                f"for '{wanted}'; rebuild it with `python ingest.py --rebuild`")

    def record_document(self, doc_id: str, metadata: dict) -> None:
        # The catalogue needs no similarity search; a one-number vector keeps Chroma content.
        self.catalogue.upsert(ids=[doc_id], embeddings=[[0.0]], metadatas=[metadata])

    def forget_document(self, doc_id: str) -> None:
        self.passages.delete(where={"doc_id": doc_id})
        self.catalogue.delete(ids=[doc_id])

    # -- passages --------------------------------------------------------------------------
    def add_passages(self, ids: list[str], texts: list[str], metadatas: list[dict],
                     embeddings: list[list[float]]) -> None:
        for start in range(0, len(ids), self.max_batch):
            end = start + self.max_batch
            self.passages.upsert(ids=ids[start:end], documents=texts[start:end],
                                 metadatas=metadatas[start:end], embeddings=embeddings[start:end])

    def drop_stale_passages(self, doc_id: str, content_hash: str) -> None:
        """Remove a document's passages from earlier versions, after the new ones are in."""
        self.passages.delete(where={"$and": [{"doc_id": doc_id},
                                             {"content_hash": {"$ne": content_hash}}]})

    def all_passages(self, embeddings: bool = False) -> dict:
        """Every passage's id, text and metadata (and vector), read in pages (for the search
        index). Vectors come back as one float32 array."""
        import numpy as np

        total = self.passages.count()
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        out: dict = {"ids": [], "documents": [], "metadatas": []}
        vectors = []
        for offset in range(0, total, self.max_batch):
            got = self.passages.get(include=include, limit=self.max_batch, offset=offset)
            for key in out:
                out[key].extend(got[key])
            if embeddings and len(got["ids"]):
                vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
        if embeddings:
            out["embeddings"] = (np.concatenate(vectors) if vectors
                                 else np.zeros((0, 0), dtype=np.float32))
        return out

    def count(self) -> int:
        return self.passages.count()
