"""Which retrieved passage's section should lead the answer: a listwise ranker over what is
known about each passage (its text and heading against the question as asked and as mapped by
the section model's adapter, what askers of such questions wanted, whether it is a case the
question names), with weights learned from labelled questions. Spans inherit the fit, so the
brief draws on the section that answers (answer/brief.py)."""

from __future__ import annotations

import re

import numpy as np

from ..regions import countries_of
from ..retrieval import ScoredPassage, tokenize
from .coverage import (
    _GENERIC,
    _country_or_demonym,
    _generic,
    _initials,
    _is_country_word,
    misspelt,
    named_country_codes,
    written_in_english,
)
from .sections import (
    SectionModel,
    adapt,
    case_asked_about,
    intent_applies,
    section_matches,
    section_share,
)
from .spans import HEADING_KEY, VECTORS_KEY, decode_vectors

# How a passage as a whole fits the question: a listwise ranker over these features, its
# weights learned from the labelled section questions (knowledge/eval/train/sections*.jsonl and
# the quality tuning halves, cross-fitted by writer) by benchmarks/train_section_ranker.py,
# which prints these tables; FIT_SCALE turns its score differences into the span score's units
# (set on the dev halves). Two tables (stop 32): what decides a question about a case study
# (which of its sections: the votes of questions about that case, the kind of section asked
# for) is not what decides the rest (which guidance section: the votes, the adapted sentences).
# A quality half's question weighs 100 training-file questions: the halves are asked as users
# ask. Held out half by half, the first-ranked passage is from a gold section for 0.943 of the
# 32 tuning halves' questions (each half's tables learnt without it); the one table used before
# scored 0.917 on the 30 halves of its day (in-sample: it had learnt from them).
FEATURES = ("sentences", "heading", "intent", "words", "similarity", "named", "votes", "kind",
            "template", "adapted_sentences", "adapted_heading", "adapted_similarity", "rank",
            "document", "adapted_document", "adapted_votes", "case", "case_named",
            "asks_metrics", "asks_problems")
CASE_RANKER: dict[str, tuple[float, float, float]] = {  # feature: (weight, mean, spread)
    "sentences": (0.312, 0.4983, 0.1158),
    "heading": (0.125, 0.1259, 0.0983),
    "intent": (0.084, 0.0709, 0.2566),
    "words": (0.724, 0.4293, 0.3091),
    "similarity": (0.071, 0.5147, 0.1258),
    "named": (-0.044, 0.0323, 0.2072),
    "votes": (1.280, 0.1052, 0.2708),
    "kind": (0.741, 0.1138, 0.1500),
    "template": (0.100, 0.0009, 0.0308),
    "adapted_sentences": (0.163, 0.6439, 0.0960),
    "adapted_heading": (-0.038, 0.1679, 0.1222),
    "adapted_similarity": (0.312, 0.6896, 0.1057),
    "rank": (0.048, 0.3030, 0.2672),
    "document": (-0.198, 0.6244, 0.1095),
    "adapted_document": (0.123, 0.7824, 0.0868),
    "adapted_votes": (0.519, 0.0037, 0.0439),
    "case": (-0.608, 0.9456, 0.2267),
    "case_named": (0.753, 0.8583, 0.3487),
    "asks_metrics": (-0.013, 0.0071, 0.0842),
    "asks_problems": (-0.106, 0.0107, 0.1027),
}
RANKER: dict[str, tuple[float, float, float]] = {  # feature: (weight, mean, spread)
    "sentences": (0.323, 0.4358, 0.1032),
    "heading": (-0.008, 0.2875, 0.1531),
    "intent": (0.185, 0.0894, 0.2853),
    "words": (0.589, 0.4910, 0.3234),
    "similarity": (-0.051, 0.4451, 0.1086),
    "named": (0.009, 0.3376, 0.6326),
    "votes": (1.404, 0.1596, 0.3130),
    "kind": (0.000, 0.0000, 1.0000),
    "template": (-0.300, 0.0613, 0.2399),  # set, not learnt: see below
    "adapted_sentences": (0.602, 0.5913, 0.0892),
    "adapted_heading": (-0.248, 0.3664, 0.1544),
    "adapted_similarity": (0.246, 0.6332, 0.0969),
    "rank": (-0.073, 0.3893, 0.2896),
    "document": (-0.003, 0.4917, 0.1104),
    "adapted_document": (0.263, 0.6760, 0.0970),
    "adapted_votes": (0.586, 0.1534, 0.2980),
    "case": (0.001, 0.1681, 0.3740),
    "case_named": (0.297, 0.0479, 0.2136),
    "asks_metrics": (0.051, 0.0795, 0.2706),
    "asks_problems": (0.058, 0.0143, 0.1188),
}
FIT_SCALE = 0.05
# The "template" weight of the second table is set, not learnt (+0.213): a template's clauses
# answer when wording is asked for, and with the learnt weight "Draft talking points on capacity
# building for the joint committee" was led by the example-indicator table. Held out over the 32
# halves, -0.3 against the learnt weight: precision 0.929 against 0.931, key point 0.928 both.
# For a question about a case, the "votes" feature holds the votes of the labelled questions about
# that case (sections.SectionModel.case_votes).


