"""Retrieval and refusal quality on knowledge/eval: hit@5, MRR, refusals and follow-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

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


def ranked_documents(assistant: Assistant, question: str, depth: int = 30) -> tuple[list[str], bool]:
    """Distinct documents in the order of their best passage, and whether the gate let it through."""
    retrieval = assistant.retriever.retrieve(question, k=depth)
    return list(dict.fromkeys(p.metadata["doc_id"] for p in retrieval.passages)), retrieval.relevant


def evaluate(assistant: Assistant, rows: list[dict]) -> EvalReport:
    report = EvalReport()
    by_id = {row["id"]: row for row in rows}
    standalone: dict[str, str] = {}
    for row in rows:
        question = row["question"]
        if row["kind"] == "follow-up":
            earlier = standalone.get(row["follow_up_of"]) or by_id[row["follow_up_of"]]["question"]
            question = assistant.standalone(question, [earlier])
        standalone[row["id"]] = question
        docs, relevant = ranked_documents(assistant, question)
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
