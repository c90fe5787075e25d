"""Bulk ingest of real trade-agreement texts: the bilateral English ToTA agreements in one run.

Reports documents, passages, words, seconds, words/s, chunks/s and the process's peak RSS.

    .venv/bin/python benchmarks/bench_tota.py [--limit N] [--quantize] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.service import ingest_paths  # noqa: E402

TOTA = ROOT.parent / "shared" / "corpora" / "tota" / "xml"


def bilateral_english(folder: Path) -> list[Path]:
    chosen = []
    for path in sorted(folder.glob("*.xml")):
        meta = ET.parse(path).getroot().find("meta")
        if meta.findtext("language") == "en" and (meta.findtext("composition") or "").startswith(
                "Bilateral"):
            chosen.append(path)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, help="only the first N agreements")
    parser.add_argument("--quantize", action="store_true", help="int8 embedding model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    files = bilateral_english(TOTA)[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedding_quantize=args.quantize)
        started = time.perf_counter()
        report = ingest_paths(settings, files, overrides={"type": "agreement"}, progress=False)
        wall = time.perf_counter() - started
    summary = report.summary()
    results = {
        "agreements": len(files), "failed": len(report.failed), "passages": report.chunks,
        "words": report.words, "seconds": round(wall, 1),
        "words_per_s": summary["words_per_s"], "chunks_per_s": summary["chunks_per_s"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "quantized": args.quantize,
    }
    print(json.dumps(results) if args.json else "\n".join(f"{k:>14}: {v}"
                                                         for k, v in results.items()))


if __name__ == "__main__":
    main()