def fit_features(question: str, q, passages: list[ScoredPassage], lexical, weights: dict,
                 wanted: list[str], dimensions: int = 384,
                 sections: SectionModel | None = None) -> np.ndarray:
    """(passages, FEATURES): how each passage as a whole answers. Its two best sentences, its
    section heading and its own vector, each against the question's vector as asked and as
    mapped by the section model's adapter (sections.py); whether its section is the kind asked
    for; its focus words, in its text and in its heading ("terms of reference" -> "Joint
    committees and their terms of reference"); what people asking such questions wanted (the
    sections the nearest labelled questions were asked of; the kind of case-study section
    asked for); its rank and its document's best similarity; whether it is a case study, and
    whether the question names that case (one of its countries, or a name in its title): "three
    metrics to report to the minister" names no case, so no case's Results section leads."""
    focus = {t for t, w in weights.items() if w >= 1.0}
    top_doc = case_asked_about(passages)
    asked = sections.votes(q, question=question) if sections is not None and q is not None else {}
    if top_doc and top_doc.startswith("case-studies/") and sections is not None and q is not None:
        # a question about a case: guidance votes would only pull away from it; the questions
        # asked about that case say which of its sections answers
        asked = sections.case_votes(q, top_doc, question)
    kinds = sections.kind(q, question, top_doc) if sections is not None and q is not None else {}
    adapter = sections.adapter(lexical) if sections is not None and q is not None else None
    qa = adapt(q, adapter) if adapter is not None else q
    mapped = sections.votes(qa, adapter=adapter, question=question) \
        if adapter is not None else {}
    template_asked = bool(_TEMPLATE_ASKED.search(question))
    # the kinds of section the question's words ask for, each weighed on its own
    wanted_metrics = [w for w in wanted if w == "metrics"]
    wanted_problems = [w for w in wanted if w == "problems"]
    countries = asked_countries(question)
    vocabulary = set(re.findall(r"[\w+-]+", question.lower()))
    rows = []
    for rank, passage in enumerate(passages):
        meta = passage.metadata
        vectors = decode_vectors(meta.get(VECTORS_KEY), dimensions)
        heading = decode_vectors(meta.get(HEADING_KEY), dimensions)
        own = lexical.vector_of(passage.id) if qa is not None else None
        if vectors is not None and q is not None and len(vectors):
            sentences = float(np.sort(vectors @ q)[::-1][:2].mean())
            adapted = float(np.sort(vectors @ qa)[::-1][:2].mean())
        else:
            sentences = adapted = passage.similarity
        terms = set(tokenize(passage.text))
        words = sum(lexical.idf.get(t, lexical.default_idf) * w
                    for t, w in weights.items() if t in terms)
        case = meta["doc_type"] == "case-study" and meta["doc_id"] == top_doc
        rows.append([
            sentences, float(heading[0] @ q) if heading is not None and q is not None else 0.0,
            float(intent_applies(meta, wanted, top_doc)), words, passage.similarity,
            len(focus & set(tokenize(meta.get("section", "")))), section_share(asked, meta),
            kinds.get(str(meta.get("section", "")).lower(), 0.0) if case else 0.0,
            float(is_template(meta) and not template_asked and not (
                "metrics" in wanted and "indicator" in str(meta.get("title", "")).lower())),
            adapted, float(heading[0] @ qa) if heading is not None and qa is not None else 0.0,
            float(own @ qa) if own is not None else passage.similarity, 1.0 / (1 + rank),
            0.0, 0.0, section_share(mapped, meta), float(meta["doc_type"] == "case-study"),
            float(meta["doc_type"] == "case-study" and names_case(countries, vocabulary, meta)),
            float(meta["doc_type"] != "case-study" and section_matches(
                str(meta.get("section", "")), wanted_metrics)),
            float(section_matches(str(meta.get("section", "")), wanted_problems))])
    x = np.asarray(rows, dtype=np.float32).reshape(len(passages), len(FEATURES))
    if len(passages):
        x[:, 3] /= max(float(x[:, 3].max()), 1e-9)  # words, relative to the best passage's
        if not written_in_english(question):  # its words are not the documents' language
            x[:, 3], x[:, 5] = 1.0, 0.0
        docs = [p.metadata["doc_id"] for p in passages]
        for i, doc in enumerate(docs):  # the document's best similarity, as asked and mapped
            same = [j for j, d in enumerate(docs) if d == doc]
            x[i, 13], x[i, 14] = x[same, 4].max(), x[same, 11].max()
    return x


