"""Sentences and spans of a passage: the units an extractive answer quotes.

A span is one sentence, or a sentence with the ones that depend on it ("They brought…",
"Second, …"), or a lead-in with its list ("It also: opened…; protects…."). Spans are what an
answer shows, so a reader never gets a shard: a list item that is a noun phrase, a line ending
in ";" or ":", or a sentence whose "This" points at nothing.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import numpy as np

_ABBREVIATIONS = {"u.s", "u.k", "e.g", "i.e", "mr", "ms", "dr", "no", "art", "arts", "para", "st",
                  "vs", "etc", "inc", "ltd", "co", "jan", "feb", "aug", "sept", "oct", "nov", "dec"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[A-Z0-9“\"(])")
_ITEM = re.compile(r"^([-*+]|\d+[.)])\s+")
MIN_WORDS = 5
HEADLINE_WORDS = 8  # a sentence this short is a headline for the one after it
# A sentence opening like these leans on the one before it.
_DEPENDENT = re.compile(
    r"^(this|these|that|those|they|them|their|it|its|such|he|she|his|her|both|the two|the latter|"
    r"the former|the second|the third|the fourth|second|third|fourth|fifth|finally|lastly|"
    r"however|but|also|in addition|moreover|instead|as a result|yet|still|thus|hence|"
    r"meanwhile|later|the same|another|others|in turn|in practice|even so|for example|"
    r"for instance|similarly|likewise|otherwise|then|there|"
    # the next of a counted set: "Strategies fail in predictable ways. The most common is …
    # A second is … A fifth is …"
    r"(a|an) (second|third|fourth|fifth|sixth|further|final|last) (is|was|one|reason|risk|"
    r"problem|failure|lesson|step|option)|the most (common|frequent|important|serious) (is|was|"
    r"one)\b)\b", re.IGNORECASE)
# "Four practices help most." announces what the sentence before it set up.
_COUNT = re.compile(r"^(two|three|four|five|six|seven|several|a few) [\w-]+(?: [\w-]+)? (help|helps|"
                    r"matter|matters|stand out|stands out|are|work|apply|recur|follow|emerge)\b",
                    re.IGNORECASE)
_ORDINAL = re.compile(r"^(first|second|third|fourth|fifth|sixth|finally|lastly)\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?][\"”')\]]*$")


def _logical_lines(text: str):
    """(line number, text) with hard-wrapped paragraphs and list items joined back up."""
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        starts_block = not line or line.startswith(("|", "#", "```")) or bool(_ITEM.match(line))
        if current and starts_block:
            yield start, " ".join(current)
            current = []
        if not line:
            continue
        if line.startswith(("|", "#", "```")):
            yield number, line
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        yield start, " ".join(current)


_TABLE_RULE = re.compile(r":?-{2,}:?")
ROW = "row"  # in _lines' "is list item" place: a table row


def _lines(text: str, rows: bool = False):
    """(line number, is list item, sentence) for every sentence of a passage, short ones too;
    with `rows`, a table's rows too, as (line number, ROW, cells joined) after its header."""
    header = True
    for number, line in _logical_lines(text):
        if rows and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(_TABLE_RULE.fullmatch(c) or not c for c in cells):
                continue
            if not header and cells[0]:
                rest = ", ".join(c for c in cells[1:] if c)
                first = rest.split()[0] if rest else ""
                if first == "A" or first[:1].isupper() and first[1:].islower():
                    rest = rest[0].lower() + rest[1:]  # "Owner (a named official on each side)"
                yield number, ROW, f"{cells[0]} ({rest})" if rest else cells[0]
            header = False
            continue
        header = True
        if line.startswith(("|", "#", "```")):
            continue
        item = bool(_ITEM.match(line))
        line = _ITEM.sub("", line)
        start = 0
        for match in _BOUNDARY.finditer(line):
            previous = line[start : match.start()].rsplit(None, 1)[-1].rstrip(".").lower()
            if previous in _ABBREVIATIONS or len(previous) == 1:
                continue
            yield number, item, line[start : match.start()].strip()
            start = match.end()
        yield number, item, line[start:].strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; list items count as sentences, table rows and headings do not."""
    return [s for _, _, s in _lines(text) if len(s.split()) >= MIN_WORDS]


def is_fragment(sentence: str) -> bool:
    """A shard a reader could not use alone: no closing stop, or opening in lower case."""
    sentence = sentence.strip().lstrip("*_ ")
    return not _TERMINAL.search(sentence) or not sentence[:1].isupper() and \
        not sentence[:1].isdigit() and sentence[:1] not in "“\"("


@dataclass
class Span:
    """Consecutive sentences of one passage, shown together as one cited line."""

    sentences: list[int]  # indices into split_sentences(passage text)
    text: str
    items: int = 0  # list items folded in
    question_like: bool = False
    words: int = field(init=False)

    def __post_init__(self) -> None:
        self.words = len(self.text.split())


def spans(text: str) -> list[Span]:
    """The passage cut into spans that read on their own."""
    pieces = list(_lines(text, rows=True))
    kept: list[tuple[int, bool | str, str, int]] = []  # (line, item or ROW, sentence, index or -1)
    index = 0
    for line, item, sentence in pieces:
        if item == ROW:  # no sentence of its own: it reads only after its lead-in
            kept.append((line, item, sentence, -1))
        elif len(sentence.split()) >= MIN_WORDS:
            kept.append((line, item, sentence, index))
            index += 1
        elif sentence:  # too short to quote alone, but it may lead a list ("It also:")
            kept.append((line, item, sentence, -1))
    out: list[Span] = []
    i = 0
    while i < len(kept):
        line, item, sentence, idx = kept[i]
        # A lead-in ("A simple joint register has these columns:") with the table below it:
        # "Risk (short description of the event); Category (economic, political, ...); ..."
        if not item and sentence.endswith(":") and i + 1 < len(kept) and kept[i + 1][1] == ROW:
            j = i + 1
            while j < len(kept) and kept[j][1] == ROW:
                j += 1
            rows = [kept[k][2].rstrip(" .;") for k in range(i + 1, j)]
            table = f"{sentence} {'; '.join(rows)}."
            if idx < 0 and out and kept[i - 1][3] >= 0:
                # a lead-in too short to stand alone ("The columns are:") joins the sentence
                # before it ("Each row of the framework describes one indicator.")
                out[-1] = Span(out[-1].sentences, f"{out[-1].text} {table}",
                               items=len(rows))
            else:
                out.append(Span([idx] if idx >= 0 else [], table, items=len(rows)))
            i = j
            continue
        if item == ROW:
            i += 1
            continue
        # A lead-in ("It also:") with the list below it.
        if not item and sentence.endswith(":") and i + 1 < len(kept) and kept[i + 1][1]:
            j = i + 1
            while j < len(kept) and kept[j][1]:
                j += 1
            items = [kept[k][2] for k in range(i + 1, j)]
            indices = [idx] + [kept[k][3] for k in range(i + 1, j) if kept[k][3] >= 0]
            out.append(Span([x for x in indices if x >= 0], _join_list(sentence, items),
                            items=len(items),
                            question_like=all(item.endswith("?") for item in items)))
            i = j
            continue
        if item and is_fragment(sentence):
            i += 1  # a noun-phrase item without its lead-in says nothing alone
            continue
        if sentence.endswith((":", ";", ",")):
            i += 1
            continue
        out.append(Span([idx] if idx >= 0 else [], sentence, question_like=sentence.endswith("?")))
        i += 1
    return [span for span in _chain(out) if span.sentences and not is_fragment(span.text)]


_ORDER = ["first", "second", "third", "fourth", "fifth", "sixth"]


def _chain(out: list[Span]) -> list[Span]:
    """Fold a dependent sentence into the span before it; keep "First… Second…" together with
    its lead-in ("Four practices help most.") and the sentences between the ordinals."""
    ends: dict[int, int] = {}  # position of a "First," -> position of the last ordinal after it
    for i, span in enumerate(out):
        match = _ORDINAL.match(span.text)
        if match and match.group(1).lower() == "first":
            expected, last = 1, i
            for j in range(i + 1, min(len(out), i + 12)):
                word = (_ORDINAL.match(out[j].text) or [None, ""])[1].lower()
                if word in (_ORDER[expected] if expected < len(_ORDER) else "", "finally",
                            "lastly"):
                    expected, last = expected + 1, j
            if last > i:
                ends[i] = last
    merged: list[Span] = []
    i = 0
    while i < len(out):
        span = out[i]
        if i in ends:
            if merged and _COUNT.match(merged[-1].text) and merged[-1].words <= 12 and \
                    len(merged) >= 2 and not merged[-2].items:
                _extend(merged[-2], merged.pop())  # the set-up, the count and the list
            lead = merged[-1] if merged else None
            if lead and not lead.items and re.search(
                    r"\b(two|three|four|five|six|several|following)\b", lead.text, re.IGNORECASE):
                target = lead
            else:
                target = span
                merged.append(span)
            if target is not span:
                _extend(target, span)
            for j in range(i + 1, ends[i] + 1):
                _extend(target, out[j])
            i = ends[i] + 1
            continue
        leans = _DEPENDENT.match(span.text) or (_COUNT.match(span.text) and span.words <= 12)
        # A headline sentence ("The EU–Switzerland stalemate after 2019 produced measurable
        # losses.") says little alone; the sentence after it says what it means. Held out over
        # the 25 quality tuning halves (stop 29): key point in the first two lines 0.763 ->
        # 0.775, key-point hit 0.904 -> 0.907, precision 0.915 -> 0.916.
        headline = merged and merged[-1].words <= HEADLINE_WORDS and \
            len(merged[-1].sentences) == 1 and not merged[-1].items and \
            not span.items and not span.question_like
        if merged and (leans or headline) and not merged[-1].question_like:
            _extend(merged[-1], span)
        else:
            merged.append(span)
        i += 1
    return merged


def _extend(span: Span, more: Span) -> None:
    span.sentences += more.sentences
    span.items += more.items
    span.text = f"{span.text} {more.text}"
    span.words = len(span.text.split())


def _join_list(lead: str, items: list[str]) -> str:
    """A lead-in and its items as one sentence, or as the lead with full-sentence items."""
    if all(not is_fragment(item) for item in items):
        return " ".join([lead, *items])
    parts = [item.rstrip(" ;,.") for item in items]
    return f"{lead} {'; '.join(parts)}."


# -- sentence vectors, embedded at ingest and stored with the passage -----------------------
VECTORS_KEY = "sentence_vectors"
HEADING_KEY = "heading_vector"


def heading_of(metadata: dict) -> str:
    """The deepest heading of a passage's section, which names what the section answers."""
    return (metadata.get("section") or "").split(" › ")[-1].strip()


