"""Wiring: build the assistant once from settings and hand its parts to the CLI and the app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from langchain_core.runnables import RunnableLambda

from .answering import Answer, ExtractiveAnswerer
from .config import PROJECT_ROOT, Settings
from .conversation import condense
from .documents import Vocabulary
from .embeddings import SentenceEmbeddings
from .ingestion import Ingestor, IngestReport, writer_lock
from .retrieval import HybridRetriever, tokenize
from .store import CATALOGUE_SUFFIX, REBUILD_SUFFIX, KnowledgeIndex, finish_rebuild, make_client


class QuestionError(ValueError):
    """A question the assistant will not take (empty, too long); the message says why."""


@dataclass
class Assistant:
    settings: Settings
    index: KnowledgeIndex
    embeddings: SentenceEmbeddings
    retriever: HybridRetriever
    answerer: ExtractiveAnswerer

    def __post_init__(self) -> None:
        # question dict -> Retrieval -> Answer, as one LangChain Runnable; a generative backend
        # replaces the last step.
        self.chain = RunnableLambda(self._retrieve) | self.answerer

    def _retrieve(self, request: dict):
        return self.retriever.retrieve(request["question"], request.get("k") or self.settings.k,
                                       request.get("filters"))

    def check_question(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise QuestionError("Please type a question.")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"The question is {len(question)} characters long; the limit is "
                f"{self.settings.max_question_chars}. Please shorten it.")
        return question

    def standalone(self, question: str, history: list[str] | None = None) -> str:
        """The question with a follow-up's earlier subject carried in (see conversation.py)."""
        lexical = self.retriever.lexical()

        def specificity(term: str) -> float:
            stems = tokenize(term)
            return max((lexical.idf.get(s, lexical.default_idf) for s in stems), default=0.0)

        return condense(question, history or [], specificity)

    def ask(self, question: str, k: int | None = None, filters: dict | None = None,
            history: list[str] | None = None) -> Answer:
        """Answer a question; `history` holds the earlier standalone questions, oldest first."""
        question = self.check_question(question)
        started = time.perf_counter()
        standalone = self.standalone(question, history)
        retrieval = self._retrieve({"question": standalone, "k": k, "filters": filters})
        answered = time.perf_counter()
        answer = self.answerer.invoke(retrieval)
        done = time.perf_counter()
        answer.question = question
        answer.standalone_question = standalone
        answer.timings_ms = {"retrieve": round((answered - started) * 1000, 1),
                             "answer": round((done - answered) * 1000, 1),
                             "total": round((done - started) * 1000, 1)}
        return answer

    def stream(self, question: str, k: int | None = None, filters: dict | None = None,
               history: list[str] | None = None) -> Iterator[tuple[str, Answer]]:
        """Yield (text so far, answer) as the answer grows, line by line."""
        answer = self.ask(question, k, filters, history)
        text = ""
        for line in answer.answer.split("\n"):
            text = f"{text}\n{line}" if text else line
            yield text, answer

    def ingest(self, paths: list[Path] | None = None, **options) -> IngestReport:
        return ingest_paths(self.settings, paths, index=self.index,
                            embeddings=lambda: self.embeddings, **options)

    def ensure_ingested(self) -> IngestReport | None:
        """On first start, fill an empty index from the knowledge dir."""
        if self.index.count():
            return None
        return self.ingest(progress=False)

    def documents_searched(self) -> int:
        return len(self.index.documents())


def vocabulary(settings: Settings) -> Vocabulary | None:
    """The topic and sector vocabulary: the knowledge dir's README, else the project's own."""
    for readme in (settings.knowledge_dir / "README.md", PROJECT_ROOT / "knowledge" / "README.md"):
        vocab = Vocabulary.from_readme(readme) if readme.exists() else None
        if vocab and vocab.topics:
            return vocab
    return None


def ingest_paths(settings: Settings, paths: list[Path] | None = None, *,
                 index: KnowledgeIndex | None = None, embeddings=None, wait: bool = False,
                 rebuild: bool = False, **options) -> IngestReport:
    """Run one ingest under the writer lock. The model loads only if something must be embedded.

    With `rebuild`, a fresh index is built beside the live one and swapped in only when done;
    documents whose files fail are carried over from the old index, so nothing is lost.
    """
    index = index or build_index(settings)
    embeddings = embeddings or (lambda: make_embeddings(settings))
    paths = paths or [settings.knowledge_dir]
    with writer_lock(settings.data_dir, wait=wait):
        if not rebuild or options.get("dry_run"):
            return Ingestor(settings, index, embeddings, vocabulary(settings)).run(paths, **options)
        for suffix in ("", CATALOGUE_SUFFIX):  # leftovers of a rebuild that died midway
            try:
                index.client.delete_collection(index.name + REBUILD_SUFFIX + suffix)
            except Exception:
                pass
        fresh = KnowledgeIndex(index.client, index.name + REBUILD_SUFFIX)
        options.pop("prune", None)
        report = Ingestor(settings, fresh, embeddings, vocabulary(settings)).run(paths, **options)
        failed = {Path(f["path"]).resolve() for f in report.failed}
        keep = [doc_id for doc_id, record in index.documents().items()
                if Path(record.get("path", "")).resolve() in failed]
        fresh.copy_documents_from(index, keep)
        fresh.bump_generation()
        finish_rebuild(index.client, index.name)
        index.reopen()
        index.bump_generation()
        return report


def make_embeddings(settings: Settings) -> SentenceEmbeddings:
    return SentenceEmbeddings(settings.embedding_model, settings.embedding_batch_size,
                              settings.embedding_quantize)


def build_index(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex(make_client(settings), settings.collection)


def build_assistant(settings: Settings, embeddings: SentenceEmbeddings | None = None) -> Assistant:
    index = build_index(settings)
    embeddings = embeddings or make_embeddings(settings)
    retriever = HybridRetriever(index, embeddings, candidates=settings.candidates,
                                rrf_k=settings.rrf_k, threshold=settings.relevance_threshold)
    answerer = ExtractiveAnswerer(retriever.lexical, lambda: len(index.documents()),
                                  max_sentences=settings.answer_sentences)
    return Assistant(settings, index, embeddings, retriever, answerer)
