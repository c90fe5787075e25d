"""Follow-up questions: condensing "and what about financing?" into a standalone question."""

from __future__ import annotations

import re
from collections.abc import Callable

from .retrieval import STOPWORDS

# Words that open or fill a question and are capitalised only because of where they stand.
_NOT_SUBJECTS = {
    "how", "what", "which", "who", "whom", "why", "when", "where", "did", "do", "does", "is", "are",
    "was", "were", "can", "could", "should", "would", "will", "and", "but", "so", "also", "then",
    "the", "a", "an", "in", "on", "for", "of", "to", "if", "it", "its", "we", "our", "i", "they",
    "their", "there", "this", "that", "these", "those", "has", "have", "had", "any", "tell", "give",
    "please", "explain", "describe", "compare", "list", "name", "show", "what's", "how's", "now",
    "under", "after", "before", "during", "since", "with", "from", "about", "between", "while",
    "although", "because", "as", "at", "by", "once", "yes", "no",
}
_FOLLOW_UP_OPENERS = re.compile(
    r"^\s*(and|but|so|also|then|what about|how about|and what|and how|what else|why not|"
    r"same for|compared? (to|with))\b", re.IGNORECASE)
_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|there|that|those|these|this|the same|such|"
    r"he|she|his|her|the two|both)\b", re.IGNORECASE)
# "the park", "the barley case": a definite reference to something named earlier.
_DEFINITE = re.compile(
    r"\bthe (?:[a-z-]+ ){0,2}(?:case|agreement|deal|park|programme|program|project|railway|port|"
    r"fund|committee|mechanism|plan|partnership|corridor|accord|treaty|pact|zone|dispute|loan|"
    r"initiative|scheme|lease|package|review|reform|bank|rail|line|result|outcome)s?\b")
_GENERIC_TERMS = {"countries", "country", "received", "partnership", "partnerships", "government",
                  "governments", "bilateral", "economic"}
_CAPITALISED = re.compile(r"[A-Z][\w'’]*(?:[–-][A-Z][\w'’]*)*")


def subjects(question: str) -> list[str]:
    """Capitalised names in a question (places, agreements, institutions), in order."""
    phrases: list[str] = []
    current: list[str] = []
    for token in re.findall(r"[\w'’–-]+|[^\w\s]", question):
        if _CAPITALISED.fullmatch(token) and token.lower() not in _NOT_SUBJECTS:
            current.append(token)
            continue
        if current:
            phrases.append(" ".join(current))
            current = []
    if current:
        phrases.append(" ".join(current))
    return list(dict.fromkeys(phrases))


def content_terms(question: str) -> list[str]:
    words = re.findall(r"[^\W\d_][\w\-]+", question.lower())
    return [w for w in words if w not in STOPWORDS and w not in _NOT_SUBJECTS and len(w) > 2]


def looks_like_follow_up(question: str) -> bool:
    if (_FOLLOW_UP_OPENERS.search(question) or _ANAPHORA.search(question)
            or _DEFINITE.search(question)):
        return True
    return not subjects(question) and len(content_terms(question)) <= 2


def condense(question: str, previous: list[str],
             specificity: Callable[[str], float] | None = None) -> str:
    """A standalone version of `question`, given the earlier standalone questions (oldest first).

    Deterministic: a follow-up gets the earlier question's subject (its names and its most
    specific terms) added as context, so retrieval searches for the right thing. `specificity`
    ranks terms, e.g. by their inverse document frequency in the knowledge base.
    """
    question = question.strip()
    if not previous or not looks_like_follow_up(question):
        return question
    earlier = previous[-1]
    lowered = question.lower()
    names = [s for s in subjects(earlier) if s.lower() not in lowered]
    # Key terms of the earlier question too ("corn", "coal"), fewer when names already anchor it.
    terms = [t for t in content_terms(earlier)
             if t not in lowered and t not in _GENERIC_TERMS and t not in
             {w.lower() for n in names for w in n.split()}]
    if specificity:  # rarest terms in the knowledge base first: they name the subject best
        terms.sort(key=specificity, reverse=True)
    terms = terms[: 3 if names else 5]
    carried = names + terms
    if not carried:
        return question
    return f"{question.rstrip('?').rstrip()} ({', '.join(carried)})?"
