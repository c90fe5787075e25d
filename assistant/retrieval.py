"""Finding the passages that answer a question: dense + BM25, fused by reciprocal rank."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer
from langchain_core.embeddings import Embeddings

from .store import KnowledgeIndex

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

FILTER_PREFIXES = {"topic": "topic", "country": "country", "sector": "sector", "region": "region"}


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
    # Countries the question names that nothing found mentions (why it was refused).
    uncovered: list[str] = field(default_factory=list)
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


def chroma_where(filters: dict) -> dict | None:
    """Turn {"doc_type": "case-study", "topic": "governance", ...} into a Chroma where clause."""
    clauses = []
    for name, value in (filters or {}).items():
        if not value:
            continue
        if name in FILTER_PREFIXES:
            clauses.append({f"{FILTER_PREFIXES[name]}:{value}": True})
        elif isinstance(value, (list, tuple)):  # one of several values (doc_type)
            clauses.append({name: {"$in": list(value)}})
        else:
            clauses.append({name: value})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(metadata: dict, filters: dict) -> bool:
    for name, value in (filters or {}).items():
        if not value:
            continue
        key = f"{FILTER_PREFIXES[name]}:{value}" if name in FILTER_PREFIXES else name
        if isinstance(value, (list, tuple)) and name not in FILTER_PREFIXES:
            if metadata.get(key) not in value:
                return False
            continue
        wanted = True if name in FILTER_PREFIXES else value
        if metadata.get(key) != wanted:
            return False
    return True


class LexicalIndex:
    """BM25 over every passage, rebuilt when the index's generation changes."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        self.ids, self.texts, self.metadatas = ids, texts, metadatas
        corpus = [tokenize(f"{m.get('title', '')} {m.get('section', '')} {t}")
                  for t, m in zip(texts, metadatas, strict=True)]
        self.bm25 = bm25s.BM25()
        if corpus:
            self.bm25.index(corpus, show_progress=False)
        document_frequency: dict[str, int] = {}
        for terms in corpus:
            for term in set(terms):
                document_frequency[term] = document_frequency.get(term, 0) + 1
        n = max(len(corpus), 1)
        self.idf = {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
                    for t, df in document_frequency.items()}
        self.default_idf = float(np.log(1 + (n + 0.5) / 0.5))

    def search(self, query_terms: list[str], n: int, filters: dict) -> list[int]:
        known = [t for t in query_terms if t in self.idf]
        if not known or not self.ids:
            return []
        scores = self.bm25.get_scores(known)
        if filters:
            mask = np.array([matches(m, filters) for m in self.metadatas])
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:n]
        return [int(i) for i in top if scores[i] > 0]


class HybridRetriever:
    """Dense search in Chroma and BM25, fused; says whether anything is relevant enough."""

    def __init__(self, index: KnowledgeIndex, embeddings: Embeddings, *, candidates: int = 30,
                 rrf_k: int = 60, threshold: float = 0.35, recheck_seconds: float = 1.0) -> None:
        self.index = index
        self.embeddings = embeddings
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.threshold = threshold
        self.recheck_seconds = recheck_seconds
        self._lexical: LexicalIndex | None = None
        self._generation: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def lexical(self) -> LexicalIndex:
        """The BM25 index, rebuilt when an ingest has changed the store since the last look."""
        now = time.monotonic()
        if self._lexical is not None and now - self._checked < self.recheck_seconds:
            return self._lexical
        with self._lock:
            try:
                generation = self.index.generation()
            except Exception:  # the collections were swapped by a rebuild: attach to the new
                self.index.reopen()
                generation = self.index.generation()
            self._checked = now
            if self._lexical is None or generation != self._generation:
                got = self.index.all_passages()
                self._lexical = LexicalIndex(got["ids"], got["documents"], got["metadatas"])
                self._generation = generation
        return self._lexical

    def retrieve(self, question: str, k: int = 5, filters: dict | None = None,
                 query_vector: list[float] | None = None) -> Retrieval:
        filters = {key: v for key, v in (filters or {}).items() if v}
        started = time.perf_counter()
        lexical = self.lexical()
        if query_vector is None:
            query_vector = self.embeddings.embed_query(question)
        n = min(self.candidates, len(lexical.ids))
        if n == 0:
            return Retrieval(question, [], 0.0, False, filters)
        dense = self.index.passages.query(
            query_embeddings=[query_vector], n_results=n, where=chroma_where(filters),
            include=["documents", "metadatas", "distances"])
        found: dict[str, ScoredPassage] = {}
        for rank, (pid, text, meta, dist) in enumerate(zip(
                dense["ids"][0], dense["documents"][0], dense["metadatas"][0],
                dense["distances"][0], strict=True)):
            found[pid] = ScoredPassage(pid, text, meta, 1.0 - dist, 1.0 / (self.rrf_k + rank + 1))

        lexical_only = []
        for rank, i in enumerate(lexical.search(tokenize(question), n, filters)):
            pid = lexical.ids[i]
            bonus = 1.0 / (self.rrf_k + rank + 1)
            if pid in found:
                found[pid].fused += bonus
            else:
                found[pid] = ScoredPassage(pid, lexical.texts[i], lexical.metadatas[i], 0.0, bonus)
                lexical_only.append(pid)
        if lexical_only:  # give passages found only by BM25 their real similarity too
            got = self.index.passages.get(ids=lexical_only, include=["embeddings"])
            q = np.asarray(query_vector)
            for pid, vec in zip(got["ids"], got["embeddings"], strict=True):
                found[pid].similarity = float(np.dot(q, np.asarray(vec)))

        ranked = sorted(found.values(), key=lambda p: (-p.fused, -p.similarity))
        # The gate looks at the evidence an answer would cite, not the best of all candidates:
        # with many passages indexed, some candidate clears any threshold by chance.
        best = max((p.similarity for p in ranked[:k]), default=0.0)
        return Retrieval(question, ranked[:k], best, best >= self.threshold, filters,
                         {"retrieve": round((time.perf_counter() - started) * 1000, 1)},
                         query_vector=query_vector, candidates=ranked)
