"""Set the request model's thresholds (assistant/answer/requests.py) on the coverage dev half.

Trains the model on knowledge/eval/train/coverage.jsonl, then, for each threshold, reports on
the chosen half of knowledge/eval/coverage what the rules and the model decide together:
unanswerable questions refused with the right reason, and answerable questions refused. Also
reports how close each evaluated question is to its nearest training question, so a training
set that copies the evaluation set shows.

    python benchmarks/tune_requests.py            # dev half (tune on this)
    python benchmarks/tune_requests.py --split test   # report only; do not tune on it
    python benchmarks/tune_requests.py --split train  # the training set, 5-fold cross-validated

The second table sets coverage.SIDED_WITH and coverage.SURE: the model's out-of-domain
probability that refuses a question with a private-life word beside a country or state word,
and one with neither (see coverage.out_of_domain).
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

from assistant.answer import requests  # noqa: E402
from assistant.answer.coverage import SIDED_WITH, SURE, out_of_domain, screen_request  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.service import build_assistant  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "dev-b", "dev-c", "test", "train"], default="dev")
    parser.add_argument("--misses", action="store_true", help="list what the rules get wrong")
    parser.add_argument("--data-dir", type=Path, help="an ingested data dir (default: a temp one)")
    args = parser.parse_args()
    path = Settings().request_examples if args.split == "train" else \
        ROOT / "knowledge/eval/coverage" / f"{args.split}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=args.data_dir or Path(tmp), request_examples=Path("/none"))
        assistant = build_assistant(settings)  # rules only
        if not assistant.index.documents():
            assistant.ingest(progress=False)
        training, labels = requests.read_labelled(Settings().request_examples)
        train_vectors = np.asarray(assistant.embeddings.embed_documents(training))
        questions = [r["question"] for r in rows]
        vectors = np.asarray(assistant.embeddings.embed_documents(questions))
        if args.split == "train":  # each fifth judged by a model trained on the other four
            fold = np.arange(len(rows)) % 5
            models = [requests.RequestModel.train(train_vectors[fold != f],
                                                  [x for x, g in zip(labels, fold, strict=False) if g != f])
                      for f in range(5)]
            nearest = np.zeros(len(rows))
        else:
            models = [requests.RequestModel.train(train_vectors, labels)] * 5
            fold = np.zeros(len(rows), dtype=int)
            nearest = (vectors @ train_vectors.T).max(axis=1)
        rules = []
        for row in rows:
            answer = assistant.ask(row["question"])
            screened = screen_request(row["question"]) is not None
            rules.append((answer.reason if answer.refused else "answered", screened))
    probabilities = [models[f].probabilities(v) for f, v in zip(fold, vectors, strict=True)]
    misses = [(r["reason"], outcome, r["question"]) for r, (outcome, _) in zip(rows, rules, strict=False)
              if (r["kind"] == "answerable") != (outcome == "answered") or
              (r["kind"] != "answerable" and outcome != r["reason"])]
    if args.misses:
        for want, got, question in misses:
            print(f"rules: want {want}, got {got}: {question}")
    print(f"{args.split}: {len(rows)} questions; training {len(training)} "
          f"({', '.join(f'{label} {labels.count(label)}' for label in requests.LABELS)})")
    print(f"nearest training question: median cosine {np.median(nearest):.2f}, "
          f"max {nearest.max():.2f}")
    print("refuse at  relabel at  right reason (unanswerable)  answerable refused  changed")
    # refuse at: a threshold for refusing on the model's out_of_domain alone, measured and not
    # adopted (see requests.py); relabel at: naming the reason of a question refused anyway
    grid = [(r, lab) for r in (0.65, 0.8, 1.01) for lab in (0.3, 0.4, 0.5, 1.01) if lab <= r]
    for threshold, relabel in grid:
        right = wrong = unanswerable = answerable = changed = 0
        for row, (outcome, screened), p in zip(rows, rules, probabilities, strict=True):
            label = max(requests.USED, key=lambda k: p[k])
            before = outcome
            if not screened and label == "out_of_domain" and p[label] >= threshold:
                outcome = label
            elif not screened and outcome != "answered" and p[label] >= relabel:
                outcome = label
            changed += outcome != before
            if args.misses and (threshold, relabel) == (1.01, requests.RELABEL_AT):
                want = "answered" if row["kind"] == "answerable" else row["reason"]
                if outcome != want:
                    print(f"with the model: want {want}, got {outcome} ({label} {p[label]:.2f}):"
                          f" {row['question']}")
            if row["kind"] == "answerable":
                answerable += 1
                wrong += outcome != "answered"
            else:
                unanswerable += 1
                right += outcome == row["reason"]
        for reason in sorted({r["reason"] for r in rows}) if relabel == 1.01 == threshold else []:
            got = [o for r, (o, _) in zip(rows, rules, strict=False) if r["reason"] == reason]
            want = "answered" if reason == "covered" else reason
            print(f"  rules alone, {reason}: {sum(o == want for o in got)}/{len(got)}")
        print(f"{threshold:9.2f}  {relabel:10.2f}  {right / unanswerable:27.3f}  "
              f"{wrong / answerable:18.3f}  {changed:7d}")
    print("sided with  sure  right reason (unanswerable)  answerable refused  changed")
    for sided, sure in [(s, t) for s in (0.4, 0.5, 0.6, 0.7, 1.01)
                        for t in (0.65, 0.75, 0.85, 1.01)]:
        right = wrong = unanswerable = answerable = changed = 0
        for row, (outcome, _screened), p in zip(rows, rules, probabilities, strict=True):
            before = outcome
            if outcome == "answered" and out_of_domain(row["question"], p["out_of_domain"],
                                                       sided, sure) is not None:
                outcome = "out_of_domain"
            changed += outcome != before
            if args.misses and (sided, sure) == (SIDED_WITH, SURE) and outcome != before:
                print(f"guarded: {row['reason']} -> {outcome} ({p['out_of_domain']:.2f}): "
                      f"{row['question']}")
            if row["kind"] == "answerable":
                answerable += 1
                wrong += outcome != "answered"
            else:
                unanswerable += 1
                right += outcome == row["reason"]
        print(f"{sided:10.2f}  {sure:4.2f}  {right / unanswerable:27.3f}  "
              f"{wrong / answerable:18.3f}  {changed:7d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
