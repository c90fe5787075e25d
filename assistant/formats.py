"""Readers for the formats staff bring besides Markdown: PDF, DOCX, HTML and ToTA treaty XML.

Each reader turns a file into (metadata, title, sections); documents.py does the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .agreements import article_number, article_title, instrument_kind, short_name
from .documents import DocumentError, Section
from .limits import Deadline, Limits, check_pages, check_zip

_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def read_pdf(path: Path, limits: Limits, deadline: Deadline) -> tuple[dict, str | None,
                                                                      list[Section]]:
    """One section per page, so citations can give the page number. The page count is checked
    before any text is extracted; pypdf itself caps how far one stream may inflate."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        check_pages(len(reader.pages), limits)
        pages = []
        for page in reader.pages:
            deadline.check(f"extracting text from page {len(pages) + 1}")
            pages.append(page.extract_text() or "")
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"not a readable PDF ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise DocumentError(f"not a readable PDF ({exc.__class__.__name__})") from exc
    title = None
    info = reader.metadata
    if info and info.title:
        title = str(info.title).strip() or None
    sections = [Section([f"Page {n}"], _clean(text), page=n)
                for n, text in enumerate(pages, start=1) if text.strip()]
    if not sections:
        raise DocumentError("PDF has no extractable text (a scanned image needs OCR first)")
    return {}, title, sections


def read_docx(path: Path, limits: Limits, deadline: Deadline) -> tuple[dict, str | None,
                                                                       list[Section]]:
    """Heading styles become the section trail; the Title style (or first heading) the title.
    The zip's inflated sizes are checked first: python-docx inflates every part into memory."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, limits)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise DocumentError(f"not a readable Word document ({exc})") from exc
    except Exception as exc:
        raise DocumentError(f"not a readable Word document ({exc.__class__.__name__})") from exc
    title = (document.core_properties.title or "").strip() or None
    trail: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []

    def flush() -> None:
        text = "\n\n".join(lines).strip()
        if text:
            sections.append(Section([h for _, h in trail], text))
        lines.clear()

    for number, paragraph in enumerate(document.paragraphs):
        if number % 1000 == 0:
            deadline.check("reading its paragraphs")
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not text:
            continue
        if style == "Title":
            title = title or text
            continue
        match = re.match(r"Heading (\d)", style)
        if match:
            flush()
            level = int(match.group(1))
            trail = [(lv, h) for lv, h in trail if lv < level] + [(level, text)]
            continue
        lines.append(text)
    flush()
    for table in document.tables:  # tables after the prose, one row per line
        rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
        if rows:
            sections.append(Section(["Table"], "\n".join(rows)))
    return {}, title, sections


_HTML_NOISE = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
               "iframe", "svg", "button", "template"]


def read_html(path: Path, text: str, deadline: Deadline | None = None) -> tuple[
        dict, str | None, list[Section]]:
    """Main text only: <main> or <article> when present; navigation, scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(_HTML_NOISE):
        tag.decompose()
    for tag in soup.select("[role=navigation], [aria-hidden=true], .nav, .menu, .cookie"):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    trail: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []
    for element in root.find_all(["h1", "h2", "h3", "h4", "p", "li", "td", "th", "pre",
                                  "blockquote", "dd", "dt"]):
        if deadline:
            deadline.check("reading its HTML")
        if element.find_parent(["p", "li", "td", "blockquote"]) is not None:
            continue  # nested: its text is part of the parent's
        text = _SPACES.sub(" ", element.get_text(" ", strip=True)).strip()
        if not text:
            continue
        if element.name in {"h1", "h2", "h3", "h4"}:
            level = int(element.name[1])
            if level == 1 and not trail and not lines:
                title = title or text
                continue
            if lines:
                sections.append(Section([h for _, h in trail], "\n\n".join(lines)))
                lines = []
            trail = [(lv, h) for lv, h in trail if lv < level] + [(level, text)]
        else:
            lines.append(text)
    if lines:
        sections.append(Section([h for _, h in trail], "\n\n".join(lines)))
    if not sections:
        raise DocumentError("HTML page has no main text")
    return {}, title, sections


def read_tota(path: Path) -> tuple[dict, str | None, list[Section]]:
    """A ToTA treaty: <meta> becomes metadata, each article a section `chapter › article`."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise DocumentError(f"not well-formed XML ({exc})") from exc
    meta_el, body = root.find("meta"), root.find("body")
    if root.tag != "treaty" or meta_el is None or body is None:
        raise DocumentError("XML is not a ToTA treaty (expected <treaty> with <meta> and <body>)")

    def field(name: str) -> str:
        return (meta_el.findtext(name) or "").strip()

    parties = [p.text.strip() for p in meta_el.findall("parties/partyisocode") if p.text]
    meta = {"type": "agreement", "countries": parties, "topics": ["agreement-design"],
            "agreement_type": field("type"), "status": field("status"),
            "date_signed": field("date_signed"), "date_in_force": field("date_into_force"),
            "region": field("region"), "composition": field("composition"),
            "language": field("language")}
    meta = {k: v for k, v in meta.items() if v}
    def label(element: ET.Element) -> str:
        number = (element.get("number") or "").strip()
        return " ".join(filter(None, [number.title() if number.isupper() else number,
                                      (element.get("name") or "").strip()]))

    # What a lawyer's citation needs travels with every article passage (agreements.py).
    opening = " ".join(body.itertext())[:600]
    treaty = {"treaty_name": short_name(field("name"), instrument_kind(opening, field("type"))),
              "year_signed": field("date_signed")[:4]}
    sections = []
    for chapter in body.findall("chapter"):
        for article in chapter.findall("article"):
            # Paragraphs in ToTA text are separated by double spaces.
            text = _clean(" ".join(article.itertext()).replace("  ", "\n"))
            if text:
                cited = {**treaty, "article_number": article_number(article.get("number") or ""),
                         "article_title": article_title(article.get("name") or "")}
                sections.append(Section([t for t in (label(chapter), label(article)) if t], text,
                                        meta={k: v for k, v in cited.items() if v}))
    if not sections:
        raise DocumentError("treaty has no article text")
    return meta, field("name") or None, sections