def encode_vectors(vectors: np.ndarray) -> str:
    """Unit vectors as float16 in base64: Chroma metadata holds only scalars."""
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def decode_vectors(value: str | None, dimensions: int) -> np.ndarray | None:
    if not value:
        return None
    data = np.frombuffer(base64.b64decode(value), dtype=np.float16)
    return data.reshape(-1, dimensions).astype(np.float32) if data.size % dimensions == 0 else None


def _folded(text: str) -> tuple[str, list[int]]:
    """The text's letters and digits, lower-cased, with each one's place in the text."""
    chars, places = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            for c in ch.lower():
                chars.append(c)
                places.append(i)
    return "".join(chars), places


def char_spans(text: str, sentences: list[str]) -> list[tuple[int, int] | None]:
    """Where each sentence sits in the passage text. Sentences are the text with wrapped lines
    joined and list markers dropped, so they are found on letters and digits alone."""
    folded, places = _folded(text)
    found: list[tuple[int, int] | None] = []
    cursor = 0
    for sentence in sentences:
        key, _ = _folded(sentence)
        at = folded.find(key, cursor) if key else -1
        if at < 0 and key:
            at = folded.find(key)
        if at < 0:
            found.append(None)
            continue
        found.append((places[at], places[at + len(key) - 1] + 1))
        cursor = at + len(key)
    return found


