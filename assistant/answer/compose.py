"""Composing the extractive answer: a cited brief from the retrieved passages, no model needed."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from langchain_core.runnables import Runnable, RunnableConfig

from ..escaping import markdown_text as md
from ..prompts import DOC_TYPE_LABELS
from ..regions import countries_of
from ..retrieval import Retrieval, ScoredPassage, tokenize
from ..shapes import answer_shape
from ..sources import links_from_metadata
from .brief import (
    DETAIL,
    WEIGHTS,
    Budget,
    Candidate,
    asks_advice,
    gives_advice,
    is_risk,
    pick,
    score_candidates,
    similar,
)
from .coverage import Verdict, named_country_codes
from .fit import names_any_case, names_case
from .refusals import refusal_text
from .sections import SectionModel, intents

EXAMPLES_SHARE = 0.85  # a case listed as an example scores at least this share of the best

_EMPHASIS = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1")


def quote(text: str) -> str:
    """A quoted sentence for the answer: the document's own bold lead-ins ("**Separate the
    asset question.**") dropped rather than shown as asterisks, the rest escaped as text."""
    return md(_EMPHASIS.sub(r"\2", text))


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
    # For a treaty article: "Japan–Mexico EPA (2004), Art. 140 — … · signed … · in force …".
    treaty: str | None = None


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
    # Refusals: one of coverage.REASONS, the subjects not found, the documents offered instead.
    reason: str | None = None
    missing: list[str] = field(default_factory=list)
    nearest: list[str] = field(default_factory=list)

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
            "citations": [{k: v for k, v in asdict(c).items()
                           if k not in ("page", "treaty") or v is not None}
                          for c in self.citations],
            "timings_ms": self.timings_ms,
            "shape": self.shape,
            "backend": self.backend,
            "support": self.support if not self.refused else None,
        }
        if self.dropped:
            data["dropped"] = self.dropped
        if self.refused:
            data["reason"] = self.reason or "no_evidence"
            if self.missing:
                data["missing"] = self.missing
            data["nearest"] = self.nearest
        return data


def citation_for(n: int, passage: ScoredPassage) -> Citation:
    meta = passage.metadata
    return Citation(n=n, doc_id=meta["doc_id"], title=meta["title"], doc_type=meta["doc_type"],
                    source=meta["source"], section=meta.get("section", ""), text=passage.text,
                    score=round(passage.similarity, 3), page=meta.get("page"),
                    links=links_from_metadata(meta), treaty=treaty_line(meta))


def treaty_line(meta: dict) -> str | None:
    if not meta.get("treaty_name"):
        return None
    from ..agreements import treaty_citation, treaty_details

    details = treaty_details(meta)
    return treaty_citation(meta) + (f" · {details}" if details else "")


def label_for(meta: dict) -> str:
    """How a line names its document: a treaty as a lawyer cites it, anything else by title."""
    if meta.get("doc_type") == "agreement":
        try:
            from ..agreements import treaty_citation
        except ImportError:  # pragma: no cover - the module arrives with the agreement library
            treaty_citation = None
        if treaty_citation:
            return treaty_citation(meta)
        section = meta.get("section", "").split(" › ")[-1]
        return f"{meta['title']}, {section}" if section else meta["title"]
    return meta["title"]


def advice_first(question: str, lead: Candidate, candidates: list[Candidate]) -> Candidate:
    """For a question asking what to do, the lead section's span that says what to do opens
    the answer, when it scores close to the best ("Designers should fund the groups..." before
    "EU DAG pressure helped push the Commission...")."""
    ratio = WEIGHTS["advice_lead"]
    if not ratio or not asks_advice(question) or gives_advice(lead.span.text):
        return lead
    home = (lead.doc_id, lead.section)
    return next((c for c in candidates if (c.doc_id, c.section) == home and
                 gives_advice(c.span.text) and c.score >= lead.score * ratio), lead)


