"""Reading source files into documents: front matter, schema checks and heading-aware sections."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .sources import source_problems

if TYPE_CHECKING:
    from .limits import Deadline, Limits

MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".xml"}
SIDECAR_SUFFIX = ".meta.yaml"
# Part of every document's fingerprint: bump it when parsing or passage metadata changes, so
# the next ingest re-indexes documents whose files did not change.
INDEX_FORMAT = "6"  # 4: sentence vectors, last_reviewed and source links in passage metadata;
# 5: passages cut between sentences only, not at a colon or semicolon
# 6: a lead-in ending in ":" kept in the same passage as its list
DOC_TYPES = {"guidance", "case-study", "agreement", "reference"}
CURATED_TYPES = {"guidance", "case-study"}  # the knowledge base proper: full schema applies
CASE_STUDY_FIELDS = ("countries", "sectors", "period", "sources")
LIST_FIELDS = ("topics", "countries", "sectors")

_VOCAB_ROW = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|")


class DocumentError(Exception):
    """A file that cannot be ingested; the message says why in words a user can act on."""


@dataclass
class Section:
    path: list[str]  # heading trail below the title, e.g. ["Governance", "Joint committee"]
    text: str
    page: int | None = None
    meta: dict = field(default_factory=dict)  # per-section metadata (a treaty article's)


@dataclass
class SourceDocument:
    doc_id: str
    source: str
    title: str
    doc_type: str
    content_hash: str
    sections: list[Section]
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary:
    topics: frozenset[str]
    sectors: frozenset[str]

    @classmethod
    def from_readme(cls, readme: Path) -> Vocabulary:
        """Read the topic vocabulary table and sector list that knowledge/README.md defines."""
        topics: set[str] = set()
        sectors: set[str] = set()
        part = ""
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                part = line[3:].strip().lower()
            elif part == "topic vocabulary" and (m := _VOCAB_ROW.match(line)):
                topics.add(m.group(1))
            elif part == "sector list":
                sectors.update(re.findall(r"`([a-z0-9-]+)`", line))
        return cls(frozenset(topics), frozenset(sectors))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    """Return (front matter, body). A file without front matter gets an empty dict."""
    if not text.startswith("---"):
        return {}, text
    end = re.search(r"^---[ \t]*$", text[3:], flags=re.MULTILINE)
    if not end:
        raise DocumentError("front matter opened with '---' is never closed")
    raw = text[3 : 3 + end.start()]
    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise DocumentError(f"front matter is not valid YAML{where}") from exc
    if not isinstance(meta, dict):
        raise DocumentError("front matter must be a mapping of field: value")
    return meta, text[3 + end.end() :]


def validate_front_matter(meta: dict, vocab: Vocabulary | None) -> list[str]:
    """Problems with a document's front matter, each naming the field."""
    problems = []
    doc_type = meta.get("type")
    required = ("title", "type", "summary", "topics") if doc_type in CURATED_TYPES else ("title",)
    for name in required:
        if not meta.get(name):
            problems.append(f"'{name}' is missing")
    if doc_type and doc_type not in DOC_TYPES:
        problems.append(f"'type' is {doc_type!r}; expected one of {sorted(DOC_TYPES)}")
    for name in LIST_FIELDS:
        if name in meta and not isinstance(meta[name], list):
            problems.append(f"'{name}' must be a list")
    problems += source_problems(meta.get("sources"), strict=doc_type in CURATED_TYPES)
    if doc_type == "case-study":
        problems += [f"'{name}' is missing (case studies need it)"
                     for name in CASE_STUDY_FIELDS if not meta.get(name)]
        for code in meta.get("countries") or []:
            if not (isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code)):
                problems.append(f"'countries' has {code!r}; expected ISO 3166-1 alpha-3 codes")
    if vocab:
        for name, allowed in (("topics", vocab.topics), ("sectors", vocab.sectors)):
            values = meta.get(name) if isinstance(meta.get(name), list) else []
            unknown = [v for v in values if v not in allowed]
            if unknown:
                problems.append(
                    f"'{name}' has {unknown} not in the vocabulary of knowledge/README.md")
    reviewed = meta.get("last_reviewed")
    if reviewed is not None and not isinstance(reviewed, date):
        problems.append("'last_reviewed' must be an ISO date (YYYY-MM-DD)")
    return problems


def heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line such as `## Governance ##`, else None.

    Plain string operations, not a regex: the pattern this replaced backtracked for minutes on
    a heading with a long run of spaces (issue 14). Linear in the line's length.
    """
    level = len(line) - len(line.lstrip("#"))
    if not 1 <= level <= 6 or len(line) == level or not line[level].isspace():
        return None
    text = line[level:].strip().rstrip("#").strip()
    return (level, text) if text else None


def split_sections(body: str, deadline: Deadline | None = None) -> tuple[str | None, list[Section]]:
    """Split Markdown at headings; return the H1 title (if any) and sections with heading trails."""
    title = None
    trail: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section([h for _, h in trail], text))
        lines.clear()

    for number, line in enumerate(body.splitlines()):
        if deadline and number % 5000 == 0:
            deadline.check("splitting it into sections")
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        found = None if in_fence else heading(line)
        if not found:
            lines.append(line)
            continue
        flush()
        level, text = found
        if level == 1 and title is None:
            title = text
            continue
        trail = [(lv, h) for lv, h in trail if lv < level] + [(level, text)]
    flush()
    return title, sections


def sidecar_for(path: Path) -> Path | None:
    """`report.meta.yaml` (or `report.pdf.meta.yaml`) beside `report.pdf` carries its metadata."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX),
                      path.with_name(path.stem + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def fingerprint(path: Path, overrides: dict | None = None) -> str:
    """Content hash of everything that shapes a document: file, sidecar and flags."""
    sidecar = sidecar_for(path)
    parts = [INDEX_FORMAT.encode(), path.read_bytes(), sidecar.read_bytes() if sidecar else b"",
             repr(sorted((overrides or {}).items())).encode()]
    return content_hash(b"\0".join(parts))


def _read_sidecar(path: Path) -> dict:
    sidecar = sidecar_for(path)
    if sidecar is None:
        return {}
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DocumentError(f"sidecar {sidecar.name} is not valid YAML") from exc
    if not isinstance(meta, dict):
        raise DocumentError(f"sidecar {sidecar.name} must be a mapping of field: value")
    return meta


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 text (byte {exc.start} cannot be decoded)") from exc


def _read(path: Path, suffix: str, data: bytes, limits: Limits,
          deadline: Deadline) -> tuple[dict, str | None, list[Section]]:
    """The file's own metadata, title and sections, by format."""
    from . import formats

    if suffix == ".pdf":
        return formats.read_pdf(path, limits, deadline)
    if suffix == ".docx":
        return formats.read_docx(path, limits, deadline)
    if suffix == ".xml":
        return formats.read_tota(path)
    text = _decode(data)
    if suffix in HTML_SUFFIXES:
        return formats.read_html(path, text, deadline)
    if suffix in MARKDOWN_SUFFIXES:
        meta, body = split_front_matter(text, path)
        title, sections = split_sections(body, deadline)
        return meta, title, sections
    return {}, None, [Section([], text.strip())]


def load_document(path: Path, doc_id: str, source: str, vocab: Vocabulary | None = None,
                  overrides: dict | None = None, limits: Limits | None = None,
                  deadline: Deadline | None = None) -> SourceDocument:
    """Read one file of any supported format. Raises DocumentError saying why it cannot be used.

    Metadata, weakest first: defaults, flags (`overrides`), the format's own (ToTA <meta>), the
    sidecar, and a Markdown file's front matter. `limits` and `deadline` bound what the file
    may cost (limits.py).
    """
    from .limits import Deadline, Limits

    limits = limits or Limits()
    deadline = deadline or Deadline(limits.time_budget_s)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type '{suffix or path.name}'; supported: "
                            + ", ".join(sorted(SUPPORTED_SUFFIXES)))
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError("file is empty")
    own_meta, heading_title, sections = _read(path, suffix, data, limits, deadline)
    front_matter = own_meta if suffix in MARKDOWN_SUFFIXES else {}
    format_meta = {} if suffix in MARKDOWN_SUFFIXES else own_meta
    explicit = {**format_meta, **_read_sidecar(path), **front_matter}
    meta = {"type": "reference", **(overrides or {}), **explicit}
    if explicit or overrides:
        problems = validate_front_matter({"title": heading_title or path.stem, **meta}, vocab)
        if problems:
            raise DocumentError("metadata: " + "; ".join(problems))
    if not sections:
        raise DocumentError("no text after the front matter")
    title = str(meta.get("title") or heading_title or path.stem.replace("-", " ").replace("_", " "))
    return SourceDocument(
        doc_id=doc_id,
        source=source,
        title=title,
        doc_type=str(meta.get("type", "reference")),
        content_hash=fingerprint(path, overrides),
        sections=sections,
        meta=meta,
    )
