"""Quality on knowledge/eval: retrieval (hit@5, MRR), refusals and follow-ups on the original
set; refusal reasons on the coverage set; and the answer text itself on the quality set
(sentence precision, key-point hit, fragments, length)."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .escaping import markdown_plain
from .service import Assistant


def load_questions(paths: list[Path]) -> list[dict]:
    files = [f for p in paths for f in (sorted(p.glob("*.jsonl")) if p.is_dir() else [p])]
    return [json.loads(line) for f in files
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class EvalReport:
    answerable: int = 0
    hits: int = 0
    reciprocal_ranks: float = 0.0
    refused_right: int = 0  # unanswerable and refused
    refused_wrong: int = 0  # answerable but refused
    unanswerable: int = 0
    follow_ups: int = 0
    follow_ups_right: int = 0
    misses: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        refused = self.refused_right + self.refused_wrong
        return {
            "answerable": self.answerable,
            "hit_at_5": round(self.hits / max(self.answerable, 1), 3),
            "mrr": round(self.reciprocal_ranks / max(self.answerable, 1), 3),
            "refusal_precision": round(self.refused_right / refused, 3) if refused else None,
            "refusal_recall": round(self.refused_right / max(self.unanswerable, 1), 3),
            "follow_ups": self.follow_ups,
            "follow_up_accuracy": round(self.follow_ups_right / max(self.follow_ups, 1), 3),
            "misses": self.misses,
        }


def ranked_documents(assistant: Assistant, question: str, depth: int = 30,
                     context: str | None = None) -> tuple[list[str], bool]:
    """Distinct documents in the order of their best passage, ranked as the answer ranks them
    (with treaty texts indexed, the curated documents apart from the articles), and whether
    the question passes every check before answering (the similarity gate and the coverage
    checks)."""
    vector = assistant.query_vector(question, context)
    ranked = assistant.retriever.retrieve(question, k=depth,
                                          filters=assistant.answer_scope({}), query_vector=vector)
    checked = assistant.retrieve({"question": question, "context": context})
    answered = checked.relevant and checked.verdict is None
    return list(dict.fromkeys(p.metadata["doc_id"] for p in ranked.passages)), answered


def evaluate(assistant: Assistant, rows: list[dict]) -> EvalReport:
    report = EvalReport()
    by_id = {row["id"]: row for row in rows}
    standalone: dict[str, str] = {}
    for row in rows:
        question, context = row["question"], None
        if row["kind"] == "follow-up":
            earlier = standalone.get(row["follow_up_of"]) or by_id[row["follow_up_of"]]["question"]
            question = assistant.standalone(question, [earlier])
            context = earlier if question != row["question"] else None
        standalone[row["id"]] = question
        docs, relevant = ranked_documents(assistant, question, context=context)
        if row["kind"] == "unanswerable":
            report.unanswerable += 1
            report.refused_right += not relevant
            if relevant:
                report.misses.append({"id": row["id"], "problem": "answered, should refuse"})
            continue
        report.answerable += 1
        report.refused_wrong += not relevant
        rank = next((i + 1 for i, d in enumerate(docs) if d in row["expected"]), None)
        hit = rank is not None and rank <= 5 and relevant
        report.hits += hit
        report.reciprocal_ranks += 1 / rank if rank and relevant else 0.0
        if not hit:
            report.misses.append({"id": row["id"], "problem": "refused" if not relevant else
                                  f"expected at rank {rank}", "question": question,
                                  "top": docs[:3]})
        if row["kind"] == "follow-up":
            report.follow_ups += 1
            mentions = all(w.lower() in question.lower()
                           for w in row.get("standalone_must_mention", []))
            report.follow_ups_right += mentions and hit
            if not mentions:
                report.misses.append({"id": row["id"], "problem": "standalone misses subject",
                                      "question": question})
    return report


# -- refusal reasons (knowledge/eval/coverage) --------------------------------------------------
def evaluate_coverage(assistant: Assistant, rows: list[dict]) -> dict:
    """Per reason: how many were refused with that reason; for answerable questions: how many
    were refused, and how many cite an expected document."""
    by_reason: dict[str, dict] = {}
    misses = []
    for row in rows:
        answer = assistant.ask(row["question"])
        reason = row.get("reason") or ("covered" if row["kind"] == "answerable" else "")
        stats = by_reason.setdefault(reason, {"n": 0, "right": 0, "refused": 0})
        stats["n"] += 1
        stats["refused"] += answer.refused
        if row["kind"] == "answerable":
            cited = {c.doc_id for c in answer.citations}
            right = not answer.refused and bool(cited & set(row["expected"]))
        else:
            right = answer.refused and answer.reason == reason
        stats["right"] += right
        if not right:
            misses.append({"id": row["id"], "want": reason,
                           "got": answer.reason if answer.refused else "answered",
                           "question": row["question"], "missing": answer.missing})
    unanswerable = [s for r, s in by_reason.items() if r != "covered"]
    answerable = by_reason.get("covered", {"n": 0, "right": 0, "refused": 0})
    return {
        "per_reason": {r: {"n": s["n"], "right": round(s["right"] / s["n"], 3)}
                       for r, s in sorted(by_reason.items())},
        "unanswerable_refused_right_reason": round(
            sum(s["right"] for s in unanswerable) / max(sum(s["n"] for s in unanswerable), 1), 3),
        "unanswerable_refused_any_reason": round(
            sum(s["refused"] for s in unanswerable) / max(sum(s["n"] for s in unanswerable), 1), 3),
        "answerable_refused": round(answerable["refused"] / max(answerable["n"], 1), 3),
        "answerable_cite_expected": round(answerable["right"] / max(answerable["n"], 1), 3),
        "misses": misses,
    }


# -- the answer text (knowledge/eval/quality) --------------------------------------------------
_CITED_LINE = re.compile(r"^(?:[-*]\s+|\d+[.)]\s+)?(?:\*\*[^*]+\*\*:\s*)?(.*?)\s*\[(\d+)\]\s*$")
_STOP = re.compile(r"(?<=[.!?])[\"”')\]]?\s+(?=[A-Z“\"(])")


def quoted_lines(answer) -> list[tuple[str, int]]:
    """(text, citation number) for every cited line of an answer, labels and markers removed."""
    out = []
    for line in answer.answer.splitlines():
        match = _CITED_LINE.match(line.strip())
        if match and match.group(1):  # document text is escaped Markdown: compare it as shown
            out.append((markdown_plain(match.group(1).strip()), int(match.group(2))))
    return out


def is_fragment_line(text: str) -> bool:
    """A line a reader could not use alone: no closing stop, a dangling ";" or ":", or an
    opening in lower case. Deliberately simpler than the composer's own check."""
    text = text.strip()
    return (not re.search(r"[.!?][\"”')\]]*$", text) or text.endswith((";", ":", ","))
            or (text[:1].islower()))


