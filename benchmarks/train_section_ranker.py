"""Learn the weights of fit.passage_fit: which retrieved passage's section should lead.

For every labelled question in knowledge/eval/train/sections*.jsonl the assistant retrieves as
it would answer, fit.fit_features describes each passage, and a listwise softmax (the gold
section's passages against the rest) learns one weight per feature. Features that come from
labelled questions (votes, the kind classifier, the adapter) are cross-fitted by file: each
file's questions are described by a model built from the other files, written by other people,
as a new asker's question would be. Prints the RANKER table for fit.py and the share of
questions whose first-ranked passage is from a gold section, on the training questions
(cross-fitted) and on each quality tuning half (cross-fitted too: described by a section model built
without that half; never on test).

    .venv/bin/python benchmarks/train_section_ranker.py [--data-dir DIR] [--l2 0.001]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import sections as section_model  # noqa: E402
from assistant.answer.brief import focus_weights  # noqa: E402
from assistant.answer.fit import FEATURES, fit_features  # noqa: E402
from assistant.answer.sections import intents  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.embeddings import cache_root, embedding_id  # noqa: E402
from assistant.service import build_assistant  # noqa: E402

QUALITY = ROOT / "knowledge" / "eval" / "quality"


def in_gold(meta: dict, gold: list[dict]) -> bool:
    path = [p.strip().lower() for p in meta.get("section", "").split("›")]
    return any(g["doc_id"] == meta["doc_id"] and g["section"].strip().lower() in path
               for g in gold)


def describe(assistant, question: str, gold: list[dict], model) -> tuple[np.ndarray, np.ndarray]:
    retrieval = assistant.retrieve({"question": question})
    passages = retrieval.passages
    if not passages or retrieval.query_vector is None:
        return np.zeros((0, len(FEATURES))), np.zeros(0, bool)
    x = fit_features(question, np.asarray(retrieval.query_vector, dtype=np.float32), passages,
                     assistant.retriever.lexical(), focus_weights(question), intents(question),
                     sections=model)
    return x, np.array([in_gold(p.metadata, gold) for p in passages], dtype=bool)


def fit(items, l2: float, steps: int = 300, rate: float = 0.1, off: tuple = ()):
    """Listwise softmax with Adam on standardised features: (weights, mean, spread). Features
    named in `off` keep weight 0."""
    stacked = np.concatenate([x for x, _ in items])
    mean, spread = stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
    keep = np.array([name not in off for name in FEATURES], dtype=float)
    w, m, v = (np.zeros(stacked.shape[1]) for _ in range(3))
    for t in range(1, steps + 1):
        grad = np.zeros_like(w)
        for x, y in items:
            z = (x - mean) / spread
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += z.T @ (p - np.where(y, p / p[y].sum(), 0.0))
        grad = (grad / len(items) + l2 * w) * keep
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w -= rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w, mean, spread


def first_right(items, w, mean, spread) -> float:
    return float(np.mean([bool(y[np.argmax(((x - mean) / spread) @ w)]) if y.any() else False
                          for x, y in items]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an index of knowledge/ (default: a "
                        "fresh temporary one)")
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--off", default="", help="features to leave out, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp))
        assistant = build_assistant(settings)
        assistant.ensure_ingested()
        files = section_model.training_files(settings.section_examples)
        rows = [(f, r) for f in files for r in section_model.read_sections(f)]
        full = section_model.load_sections(
            settings.section_examples, assistant.embeddings,
            embedding_id(settings.embedding_model, settings.embedding_quantize),
            cache_root() / "labelled")
        train, others = [], {}
        for f in files:
            mine = np.array([g == f for g, _ in rows])
            other = others[f] = section_model.build([r for g, r in rows if g != f],
                                                    full.vectors[~mine])
            for _, r in (row for row, m in zip(rows, mine, strict=True) if m):
                gold = [{"doc_id": r["doc_id"], "section": r["section"]}]
                x, y = describe(assistant, r["question"], gold, other)
                if y.any():
                    train.append((x, y))
        w, mean, spread = fit(train, args.l2, off=tuple(args.off.split(",")))
        print(f"training questions with a gold passage retrieved: {len(train)} of {len(rows)}; "
              f"first-ranked from a gold section (cross-fitted): "
              f"{first_right(train, w, mean, spread):.3f}")
        for half in sorted(QUALITY.glob("dev*.jsonl")):
            # a half the section model learns from is described by the model without it
            model = others.get(half, full)
            questions = [json.loads(x) for x in half.read_text().splitlines() if x.strip()]
            items = [describe(assistant, q["question"], q["gold"], model) for q in questions]
            print(f"{half.stem}: first-ranked from a gold section "
                  f"{first_right(items, w, mean, spread):.3f} ({len(items)} questions)")
        print("RANKER = {  # feature: (weight, mean, spread)")
        for name, wi, mi, si in zip(FEATURES, w, mean, spread, strict=True):
            print(f'    "{name}": ({wi:.3f}, {mi:.4f}, {si:.4f}),')
        print("}")


if __name__ == "__main__":
    main()
