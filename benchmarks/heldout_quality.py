"""Answer quality on each quality tuning half, held out: the section model learns from the
tuning halves too (answer/sections.py, `training_files`), so a half's own figures from
`python -m assistant eval --split dev-x` are in-sample. Here each half is answered by a section
model built from the training files and the *other* halves, as a new writer's questions would
be. Prints each half and the mean; the test half is never read.

    .venv/bin/python benchmarks/heldout_quality.py [--data-dir DIR] [--halves dev,dev-b]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer import fit  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import evaluate_quality, load_questions  # noqa: E402
from assistant.service import build_assistant  # noqa: E402

EVAL = ROOT / "knowledge" / "eval"
SHOWN = ("sentence_precision", "key_point_hit", "lead_from_gold_section",
         "key_point_in_first_two_lines", "median_words")


def training_folder(tmp: Path, held_out: Path, halves: list[Path]) -> Path:
    """A folder with the training files and the other halves as one more labelled file; its
    parent has no quality set beside it, so nothing else is read."""
    folder = tmp / held_out.stem / "train"
    folder.mkdir(parents=True)
    for f in (EVAL / "train").glob("*.jsonl"):
        (folder / f.name).symlink_to(f)
    with open(folder / "sections-other-halves.jsonl", "w", encoding="utf-8") as out:
        for half in halves:
            if half != held_out:
                out.write(half.read_text("utf-8"))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an index of knowledge/ (default: a "
                        "fresh temporary one)")
    parser.add_argument("--halves", help="comma-separated (default: every dev*.jsonl)")
    parser.add_argument("--rankers", type=Path, help="each half's ranker tables learnt without "
                        "it (train_section_ranker.py --held-out-tables): held out from the "
                        "ranker too, not only from the section model")
    args = parser.parse_args()
    halves = sorted((EVAL / "quality").glob("dev*.jsonl"))
    shown = [h for h in halves if not args.halves or h.stem in args.halves.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data_dir or Path(tmp) / "data"
        results = {}
        rankers = json.loads(args.rankers.read_text()) if args.rankers else {}
        for half in shown:
            for name, (weights, mean, spread) in rankers.get(half.stem, {}).items():
                setattr(fit, name, {f: (w, m, s) for f, w, m, s in
                                    zip(fit.FEATURES, weights, mean, spread, strict=True)})
            settings = Settings(data_dir=data,
                                section_examples=training_folder(Path(tmp), half, halves))
            assistant = build_assistant(settings)
            assistant.ensure_ingested()
            report = evaluate_quality(assistant, load_questions([half]))
            results[half.stem] = {k: report[k] for k in SHOWN}
            print(half.stem, json.dumps(results[half.stem]), flush=True)
        print("mean", json.dumps({k: round(statistics.mean(r[k] for r in results.values()), 3)
                                  for k in SHOWN}))


if __name__ == "__main__":
    main()
