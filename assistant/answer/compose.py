"""Composing the extractive answer: a cited brief from the retrieved passages, no model needed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from langchain_core.runnables import Runnable, RunnableConfig

from ..prompts import DOC_TYPE_LABELS, REFUSAL, TOPIC_QUESTIONS
from ..retrieval import Retrieval, ScoredPassage, tokenize
from ..screening import is_instruction_like
from ..shapes import answer_shape
from ..sources import links_from_metadata
from .spans import split_sentences


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
    # The cited document's public sources, [{title, url, date?}], for readers to follow.
    links: list[dict] = field(default_factory=list)


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    standalone_question: str | None = None
    timings_ms: dict = field(default_factory=dict)
    shape: str = "plain"
    backend: str = "extractive"
    # Share of sentences supported by the passages they cite: 1.0 for extractive answers (each
    # sentence is quoted from its passage), measured by the verifier for generative ones.
    support: float | None = None
    dropped: list[dict] = field(default_factory=list)
    note: str | None = None

    @property
    def text(self) -> str:
        """The answer as shown: a note (fallbacks) first, then the answer."""
        return f"> {self.note}\n\n{self.answer}" if self.note else self.answer

    def to_json(self) -> dict:
        data = {
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [{k: v for k, v in asdict(c).items() if k != "page" or v is not None}
                          for c in self.citations],
            "timings_ms": self.timings_ms,
            "shape": self.shape,
            "backend": self.backend,
            "support": self.support if not self.refused else None,
        }
        if self.dropped:
            data["dropped"] = self.dropped
        return data


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def citation_for(n: int, passage: ScoredPassage) -> Citation:
    meta = passage.metadata
    return Citation(n=n, doc_id=meta["doc_id"], title=meta["title"], doc_type=meta["doc_type"],
                    source=meta["source"], section=meta.get("section", ""), text=passage.text,
                    score=round(passage.similarity, 3), page=meta.get("page"),
                    links=links_from_metadata(meta))


def refusal_text(retrieval: Retrieval, documents_searched: int) -> str:
    """A plain no, what was searched, the nearest covered topics and questions that do work."""
    titles, topics = [], []
    for p in retrieval.passages:
        if p.metadata["title"] not in titles:
            titles.append(p.metadata["title"])
        for topic in (p.metadata.get("topics") or "").split(", "):
            if topic and topic not in topics:
                topics.append(topic)
    lines = [REFUSAL]
    if retrieval.uncovered:
        lines.append(f"I searched {documents_searched} documents on designing bilateral economic "
                     "partnerships (guidance and real case studies); none of them has material on "
                     "the " + " or the ".join(retrieval.uncovered) + " relationship.")
    else:
        lines.append(f"I searched {documents_searched} documents on designing bilateral economic "
                     "partnerships (guidance and real case studies) and none of them addresses it "
                     "closely enough to answer from.")
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
        if retrieval.groups and all(r.relevant and r.passages for _, r in retrieval.groups):
            answer = self._compose_comparison(retrieval)
        elif not retrieval.relevant or not retrieval.passages:
            return Answer(retrieval.question, refusal_text(retrieval, self._documents_searched()),
                          refused=True)
        else:
            shape = answer_shape(retrieval.question)
            candidates = self._score_sentences(retrieval.question, retrieval.passages)
            if shape == "examples":
                answer = self._compose_examples(retrieval, candidates)
            else:
                answer = self._compose(retrieval, self._select(candidates), numbered=shape == "steps")
            answer.shape = shape
        answer.support = 1.0
        return answer

    def _score_sentences(self, question: str, passages: list[ScoredPassage]) -> list[tuple]:
        """(score, passage rank, position, sentence, terms), best first."""
        lexical = self._lexical()
        query = set(tokenize(question))
        candidates = []
        for rank, passage in enumerate(passages):
            for position, sentence in enumerate(split_sentences(passage.text)):
                if is_instruction_like(sentence):
                    continue
                terms = tokenize(sentence)
                overlap = query & set(terms)
                weight = sum(lexical.idf.get(t, lexical.default_idf) for t in overlap)
                score = weight / max(len(terms), 8) ** 0.5 / (1 + 0.25 * rank)
                candidates.append((score, rank, position, sentence, set(terms)))
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        if candidates and candidates[0][0] == 0:
            # Nothing shares a word with the question (a dense-only match): lead with the
            # opening sentences of the best passages rather than arbitrary ones.
            candidates.sort(key=lambda c: (c[1], c[2]))
        return candidates

    def _select(self, candidates: list[tuple], limit: int | None = None) -> list[tuple]:
        limit = limit or self.max_sentences
        chosen, per_passage = [], {}
        for candidate in candidates:
            score, rank, _, _, terms = candidate
            if len(chosen) >= limit:
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

    def _compose(self, retrieval: Retrieval, chosen: list[tuple], numbered: bool = False) -> Answer:
        passages = retrieval.passages
        cite = _Numbering(passages)
        if numbered:  # steps or options: one numbered list in order of relevance
            ordered = sorted(chosen, key=lambda c: (c[1], c[2]))
            lines = [f"{i}. {c[3]} {cite(c[1])}" for i, c in enumerate(ordered, start=1)]
            return Answer(retrieval.question, "\n".join(lines), False, cite.citations)
        # Documents in the order of their best passage; sentences in reading order within them.
        doc_order: list[str] = []
        for rank in sorted({c[1] for c in chosen}):
            doc_id = passages[rank].metadata["doc_id"]
            if doc_id not in doc_order:
                doc_order.append(doc_id)
        blocks = []
        for doc_id in doc_order:
            mine = sorted((c for c in chosen if passages[c[1]].metadata["doc_id"] == doc_id),
                          key=lambda c: (c[1], c[2]))
            meta = passages[mine[0][1]].metadata
            label = DOC_TYPE_LABELS.get(meta["doc_type"], meta["doc_type"])
            lines = [f"**{meta['title']}** ({label})"]
            lines += [f"- {c[3]} {cite(c[1])}" for c in mine]
            blocks.append("\n".join(lines))
        return Answer(retrieval.question, "\n\n".join(blocks), False, cite.citations)

    def _compose_examples(self, retrieval: Retrieval, candidates: list[tuple]) -> Answer:
        """One line per case study: its title and the sentence that best answers."""
        passages = retrieval.passages
        cite = _Numbering(passages)
        best: dict[str, tuple] = {}
        for candidate in candidates:
            doc_id = passages[candidate[1]].metadata["doc_id"]
            best.setdefault(doc_id, candidate)
        lines = [f"- **{passages[c[1]].metadata['title']}**: {c[3]} {cite(c[1])}"
                 for c in sorted(best.values(), key=lambda c: (c[1], c[2]))]
        return Answer(retrieval.question, "\n".join(lines), False, cite.citations)

    def _compose_comparison(self, retrieval: Retrieval) -> Answer:
        """A side-by-side table: a column per subject, a cited sentence in every cell."""
        columns = []
        for name, sub in retrieval.groups:
            picked = self._select(self._score_sentences(sub.question, sub.passages), limit=4)
            columns.append((name, sub.passages, sorted(picked, key=lambda c: (c[1], c[2]))))
        numbering: list[ScoredPassage] = []
        cites = []
        for _, passages, picked in columns:
            cells = []
            for c in picked:
                passage = passages[c[1]]
                if passage not in numbering:
                    numbering.append(passage)
                cells.append(f"{c[3]} [{numbering.index(passage) + 1}]")
            cites.append(cells)
        rows = max(len(c) for c in cites)
        header = "| | " + " | ".join(_cell(name) for name, _, _ in columns) + " |"
        lines = [header, "|---|" + "---|" * len(columns)]
        for i in range(rows):
            cells = [_cell(c[i]) if i < len(c) else "" for c in cites]
            lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
        citations = [citation_for(n, p) for n, p in enumerate(numbering, start=1)]
        answer = Answer(retrieval.question, "\n".join(lines), False, citations)
        answer.shape = "comparison"
        return answer


class _Numbering:
    """Numbers passages in the order an answer first cites them."""

    def __init__(self, passages: list[ScoredPassage]) -> None:
        self.passages = passages
        self.numbers: dict[int, int] = {}
        self.citations: list[Citation] = []

    def __call__(self, rank: int) -> str:
        if rank not in self.numbers:
            self.numbers[rank] = len(self.numbers) + 1
            self.citations.append(citation_for(self.numbers[rank], self.passages[rank]))
        return f"[{self.numbers[rank]}]"


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")

