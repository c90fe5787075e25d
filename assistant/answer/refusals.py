"""Refusals in plain words: what the knowledge base does not cover, and why, and what it does."""

from __future__ import annotations

from ..escaping import markdown_text
from ..prompts import REFUSAL, TOPIC_QUESTIONS
from ..retrieval import Retrieval
from .coverage import TREATY_TEXT_ONLY, Verdict

ASSISTANT_DOES = ("This assistant answers questions about designing bilateral economic "
                  "partnerships with cited passages from its knowledge base of guidance and real "
                  "case studies; it does not write fiction, imitate official documents, follow "
                  "instructions to drop its sources, or answer without citations.")
DOMAIN_NOTE = ("The knowledge base covers partnerships between states, economies and public "
               "bodies (trade agreements, development programmes, infrastructure and investment "
               "cooperation){what}.")


def _suggestions(topics: list[str]) -> list[str]:
    suggestions = [TOPIC_QUESTIONS[t] for t in topics if t in TOPIC_QUESTIONS][:3]
    for question in TOPIC_QUESTIONS.values():
        if len(suggestions) >= 3:
            break
        if question not in suggestions:
            suggestions.append(question)
    return suggestions


def nearest(retrieval: Retrieval) -> tuple[list[str], list[str]]:
    """Titles and topics of the closest documents, in rank order."""
    titles, topics = [], []
    for p in retrieval.passages:
        if p.metadata["title"] not in titles:
            titles.append(p.metadata["title"])
        for topic in (p.metadata.get("topics") or "").split(", "):
            if topic and topic not in topics:
                topics.append(topic)
    return titles, topics


def no_evidence_text(retrieval: Retrieval, documents_searched: int) -> str:
    """Nothing close enough: a plain no, what was searched, nearest topics, questions that work."""
    titles, topics = nearest(retrieval)
    lines = [REFUSAL, f"I searched {documents_searched} documents on designing bilateral economic "
             "partnerships (guidance and real case studies) and none of them addresses it "
             "closely enough to answer from."]
    if topics:
        lines.append("The nearest topics the knowledge base does cover: "
                     + ", ".join(t.replace("-", " ") for t in topics[:4])
                     + (f" (closest documents: {'; '.join(markdown_text(t) for t in titles[:3])})."
                        if titles else "."))
    lines.append("Questions it can answer, for example:")
    lines += [f"- {q}" for q in _suggestions(topics)]
    return "\n".join(lines)


def reason_sentence(verdict: Verdict, knowledge_date: str | None = None) -> str:
    """The one plain sentence the page shows above any nearest material."""
    if verdict.reason == "not_covered":
        missing = " or ".join(markdown_text(m) for m in verdict.missing) or "this subject"
        if verdict.message == TREATY_TEXT_ONLY:
            return (f"The knowledge base holds only the treaty text on {missing}: it has no "
                    "material on what came of it.")
        return f"The knowledge base has no material on {missing}."
    if verdict.reason == "out_of_date":
        when = f" was last reviewed on {knowledge_date}" if knowledge_date else " has a review date"
        return (f"The knowledge base{when}, so it cannot say what holds {verdict.message}; it can "
                "only say what its documents recorded up to then.")
    if verdict.reason == "out_of_domain":
        about = f"about {markdown_text(verdict.message)}, not " if verdict.message else "not about "
        return (f"The knowledge base does not cover this question: it is {about}a partnership "
                "between states, economies or public bodies.")
    if verdict.reason == "not_a_question":
        return "I can't do that: " + ASSISTANT_DOES[0].lower() + ASSISTANT_DOES[1:]
    return REFUSAL


def refusal_text(verdict: Verdict, retrieval: Retrieval, documents_searched: int,
                 nearest_lines: list[str], knowledge_date: str | None = None) -> str:
    if verdict.reason == "no_evidence":
        return no_evidence_text(retrieval, documents_searched)
    lines = [reason_sentence(verdict, knowledge_date)]
    if verdict.reason == "out_of_domain":
        lines.append(DOMAIN_NOTE.format(what=f", not {verdict.message}" if verdict.message
                                        else ""))
    if verdict.reason in ("out_of_domain", "not_a_question"):
        lines.append("Questions it can answer, for example:")
        lines += [f"- {q}" for q in _suggestions([])]
        return "\n".join(lines)
    if nearest_lines:
        label = ("Nearest material it does cover:" if verdict.reason == "not_covered"
                 else "What it recorded, with the date each document was last reviewed:")
        lines += ["", label, *nearest_lines]
    return "\n".join(lines)
