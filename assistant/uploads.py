"""Admin uploads: safe file names, a size limit checked before a file is read, an audit log
(`uploads.log` in the data dir, JSON lines) and the ingest run on a worker thread.

The worker thread keeps the request free (the page shows progress) and shares the app's model
and index. It is a thread, not a child process, because the embedded Chroma store must not be
written by a second process while the app reads it (the app's reads then failed with "Error
finding id"); parsing that holds the GIL in one long call would still pause other requests,
which is why the ingest path's parsers must run in linear time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .config import Settings
from .ingestion import IngestReport


def safe_name(name: str) -> str:
    """The file's own name only: no folders, no control or invisible characters, not hidden."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if unicodedata.category(ch)[0] != "C" else "" for ch in name)
    name = " ".join(name.split()).lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > 120:
        name = f"{stem[:100]}.{suffix[:19]}"
    return name[:120] or "upload"


def markdown_text(text: str) -> str:
    """A file name or message shown literally inside Markdown."""
    return "".join(f"\\{ch}" if ch in "\\`*_{}[]<>()#+-.!|~" else ch for ch in text)


@dataclass
class UploadJob:
    user: str
    files: list[dict]  # name, path, sha256, bytes
    refused: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    summary: str = ""

    def progress(self) -> str:
        names = ", ".join(f["name"] for f in self.files)
        return f"Ingesting {names}… {time.monotonic() - self.started:.0f} s"


class UploadRunner:
    """`ingest(paths)` runs one ingest of the given files (the app's `Assistant.ingest`)."""

    def __init__(self, settings: Settings, ingest: Callable[[list[Path]], IngestReport]) -> None:
        self.settings = settings
        self.ingest = ingest
        self.folder = settings.data_dir / "uploads"
        self.log_path = settings.data_dir / "uploads.log"
        self._log_lock = threading.Lock()

    def audit(self, user: str | None, name: str, result: str, sha256: str = "",
              size: int | None = None) -> None:
        record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user,
                  "file": name, "sha256": sha256, "bytes": size, "result": result}
        with self._log_lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, ensure_ascii=False) + "\n")

    def refuse(self, user: str | None, names: list[str], reason: str) -> None:
        for name in names or ["(no file)"]:
            self.audit(user, safe_name(name), f"refused: {reason}")

    def submit(self, user: str, sources: list[Path]) -> UploadJob:
        """Check and copy the files, then ingest them on a worker thread; returns at once."""
        limit = int(self.settings.max_upload_mb * 1024 * 1024)
        self.folder.mkdir(parents=True, exist_ok=True)
        job = UploadJob(user, [])
        for source in sources:
            name = safe_name(source.name)
            reason = None
            if not source.is_file():
                reason = "it is not a file"
            elif (size := source.stat().st_size) > limit:
                reason = (f"{size / 1e6:.1f} MB is over the upload limit of "
                          f"{self.settings.max_upload_mb:g} MB (ASSISTANT_MAX_UPLOAD_MB)")
            elif any(f["name"] == name for f in job.files):
                reason = "another file in this upload has the same name"
            if reason:
                job.refused.append(f"**{markdown_text(name)}**: {reason}")
                self.audit(user, name, f"refused: {reason}")
                continue
            target = self.folder / name
            shutil.copyfile(source, target)
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            job.files.append({"name": name, "path": target, "sha256": digest, "bytes": size})
        if not job.files:
            job.summary = "Nothing was ingested."
            job.done.set()
            return job
        for f in job.files:
            self.audit(user, f["name"], "started", f["sha256"], f["bytes"])
        threading.Thread(target=self._run, args=(job,), daemon=True,
                         name=f"upload-{job.id}").start()
        return job

    def _run(self, job: UploadJob) -> None:
        failed: dict[str, str] = {}
        try:
            report = self.ingest([f["path"] for f in job.files])
            failed = {Path(f["path"]).name: f["error"] for f in report.failed}
            job.summary = (f"Added {report.added}, updated {report.updated}, unchanged "
                           f"{report.unchanged}; {report.chunks} passages indexed.")
        except Exception as exc:  # the report says what went wrong, in a sentence
            failed = {f["name"]: str(exc) or type(exc).__name__ for f in job.files}
            job.summary = "The ingest stopped; nothing already indexed was lost."
        for f in job.files:
            result = f"failed: {failed[f['name']]}" if f["name"] in failed else "indexed"
            self.audit(job.user, f["name"], result, f["sha256"], f["bytes"])
        job.refused += [f"**{markdown_text(name)}**: {markdown_text(error)}"
                        for name, error in failed.items()]
        job.done.set()

    def report(self, job: UploadJob) -> str:
        lines = [job.summary] + [f"- Could not ingest {item}" for item in job.refused]
        return "\n".join(lines)
