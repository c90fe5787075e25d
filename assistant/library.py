"""The library: every indexed document, searchable, readable, and counted for coverage."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .store import KnowledgeIndex


@dataclass
class Entry:
    doc_id: str
    title: str
    doc_type: str
    countries: list[str]
    regions: list[str]
    topics: list[str]
    sectors: list[str]
    period: str
    summary: str
    source: str


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(", ") if v]


def entries(index: KnowledgeIndex) -> list[Entry]:
    out = [Entry(doc_id, r.get("title", doc_id), r.get("doc_type", ""), _split(r.get("countries")),
                 _split(r.get("regions")), _split(r.get("topics")), _split(r.get("sectors")),
                 r.get("period") or r.get("date_signed") or "", r.get("summary", ""),
                 r.get("source", ""))
           for doc_id, r in index.documents().items()]
    order = {"guidance": 0, "case-study": 1, "agreement": 2, "reference": 3}
    return sorted(out, key=lambda e: (order.get(e.doc_type, 9), e.title.lower()))


def search(items: list[Entry], text: str = "", doc_type: str | None = None,
           topic: str | None = None, country: str | None = None,
           region: str | None = None) -> list[Entry]:
    words = [w for w in re.findall(r"\w+", (text or "").lower()) if w]

    def keep(e: Entry) -> bool:
        haystack = " ".join([e.title, e.summary, e.doc_id, *e.countries, *e.topics, *e.sectors,
                             *e.regions]).lower()
        return (all(w in haystack for w in words)
                and (not doc_type or e.doc_type == doc_type)
                and (not topic or topic in e.topics)
                and (not country or country in e.countries)
                and (not region or region in e.regions))
    return [e for e in items if keep(e)]


def read(index: KnowledgeIndex, doc_id: str) -> tuple[dict, list[tuple[str, str, int | None]]]:
    """A document's catalogue record and its passages in order: (section, text, page)."""
    record = index.documents().get(doc_id)
    if record is None:
        return {}, []
    got = index.passages.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    rows = sorted(zip(got["metadatas"], got["documents"], strict=True),
                  key=lambda r: r[0].get("chunk", 0))
    return record, [(m.get("section", ""), text, m.get("page")) for m, text in rows]


def coverage(items: list[Entry]) -> dict[str, Counter]:
    """How many case studies per region, sector and topic: gaps show as short bars."""
    cases = [e for e in items if e.doc_type == "case-study"]
    return {"region": Counter(r for e in cases for r in e.regions),
            "sector": Counter(s for e in cases for s in e.sectors),
            "topic": Counter(t for e in cases for t in e.topics)}
