"""A one-page briefing note for the last answer, in the layout ministries use (Issue · Key
points · Evidence from cases · Risks · Sources), with every citation a real Word footnote."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_CITE = re.compile(r"\s*\[(\d+)\]")
_LABEL = re.compile(r"^\*\*(.+?)\*\*:\s*")
PARTS = {"In practice": "Evidence from cases", "Watch out for": "Risks",
         "What the agreements say": "What the agreements say"}


def _sections(answer: str) -> dict[str, list[str]]:
    """The answer's lines under the note's headings; the lead and supporting points first."""
    sections: dict[str, list[str]] = {"Key points": []}
    current = "Key points"
    for line in answer.splitlines():
        line = line.strip()
        if not line:
            continue
        heading = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if heading:
            current = PARTS.get(heading.group(1), heading.group(1))
            sections.setdefault(current, [])
            continue
        sections[current].append(re.sub(r"^(?:[-*]|\d+[.)])\s+", "", line))
    return {name: lines for name, lines in sections.items() if lines}


def _footnote_xml(n: int, text: str) -> str:
    from xml.sax.saxutils import escape

    return (f'<w:footnote xmlns:w="{W}" w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/>'
            f'</w:pPr><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
            f"</w:p></w:footnote>")


class _Footnotes:
    """The document's footnotes part, created on first use."""

    def __init__(self, document) -> None:
        self.document = document
        self.root = parse_xml(
            f'<w:footnotes xmlns:w="{W}">'
            f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            f'</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>")
        self.count = 0

    def add(self, paragraph, text: str) -> None:
        """A footnote reference at the end of the paragraph, carrying `text`."""
        self.count += 1
        self.root.append(parse_xml(_footnote_xml(self.count, text)))
        run = paragraph.add_run()
        properties = run._r.get_or_add_rPr()
        properties.append(parse_xml(f'<w:vertAlign xmlns:w="{W}" w:val="superscript"/>'))
        run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W}" w:id="{self.count}"/>'))

    def save_into_package(self) -> None:
        from lxml import etree

        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE,
                    etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True), self.document.part.package)
        self.document.part.relate_to(part, RT.FOOTNOTES)


def citation_note(citation: dict) -> str:
    """What a footnote says: title, section, page and where the source can be read."""
    parts = [citation.get("title", "")]
    if citation.get("section"):
        parts.append(citation["section"])
    if citation.get("page"):
        parts.append(f"p. {citation['page']}")
    note = " › ".join(p for p in parts[:2] if p) + (f", {parts[2]}" if len(parts) > 2 else "")
    source = citation.get("source", "")
    links = [link.get("url") for link in citation.get("links") or [] if link.get("url")]
    first = f"; the document's first public source: {links[0]}" if links else ""
    return f"{note}. Source: {source}{first}."


def briefing_note(turn: dict, path: Path) -> Path:
    """Write the briefing note for one answer (its JSON, as from Answer.to_json)."""
    import docx

    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    footnotes = _Footnotes(document)
    by_n = {c["n"]: c for c in turn.get("citations", [])}
    document.add_heading("Briefing note", level=0)
    document.add_paragraph(f"Prepared {date.today().isoformat()} with the Partnership Design "
                           "Assistant from its knowledge base; every point is footnoted to the "
                           "passage it quotes.").italic = True
    document.add_heading("Issue", level=1)
    document.add_paragraph(turn.get("question", ""))
    for heading, lines in _sections(turn.get("answer", "")).items():
        document.add_heading(heading, level=1)
        for line in lines:
            paragraph = document.add_paragraph(style="List Bullet")
            label = _LABEL.match(line)
            if label:
                paragraph.add_run(label.group(1) + ": ").bold = True
                line = line[label.end():]
            numbers = [int(n) for n in _CITE.findall(line)]
            paragraph.add_run(_CITE.sub("", line).strip())
            for n in numbers:
                if n in by_n:
                    footnotes.add(paragraph, citation_note(by_n[n]))
    document.add_heading("Sources", level=1)
    for c in turn.get("citations", []):
        document.add_paragraph(f"[{c['n']}] {citation_note(c)}", style="List Number")
    footnotes.save_into_package()
    document.save(str(path))
    return path


def write_briefing_note(turn: dict) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pda-briefing-"))
    return briefing_note(turn, folder / "briefing-note.docx")


def footnote_texts(path: Path) -> list[str]:
    """The footnotes of a DOCX file, as text (for tests and checks)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        if "word/footnotes.xml" not in archive.namelist():
            return []
        root = etree.fromstring(archive.read("word/footnotes.xml"))
    notes = []
    for note in root.findall(qn("w:footnote")):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
            continue
        notes.append("".join(t.text or "" for t in note.iter(qn("w:t"))).strip())
    return notes