def answer_words(answer) -> int:
    text = re.sub(r"\[\d+\]|\*\*", "", answer.answer)
    return len(text.split())


def _in_gold(citation, gold: list[dict]) -> bool:
    path = [part.strip().lower() for part in (citation.section or "").split("›")]
    return any(g["doc_id"] == citation.doc_id and g["section"].strip().lower() in path
               for g in gold)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).lower()


def evaluate_quality(assistant: Assistant, rows: list[dict], detail: bool = False) -> dict:
    sentences = gold_sentences = hits = fragments = refused = leads = repeated = early = 0
    curated = curated_gold = 0  # the same, leaving out "What the agreements say"
    words, misses = [], []
    for row in rows:
        answer = assistant.ask(row["question"], detail=detail)
        if answer.refused:
            refused += 1
            misses.append({"id": row["id"], "problem": f"refused ({answer.reason})"})
            continue
        by_n = {c.n: c for c in answer.citations}
        mine = in_gold = 0
        lines = quoted_lines(answer)
        repeated += len(lines) - len({_norm(text) for text, _ in lines})  # one sentence twice
        leads += bool(lines) and lines[0][1] in by_n and _in_gold(by_n[lines[0][1]], row["gold"])
        for text, n in lines:
            count = max(len(_STOP.split(text)), 1)
            mine += count
            if n in by_n and _in_gold(by_n[n], row["gold"]):
                in_gold += count
            if n not in by_n or by_n[n].doc_type != "agreement":
                curated += count
                curated_gold += count if n in by_n and _in_gold(by_n[n], row["gold"]) else 0
            fragments += is_fragment_line(text)
        sentences += mine
        gold_sentences += in_gold
        hit = any(_norm(k) in _norm(markdown_plain(answer.answer)) for k in row["key_phrases"])
        hits += hit
        # "A reader who stops after the first two lines has the answer."
        opening = _norm(" ".join(markdown_plain(text) for text, _ in lines[:2]))
        early += any(_norm(k) in opening for k in row["key_phrases"])
        words.append(answer_words(answer))
        if not hit or in_gold < mine:
            misses.append({"id": row["id"], "precision": round(in_gold / max(mine, 1), 2),
                           "key_point": hit})
    return {
        "questions": len(rows),
        "sentence_precision": round(gold_sentences / max(sentences, 1), 3),
        "precision_without_treaty_lines": round(curated_gold / max(curated, 1), 3),
        "key_point_hit": round(hits / max(len(rows), 1), 3),
        "lead_from_gold_section": round(leads / max(len(rows), 1), 3),
        "key_point_in_first_two_lines": round(early / max(len(rows), 1), 3),
        "fragments": fragments,
        "repeated_lines": repeated,
        "median_words": statistics.median(words) if words else 0,
        "refused": refused,
        "misses": misses,
    }
