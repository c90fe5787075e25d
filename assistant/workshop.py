"""Workshop material for trainers, built from the knowledge base and cited like any answer:
discussion questions, a role-play brief for two delegations, a quiz and a one-page handout."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import library
from .answer import Citation, split_sentences
from .escaping import markdown_text as md
from .regions import country_name
from .screening import INSTRUCTION_MARKER, is_instruction_like, without_instructions
from .service import Assistant

PARTS = ("discussion", "role_play", "quiz", "handout")
PART_TITLES = {"discussion": "Discussion questions", "role_play": "Role-play brief",
               "quiz": "Quiz", "handout": "Handout"}
_FIGURE = re.compile(r"\b(1[89]\d\d|20\d\d|\d[\d,.]*\s?(?:%|per cent|billion|million|km))\b")


class WorkshopError(ValueError):
    """A request the workshop cannot fill; the message says what to choose instead."""


@dataclass
class WorkshopPack:
    title: str
    parts: dict[str, str]
    citations: list[Citation] = field(default_factory=list)

    def markdown(self, part: str | None = None) -> str:
        chosen = [part] if part else list(PARTS)
        body = "\n\n".join(f"## {PART_TITLES[p]}\n\n{self.parts[p]}" for p in chosen)
        cited = {int(n) for p in chosen for n in re.findall(r"\[(\d+)\]", self.parts[p])}
        return f"# {md(self.title)}\n\n{body}\n\n## Sources\n\n{self.sources_markdown(cited)}\n"

    def sources_markdown(self, cited: set[int], with_files: bool = True) -> str:
        """The cited passages as a Markdown list, their titles and sections escaped."""
        return "\n".join(
            f"- [{c.n}] {md(c.title)}" + (f" › {md(c.section)}" if c.section else "")
            + (f" ({md(c.source)})" if with_files else "")
            for c in self.citations if c.n in cited)

    def to_json(self) -> dict:
        return {"title": self.title, **self.parts,
                "citations": [asdict(c) for c in self.citations]}


class _Sources:
    """Numbers the passages the pack quotes, in order of first use."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple, int] = {}

    def cite(self, record: dict, section: str, text: str, page: int | None = None) -> str:
        key = (record["doc_id"], section, text[:80])
        if key not in self._numbers:
            n = len(self._numbers) + 1
            self._numbers[key] = n
            self.citations.append(Citation(n, record["doc_id"], record["title"],
                                           record["doc_type"], record["source"], section, text,
                                           0.0, page))
        return f"[{self._numbers[key]}]"


@dataclass
class _Case:
    record: dict
    sections: dict[str, str]

    def sentences(self, section: str) -> list[str]:
        return _screened_sentences(self.sections.get(section, ""))


def _screened_sentences(text: str) -> list[str]:
    """Sentences a pack may quote: instruction-like content taken out first (it may run over
    several lines, or sit in a heading or table cell), then each sentence checked again."""
    return [s for s in split_sentences(without_instructions(text))
            if INSTRUCTION_MARKER not in s and not is_instruction_like(s)]


def _load_case(assistant: Assistant, doc_id: str) -> _Case:
    record, passages = library.read(assistant.index, doc_id)
    if not record:
        raise WorkshopError(f"No document {doc_id!r} in the library.")
    record = {**record, "doc_id": doc_id}
    sections: dict[str, str] = {}
    for section, text, _ in passages:
        top = section.split(" › ")[0]
        sections[top] = f"{sections.get(top, '')}\n\n{text}".strip()
    return _Case(record, sections)


def build_workshop(assistant: Assistant, topic: str | None = None,
                   case_ids: list[str] | None = None) -> WorkshopPack:
    topic = (topic or "").strip() or None
    case_ids = [c for c in (case_ids or []) if c]
    if not topic and not case_ids:
        raise WorkshopError("Choose a topic, one or more case studies, or both.")
    topic_words = topic.replace("-", " ") if topic else None
    if not case_ids:
        found = assistant.retriever.retrieve(f"{topic_words} lessons from real partnerships", 12,
                                             {"doc_type": "case-study", "topic": topic})
        case_ids = list(dict.fromkeys(p.metadata["doc_id"] for p in found.passages))[:2]
        if not case_ids:
            raise WorkshopError(f"No case study in the library is tagged '{topic}'.")
    cases = [_load_case(assistant, doc_id) for doc_id in case_ids[:3]]
    src = _Sources()
    guidance = []
    if topic:
        found = assistant.retriever.retrieve(f"How to get {topic_words} right in a partnership",
                                             4, {"doc_type": "guidance", "topic": topic})
        guidance = [(p.metadata, s) for p in found.passages
                    for s in _screened_sentences(p.text)[:2]]
    subject = topic_words or " and ".join(c.record["title"] for c in cases)
    parts = {
        "discussion": _discussion(cases, guidance, src),
        "role_play": _role_play(cases[0], topic_words, src),
        "quiz": _quiz(cases, src),
        "handout": _handout(cases, guidance, src, subject),
    }
    return WorkshopPack(f"Workshop: {subject}", parts, src.citations)