def pooled(offsets: np.ndarray, vectors: np.ndarray, start: int, end: int) -> np.ndarray | None:
    """The mean of the token vectors inside [start, end), unit length; None when the model's
    window (256 tokens) ended before the sentence did."""
    inside = (offsets[:, 0] >= start) & (offsets[:, 1] <= end) & (offsets[:, 1] > offsets[:, 0])
    if not inside.any() or offsets[:, 1].max() < end:
        return None
    mean = vectors[inside].mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def attach_sentence_vectors(passages: list, embed, tokens: list | None = None) -> None:
    """Give every sentence of the curated passages (not treaty articles, whose number would
    double a bulk ingest) a vector, stored in the passage's metadata.

    With `tokens` (per passage: token offsets into its embedding text and the contextual token
    vectors from the passage's own forward pass) a sentence's vector is the mean of its tokens,
    so no second model pass is needed; sentences past the model's window, and section headings,
    are embedded on their own by `embed`."""
    wanted = [(i, p) for i, p in enumerate(passages) if p.metadata.get("doc_type") != "agreement"]
    rows: dict[tuple[int, int], np.ndarray] = {}
    alone: list[tuple[tuple[int, int], str]] = []
    groups = {}
    for i, passage in wanted:
        group = groups[i] = split_sentences(passage.text)
        places = [None] * len(group)
        if tokens is not None and tokens[i] is not None:
            base = len(passage.embedding_text) - len(passage.text)
            places = char_spans(passage.text, group)
        for j, sentence in enumerate(group):
            vector = None
            if places[j] is not None:
                offsets, vectors = tokens[i]
                vector = pooled(offsets, vectors, base + places[j][0], base + places[j][1])
            if vector is None:
                alone.append(((i, j), sentence))
            else:
                rows[(i, j)] = vector
    headings = sorted({heading_of(p.metadata) for _, p in wanted} - {""})
    texts = [text for _, text in alone] + headings
    embedded = np.asarray(embed(texts), dtype=np.float32) if texts else np.zeros((0, 384))
    rows.update((key, embedded[n]) for n, (key, _) in enumerate(alone))
    by_heading = dict(zip(headings, embedded[len(alone):], strict=True))
    for i, passage in wanted:
        if groups[i]:
            passage.metadata[VECTORS_KEY] = encode_vectors(
                np.stack([rows[(i, j)] for j in range(len(groups[i]))]))
        heading = heading_of(passage.metadata)
        if heading:
            passage.metadata[HEADING_KEY] = encode_vectors(by_heading[heading][None, :])
