"""Treaty citations as a lawyer writes them, from the metadata a ToTA article passage carries.

`treaty_citation` gives "Japan–Mexico EPA (2004), Art. 140 — Cooperation in the Field of
Supporting Industries"; `treaty_details` gives "signed 17 September 2004 · in force 1 April 2005
· In Force". Both are pure functions of passage metadata, so answers, the sources panel and
exports can share them.
"""

from __future__ import annotations

import re
from datetime import date

# Instrument kinds named in an agreement's own opening title, most specific first. The ToTA
# <type> says "Free Trade Agreement" for Japan–Mexico, but the parties call it an economic
# partnership, and that is how it is cited.
_TITLE_KINDS = [
    ("COMPREHENSIVE ECONOMIC PARTNERSHIP", "CEPA"), ("CLOSER ECONOMIC PARTNERSHIP", "CEPA"),
    ("ECONOMIC PARTNERSHIP", "EPA"), ("TRADE PROMOTION", "TPA"), ("FREE TRADE", "FTA"),
    ("STABILISATION AND ASSOCIATION", "SAA"), ("ASSOCIATION AGREEMENT", "AA"),
    ("ESTABLISHING AN ASSOCIATION", "AA"), ("CUSTOMS UNION", "CU"),
    ("PREFERENTIAL TRADE", "PTA"),
]
_TYPE_KINDS = [("Free Trade", "FTA"), ("Customs Union", "CU"), ("Partial Scope", "PSA"),
               ("Economic Integration", "EIA")]
# A name that already says what the instrument is gets no abbreviation appended.
_NAMED_KIND = re.compile(r"\b(agreement|union|treaty|area|convention)\b", re.IGNORECASE)
_ACRONYM = re.compile(r"\(([A-Z][A-Za-z-]{2,})\)")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on",
                "or", "the", "to", "with", "between", "under", "upon", "within", "its"}


def instrument_kind(title_text: str, tota_type: str) -> str:
    """EPA, FTA, CEPA…: from the agreement's opening title, else from the ToTA type."""
    head = re.sub(r"\s+", " ", title_text[:600]).upper()
    # Only the title: preamble prose ("ENCOURAGE a closer economic partnership…") is not it.
    head = head.split("PREAMBLE")[0] if "PREAMBLE" in head else head[:300]
    # The earliest phrase is the title's ("…FREE TRADE AGREEMENT… closer economic partnership").
    found = [(head.find(phrase), i, kind) for i, (phrase, kind) in enumerate(_TITLE_KINDS)
             if phrase in head]
    if found:
        return min(found)[2]
    return next((kind for phrase, kind in _TYPE_KINDS if phrase in tota_type), "")


def short_name(tota_name: str, kind: str) -> str:
    """"Japan - Mexico" + EPA -> "Japan–Mexico EPA"; "Australia - New Zealand (ANZCERTA)" ->
    "ANZCERTA"; "EC - Poland Europe Agreement" keeps its own kind (with an en dash)."""
    tota_name = tota_name.strip()
    acronym = _ACRONYM.search(tota_name)
    if acronym and acronym.end() == len(tota_name):
        return acronym.group(1)
    parties = re.split(r"\s*[-–]\s+|\s+[-–]\s*", tota_name)
    # "Gulf Cooperation Council (GCC) - Singapore" -> "GCC–Singapore"
    parties = [(_ACRONYM.search(p).group(1) if _ACRONYM.search(p) else p) for p in parties]
    name = "–".join(parties)
    if not kind or _NAMED_KIND.search(name):
        return name
    return f"{name} {kind}"


def article_number(number: str) -> str:
    """"ARTICLE 140" -> "140"; "ARTICLE 1.2" -> "1.2"; "ARTICLE - 5" -> "5"; "" stays ""."""
    return re.sub(r"^(ARTICLE|ARTÍCULO|ART\.?)\s*[-–]?\s*", "", number.strip(),
                  flags=re.IGNORECASE).strip()


def article_title(name: str) -> str:
    """ToTA capitalises every word ("Cooperation In The Field Of…"); citations do not."""
    words = name.strip().split()
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            out.append(lower)
        elif word.isupper() and len(word) <= 4 and i:  # SPS, WTO, GATT stay as they are
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:].lower() if word.isupper() or
                       word.istitle() else word)
    return " ".join(out)


def treaty_citation(metadata: dict) -> str:
    """"Japan–Mexico EPA (2004), Art. 140 — Cooperation in the Field of Supporting Industries".

    Falls back gracefully: no year, no article number (a preamble), or no treaty fields at all
    (then the document title and section, as for any other passage)."""
    name = metadata.get("treaty_name") or metadata.get("title") or ""
    year = metadata.get("year_signed") or str(metadata.get("date_signed", ""))[:4]
    head = f"{name} ({year})" if year and year.isdigit() else name
    number, title = metadata.get("article_number"), metadata.get("article_title")
    if number:
        article = f"Art. {number}" + (f" — {title}" if title else "")
    else:
        article = title or metadata.get("section") or ""
    return f"{head}, {article}" if article else head


def _long_date(value: str) -> str:
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def treaty_details(metadata: dict) -> str:
    """"signed 17 September 2004 · in force 1 April 2005 · In Force"; "" when none is known."""
    parts = []
    if metadata.get("date_signed"):
        parts.append(f"signed {_long_date(metadata['date_signed'])}")
    if metadata.get("date_in_force"):
        parts.append(f"in force {_long_date(metadata['date_in_force'])}")
    if metadata.get("status"):
        parts.append(f"status: {metadata['status']}")
    return " · ".join(parts)


def treaty_panel_html(citation) -> str:
    """The sources panel's treaty line for a cited passage (its `treaty` text), or "" for other
    documents; escaped like the rest of the panel."""
    import html

    line = getattr(citation, "treaty", None)
    return f"<div class='treaty'>{html.escape(line)}</div>" if line else ""