# A template's clauses answer when wording is asked for; otherwise the guidance explains.
_TEMPLATE_ASKED = re.compile(r"\b(templates?|wording|clauses?|terms of reference|tors?|charters?|"
                             r"checklists?|model text|fill in|forms?)\b", re.IGNORECASE)


def is_template(meta: dict) -> bool:
    return str(meta.get("title", "")).lower().startswith("template")


# The asker's own partner ("we sign the partnership with Vietnam next month", "the plan with
# Morocco our agencies must deliver") is the setting of a question, not a case it asks about.
_ASKERS_PARTNER = re.compile(r"\b(we|we['’]re|we are|our|us)\b[^.?!;:]{0,80}?\bwith\s+(the\s+)?$",
                             re.IGNORECASE)


def asked_countries(question: str) -> set[str]:
    """The countries a question names, less the asker's own partner."""
    return {code for m in _country_or_demonym().finditer(question)
            if not _ASKERS_PARTNER.search(question[max(0, m.start() - 120):m.start()])
            for code in named_country_codes(m.group(0))}


def names_case(countries: set[str], words: set[str], meta: dict) -> bool:
    """Whether a question (its country codes and lower-case words) names a case study: one of
    its countries, or a distinctive word of its title ("Hambantota", "KORUS", "Katalis")."""
    if countries & set(countries_of(meta)):
        return True
    title = [w.lower() for w in re.findall(r"[A-Z][\w+-]*", str(meta.get("title", "")))
             if len(w) >= 3 and w.lower() not in _GENERIC and not _is_country_word(w)]
    if any(w in words for w in title):
        return True
    # the acronym its title spells ("SGR" for the Standard Gauge Railway, "ECRL")
    if any(a.lower() in words for a in _initials(str(meta.get("title", "")))):
        return True
    # a slip in a long name ("Hambantotta")
    return bool(title) and any(misspelt(w, [" ".join(title)]) for w in words if len(w) >= 6)


def names_any_case(question: str, passages: list[ScoredPassage]) -> bool:
    """Whether the question names one of the case studies among the passages."""
    countries = asked_countries(question)
    vocabulary = set(re.findall(r"[\w+-]+", question.lower()))
    # an acronym the case itself uses ("JCC" for CPEC's Joint Cooperation Committee)
    acronyms = [a for a in re.findall(r"\b[A-Z]{3,}\b", question) if not _generic(a)]
    return any(names_case(countries, vocabulary, p.metadata) or
               any(re.search(rf"\b{a}\b", p.text) for a in acronyms)
               for p in passages if p.metadata["doc_type"] == "case-study")


def passage_fit(question: str, q, passages: list[ScoredPassage], lexical, weights: dict,
                wanted: list[str], dimensions: int = 384,
                sections: SectionModel | None = None) -> list[float]:
    """How well each passage as a whole answers, 0 for the best and negative for the others,
    in the span score's units: the ranker's score over fit_features. Spans inherit it, so the
    brief draws on the section that answers."""
    x = fit_features(question, q, passages, lexical, weights, wanted, dimensions, sections)
    about = case_asked_about(passages)
    table = CASE_RANKER if about and about.startswith("case-studies/") else RANKER
    w = np.array([table[name][0] for name in FEATURES], dtype=np.float32)
    mean = np.array([table[name][1] for name in FEATURES], dtype=np.float32)
    spread = np.array([table[name][2] for name in FEATURES], dtype=np.float32)
    scores = ((x - mean) / spread) @ w if len(passages) else np.zeros(0)
    # A section cut into several passages fits as a whole: each passage takes its section's
    # best fit ("Common elements recur: ...", the second passage of its section, fell far
    # behind the first).
    section: dict[tuple, float] = {}
    for score, passage in zip(scores, passages, strict=True):
        key = (passage.metadata["doc_id"], passage.metadata.get("section", ""))
        section[key] = max(section.get(key, score), float(score))
    scores = [section[(p.metadata["doc_id"], p.metadata.get("section", ""))] for p in passages]
    best = max(scores, default=0.0)
    # Treaty articles carry no sentence vectors: their order stays the retriever's.
    return [(s - best) * FIT_SCALE if p.metadata.get(VECTORS_KEY) else 0.0
            for s, p in zip(scores, passages, strict=True)]
