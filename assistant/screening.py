"""Screening document text: content that reads like instructions to an assistant is data, never
quoted in answers nor passed to a language model.

A segment (a sentence, a heading, a list item, a table cell) is screened after folding it the way
an attacker would unfold it: zero-width and format characters dropped, NFKC (full-width and
mathematical letters), look-alike Cyrillic and Greek letters mapped to Latin, accents stripped,
case folded and runs of whitespace collapsed. The phrase lists in screening_phrases.py cover
English paraphrases and the common European languages, Russian and Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .screening_phrases import build_pattern

INSTRUCTION_MARKER = "[instruction-like text removed]"

# Look-alike letters that NFKC leaves alone (Cyrillic, Greek, Latin small capitals and
# dotless letters), mapped to the Latin letter they imitate.
_CONFUSABLES = {pair[0]: pair[1:] for pair in (
    "аa Аa вb Вb еe Еe ёe Ёe іi Іi їi Їi јj Јj кk Кk мm Мm нh Нh оo Оo рp Рp сc Сc тt Тt уy Уy "
    "хx Хx ѕs Ѕs ԁd ԛq ԝw һh ɡg ӏl үy "  # Cyrillic
    "αa Αa βb Βb εe Εe ζz Ζz ηn Ηh ιi Ιi κk Κk μu Μm νv Νn οo Οo ρp Ρp τt Τt υu Υy χx Χx "  # Greek
    "ıi ȷj ℓl ɑa ɩi ᴀa ʙb ᴄc ᴅd ᴇe ɢg ʜh ɪi ᴊj ᴋk ʟl ᴍm ɴn ᴏo ᴘp ʀr ꜱs ᴛt ᴜu ᴠv ᴡw ʏy ᴢz "
    "ßss ẞss æae œoe øo đd łl").split()}


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isspace():
        return " "
    if unicodedata.category(char) in ("Cf", "Cc", "Mn"):  # zero-width, soft hyphen, marks
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", char):
        c = _CONFUSABLES.get(c, c)
        for d in unicodedata.normalize("NFKD", c):
            if unicodedata.category(d) != "Mn":
                out.append(_CONFUSABLES.get(d, d))
    return "".join(out).casefold()


def fold(text: str) -> str:
    """The text as the screen reads it: see the module docstring. Linear in its length."""
    folded = "".join([_fold_char(c) for c in text])
    return " ".join(folded.split())


_PATTERN = build_pattern(fold)


INSTRUCTION_MARKER = "[instruction-like text removed]"


def is_instruction_like(sentence: str) -> bool:
    """True when the sentence (or heading, or table cell) reads like an instruction to an
    assistant, in any of the covered languages and disguises."""
    return _PATTERN.search(fold(sentence))


# Segments: headings, table rows (cut into cells), list items and quotes are segments of their
# own; a paragraph is cut into sentences, and a sentence may run over several lines.
_STRUCTURAL = re.compile(r"[ \t]*(?:#|\||>|[-*+][ \t]|\d{1,3}[.)][ \t]|```)")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]?[ \t\r\n]+")


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the segments of a passage, in order, covering every non-blank
    character once."""
    spans: list[tuple[int, int]] = []
    paragraph_start = None
    offset = 0

    def close_paragraph(end: int) -> None:
        start = paragraph_start
        for match in _SENTENCE_END.finditer(text, start, end):
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, end))

    for line in text.splitlines(keepends=True):
        start, end = offset, offset + len(line.rstrip("\r\n"))
        offset += len(line)
        structural = not line.strip() or _STRUCTURAL.match(line)
        if structural and paragraph_start is not None:
            close_paragraph(start)
            paragraph_start = None
        if not line.strip():
            continue
        if not structural:
            if paragraph_start is None:
                paragraph_start = start
            continue
        if line.lstrip().startswith("|"):
            cell = start
            for i in range(start, end):
                if text[i] == "|":
                    spans.append((cell, i))
                    cell = i + 1
            spans.append((cell, end))
        else:
            spans.append((start, end))
    if paragraph_start is not None:
        close_paragraph(len(text))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def screen(text: str) -> tuple[str, list[str]]:
    """(the passage with each instruction-like segment replaced by INSTRUCTION_MARKER, the
    segments removed)."""
    removed: list[tuple[int, int]] = [(a, b) for a, b in _segments(text)
                                      if _PATTERN.search(fold(text[a:b]))]
    if not removed:
        return text, []
    out, last = [], 0
    for a, b in removed:
        gap = text[last:a]
        if out and not gap.strip():  # next to the previous removal: one marker for both
            last = b
            continue
        out += [gap, INSTRUCTION_MARKER]
        last = b
    out.append(text[last:])
    return "".join(out), [text[a:b].strip() for a, b in removed]


def without_instructions(text: str) -> str:
    """The passage with instruction-like content replaced by INSTRUCTION_MARKER."""
    return screen(text)[0]
