"""Finding the passages that answer a question: dense + BM25, fused by reciprocal rank.

Both searches run on the saved search index (lexical.py), swapped in whole when an ingest
publishes a new one; answers in flight keep the index they started with."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import Stemmer
from langchain_core.embeddings import Embeddings

from .lexical import FILTER_PREFIXES, LexicalIndex, build_from_store, matches  # noqa: F401
from .store import KnowledgeIndex

log = logging.getLogger(__name__)

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[a-zA-Z][a-zA-Z0-9\-']+|\d{4}")
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that the
their them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours tell explain describe give show
please know example examples kind sort way ways thing things much many one two us did does
""".split())

def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-worded, stemmed terms: shared by BM25 and sentence scoring."""
    words = [w.lower().strip("'-") for w in _WORD.findall(text)]
    return _STEMMER.stemWords([w for w in words if w and w not in STOPWORDS])


@dataclass
class ScoredPassage:
    id: str
    text: str
    metadata: dict
    similarity: float  # cosine similarity to the question (dense model)
    fused: float  # reciprocal-rank-fusion score


@dataclass
class Retrieval:
    question: str
    passages: list[ScoredPassage]
    best_similarity: float
    relevant: bool
    filters: dict = field(default_factory=dict)
    timings_ms: dict = field(default_factory=dict)
    # For comparisons: one (subject, retrieval) per compared subject.
    groups: list[tuple[str, Retrieval]] = field(default_factory=list)
    query_vector: list[float] | None = None
    # Every fused candidate, best first (passages holds the top k of them).
    candidates: list[ScoredPassage] = field(default_factory=list)
    # Set when the question is refused for a reason other than weak evidence (answer/coverage).
    verdict: object | None = None
    # Treaty articles that bear on the question, kept apart from guidance and case studies.
    agreements: list[ScoredPassage] = field(default_factory=list)
    agreements_first: bool = False  # the question names an agreement: its text answers first
    compares_agreements: bool = False  # groups are treaty texts; a weak cell says so
    detail: bool = False  # the longer answer
    knowledge_date: str | None = None
    shape: str = ""  # the answer's shape when retrieval settled it (else from the question)


class HybridRetriever:
    """Dense search and BM25 over the search index, fused; says whether anything is relevant
    enough."""

    def __init__(self, index: KnowledgeIndex, embeddings: Embeddings, *, candidates: int = 30,
                 rrf_k: int = 60, threshold: float = 0.35, recheck_seconds: float = 1.0,
                 search_dir: Path | None = None) -> None:
        self.index = index
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.threshold = threshold
        self.recheck_seconds = recheck_seconds
        self.search_dir = search_dir  # where ingests save search indexes; None: memory only
        self._lexical: LexicalIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None

    def lexical(self) -> LexicalIndex:
        """The current search index. The first call loads it (or builds it, once, when no ingest
        saved one); later, a newer one announced by an ingest is loaded in the background while
        this one keeps answering, so no question waits for the swap."""
        current, now = self._lexical, time.monotonic()
        if current is not None and now - self._checked < self.recheck_seconds:
            return current
        self._checked = now
        generation = self._generation()
        if current is not None:
            if generation != current.generation:
                self._load_in_background(generation)
            return current
        with self._lock:
            if self._lexical is None:
                self._lexical = self._obtain(generation)
        return self._lexical

    def refresh(self) -> LexicalIndex:
        """Swap in the index's newest search index now (after this process's own ingest)."""
        self._checked = time.monotonic()
        generation = self._generation()
        if self._lexical is None or self._lexical.generation != generation:
            fresh = self._obtain(generation)
            with self._lock:
                self._lexical = fresh
        return self._lexical

    def _generation(self) -> str:
        try:
            return self.index.generation()
        except Exception:  # the collections were swapped by a rebuild: attach to the new
            self.index.reopen()
            return self.index.generation()

    def _obtain(self, generation: str) -> LexicalIndex:
        """The saved search index of this generation, else one built from Chroma (and saved,
        so that other processes sharing the data dir need not build it too)."""
        folder = self.search_dir / generation if self.search_dir else None
        if folder is not None and folder.is_dir():
            try:
                return LexicalIndex.load(folder)
            except Exception as exc:  # damaged or older format: rebuild below
                log.warning("could not load the search index in %s (%s); rebuilding", folder, exc)
        lexical = build_from_store(self.index, generation)
        if folder is not None and generation != "0":
            try:
                lexical.save(folder)
            except OSError as exc:
                log.warning("could not save the search index to %s: %s", folder, exc)
        return lexical

    def _load_in_background(self, generation: str) -> None:
        if self._loading is not None and self._loading.is_alive():
            return

        def load() -> None:
            try:
                fresh = self._obtain(generation)
            except Exception:
                log.exception("loading the new search index failed; keeping the current one")
                return
            with self._lock:
                self._lexical = fresh

        self._loading = threading.Thread(target=load, name="search-index-load", daemon=True)
        self._loading.start()

    def retrieve(self, question: str, k: int = 5, filters: dict | None = None,
                 query_vector: list[float] | None = None) -> Retrieval:
        filters = {key: v for key, v in (filters or {}).items() if v}
        started = time.perf_counter()
        lexical = self.lexical()
        n = min(self.candidates, len(lexical.ids))
        if n == 0:
            return Retrieval(question, [], 0.0, False, filters)
        if query_vector is None:
            query_vector = self.embeddings.embed_query(question)
        embedded = time.perf_counter()
        mask = lexical.mask(filters)
        found: dict[str, ScoredPassage] = {}
        for rank, (i, similarity) in enumerate(lexical.nearest(query_vector, n, filters, mask)):
            found[lexical.ids[i]] = ScoredPassage(lexical.ids[i], lexical.texts[i],
                                                  lexical.metadatas[i], similarity,
                                                  1.0 / (self.rrf_k + rank + 1))
        for rank, i in enumerate(lexical.search(tokenize(question), n, filters, mask)):
            pid = lexical.ids[i]
            bonus = 1.0 / (self.rrf_k + rank + 1)
            if pid in found:
                found[pid].fused += bonus
            else:  # found by BM25 alone: its real similarity too, for the gate
                found[pid] = ScoredPassage(pid, lexical.texts[i], lexical.metadatas[i],
                                           lexical.similarity(i, query_vector), bonus)

        ranked = sorted(found.values(), key=lambda p: (-p.fused, -p.similarity))
        # The gate looks at the evidence an answer would cite, not the best of all candidates:
        # with many passages indexed, some candidate clears any threshold by chance.
        best = max((p.similarity for p in ranked[:k]), default=0.0)
        done = time.perf_counter()
        return Retrieval(question, ranked[:k], best, best >= self.threshold, filters,
                         {"retrieve": round((done - started) * 1000, 1),
                          "embed": round((embedded - started) * 1000, 1),
                          "search": round((done - embedded) * 1000, 1)},
                         query_vector=query_vector, candidates=ranked)
