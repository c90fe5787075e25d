"""Where to set the relevance gate: best-passage similarity for answerable vs unanswerable
questions in knowledge/eval. Prints both distributions and the threshold with fewest errors.

    ASSISTANT_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/calibrate_gate.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.service import build_assistant  # noqa: E402


def main() -> None:
    settings = Settings()
    assistant = build_assistant(settings)
    assistant.ensure_ingested()
    rows = load_questions([settings.knowledge_dir / "eval"])
    by_id = {r["id"]: r for r in rows}
    scores = {"answerable": [], "unanswerable": []}
    for row in rows:
        question = row["question"]
        if row["kind"] == "follow-up":
            question = assistant.standalone(question, [by_id[row["follow_up_of"]]["question"]])
        best = assistant.retriever.retrieve(question, k=5).best_similarity
        group = "unanswerable" if row["kind"] == "unanswerable" else "answerable"
        scores[group].append((best, row["id"]))
    for group, values in scores.items():
        values.sort()
        print(f"{group}: n={len(values)} min={values[0][0]:.3f} max={values[-1][0]:.3f}")
        print("   lowest:", ", ".join(f"{i}={s:.3f}" for s, i in values[:5]))
        print("   highest:", ", ".join(f"{i}={s:.3f}" for s, i in values[-3:]))
    candidates = [t / 100 for t in range(10, 60)]
    errors = {t: sum(s < t for s, _ in scores["answerable"])
              + sum(s >= t for s, _ in scores["unanswerable"]) for t in candidates}
    fewest = min(errors.values())
    span = [t for t in candidates if errors[t] == fewest]
    print(f"fewest errors ({fewest}) for thresholds {span[0]:.2f} to {span[-1]:.2f}; "
          f"middle {(span[0] + span[-1]) / 2:.2f}; current setting {settings.relevance_threshold}")


if __name__ == "__main__":
    main()
