"""Learn the weights of fit.passage_fit: which retrieved passage's section should lead.

For every labelled question in knowledge/eval/train/sections*.jsonl and the quality tuning
halves (knowledge/eval/quality/dev*.jsonl; never test) the assistant retrieves as it would
answer, fit.fit_features describes each passage, and a listwise softmax (the gold section's
passages against the rest) learns one weight per feature, in two tables: one for questions
about a case study (sections.case_asked_about), one for the rest. Features that come from
labelled questions (votes, the kind classifier, the adapter) are cross-fitted by file: each
file's questions are described by a model built from the other files, written by other people,
as a new asker's question would be. A quality half's question counts QUALITY_WEIGHT times a
training file's: the halves are written as users ask, the training files one question per
section. Prints the tables for fit.py and the share of questions whose first-ranked passage is
from a gold section on each quality tuning half, held out: its table learnt without it.

    .venv/bin/python benchmarks/train_section_ranker.py [--data-dir DIR] [--l2 0.01]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
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


# A quality half's question counts this many times a training file's. Held out half by half
# over the 30 tuning halves of stop 31, the share whose first-ranked passage is from a gold
# section: one table 0.918 at weight 1, 0.932 at 10, 0.934 at 100; two tables 0.920, 0.934,
# 0.942 (0.945 with l2 0.01); the table learnt on the training files alone 0.888 (two: 0.901).
QUALITY_WEIGHT = 100.0


@dataclass
class Item:
    x: np.ndarray  # (passages, features)
    gold: np.ndarray  # (passages,) bool: from a gold section
    sections: list  # (doc_id, section) per passage: a section fits as its best passage
    case: bool  # a question about a case study: the case table ranks it
    source: str  # the file it came from


def describe(assistant, question: str, gold: list[dict], model, source: str) -> Item | None:
    retrieval = assistant.retrieve({"question": question})
    passages = retrieval.passages
    if not passages or retrieval.query_vector is None:
        return None
    x = fit_features(question, np.asarray(retrieval.query_vector, dtype=np.float32), passages,
                     assistant.retriever.lexical(), focus_weights(question), intents(question),
                     sections=model)
    top = section_model.case_asked_about(passages)
    return Item(x, np.array([in_gold(p.metadata, gold) for p in passages], dtype=bool),
                [(p.metadata["doc_id"], p.metadata.get("section", "")) for p in passages],
                bool(top and top.startswith("case-studies/")), source)


def fit(items: list[Item], l2: float, steps: int = 300, rate: float = 0.1):
    """Listwise softmax with Adam on standardised features, every question padded to the same
    number of passages: (weights, mean, spread)."""
    items = [i for i in items if i.gold.any()]
    width = max(len(i.x) for i in items)
    x = np.zeros((len(items), width, len(FEATURES)))
    real = np.zeros((len(items), width), bool)
    gold = np.zeros((len(items), width), bool)
    for k, item in enumerate(items):
        n = len(item.x)
        x[k, :n], real[k, :n], gold[k, :n] = item.x, True, item.gold
    weight = np.array([QUALITY_WEIGHT if i.source.startswith("dev") else 1.0 for i in items])
    mean, spread = x[real].mean(axis=0), x[real].std(axis=0) + 1e-6
    z = (x - mean) / spread
    w, m, v = (np.zeros(len(FEATURES)) for _ in range(3))
    for t in range(1, steps + 1):
        s = np.where(real, z @ w, -1e9)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        target = np.where(gold, p, 0.0)
        target /= target.sum(axis=1, keepdims=True)
        grad = np.einsum("ipf,ip->f", z, (p - target) * weight[:, None]) / weight.sum() + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w -= rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w, mean, spread


def fit_both(items: list[Item], l2: float) -> dict[bool, tuple]:
    """The two tables: True for questions about a case study, False for the rest."""
    return {case: fit([i for i in items if i.case == case], l2) for case in (True, False)}


def first_right(items: list[Item], tables: dict[bool, tuple]) -> float:
    right = []
    for item in items:
        w, mean, spread = tables[item.case]
        scores = ((item.x - mean) / spread) @ w
        best: dict = {}
        for key, score in zip(item.sections, scores, strict=True):
            best[key] = max(best.get(key, score), score)
        right.append(bool(item.gold[int(np.argmax([best[k] for k in item.sections]))]))
    return float(np.mean(right)) if right else 0.0


def table(name: str, tables: tuple) -> str:
    w, mean, spread = tables
    # (a feature that never varies in these questions, such as the kind of case section in
    # questions about no case, is printed with spread 1: it adds nothing either way)
    rows = [f'    "{f}": ({wi:.3f}, {mi:.4f}, {si if si >= 1e-4 else 1.0:.4f}),'
            for f, wi, mi, si in zip(FEATURES, w, mean, spread, strict=True)]
    return "\n".join([f"{name}: dict[str, tuple[float, float, float]] = {{"
                      "  # feature: (weight, mean, spread)", *rows, "}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an index of knowledge/ (default: a "
                        "fresh temporary one)")
    parser.add_argument("--l2", type=float, default=1e-2)
    parser.add_argument("--held-out-tables", type=Path, help="write each half's tables, learnt "
                        "without it, as JSON (for heldout_quality.py --rankers)")
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
        items: list[Item] = []
        for f in files:
            mine = np.array([g == f for g, _ in rows])
            other = section_model.build([r for g, r in rows if g != f], full.vectors[~mine])
            if f.parent == QUALITY:  # a question once, with all its gold sections
                questions = [json.loads(x) for x in f.read_text("utf-8").splitlines() if x.strip()]
                asked = [(q["question"], q["gold"]) for q in questions]
            else:
                asked = [(r["question"], [r]) for g, r in rows if g == f]
            items += [i for i in (describe(assistant, q, gold, other, f.stem)
                                  for q, gold in asked) if i is not None]
        tables = fit_both(items, args.l2)
        print(f"questions with a gold passage retrieved: {sum(i.gold.any() for i in items)} of "
              f"{len(items)}")
        shares, held_out = [], {}
        for half in sorted({i.source for i in items if i.source.startswith("dev")}):
            mine = [i for i in items if i.source == half]
            held_out[half] = fit_both([i for i in items if i.source != half], args.l2)
            shares.append(first_right(mine, held_out[half]))
            print(f"{half}: first-ranked from a gold section, held out {shares[-1]:.3f} "
                  f"({len(mine)} questions)", flush=True)
        print(f"mean over the halves, held out: {np.mean(shares):.3f}")
        if args.held_out_tables:
            args.held_out_tables.write_text(json.dumps({
                half: {name: [list(map(float, part)) for part in tables[case]]
                       for name, case in (("CASE_RANKER", True), ("RANKER", False))}
                for half, tables in held_out.items()}))
        print(table("CASE_RANKER", tables[True]))
        print(table("RANKER", tables[False]))


if __name__ == "__main__":
    main()
