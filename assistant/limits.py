"""Limits on what one file may cost an ingest: inflated size, pages, passages and time.

They are checked before a parser does the expensive part (a zip's sizes before anything is
inflated, a PDF's page count before any text is extracted) or as it goes (the time budget),
so a hostile file is refused in seconds with a message naming the limit, never after it has
eaten the machine's memory.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .documents import DocumentError

# A part that inflates to less than this is never refused for its ratio: small, repetitive
# XML parts (styles, settings) compress very well and are harmless.
_RATIO_FLOOR_BYTES = 1_000_000


@dataclass(frozen=True)
class Limits:
    max_unzipped_mb: float = 100.0
    max_zip_ratio: float = 100.0
    max_pdf_pages: int = 2000
    max_passages: int = 5000
    time_budget_s: float = 60.0

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(settings.max_unzipped_mb, settings.max_zip_ratio, settings.max_pdf_pages,
                   settings.max_passages_per_document, settings.file_time_budget_s)


class Deadline:
    """The time budget of one file, checked between the steps of its parser."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.started = time.monotonic()

    def check(self, doing: str = "reading it") -> None:
        spent = time.monotonic() - self.started
        if spent > self.budget_s:
            raise DocumentError(
                f"took over {self.budget_s:g} s {doing} (per-file time budget, "
                "ASSISTANT_FILE_TIME_BUDGET_S); split the file or raise the budget")


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip-based file (DOCX) whose parts would inflate too far, before inflating any.

    The sizes come from the zip's directory. Python's zipfile never returns more than the
    declared size of a part, so a directory that lies cannot make the parser read more.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"not a readable Word document (not a zip archive: {exc})") from exc
    total = sum(p.file_size for p in parts)
    if total > limits.max_unzipped_mb * 1e6:
        raise DocumentError(
            f"inflates to {total / 1e6:,.0f} MB, over the {limits.max_unzipped_mb:g} MB limit "
            "for unzipped content (ASSISTANT_MAX_UNZIPPED_MB); refused before unpacking")
    for part in parts:
        if part.file_size < _RATIO_FLOOR_BYTES:
            continue
        ratio = part.file_size / max(part.compress_size, 1)
        if ratio > limits.max_zip_ratio:
            raise DocumentError(
                f"part {part.filename!r} inflates {ratio:,.0f} times "
                f"({part.compress_size / 1e6:.1f} MB to {part.file_size / 1e6:,.0f} MB), over "
                f"the ratio limit of {limits.max_zip_ratio:g} (ASSISTANT_MAX_ZIP_RATIO); "
                "refused before unpacking")


def check_pages(pages: int, limits: Limits) -> None:
    if pages > limits.max_pdf_pages:
        raise DocumentError(f"has {pages:,} pages, over the {limits.max_pdf_pages:,}-page limit "
                            "(ASSISTANT_MAX_PDF_PAGES)")


def check_passages(passages: int, limits: Limits) -> None:
    if passages > limits.max_passages:
        raise DocumentError(
            f"would make {passages:,} passages, over the {limits.max_passages:,}-passage limit "
            "per document (ASSISTANT_MAX_PASSAGES_PER_DOCUMENT); split the file")
