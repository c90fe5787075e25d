"""Sentences and spans of a passage: the units an extractive answer quotes."""

from __future__ import annotations

import re

_ABBREVIATIONS = {"u.s", "u.k", "e.g", "i.e", "mr", "ms", "dr", "no", "art", "arts", "para", "st",
                  "vs", "etc", "inc", "ltd", "co", "jan", "feb", "aug", "sept", "oct", "nov", "dec"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[A-Z0-9“\"(])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; list items count as sentences, table rows and headings do not."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("|", "#", "```")):
            continue
        line = re.sub(r"^([-*+]|\d+[.)])\s+", "", line)
        start = 0
        for match in _BOUNDARY.finditer(line):
            previous = line[start : match.start()].rsplit(None, 1)[-1].rstrip(".").lower()
            if previous in _ABBREVIATIONS or len(previous) == 1:
                continue
            out.append(line[start : match.start()].strip())
            start = match.end()
        out.append(line[start:].strip())
    return [s for s in out if len(s.split()) >= 5]
