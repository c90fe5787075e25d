"""Taking answers away: a conversation or workshop pack as Markdown, or as a DOCX brief."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

from .escaping import markdown_plain
from .escaping import markdown_text as md
from .sources import is_web_url


def citations_markdown(citations: list[dict]) -> str:
    lines = []
    for c in citations:
        where = f" › {md(c['section'])}" if c.get("section") else ""
        page = f", p. {c['page']}" if c.get("page") else ""
        lines.append(f"[{c['n']}] {md(c['title'])}{where} ({md(c['source'])}{page})"
                     + source_links_markdown(c.get("links") or []))
    return "\n".join(f"- {line}" for line in lines)


_MD_SPECIAL = re.compile(r"([\\`*_<>#\[\]()])")
_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\((https?://[^)\s]+)\)")
_URL_SAFE = ":/?#[]@!$&'*+,;=%~._-"  # everything else, e.g. spaces and parentheses, is encoded


def source_links_markdown(links: list[dict]) -> str:
    """A citation's public sources as Markdown links: titles escaped, addresses percent-encoded
    where Markdown would misread them, and only http(s) addresses kept."""
    items = []
    for link in links:
        if link.get("title") and is_web_url(link.get("url")):
            title = _MD_SPECIAL.sub(r"\\\1", link["title"])
            items.append(f"[{title}]({quote(link['url'], safe=_URL_SAFE)})")
    return " · public sources: " + "; ".join(items) if items else ""


def _plain_link(match: re.Match) -> str:
    title = re.sub(r"\\(.)", r"\1", match.group(1))
    return f"{title} <{match.group(2)}>"


def conversation_markdown(turns: list[dict], title: str = "Partnership design brief") -> str:
    """turns: the answers' JSON (as from Answer.to_json), in order."""
    parts = [f"# {title}", f"_Prepared {date.today().isoformat()} with the Partnership Design "
             "Assistant. Every sentence cites the passage it comes from; sources are listed "
             "after each answer._"]
    for i, turn in enumerate(turns, start=1):
        parts.append(f"## {i}. {md(turn['question'])}")
        if turn.get("standalone_question") and turn["standalone_question"] != turn["question"]:
            parts.append(f"_Searched as: {md(turn['standalone_question'])}_")
        parts.append(turn["answer"])
        if turn.get("citations"):
            parts.append("**Sources**\n\n" + citations_markdown(turn["citations"]))
    return "\n\n".join(parts) + "\n"


# Markers the assistant wrote, not escaped ones (`\*`, `\_`) that came from a document.
_INLINE = re.compile(r"((?<!\\)\*\*[^*]+?(?<!\\)\*\*|(?<![\\\w])_[^_]+?(?<!\\)_(?!\w))")


def _add_runs(paragraph, text: str) -> None:
    """Bold and italic runs; escaped characters (escaping.py) shown as themselves."""
    # Word gets a source link as "title <address>": readable, and the address can be copied.
    text = _MD_LINK.sub(_plain_link, text)
    for part in _INLINE.split(text):
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(markdown_plain(part[2:-2])).bold = True
        elif part.startswith("_") and part.endswith("_") and len(part) > 2:
            paragraph.add_run(markdown_plain(part[1:-1])).italic = True
        elif part:
            paragraph.add_run(markdown_plain(part))


def markdown_to_docx(markdown: str, path: Path) -> Path:
    """The small Markdown the assistant writes (headings, lists, tables, bold) as a Word file."""
    import docx

    document = docx.Document()
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(set(c) <= set("-: ") for c in cells):
                    rows.append(cells)
                i += 1
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, text in enumerate(cells):
                    _add_runs(table.cell(r, c).paragraphs[0], text)
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)", line)
        if heading:
            document.add_heading(markdown_plain(heading.group(2)),
                                 level=min(len(heading.group(1)) - 1, 3) or 0)
        elif re.match(r"^\s*[-*]\s+", line):
            _add_runs(document.add_paragraph(style="List Bullet"), re.sub(r"^\s*[-*]\s+", "", line))
        elif re.match(r"^\s*\d+[.)]\s+", line):
            _add_runs(document.add_paragraph(style="List Number"),
                      re.sub(r"^\s*\d+[.)]\s+", "", line))
        elif line.startswith(">"):
            _add_runs(document.add_paragraph(style="Intense Quote"), line.lstrip("> "))
        else:
            _add_runs(document.add_paragraph(), line)
        i += 1
    document.save(str(path))
    return path


def write_export(markdown: str, stem: str, kind: str) -> Path:
    """Write Markdown, or its DOCX rendering, to a fresh temporary folder for download."""
    folder = Path(tempfile.mkdtemp(prefix="pda-export-"))
    if kind == "md":
        path = folder / f"{stem}.md"
        path.write_text(markdown, encoding="utf-8")
        return path
    return markdown_to_docx(markdown, folder / f"{stem}.docx")