def _cite(src: _Sources, case: _Case, section: str, sentence: str) -> str:
    return src.cite(case.record, section, case.sections.get(section, sentence))


def _discussion(cases: list[_Case], guidance: list, src: _Sources) -> str:
    items = []
    for case in cases:
        title = case.record["title"]
        for sentence in case.sentences("Problems and criticism")[:1]:
            items.append(f"In {md(title)}: “{md(sentence)}” "
                         f"{_cite(src, case, 'Problems and criticism', sentence)} "
                         "Which design choice could have prevented this, and who should have "
                         "owned it?")
        for sentence in case.sentences("Lessons for partnership design")[:1]:
            items.append(f"From {md(title)}: “{md(sentence)}” "
                         f"{_cite(src, case, 'Lessons for partnership design', sentence)} How would "
                         "this lesson apply to a partnership your ministry is preparing?")
        for sentence in case.sentences("Governance")[:1]:
            items.append(f"“{md(sentence)}” {_cite(src, case, 'Governance', sentence)} What would "
                         "each side need to see before trusting this arrangement?")
    for meta, sentence in guidance[:2]:
        items.append(f"The guidance says: “{md(sentence)}” "
                     f"{src.cite(meta, meta.get('section', ''), sentence)} Do you agree? What "
                     "would it take in your context?")
    return "\n".join(f"{i}. {q}" for i, q in enumerate(items, start=1))


def _role_play(case: _Case, topic_words: str | None, src: _Sources) -> str:
    countries = [c for c in (case.record.get("countries") or "").split(", ") if c][:2]
    names = [md(country_name(c)) for c in countries] or ["Delegation A", "Delegation B"]
    if len(names) == 1:
        names.append("its partner")
    agenda = md(topic_words) if topic_words else "the next phase of the partnership"
    lines = [f"**Setting.** A joint review meeting of {md(case.record['title'])}. On the agenda: "
             f"{agenda}. Each delegation has 20 minutes to agree a way forward.", ""]
    background = case.sentences("Background")[:2]
    lines.append("**Shared facts (both delegations)**")
    lines += [f"- {md(s)} {_cite(src, case, 'Background', s)}" for s in background]
    problems = case.sentences("Problems and criticism")
    offers = case.sentences("Capacity building") + case.sentences("Financing")
    for i, name in enumerate(names):
        lines += ["", f"**Delegation of {name}**", "Concerns to raise:"]
        lines += [f"- {md(s)} {_cite(src, case, 'Problems and criticism', s)}"
                  for s in problems[i::2][:2]]
        lines.append("What you can put on the table:")
        for s in offers[i::2][:2]:
            section = "Capacity building" if s in case.sentences("Capacity building") else "Financing"
            lines.append(f"- {md(s)} {_cite(src, case, section, s)}")
    lines += ["", "**Debrief.** Compare the outcome with what happened in reality (see the "
              "handout) and with the lessons in the cited passages."]
    return "\n".join(lines)


def _quiz(cases: list[_Case], src: _Sources) -> str:
    items = []
    for case in cases:
        for section in ("Background", "Instruments and institutions", "Governance", "Financing",
                        "Results and metrics"):
            for sentence in case.sentences(section):
                match = _FIGURE.search(sentence)
                if not match or len(items) >= 6:
                    continue
                blanked = md(sentence[: match.start()]) + "_____" + md(sentence[match.end():])
                items.append(f"**Q.** {blanked}\n   **A.** {md(match.group(0))} "
                             f"{_cite(src, case, section, sentence)}")
                break
    if not items:
        return "No figures or dates in these case studies lend themselves to a quiz."
    return "\n".join(f"{i}. {q}" for i, q in enumerate(items, start=1))


def _handout(cases: list[_Case], guidance: list, src: _Sources, subject: str) -> str:
    lines = [f"**{md(subject[:1].upper() + subject[1:])}: what the knowledge base shows**", ""]
    if guidance:
        lines.append("**Key points from the guidance**")
        lines += [f"- {md(s)} {src.cite(m, m.get('section', ''), s)}" for m, s in guidance[:4]]
        lines.append("")
    lines.append("**The cases**")
    for case in cases:
        record = case.record
        where = ", ".join(country_name(c) for c in (record.get("countries") or "").split(", ") if c)
        lines.append(f"- **{md(record['title'])}** ({md(where)}; {md(record.get('period', ''))})")
        for section in ("Results and metrics", "Problems and criticism",
                        "Lessons for partnership design"):
            for s in case.sentences(section)[:1]:
                lines.append(f"  - {md(s)} {_cite(src, case, section, s)}")
    return "\n".join(lines)
