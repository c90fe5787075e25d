"""The search index an app answers from: BM25, the passage vectors and the filter columns.

Built once by the ingest and saved beside the index (`DATA_DIR/search/<generation>/`), so an
app loads it at start in about a second instead of re-reading and re-tokenizing every passage
on its first question. Vectors and BM25 arrays are memory-mapped: several app processes on one
machine share the pages. Dense search is exact (one matrix product), and a filter is a mask
over documents broadcast to their passages, so a filtered query costs what an unfiltered one
does (Chroma's metadata pre-filter cost 4–11x at 40,000 passages).

When treaty texts share the index with the curated documents, the curated passages get a BM25
of their own: term weights (IDF) measured over 40,000 treaty articles would rank guidance by the
treaty library's vocabulary ("investment" is everywhere there), so curated questions are ranked,
and their terms weighed, as with the curated documents alone.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

FORMAT = 2
FILTER_PREFIXES = {"topic": "topic", "country": "country", "sector": "sector", "region": "region"}


def filter_key(name: str, value: str) -> tuple[str, object]:
    """The metadata key and value a filter asks for: flags for list fields, else equality."""
    if name in FILTER_PREFIXES:
        return f"{FILTER_PREFIXES[name]}:{value}", True
    return name, value


def matches(metadata: dict, filters: dict) -> bool:
    for name, value in (filters or {}).items():
        if not value:
            continue
        if isinstance(value, (list, tuple)) and name not in FILTER_PREFIXES:
            if metadata.get(name) not in value:  # one of several (doc_type, doc_id)
                return False
        else:
            key, wanted = filter_key(name, value)
            if metadata.get(key) != wanted:
                return False
    return True


class RowMetadata(Sequence):
    """Passage metadata without 40,000 copies of each document's fields: a passage's dict is
    its document's fields plus its own (section, chunk, article), made when asked for."""

    def __init__(self, docs: list[dict], row_doc: np.ndarray, own: list[dict]) -> None:
        self.docs, self.row_doc, self.own = docs, row_doc, own

    def __len__(self) -> int:
        return len(self.own)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return {**self.docs[int(self.row_doc[i])], **self.own[i]}


def split_metadata(metadatas: list[dict]) -> tuple[list[dict], np.ndarray, list[dict]]:
    """Per-document fields (the same on every passage of a document) apart from the rest."""
    by_doc: dict[str, dict] = {}
    for m in metadatas:
        doc_id = m.get("doc_id", "")
        common = by_doc.get(doc_id)
        by_doc[doc_id] = dict(m) if common is None else {
            k: v for k, v in common.items() if m.get(k, object()) == v}
    order = {doc_id: n for n, doc_id in enumerate(by_doc)}
    docs = list(by_doc.values())
    row_doc = np.array([order[m.get("doc_id", "")] for m in metadatas], dtype=np.int32)
    own = [{k: v for k, v in m.items() if k not in docs[d]} for m, d in zip(metadatas, row_doc, strict=True)]
    return docs, row_doc, own


def _idf(bm25: bm25s.BM25 | None, n: int) -> dict[str, float]:
    frequency = np.diff(np.asarray(bm25.scores["indptr"])) if bm25 is not None else []
    vocab = bm25.vocab_dict if bm25 is not None else {}
    return {t: float(np.log(1 + (n - frequency[i] + 0.5) / (frequency[i] + 0.5)))
            for t, i in vocab.items() if t and i < len(frequency) and frequency[i]}


def _bm25(corpus: list[list[str]]) -> bm25s.BM25 | None:
    if not corpus:
        return None
    bm25 = bm25s.BM25()
    bm25.index(corpus, show_progress=False)
    return bm25


