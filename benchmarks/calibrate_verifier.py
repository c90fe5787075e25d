"""Where to set the citation verifier's threshold (ASSISTANT_SUPPORT_THRESHOLD).

No large model runs here, so supported and unsupported claims are built from the corpus:
- supported: a sentence of a passage, checked against that passage with the sentence removed
  (a claim the passage's context backs, not a verbatim quote);
- unsupported: the same sentence checked against a passage of another document that the eval
  question for it retrieves (plausible, on-topic, but the wrong source).
Prints both distributions and the threshold that best separates them.

    ASSISTANT_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/calibrate_verifier.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.answer import split_sentences  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.service import build_assistant  # noqa: E402
from assistant.verification import CitationVerifier  # noqa: E402


def main() -> None:
    settings = Settings()
    assistant = build_assistant(settings)
    assistant.ensure_ingested()
    verifier = CitationVerifier(assistant.embeddings, threshold=0.0)
    positives, negatives, unrelated = [], [], []
    rows = [r for r in load_questions([settings.knowledge_dir / "eval"]) if r["kind"] == "answerable"]
    firsts = [assistant.retriever.retrieve(r["question"], k=1).passages[0] for r in rows]
    for i, row in enumerate(rows):
        passages = assistant.retriever.retrieve(row["question"], k=8).passages
        stranger = firsts[(i + len(rows) // 2) % len(rows)]  # another question's best passage
        own = passages[0]
        other = next((p for p in passages if p.metadata["doc_id"] != own.metadata["doc_id"]), None)
        for sentence in split_sentences(own.text)[:3]:
            rest = own.text.replace(sentence, " ")
            if len(rest.split()) < 20:
                continue
            positives.append(verifier.verify(f"{sentence} [1]", {1: rest}).claims[0].similarity)
            if other is not None:
                negatives.append(
                    verifier.verify(f"{sentence} [1]", {1: other.text}).claims[0].similarity)
            if stranger.metadata["doc_id"] != own.metadata["doc_id"]:
                unrelated.append(
                    verifier.verify(f"{sentence} [1]", {1: stranger.text}).claims[0].similarity)
    positives.sort()
    negatives.sort()
    print(f"supported   n={len(positives)} p10={positives[len(positives) // 10]:.3f} "
          f"median={positives[len(positives) // 2]:.3f}")
    print(f"unsupported n={len(negatives)} median={negatives[len(negatives) // 2]:.3f} "
          f"p90={negatives[9 * len(negatives) // 10]:.3f}")
    best = max((t / 100 for t in range(20, 90)),
               key=lambda t: sum(p >= t for p in positives) / len(positives)
               + sum(n < t for n in negatives) / len(negatives))
    unrelated.sort()
    print(f"unrelated   n={len(unrelated)} median={unrelated[len(unrelated) // 2]:.3f} "
          f"p90={unrelated[9 * len(unrelated) // 10]:.3f}")
    for t in (0.3, 0.35, 0.4, 0.45, 0.5):
        print(f"  at {t:.2f}: keeps {sum(p >= t for p in positives) / len(positives):.0%} of "
              f"supported, drops {sum(n < t for n in negatives) / len(negatives):.0%} of "
              f"wrong-source, {sum(n < t for n in unrelated) / len(unrelated):.0%} of unrelated")
    tpr = sum(p >= best for p in positives) / len(positives)
    tnr = sum(n < best for n in negatives) / len(negatives)
    print(f"best balanced threshold {best:.2f}: keeps {tpr:.0%} of supported claims, drops "
          f"{tnr:.0%} of unsupported; current setting {settings.support_threshold}")


if __name__ == "__main__":
    main()
