"""A document's public sources: checking the `sources:` front matter and carrying its links.

Each entry is `{title, url, date}`, or `{title, no_public_copy: true, date}` when the document
behind it cannot be read in public; knowledge/README.md describes the shape. Links travel to
passages as one JSON string because Chroma metadata values must be scalars.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlsplit

SOURCE_KEYS = {"title", "url", "date", "no_public_copy", "note"}


def is_web_url(url: object) -> bool:
    """An http(s) address with a host: the only kind of link shown to readers."""
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def source_problems(entries: object, strict: bool) -> list[str]:
    """Problems with a `sources` list, each naming the entry. `strict` (the curated knowledge
    base) requires the mapping shape; other documents may still list plain titles."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["'sources' must be a list"]
    problems = []
    for i, entry in enumerate(entries, start=1):
        where = f"'sources' entry {i}"
        if isinstance(entry, str) and not strict:
            continue
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a mapping with 'title' and 'url' (or "
                            "'no_public_copy: true'), not {entry!r}")
            continue
        title = entry.get("title")
        where = f"{where} ({str(title)[:40]!r})" if title else where
        if not (isinstance(title, str) and title.strip()):
            problems.append(f"{where} has no 'title'")
        unknown = sorted(set(entry) - SOURCE_KEYS)
        if unknown:
            problems.append(f"{where} has unknown keys {unknown}; allowed: {sorted(SOURCE_KEYS)}")
        url, hidden = entry.get("url"), entry.get("no_public_copy")
        if url is not None and not is_web_url(url):
            problems.append(f"{where} has 'url' {url!r}; expected an http:// or https:// "
                            "address with a host")
        if hidden not in (None, True):
            problems.append(f"{where} has 'no_public_copy' {hidden!r}; only true is allowed")
        if url is None and hidden is None:
            problems.append(f"{where} needs a 'url' or 'no_public_copy: true'")
        if url is not None and hidden:
            problems.append(f"{where} has both a 'url' and 'no_public_copy'")
        if "date" in entry and not isinstance(entry["date"], (str, int, date)):
            problems.append(f"{where} has 'date' {entry['date']!r}; expected a date or year")
    return problems


def source_links(meta: dict) -> list[dict]:
    """The document's sources as [{title, url?, date?}], in front-matter order."""
    links = []
    for entry in meta.get("sources") or []:
        if isinstance(entry, str):
            entry = {"title": entry}
        if not isinstance(entry, dict) or not entry.get("title"):
            continue
        link = {"title": str(entry["title"])}
        if is_web_url(entry.get("url")):
            link["url"] = entry["url"]
        if entry.get("date"):
            link["date"] = str(entry["date"])
        links.append(link)
    return links


def links_metadata(meta: dict) -> dict:
    """Scalar metadata for the catalogue and passages: titles for display, links as JSON."""
    links = source_links(meta)
    if not links:
        return {}
    return {"source_titles": "; ".join(link["title"] for link in links),
            "source_links": json.dumps(links, ensure_ascii=False)}


def links_from_metadata(metadata: dict) -> list[dict]:
    """Back from passage metadata to [{title, url, date?}], keeping only followable links."""
    try:
        links = json.loads(metadata.get("source_links") or "[]")
    except (TypeError, ValueError):
        return []
    return [link for link in links
            if isinstance(link, dict) and link.get("title") and is_web_url(link.get("url"))]