class LexicalIndex:
    """BM25 and dense search over every passage, with filters as document masks."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: RowMetadata,
                 vectors: np.ndarray, bm25: bm25s.BM25 | None, generation: str = "",
                 curated: tuple[bm25s.BM25, np.ndarray] | None = None) -> None:
        self.ids, self.texts, self.metadatas = ids, texts, metadatas
        self.vectors, self.bm25, self.generation = vectors, bm25, generation
        # (BM25 over the curated rows, those rows) when agreements share the index; else None.
        self.curated = curated
        self._curated_idf = _idf(curated[0], len(curated[1])) if curated else {}
        n = max(len(curated[1]) if curated else len(ids), 1)
        # Term specificity for sentence scoring and follow-ups (answering, conversation):
        # measured over the curated documents, the language the answers are written in.
        self.idf = self._curated_idf if curated else _idf(bm25, n)
        self.default_idf = float(np.log(1 + (n + 0.5) / 0.5))
        # Terms the whole-index BM25 knows (its vocabulary; no second IDF table needed).
        self._known_all = bm25.vocab_dict if curated else self.idf
        self._treaty_rows: np.ndarray | None = None
        if curated:
            treaty = np.ones(len(ids), dtype=bool)
            treaty[curated[1]] = False
            self._treaty_rows = np.flatnonzero(treaty)
        self._row_keys = {k for own in metadatas.own for k in own}
        self._masks: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._rows: dict[str, int] | None = None
        self._sections: dict[tuple[str, str], list[int]] | None = None

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metadatas: list[dict],
              vectors, generation: str = "") -> LexicalIndex:
        from .retrieval import tokenize

        docs, row_doc, own = split_metadata(metadatas)
        corpus = [tokenize(f"{m.get('title', '')} {m.get('section', '')} {t}")
                  for t, m in zip(texts, metadatas, strict=True)]
        treaty = np.array([docs[d].get("doc_type") == "agreement" for d in row_doc], dtype=bool)
        curated = None
        if treaty.any() and not treaty.all():
            rows = np.flatnonzero(~treaty)
            curated = (_bm25([corpus[i] for i in rows]), rows)
        matrix = np.asarray(vectors, dtype=np.float32)
        matrix = matrix.reshape(len(ids), -1) if len(ids) else np.zeros((0, 1), np.float32)
        return cls(list(ids), list(texts), RowMetadata(docs, row_doc, own), matrix,
                   _bm25(corpus), generation, curated)

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Written beside the target and renamed into place: readers see all of it or none."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.parent / f".staging-{folder.name}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        np.save(staging / "vectors.npy", self.vectors)
        np.save(staging / "row_doc.npy", self.metadatas.row_doc)
        if self.bm25 is not None:
            self.bm25.save(str(staging / "bm25"), show_progress=False)
        if self.curated is not None:
            self.curated[0].save(str(staging / "bm25-curated"), show_progress=False)
            np.save(staging / "curated_rows.npy", self.curated[1])
        rows = {"format": FORMAT, "generation": self.generation, "ids": self.ids,
                "texts": self.texts, "docs": self.metadatas.docs, "own": self.metadatas.own}
        (staging / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
        try:
            os.rename(staging, folder)
        except OSError:  # another process saved the same generation first: theirs is as good
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        rows = json.loads((folder / "rows.json").read_text("utf-8"))
        if rows.get("format") != FORMAT:
            raise ValueError(f"search index in {folder} has another format")
        bm25 = None
        if (folder / "bm25").is_dir():
            bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        curated = None
        if (folder / "bm25-curated").is_dir():
            curated = (bm25s.BM25.load(str(folder / "bm25-curated"), mmap=True,
                                       show_progress=False), np.load(folder / "curated_rows.npy"))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        row_doc = np.load(folder / "row_doc.npy")
        return cls(rows["ids"], rows["texts"], RowMetadata(rows["docs"], row_doc, rows["own"]),
                   vectors, bm25, rows["generation"], curated)

    # -- search ----------------------------------------------------------------------------
    def mask(self, filters: dict) -> tuple[np.ndarray, np.ndarray] | None:
        """Which passages a filter keeps (as a mask and as row numbers): decided once per
        document, then broadcast to its passages."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        if not filters:
            return None
        cache_key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                 for k, v in filters.items()))
        if cache_key in self._masks:  # filters come from a few dropdowns: they repeat
            return self._masks[cache_key]
        keys = {filter_key(name, value)[0] for name, value in filters.items()}
        if not keys & self._row_keys:
            keep = np.array([matches(d, filters) for d in self.metadatas.docs], dtype=bool)
            mask = keep[self.metadatas.row_doc] if len(keep) else np.zeros(0, dtype=bool)
        else:  # a per-passage field (rare): decide passage by passage
            mask = np.array([matches(m, filters) for m in self.metadatas], dtype=bool)
        if len(self._masks) >= 256:
            self._masks.clear()
        rows = np.flatnonzero(mask)
        self._masks[cache_key] = (mask, rows)
        return mask, rows

    def search(self, query_terms: list[str], n: int, filters: dict,
               mask: tuple | None = None) -> list[int]:
        """BM25: up to n passage rows with a positive score, best first. A filter that keeps
        curated documents only is searched in the curated BM25 (see the module docstring)."""
        mask = self.mask(filters) if mask is None else mask
        if self.curated is not None and mask is not None and \
                not mask[0][self._treaty_rows].any():
            bm25, rows = self.curated
            known = [t for t in query_terms if t in self._curated_idf]
            if not known:
                return []
            scores = np.array(bm25.get_scores(known))
            scores[~mask[0][rows]] = 0.0
            return [int(rows[i]) for i in _top(scores, n) if scores[i] > 0]
        known = [t for t in query_terms if t in self._known_all]
        if not known or self.bm25 is None:
            return []
        scores = np.array(self.bm25.get_scores(known))  # our own copy: masked in place
        if mask is not None:
            scores[~mask[0]] = 0.0
        top = _top(scores, n)
        return [int(i) for i in top if scores[i] > 0]

    def nearest(self, vector, n: int, filters: dict,
                mask: tuple | None = None) -> list[tuple[int, float]]:
        """Dense: up to n (row, cosine similarity) pairs, best first (vectors are unit length)."""
        if not self.ids:
            return []
        query = np.asarray(vector, dtype=np.float32)
        mask = self.mask(filters) if mask is None else mask
        if mask is not None and len(mask[1]) < len(self.ids) // 4:
            # A narrow filter: score only its passages (a country's few agreements).
            rows = mask[1]
            scores = self.vectors[rows] @ query
            return [(int(rows[i]), float(scores[i])) for i in _top(scores, n)]
        scores = self.vectors @ query
        if mask is not None:
            scores[~mask[0]] = -np.inf
        return [(int(i), float(scores[i])) for i in _top(scores, n) if np.isfinite(scores[i])]

    def similarity(self, row: int, vector) -> float:
        return float(self.vectors[row] @ np.asarray(vector, dtype=np.float32))

    def vector_of(self, passage_id: str) -> np.ndarray | None:
        """A passage's vector by its id (the map is made on first use)."""
        if self._rows is None:
            self._rows = {pid: i for i, pid in enumerate(self.ids)}
        row = self._rows.get(passage_id)
        return None if row is None else np.asarray(self.vectors[row], dtype=np.float32)

    def section_rows(self, doc_id: str, section: str) -> list[int]:
        """The rows of one section of a guidance document or case study, in order (the map is
        made on first use; treaty articles are not in it)."""
        if self._sections is None:
            sections: dict[tuple[str, str], list[int]] = {}
            for i in (self.curated[1] if self.curated else range(len(self.ids))):
                meta = self.metadatas[int(i)]
                if meta.get("doc_type") in ("guidance", "case-study"):
                    sections.setdefault((meta["doc_id"], meta.get("section", "")),
                                        []).append(int(i))
            self._sections = sections
        return self._sections.get((doc_id, section), [])


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    n = min(n, len(scores))
    if n <= 0:
        return np.zeros(0, dtype=int)
    part = np.argpartition(-scores, n - 1)[:n]
    return part[np.argsort(-scores[part], kind="stable")]


def build_from_store(index, generation: str) -> LexicalIndex:
    """Read every passage (text, metadata, vector) from Chroma and index it."""
    got = index.all_passages(embeddings=True)
    return LexicalIndex.build(got["ids"], got["documents"], got["metadatas"],
                              got["embeddings"], generation)


def search_root(settings) -> Path:
    return settings.data_dir / "search"


def publish_search_index(index, root: Path, embedding: str) -> LexicalIndex:
    """After an ingest: build the search index, save it under a new generation, and only then
    announce that generation, so readers that see the news find the index ready to load."""
    stamp = uuid.uuid4().hex
    lexical = build_from_store(index, stamp)
    lexical.save(root / stamp)
    previous = index.generation()
    index.bump_generation(embedding=embedding, stamp=stamp)
    # Keep the one readers may still be moving off; older ones no process will load again
    # (memory maps of deleted files stay valid on Linux).
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in {stamp, previous} and folder.name[0] != ".":
            shutil.rmtree(folder, ignore_errors=True)
    return lexical