class ExtractiveAnswerer(Runnable[Retrieval, Answer]):
    """A brief built from the passages' own sentences, each line cited.

    Deterministic and offline. Spans (a sentence with those that depend on it, a list with its
    lead-in) are scored by meaning and words (brief.py); the best opens the answer, then the
    supporting points, cases, failure modes and treaty articles that clear a relevance floor.
    """

    def __init__(self, lexical: callable, documents_searched: callable,
                 sections: SectionModel | None = None) -> None:
        # The brief's length is set by Budget / DETAIL (answer/brief.py), not a sentence count.
        self._lexical = lexical
        self._documents_searched = documents_searched
        self.sections = sections  # questions labelled with the section that answers them

    def invoke(self, retrieval: Retrieval, config: RunnableConfig | None = None,
               **kwargs) -> Answer:
        budget = DETAIL if retrieval.detail else Budget()
        if retrieval.verdict is not None:
            return self._refuse(retrieval, retrieval.verdict)
        answer = None
        if retrieval.groups and (retrieval.compares_agreements or all(
                r.relevant and r.passages for _, r in retrieval.groups)):
            answer = self._compose_comparison(retrieval, budget)
            if not answer.citations and not retrieval.compares_agreements:
                answer = None  # no cell to fill: a brief on the whole question instead
        if answer is None:
            if not retrieval.relevant or not retrieval.passages:
                return self._refuse(retrieval, Verdict("no_evidence", ""))
            candidates = self._score(retrieval.question, retrieval, retrieval.passages)
            if not candidates:
                return self._refuse(retrieval, Verdict("no_evidence", ""))
            if (retrieval.shape or answer_shape(retrieval.question)) == "examples":
                answer = self._compose_examples(retrieval, candidates, budget)
                if len(answer.citations) < 2:
                    # Examples from one case ("under the Japan–Mexico partnership") are that
                    # case's own detail: a one-line list hid the projects it names.
                    answer = None
            if answer is None:
                answer = self._compose_brief(retrieval, candidates, budget)
        answer.support = 1.0
        return answer

    def _score(self, question: str, retrieval: Retrieval,
               passages: list[ScoredPassage]) -> list[Candidate]:
        return score_candidates(question, retrieval.query_vector, passages, self._lexical(),
                                sections=self.sections)

    def _compose_brief(self, retrieval: Retrieval, candidates: list[Candidate],
                       budget: Budget) -> Answer:
        cite = _Numbering()
        if retrieval.agreements_first and retrieval.agreements:
            # The named treaty's text answers; guidance and cases follow only when they are
            # about the same partners ("the US–Morocco FTA" is not answered from EU–Morocco).
            parties = set(countries_of(retrieval.agreements[0].metadata))
            candidates = [c for c in candidates
                          if parties <= set(countries_of(c.passage.metadata))]
            if not candidates:
                return self._compose_treaty_only(retrieval, budget)
        lead = candidates[0]
        if lead.doc_type == "case-study" and not names_any_case(
                retrieval.question, [c.passage for c in candidates]):
            # A question that names no case ("three metrics to report to the minister") is
            # answered by the guidance; the cases that show it follow under "In practice".
            lead = next((c for c in candidates if c.doc_type != "case-study"), lead)
        floor = lead.score * budget.floor
        lead = advice_first(retrieval.question, lead, candidates)
        about_cases = lead.doc_type == "case-study"
        left = budget.words - lead.span.words
        chosen = [lead]
        # The lead's own section answers best: its other spans rank ahead of other sections'.
        home = (lead.doc_id, lead.section)
        ranked = sorted(candidates, key=lambda c: -(c.score + (WEIGHTS["same_section"] if (
            c.doc_id, c.section) == home else 0.0)))

        def main_line(c: Candidate) -> bool:
            return about_cases or c.doc_type != "case-study"

        support = pick(ranked, chosen, budget.support, floor, left, main_line,
                       bonus=lambda c: WEIGHTS["same_section"] if (c.doc_id, c.section) == home
                       else 0.0)
        # The retriever's best passage is strong evidence on its own: if the brief has not
        # drawn on it, its best span joins the supporting points when it is close enough.
        top = next((c for c in candidates if c.rank == 0), None)
        if top and main_line(top) and top.score >= lead.score * WEIGHTS["keep_top"] and \
                top.span.words <= left \
                and not any(c.passage.id == top.passage.id or similar(c, top)
                            for c in chosen + support):
            support.insert(0, top)
        chosen += support
        left -= sum(c.span.words for c in support)
        runner_up = next((c for c in ranked if (c.doc_id, c.section) != home and main_line(c)
                          and c.doc_type != "agreement"), None) if budget.next_section else None
        if runner_up is not None:
            more = pick([c for c in ranked if (c.doc_id, c.section) ==
                         (runner_up.doc_id, runner_up.section)], chosen, budget.next_section,
                        float("-inf"), left)
            support += more
            chosen += more
            left -= sum(c.span.words for c in more)
        cases: list[Candidate] = []
        if not about_cases:
            seen: set[str] = set()
            for c in pick(candidates, chosen, budget.cases * 3, lead.score * budget.case_floor,
                          left, lambda c: c.doc_type == "case-study"):
                if c.doc_id not in seen and len(cases) < budget.cases:
                    seen.add(c.doc_id)
                    cases.append(c)
            # A case the question names by its own name ("the Hambantota story") shows in the
            # answer even when a guidance section leads.
            words = {w.lower() for w in re.findall(r"(?<!^)(?<![.?!] )\b[A-Z][\w+-]*",
                                                   retrieval.question)}
            named = [c for c in candidates if c.doc_type == "case-study" and
                     names_case(set(), words, c.passage.metadata)]
            if named and not any(c.doc_id == named[0].doc_id for c in chosen + cases):
                extra = pick(named, chosen + cases, 1, float("-inf"), left)
                cases = extra + cases[: max(budget.cases - 1, 0)] if extra else cases
            chosen += cases
            left -= sum(c.span.words for c in cases)
        risks = [] if "problems" in intents(retrieval.question) else \
            pick(candidates, chosen, budget.risks, lead.score * budget.case_floor, left, is_risk)
        chosen += risks
        left -= sum(c.span.words for c in risks)
        if budget.words - left < budget.thin:  # too thin: take the next supporting points
            more = pick(ranked, chosen, 3, lead.score * budget.thin_floor, left, main_line)
            support += more
            chosen += more
            left -= sum(c.span.words for c in more)
        treaties = []
        if retrieval.agreements:
            scored = self._score(retrieval.question, retrieval, retrieval.agreements)
            treaty_floor = 0.0 if retrieval.agreements_first else floor
            treaties = pick(scored, chosen, budget.agreements, treaty_floor, max(left, 90))

        def treaty_lines() -> list[str]:  # numbered where they stand: first or last
            return ["**What the agreements say**"] + [
                f"- **{md(label_for(c.passage.metadata))}**: {quote(c.span.text)} "
                f"{cite(c.passage)}" for c in treaties] if treaties else []

        lines = treaty_lines() + [""] if treaties and retrieval.agreements_first else []
        lines += [f"{quote(lead.span.text)} {cite(lead.passage)}"]
        if support:
            lines += [""] + [f"- {quote(c.span.text)} {cite(c.passage)}" for c in support]
        if cases:
            lines += ["", "**In practice**"] + [
                f"- **{md(c.passage.metadata['title'])}**: {quote(c.span.text)} {cite(c.passage)}"
                for c in cases]
        if risks:
            lines += ["", "**Watch out for**"] + [f"- {quote(c.span.text)} {cite(c.passage)}"
                                                 for c in risks]
        if treaties and not retrieval.agreements_first:
            lines += [""] + treaty_lines()
        answer = Answer(retrieval.question, "\n".join(lines), False, cite.citations)
        answer.shape = "brief"
        return answer

    def _compose_treaty_only(self, retrieval: Retrieval, budget: Budget) -> Answer:
        """The named agreement's articles alone, when nothing curated is about its parties."""
        cite = _Numbering()
        scored = self._score(retrieval.question, retrieval, retrieval.agreements)
        treaties = pick(scored, [], budget.agreements + 2, 0.0, budget.words)
        lines = ["**What the agreements say**"] + [
            f"- **{md(label_for(c.passage.metadata))}**: {quote(c.span.text)} {cite(c.passage)}"
            for c in treaties]
        answer = Answer(retrieval.question, "\n".join(lines), False, cite.citations)
        answer.shape = "brief"
        return answer

    def _compose_examples(self, retrieval: Retrieval, candidates: list[Candidate],
                          budget: Budget) -> Answer:
        """One line per case study: its title and the span that best answers."""
        cite = _Numbering()
        # The best line of all leads. Scored together, the ranker then settles on that case and
        # the others fall far below any floor ("Give me examples of trade agreements with
        # Japan" listed EU–Japan alone), so each case is also scored on its own passages, as if
        # the question were about it, and listed when its best line scores within
        # EXAMPLES_SHARE of the leading case's own.
        lead = next((c for c in candidates if c.span.words <= 90), candidates[0])
        own_best: dict[str, Candidate] = {}
        for doc_id in dict.fromkeys(p.metadata["doc_id"] for p in retrieval.passages):
            own = [p for p in retrieval.passages if p.metadata["doc_id"] == doc_id]
            line = next((c for c in self._score(retrieval.question, retrieval, own)
                         if c.span.words <= 90), None)
            if line:
                own_best[doc_id] = line
        bar = own_best[lead.doc_id].score if lead.doc_id in own_best else lead.score
        # A question that names its cases ("under the Japan–India partnership") lists only those.
        countries = named_country_codes(retrieval.question)
        words = set(re.findall(r"[\w+-]+", retrieval.question.lower()))

        def named(meta: dict) -> bool:
            codes = set(countries_of(meta))
            return len(codes) >= 2 and codes <= countries or names_case(set(), words, meta)

        others = sorted((c for d, c in own_best.items() if d != lead.doc_id), key=lambda c: -c.score)
        if any(named(c.passage.metadata) for c in [lead, *others]):
            others = [c for c in others if named(c.passage.metadata)]
        picked = [lead] + [c for c in others if bar > 0 and c.score >= bar * EXAMPLES_SHARE]
        picked = picked[: budget.cases * 3]
        lines = [f"- **{md(c.passage.metadata['title'])}**: {quote(c.span.text)} {cite(c.passage)}"
                 for c in picked]
        answer = Answer(retrieval.question, "\n".join(lines), False, cite.citations)
        answer.shape = "examples"
        return answer

    def _compose_comparison(self, retrieval: Retrieval, budget: Budget) -> Answer:
        """A side-by-side table: a column per subject, a cited span in every cell."""
        cite = _Numbering()
        columns = []
        for name, sub in retrieval.groups:
            scored = self._score(sub.question, sub, sub.passages)
            if retrieval.compares_agreements:
                # A treaty article answers only if it is about the aspect asked (its words in
                # the article or its title); a weak match is not an answer, the cell says so.
                aspect = set(tokenize(sub.question))
                scored = [c for c in scored if sub.relevant and
                          aspect & (c.terms | set(tokenize(c.section)))]
            floor = scored[0].score * budget.floor if scored else 0.0
            picked = pick(scored, [], budget.support, floor, budget.words // 2,
                          lambda c: c.span.words <= 70)
            columns.append((name, picked))
        rows = max((len(p) for _, p in columns), default=0) or 1
        lines = ["| | " + " | ".join(_cell(name) for name, _ in columns) + " |",
                 "|---|" + "---|" * len(columns)]

        def cell(c: Candidate) -> str:
            where = f"{label_for(c.passage.metadata)}: " if c.doc_type == "agreement" else ""
            return _cell(f"{where}{quote(c.span.text)} {cite(c.passage)}")

        for i in range(rows):
            cells = [cell(p[i]) if i < len(p) else
                     ("not addressed in the text" if not p and retrieval.compares_agreements
                      else "") for _, p in columns]
            lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
        answer = Answer(retrieval.question, "\n".join(lines), False, cite.citations)
        answer.shape = "comparison"
        return answer

    def _refuse(self, retrieval: Retrieval, verdict: Verdict) -> Answer:
        """A plain no with its reason; for subjects or dates it lacks, the nearest material."""
        cite = _Numbering()
        lines: list[str] = []
        offered: list[str] = []
        if verdict.reason in ("not_covered", "out_of_date") and retrieval.passages and \
                retrieval.relevant:
            scored = self._score(retrieval.question, retrieval, retrieval.passages)
            for c in scored:
                meta = c.passage.metadata
                if meta["doc_id"] in offered or len(offered) >= 2:
                    continue
                offered.append(meta["doc_id"])
                kind = DOC_TYPE_LABELS.get(meta["doc_type"], meta["doc_type"])
                if verdict.reason == "not_covered":
                    lines.append(f"- {kind.capitalize()}: **{md(meta['title'])}** "
                                 f"{cite(c.passage)}")
                else:
                    when = meta.get("last_reviewed", "date not recorded")
                    lines.append(f"- **{md(meta['title'])}** (last reviewed {md(when)}): "
                                 f"{quote(c.span.text)} {cite(c.passage)}")
        text = refusal_text(verdict, retrieval, self._documents_searched(), lines,
                            retrieval.knowledge_date)
        answer = Answer(retrieval.question, text, refused=True, citations=cite.citations)
        answer.reason, answer.missing, answer.nearest = verdict.reason, verdict.missing, offered
        return answer


class _Numbering:
    """Numbers passages in the order an answer first cites them."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.citations: list[Citation] = []

    def __call__(self, passage: ScoredPassage) -> str:
        if passage.id not in self.numbers:
            self.numbers[passage.id] = len(self.numbers) + 1
            self.citations.append(citation_for(self.numbers[passage.id], passage))
        return f"[{self.numbers[passage.id]}]"


def _cell(text: str) -> str:
    return text.replace("\n", " ")  # "|" is already escaped (markdown_text)
