"""Answering from retrieved passages: a cited extractive brief, no language model needed."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from langchain_core.runnables import Runnable, RunnableConfig

from .prompts import DOC_TYPE_LABELS, REFUSAL, TOPIC_QUESTIONS
from .retrieval import LexicalIndex, Retrieval, ScoredPassage, tokenize

_ABBREVIATIONS = {"u.s", "u.k", "e.g", "i.e", "mr", "ms", "dr", "no", "art", "arts", "para", "st",
                  "vs", "etc", "inc", "ltd", "co", "jan", "feb", "aug", "sept", "oct", "nov", "dec"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[A-Z0-9“\"(])")
_CITATION = re.compile(r"\[(\d+)\]")


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    doc_type: str
    source: str
    section: str
    text: str
    score: float
    page: int | None = None


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    standalone_question: str | None = None
    timings_ms: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [{k: v for k, v in asdict(c).items() if k != "page" or v is not None}
                          for c in self.citations],
            "timings_ms": self.timings_ms,
        }


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


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def citation_for(n: int, passage: ScoredPassage) -> Citation:
    meta = passage.metadata
    return Citation(n=n, doc_id=meta["doc_id"], title=meta["title"], doc_type=meta["doc_type"],
                    source=meta["source"], section=meta.get("section", ""), text=passage.text,
                    score=round(passage.similarity, 3), page=meta.get("page"))


def refusal_text(retrieval: Retrieval, documents_searched: int) -> str:
    """A plain no, what was searched, the nearest covered topics and questions that do work."""
    titles, topics = [], []
    for p in retrieval.passages:
        if p.metadata["title"] not in titles:
            titles.append(p.metadata["title"])
        for topic in (p.metadata.get("topics") or "").split(", "):
            if topic and topic not in topics:
                topics.append(topic)
    lines = [REFUSAL,
             f"I searched {documents_searched} documents on designing bilateral economic "
             "partnerships (guidance and real case studies) and none of them addresses it closely "
             "enough to answer from."]
    if topics:
        lines.append("The nearest topics the knowledge base does cover: "
                     + ", ".join(t.replace("-", " ") for t in topics[:4])
                     + (f" (closest documents: {'; '.join(titles[:3])})." if titles else "."))
    suggestions = [TOPIC_QUESTIONS[t] for t in topics if t in TOPIC_QUESTIONS][:3]
    for question in TOPIC_QUESTIONS.values():
        if len(suggestions) >= 3:
            break
        if question not in suggestions:
            suggestions.append(question)
    lines.append("Questions it can answer, for example:")
    lines += [f"- {q}" for q in suggestions]
    return "\n".join(lines)


class ExtractiveAnswerer(Runnable[Retrieval, Answer]):
    """Picks the passages' sentences that best match the question and cites each one.

    Deterministic and offline. Sentences are scored by the BM25 weight of the question's terms
    they contain, discounted by their passage's rank; near-duplicates are dropped, and the
    survivors are grouped by document in rank order so the brief reads top-down.
    """

    def __init__(self, lexical: callable, documents_searched: callable, max_sentences: int = 8,
                 per_passage: int = 3) -> None:
        self._lexical = lexical
        self._documents_searched = documents_searched
        self.max_sentences = max_sentences
        self.per_passage = per_passage

    def invoke(self, retrieval: Retrieval, config: RunnableConfig | None = None,
               **kwargs) -> Answer:
        if not retrieval.relevant or not retrieval.passages:
            return Answer(retrieval.question, refusal_text(retrieval, self._documents_searched()),
                          refused=True)
        picked = self._pick_sentences(retrieval, self._lexical())
        return self._compose(retrieval, picked)

    def _pick_sentences(self, retrieval: Retrieval, lexical: LexicalIndex) -> list[tuple]:
        query = set(tokenize(retrieval.question))
        candidates = []
        for rank, passage in enumerate(retrieval.passages):
            for position, sentence in enumerate(split_sentences(passage.text)):
                terms = tokenize(sentence)
                overlap = query & set(terms)
                weight = sum(lexical.idf.get(t, lexical.default_idf) for t in overlap)
                score = weight / max(len(terms), 8) ** 0.5 / (1 + 0.25 * rank)
                candidates.append((score, rank, position, sentence, set(terms)))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        if not candidates or candidates[0][0] == 0:
            # Nothing shares a word with the question (a dense-only match): lead with the
            # opening sentences of the best passages rather than arbitrary ones.
            candidates.sort(key=lambda c: (c[1], c[2]))

        chosen, per_passage = [], {}
        for candidate in candidates:
            score, rank, _, _, terms = candidate
            if len(chosen) >= self.max_sentences:
                break
            if chosen and score == 0 and candidates[0][0] > 0:
                break
            if per_passage.get(rank, 0) >= self.per_passage:
                continue
            if any(_similar(terms, c[4]) for c in chosen):
                continue
            chosen.append(candidate)
            per_passage[rank] = per_passage.get(rank, 0) + 1
        return chosen

    def _compose(self, retrieval: Retrieval, chosen: list[tuple]) -> Answer:
        passages = retrieval.passages
        # Documents in the order of their best passage; sentences in reading order within them.
        doc_order: list[str] = []
        for rank in sorted({c[1] for c in chosen}):
            doc_id = passages[rank].metadata["doc_id"]
            if doc_id not in doc_order:
                doc_order.append(doc_id)
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        blocks = []
        for doc_id in doc_order:
            mine = sorted((c for c in chosen if passages[c[1]].metadata["doc_id"] == doc_id),
                          key=lambda c: (c[1], c[2]))
            meta = passages[mine[0][1]].metadata
            label = DOC_TYPE_LABELS.get(meta["doc_type"], meta["doc_type"])
            lines = [f"**{meta['title']}** ({label})"]
            for _, rank, _, sentence, _ in mine:
                if rank not in numbers:
                    numbers[rank] = len(numbers) + 1
                    citations.append(citation_for(numbers[rank], passages[rank]))
                lines.append(f"- {sentence} [{numbers[rank]}]")
            blocks.append("\n".join(lines))
        return Answer(retrieval.question, "\n\n".join(blocks), refused=False, citations=citations)


def cited_numbers(answer_text: str) -> set[int]:
    return {int(n) for n in _CITATION.findall(answer_text)}
