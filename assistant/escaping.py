"""One way to show document-derived strings (titles, sections, sources, quoted sentences) inside
HTML or Markdown: as text. Markup, links, images and scripts in a document never render or run.

Use `html_text` for strings placed in HTML, `markdown_text` for strings placed in Markdown (the
chat, Library and Workshop panels, and the Markdown exports), and `markdown_plain` to turn
escaped Markdown back into plain text (the DOCX export).
"""

from __future__ import annotations

import html
import re

# Characters that start Markdown or HTML syntax anywhere in a line. Backslash escapes are
# valid CommonMark for every ASCII punctuation mark and render as the character itself.
_INLINE = re.compile(r"([\\`*_\[\]<>#|~!&{}$])")
# Bare links that GitHub-flavoured Markdown turns into live links: break the pattern.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)|(?<=\w)(@)(?=\w)")
# Line starts that make a list, quote, heading underline or numbered item.
_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=>]|\d+(?=[.)]))")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def html_text(value: object) -> str:
    """A string placed inside HTML: every tag and entity shown as text."""
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """A string placed inside Markdown: shown exactly as written, never as markup or a link."""
    text = _INLINE.sub(r"\\\1", str(value))
    text = _AUTOLINK.sub(lambda m: "\\" + m.group(0), text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2)
                           if not m.group(2).isdigit() else m.group(0) + "\\", text)


def markdown_plain(text: str) -> str:
    """Escaped Markdown back to the plain text it shows (for formats that are not Markdown)."""
    return _UNESCAPE.sub(r"\1", text)
