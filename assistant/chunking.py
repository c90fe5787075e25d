"""Cutting documents into passages that fit the embedding model and still make sense alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import SourceDocument
from .regions import region_of
from .sources import links_metadata

SECTION_SEPARATOR = " › "
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[;:])\s+")  # inside a sentence too long to keep whole


@dataclass
class Passage:
    id: str
    text: str
    metadata: dict

    @property
    def embedding_text(self) -> str:
        """What the model embeds: the passage with its title and section, so it carries context."""
        section = self.metadata.get("section") or ""
        return f"{self.metadata['title']}. {section}.\n{self.text}"


def _split_long(text: str, max_words: int) -> list[str]:
    """Split at paragraphs, then sentences, so that no piece is much over max_words."""
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    units = [u for p in re.split(r"\n\s*\n", text) for u in _units(p, max_words)]
    for unit in units:
        words = len(unit.split())
        # A lead-in ending in ":" stays with the list it introduces ("A partnership can turn
        # an external requirement into a joint project by:" cut from its four items left both
        # halves unquotable).
        if current and count + words > max_words and not current[-1].rstrip().endswith(":"):
            pieces.append("\n\n".join(current))
            current, count = [], 0
        current.append(unit)
        count += words
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def _units(paragraph: str, max_words: int) -> list[str]:
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    if len(paragraph.split()) <= max_words:
        return [paragraph]
    # Cut between sentences; a clause boundary only inside a sentence over the limit ("Common
    # elements recur: a, b, c" split at its colon lost its list to a fragment in the next
    # passage).
    sentences = [clause for sentence in _SENTENCE_END.split(paragraph)
                 for clause in (_CLAUSE_END.split(sentence)
                                if len(sentence.split()) > max_words else [sentence])]
    out, current = [], []
    for sentence in sentences:
        if current and len(" ".join(current + [sentence]).split()) > max_words:
            out.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        out.append(" ".join(current))
    return out


def document_metadata(doc: SourceDocument) -> dict:
    """Flat, Chroma-safe metadata shared by every passage of a document.

    Chroma filters on scalar values, so list fields are stored twice: joined for display and as
    one boolean flag per value (`topic:governance`, `country:JPN`) for filtering.
    """
    meta = doc.meta
    flat = {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "title": doc.title,
        "doc_type": doc.doc_type,
        "content_hash": doc.content_hash,
    }
    for name in ("summary", "period", "date_signed", "date_in_force", "region", "status",
                 "last_reviewed"):
        if meta.get(name):
            flat[name] = str(meta[name])
    for name, prefix in (("topics", "topic"), ("countries", "country"), ("sectors", "sector")):
        values = [str(v) for v in meta.get(name) or []]
        if values:
            flat[name] = ", ".join(values)
            flat.update({f"{prefix}:{v}": True for v in values})
    regions = sorted({region_of(str(c)) for c in meta.get("countries") or []})
    if regions:
        flat["regions"] = ", ".join(regions)
        flat.update({f"region:{region_slug(r)}": True for r in regions})
    flat.update(links_metadata(meta))
    return flat


def region_slug(region: str) -> str:
    return re.sub(r"[^a-z]+", "-", region.lower()).strip("-")


def chunk_document(doc: SourceDocument, max_words: int = 220) -> list[Passage]:
    base = document_metadata(doc)
    passages = []
    for section in doc.sections:
        label = SECTION_SEPARATOR.join(section.path)
        for piece in _split_long(section.text, max_words):
            if len(piece.split()) < 3 and not label:
                continue
            n = len(passages)
            metadata = {**base, **section.meta, "section": label, "chunk": n}
            if section.page is not None:
                metadata["page"] = section.page
            passages.append(Passage(f"{doc.doc_id}::{doc.content_hash[:12]}::{n}", piece, metadata))
    return passages
