"""Syncing files into the index: what changed is re-embedded, nothing else is touched."""

from __future__ import annotations

import fcntl
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from .answer.spans import attach_sentence_vectors
from .chunking import Passage, chunk_document, document_metadata
from .config import Settings
from .documents import DocumentError, SourceDocument, Vocabulary, fingerprint, load_document
from .embeddings import SentenceEmbeddings, embedding_id
from .lexical import publish_search_index, search_root
from .limits import Deadline, Limits, check_passages
from .store import KnowledgeIndex

# Notes about a folder, not knowledge: the README and the fact-check record are never indexed.
SKIPPED_NAMES = {"README.md", "FACT-CHECK.md", "LICENSE", "LICENSE.md"}
SKIPPED_DIRS = {"eval"}  # knowledge/eval holds questions about the corpus, not the corpus


class IngestLockedError(RuntimeError):
    pass


def printable(text: str) -> str:
    """Text for the report with control and format characters escaped (`\\n`, `\\u202e`), so
    a file named with a newline or a bidi override cannot forge or hide a report line."""
    return "".join(
        (c.encode("unicode_escape").decode("ascii") if c.isascii() else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def links_outside(path: Path, root: Path) -> bool:
    """True when `path` resolves outside the folder it was found in. A link given directly as
    the path is held to the folder it sits in, like a link found inside a folder."""
    base = root if root.is_dir() else path.parent
    return not path.resolve().is_relative_to(base.resolve())


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
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

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
    # A folder's files are named from the folder down (`xml/pta_1.xml`); a single file by its
    # folder and name too, so that both ways of ingesting it give the same document id.
    base = root.resolve().parent if root.is_dir() else root.resolve().parent.parent
    for candidate in (knowledge_dir.resolve(), base):
        if path.is_relative_to(candidate):
            return path.relative_to(candidate).as_posix()
    return path.name


@dataclass
class _Pending:
    doc: SourceDocument
    passages: list[Passage]
    path: Path
    is_update: bool


class Ingestor:
    """Brings the index in line with a set of files. Embeds only what changed, in batches
    across files so that small documents still fill the model's batches."""

    def __init__(self, settings: Settings, index: KnowledgeIndex,
                 embeddings: Callable[[], SentenceEmbeddings], vocab: Vocabulary | None,
                 batch_passages: int = 256, publish: bool = True) -> None:
        self.settings = settings
        self.index = index
        self._embeddings_factory = embeddings
        self._embeddings: SentenceEmbeddings | None = None
        self.vocab = vocab
        self.batch_passages = batch_passages
        self.publish = publish  # save the search index and announce it (off inside a rebuild)

    @property
    def embeddings(self) -> SentenceEmbeddings:
        # Loaded on first need: an unchanged re-ingest never pays for the model.
        if self._embeddings is None:
            self._embeddings = self._embeddings_factory()
        return self._embeddings

    def run(self, paths: list[Path], prune: bool = False, overrides: dict | None = None,
            progress: bool | None = None, dry_run: bool = False) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(dry_run=dry_run)
        wanted = embedding_id(self.settings.embedding_model, self.settings.embedding_quantize)
        self.index.check_embedding(wanted)
        known = self.index.documents()
        files: list[tuple[Path, Path]] = []
        for root in paths:
            if not root.exists():
                report.failed.append({"path": printable(str(root)),
                                      "error": "no such file or folder"})
                continue
            for path in discover(root):
                if links_outside(path, root):
                    report.warnings.append(printable(
                        f"skipped {path}: it links outside {root if root.is_dir() else path.parent}"))
                    continue
                files.append((path, root))

        seen: dict[str, Path] = {}
        pending: list[_Pending] = []
        # tqdm hides itself when stderr is not a terminal (disable=None).
        bar = tqdm(files, desc="ingest", unit="file",
                   disable=None if progress is None else not progress)
        for path, root in bar:
            source = source_name(path, root, self.settings.knowledge_dir)
            doc_id = source.rsplit(".", 1)[0] if "." in Path(source).name else source
            if doc_id in seen:
                report.failed.append({"path": printable(str(path)), "error": printable(
                    f"same document id as {seen[doc_id]}; rename one of them")})
                continue
            seen[doc_id] = path
            try:
                item = self._prepare(path, doc_id, source, known.get(doc_id), report, overrides)
            except DocumentError as exc:
                report.failed.append({"path": printable(str(path)), "error": printable(str(exc))})
                continue
            except OSError as exc:
                report.failed.append({"path": printable(str(path)),
                                      "error": f"cannot read: {exc.strerror}"})
                continue
            if item is None:
                continue
            report.chunks += len(item.passages)
            report.words += sum(len(p.text.split()) for p in item.passages)
            report.updated += item.is_update
            report.added += not item.is_update
            if not dry_run:
                pending.append(item)
        bar.close()
        self._write_all(pending, progress)

        if prune:
            report.removed = self._prune(paths, known, set(seen), dry_run)
        if not dry_run and (report.added or report.updated or report.removed):
            if self.publish:
                publish_search_index(self.index, search_root(self.settings), wanted)
            else:
                self.index.bump_generation(embedding=wanted)
        report.seconds = time.perf_counter() - started
        return report

    def _write_all(self, pending: list[_Pending], progress: bool | None) -> None:
        """Embed and store in batches across files, with a bar in passages (rate and ETA):
        reading is quick, embedding is the whole cost of a bulk ingest."""
        total = sum(len(item.passages) for item in pending)
        if total:
            self.embeddings  # noqa: B018 - load the model first, so the bar's rate is embedding only
        bar = tqdm(total=total, desc="embedding", unit="passage", smoothing=0.1,
                   disable=None if progress is None else not progress)
        batch: list[_Pending] = []
        for item in pending:
            batch.append(item)
            if sum(len(p.passages) for p in batch) >= self.batch_passages:
                self._write(batch)
                bar.update(sum(len(p.passages) for p in batch))
                batch = []
        if batch:
            self._write(batch)
            bar.update(sum(len(p.passages) for p in batch))
        bar.close()

    def _prepare(self, path: Path, doc_id: str, source: str, known: dict | None,
                 report: IngestReport, overrides: dict | None) -> _Pending | None:
        size_mb = path.stat().st_size / 1e6
        if size_mb > self.settings.max_file_mb:
            raise DocumentError(f"file is {size_mb:.1f} MB, over the {self.settings.max_file_mb:g} "
                                "MB limit (ASSISTANT_MAX_FILE_MB)")
        if known and known.get("content_hash") == fingerprint(path, overrides):
            report.unchanged += 1
            return None
        limits = Limits.from_settings(self.settings)
        deadline = Deadline(limits.time_budget_s)
        doc = load_document(path, doc_id, source, self.vocab, overrides, limits, deadline)
        passages = chunk_document(doc, self.settings.chunk_words)
        deadline.check("cutting it into passages")
        if not passages:
            raise DocumentError("no text to index")
        check_passages(len(passages), limits)
        return _Pending(doc, passages, path, is_update=known is not None)

    def _write(self, batch: list[_Pending]) -> None:
        passages = [p for item in batch for p in item.passages]
        # Sentence vectors let answers pick sentences by meaning without a model call per
        # answer; they are pooled from the curated passages' own forward pass (treaty
        # articles, the bulk of a large ingest, get none and skip the token outputs).
        curated = [n for n, p in enumerate(passages) if p.metadata.get("doc_type") != "agreement"]
        plain = sorted(set(range(len(passages))) - set(curated))
        vectors: list = [None] * len(passages)
        for start in range(0, len(curated), 256):  # token outputs held for 256 passages at most
            chosen = curated[start : start + 256]
            found, tokens = self.embeddings.embed_with_tokens(
                [passages[n].embedding_text for n in chosen])
            for n, vector in zip(chosen, found, strict=True):
                vectors[n] = vector.tolist()
            attach_sentence_vectors([passages[n] for n in chosen],
                                    self.embeddings.embed_sentences, tokens)
        if plain:
            for n, vector in zip(plain, self.embeddings.embed_documents(
                    [passages[n].embedding_text for n in plain]), strict=True):
                vectors[n] = vector
        offset = 0
        for item in batch:
            mine = vectors[offset : offset + len(item.passages)]
            offset += len(item.passages)
            # New passages go in before old ones go out: a run that dies here leaves the
            # previous version answering, and the next run (seeing the old hash) finishes.
            self.index.add_passages([p.id for p in item.passages],
                                    [p.text for p in item.passages],
                                    [p.metadata for p in item.passages], mine)
            record = document_metadata(item.doc)
            record.update(path=str(item.path.resolve()), chunks=len(item.passages))
            self.index.record_document(item.doc.doc_id, record)
            self.index.drop_stale_passages(item.doc.doc_id, item.doc.content_hash)

    def _prune(self, roots: list[Path], known: dict[str, dict], seen: set[str],
               dry_run: bool) -> int:
        """Forget documents that lived under the given folders and whose files are gone."""
        dirs = [r.resolve() for r in roots if r.is_dir()]
        removed = 0
        for doc_id, record in known.items():
            path = Path(record.get("path", ""))
            if doc_id in seen or not any(path.is_relative_to(d) for d in dirs):
                continue
            if not path.exists():
                if not dry_run:
                    self.index.forget_document(doc_id)
                removed += 1
        return removed
