"""Wiring: build the assistant once from settings and hand its parts to the CLI and the app."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableLambda

from .answer import Answer, ExtractiveAnswerer
from .backends import make_chat_model
from .config import PROJECT_ROOT, Settings
from .conversation import condense, looks_like_follow_up
from .documents import Vocabulary
from .embeddings import SentenceEmbeddings, embedding_id
from .generation import GenerativeAnswerer
from .ingestion import Ingestor, IngestReport, writer_lock
from .lexical import publish_search_index, search_root
from .prompts import CONDENSE_SYSTEM, CONDENSE_USER
from .retrieval import HybridRetriever, Retrieval, tokenize
from .shapes import answer_shape, compared_subjects, comparison_aspect
from .store import CATALOGUE_SUFFIX, REBUILD_SUFFIX, KnowledgeIndex, finish_rebuild, make_client
from .verification import CitationVerifier


class QuestionError(ValueError):
    """A question the assistant will not take (empty, too long); the message says why."""


@dataclass
class Assistant:
    settings: Settings
    index: KnowledgeIndex
    embeddings: SentenceEmbeddings
    retriever: HybridRetriever
    answerer: ExtractiveAnswerer | GenerativeAnswerer
    chat_model: BaseChatModel | None = None

    def __post_init__(self) -> None:
        # {"question", "k", "filters"} -> Retrieval -> Answer, as one LangChain Runnable.
        self.chain = RunnableLambda(self.retrieve) | self.answerer

    def retrieve(self, request: dict) -> Retrieval:
        """Retrieval shaped by the question: case studies for "which examples…", one search per
        subject for "how did X and Y differ…"."""
        question, filters = request["question"], dict(request.get("filters") or {})
        k = request.get("k") or self.settings.k
        shape = answer_shape(question)
        if shape == "examples" and not filters.get("doc_type"):
            filters["doc_type"] = "case-study"
            k = max(k, 8)
        retrieval = self.retriever.retrieve(question, k, filters)
        if shape == "comparison":
            compared = compared_subjects(question)
            aspect = comparison_aspect(question, compared)
            retrieval.groups = [(name, self.retriever.retrieve(f"{name} {aspect}", 3, filters))
                                for name in compared]
            if all(r.relevant for _, r in retrieval.groups):
                retrieval.passages = [p for _, r in retrieval.groups for p in r.passages]
                retrieval.relevant = True
        return retrieval

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
        """The question with a follow-up's earlier subject carried in: by the chat model when
        one is configured, else deterministically (conversation.py)."""
        if history and self.chat_model is not None and looks_like_follow_up(question):
            try:
                reply = self.chat_model.invoke([
                    SystemMessage(CONDENSE_SYSTEM),
                    HumanMessage(CONDENSE_USER.format(history="\n".join(history[-3:]),
                                                      question=question))])
                rewritten = str(reply.content).strip().splitlines()[0].strip()
                if 3 <= len(rewritten) <= self.settings.max_question_chars:
                    return rewritten
            except Exception:  # unreachable model: the deterministic method still works
                pass
        lexical = self.retriever.lexical()

        def specificity(term: str) -> float:
            stems = tokenize(term)
            return max((lexical.idf.get(s, lexical.default_idf) for s in stems), default=0.0)

        return condense(question, history or [], specificity)

    def ask(self, question: str, k: int | None = None, filters: dict | None = None,
            history: list[str] | None = None) -> Answer:
        """Answer a question; `history` holds the earlier standalone questions, oldest first."""
        final = None
        for _, final in self.stream(question, k, filters, history):  # noqa: B007
            pass
        return final

    def stream(self, question: str, k: int | None = None, filters: dict | None = None,
               history: list[str] | None = None) -> Iterator[tuple[str, Answer | None]]:
        """Yield (text so far, None) while the answer is written, then (text, Answer).

        A generative backend streams its tokens; the extractive answer arrives line by line.
        The final text can differ from the streamed one: unsupported sentences are dropped.
        """
        question = self.check_question(question)
        started = time.perf_counter()
        standalone = self.standalone(question, history)
        retrieval = self.retrieve({"question": standalone, "k": k, "filters": filters})
        retrieved = time.perf_counter()
        answer: Answer | None = None
        if isinstance(self.answerer, GenerativeAnswerer):
            text = ""
            for piece in self.answerer.stream_answer(retrieval):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    text += piece
                    yield text, None
        else:
            answer = self.answerer.invoke(retrieval)
        done = time.perf_counter()
        answer.question = question
        answer.standalone_question = standalone
        answer.timings_ms = {"retrieve": round((retrieved - started) * 1000, 1),
                             "answer": round((done - retrieved) * 1000, 1),
                             "total": round((done - started) * 1000, 1)}
        if not isinstance(self.answerer, GenerativeAnswerer):
            lines = answer.text.split("\n")
            for i in range(1, len(lines)):
                yield "\n".join(lines[:i]), None
        yield answer.text, answer

    def ingest(self, paths: list[Path] | None = None, **options) -> IngestReport:
        report = ingest_paths(self.settings, paths, index=self.index,
                              embeddings=lambda: self.embeddings, **options)
        self.retriever.refresh()  # this process answers from what it just ingested
        return report

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
        report = Ingestor(settings, fresh, embeddings, vocabulary(settings),
                          publish=False).run(paths, **options)
        failed = {Path(f["path"]).resolve() for f in report.failed}
        keep = [doc_id for doc_id, record in index.documents().items()
                if Path(record.get("path", "")).resolve() in failed]
        fresh.copy_documents_from(index, keep)
        fresh.bump_generation(embedding=embedding_id(settings.embedding_model,
                                                     settings.embedding_quantize))
        finish_rebuild(index.client, index.name)
        index.reopen()
        publish_search_index(index, search_root(settings), index.embedding_id() or "")
        return report


def make_embeddings(settings: Settings) -> SentenceEmbeddings:
    return SentenceEmbeddings(settings.embedding_model, settings.embedding_batch_size,
                              settings.embedding_quantize)


def build_index(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex(make_client(settings), settings.collection)


def build_assistant(settings: Settings, embeddings: SentenceEmbeddings | None = None,
                    chat_model: BaseChatModel | None = None) -> Assistant:
    """Wire the parts once. `chat_model` overrides the backend the settings name (tests)."""
    index = build_index(settings)
    index.check_embedding(embedding_id(settings.embedding_model, settings.embedding_quantize))
    embeddings = embeddings or make_embeddings(settings)
    retriever = HybridRetriever(index, embeddings, candidates=settings.candidates,
                                rrf_k=settings.rrf_k, threshold=settings.relevance_threshold,
                                search_dir=search_root(settings))
    retriever.lexical()  # load the saved search index at start, not on the first question
    extractive = ExtractiveAnswerer(retriever.lexical, lambda: len(index.documents()),
                                    max_sentences=settings.answer_sentences)
    chat_model = chat_model if chat_model is not None else make_chat_model(settings)
    answerer = extractive
    if chat_model is not None:
        verifier = CitationVerifier(embeddings, settings.support_threshold)
        answerer = GenerativeAnswerer(chat_model, extractive, verifier, settings.answer_backend,
                                      settings.min_support)
    return Assistant(settings, index, embeddings, retriever, answerer, chat_model)
