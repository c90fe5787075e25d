"""Syncing files into the index: what changed is re-embedded, nothing else is touched."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from .chunking import Passage, chunk_document, document_metadata
from .config import Settings
from .documents import DocumentError, SourceDocument, Vocabulary, content_hash, load_document
from .embeddings import SentenceEmbeddings
from .store import KnowledgeIndex

SKIPPED_NAMES = {"README.md", "LICENSE", "LICENSE.md"}
SKIPPED_DIRS = {"eval"}  # knowledge/eval holds questions about the corpus, not the corpus


class IngestLockedError(RuntimeError):
    pass


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[dict] = field(default_factory=list)
    chunks: int = 0
    words: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 2)
        busy = max(self.seconds, 1e-9)
        out["words_per_s"] = round(self.words / busy)
        out["chunks_per_s"] = round(self.chunks / busy, 1)
        return out

    @property
    def ok(self) -> bool:
        return not self.failed


@contextmanager
def writer_lock(data_dir: Path, wait: bool = False) -> Iterator[None]:
    """One ingest at a time per data dir; a second one exits with a clear message (or waits)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IngestLockedError(
                f"another ingest is writing to {data_dir} right now; wait for it to finish "
                "(or pass --wait)") from None
        yield


def discover(root: Path) -> Iterator[Path]:
    """Files to ingest under a path: hidden files, READMEs, sidecars and eval/ are left out."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if not path.is_file() or any(p.startswith(".") for p in rel):
            continue
        if path.name in SKIPPED_NAMES or path.name.endswith(".meta.yaml"):
            continue
        if any(p in SKIPPED_DIRS for p in rel[:-1]):
            continue
        yield path


def source_name(path: Path, root: Path, knowledge_dir: Path) -> str:
    """The path shown to users: relative to the knowledge dir when inside it, else to the root."""
    path = path.resolve()
    for base in (knowledge_dir.resolve(), root.resolve().parent if root.is_dir() else None):
        if base is not None and path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.name


class Ingestor:
    """Brings the index in line with a set of files. Embeds only what changed."""

    def __init__(self, settings: Settings, index: KnowledgeIndex,
                 embeddings: Callable[[], SentenceEmbeddings], vocab: Vocabulary | None) -> None:
        self.settings = settings
        self.index = index
        self._embeddings_factory = embeddings
        self._embeddings: SentenceEmbeddings | None = None
        self.vocab = vocab

    @property
    def embeddings(self) -> SentenceEmbeddings:
        # Loaded on first need: an unchanged re-ingest never pays for the model.
        if self._embeddings is None:
            self._embeddings = self._embeddings_factory()
        return self._embeddings

    def run(self, paths: list[Path], prune: bool = False, overrides: dict | None = None,
            progress: bool | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        known = self.index.documents()
        files: list[tuple[Path, Path]] = []
        for root in paths:
            if not root.exists():
                report.failed.append({"path": str(root), "error": "no such file or folder"})
                continue
            files += [(path, root) for path in discover(root)]

        seen: set[str] = set()
        # tqdm hides itself when stderr is not a terminal (disable=None).
        for path, root in tqdm(files, desc="ingest", unit="file",
                               disable=None if progress is None else not progress):
            source = source_name(path, root, self.settings.knowledge_dir)
            doc_id = source.rsplit(".", 1)[0] if "." in Path(source).name else source
            seen.add(doc_id)
            try:
                self._sync_file(path, doc_id, source, known.get(doc_id), report, overrides)
            except DocumentError as exc:
                report.failed.append({"path": str(path), "error": str(exc)})
            except OSError as exc:
                report.failed.append({"path": str(path), "error": f"cannot read: {exc.strerror}"})

        if prune:
            report.removed = self._prune(paths, known, seen)
        if report.added or report.updated or report.removed:
            self.index.bump_generation()
        report.seconds = time.perf_counter() - started
        return report

    def _sync_file(self, path: Path, doc_id: str, source: str, known: dict | None,
                   report: IngestReport, overrides: dict | None) -> None:
        size_mb = path.stat().st_size / 1e6
        if size_mb > self.settings.max_file_mb:
            raise DocumentError(f"file is {size_mb:.1f} MB, over the {self.settings.max_file_mb:g} "
                                "MB limit (ASSISTANT_MAX_FILE_MB)")
        data = path.read_bytes()
        digest = content_hash(data + repr(sorted((overrides or {}).items())).encode())
        if known and known.get("content_hash") == digest:
            report.unchanged += 1
            return
        doc = load_document(path, doc_id, source, self.vocab, overrides)
        passages = chunk_document(doc, self.settings.chunk_words)
        self._write(doc, passages, path)
        report.chunks += len(passages)
        report.words += sum(len(p.text.split()) for p in passages)
        if known:
            report.updated += 1
        else:
            report.added += 1

    def _write(self, doc: SourceDocument, passages: list[Passage], path: Path) -> None:
        # New passages go in before old ones go out: a run that dies here leaves the previous
        # version answering, and the next run (seeing the old hash) finishes the job.
        vectors = self.embeddings.embed_documents([p.embedding_text for p in passages])
        self.index.add_passages([p.id for p in passages], [p.text for p in passages],
                                [p.metadata for p in passages], vectors)
        record = document_metadata(doc)
        record.update(path=str(path.resolve()), chunks=len(passages))
        self.index.record_document(doc.doc_id, record)
        self.index.drop_stale_passages(doc.doc_id, doc.content_hash)

    def _prune(self, roots: list[Path], known: dict[str, dict], seen: set[str]) -> int:
        """Forget documents that lived under the given folders and whose files are gone."""
        dirs = [r.resolve() for r in roots if r.is_dir()]
        removed = 0
        for doc_id, record in known.items():
            path = Path(record.get("path", ""))
            if doc_id in seen or not any(path.is_relative_to(d) for d in dirs):
                continue
            if not path.exists():
                self.index.forget_document(doc_id)
                removed += 1
        return removed
