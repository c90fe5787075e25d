"""The agreement library at scale: knowledge/ plus the 301 bilateral English ToTA agreements,
side by side with knowledge/ alone.

Builds two indexes under --dir (kept and reused: the big ingest takes minutes of both cores),
each with `ingest.py` as staff would run it, then reports for each: ingest time and words/s,
app start to first answer, retrieval and answer p50/p95 with and without each filter, peak RSS,
and the `python -m assistant eval` figures.

    .venv/bin/python benchmarks/bench_tota.py [--dir /tmp/tota-bench] [--fp32] [--limit N]
                                              [--json] [--fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOTA = ROOT.parent / "shared" / "corpora" / "tota" / "xml"
KNOWLEDGE = ROOT / "knowledge"


def english_agreements(folder: Path, bilateral_only: bool = True) -> list[Path]:
    chosen = []
    for path in sorted(folder.glob("*.xml")):
        meta = ET.parse(path).getroot().find("meta")
        bilateral = (meta.findtext("composition") or "").startswith("Bilateral")
        if meta.findtext("language") == "en" and (bilateral or not bilateral_only):
            chosen.append(path)
    return chosen


def env_for(data_dir: Path, quantize: bool) -> dict:
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir),
               ASSISTANT_EMBEDDING_QUANTIZE="true" if quantize else "false")
    env.pop("ASSISTANT_CHROMA_HOST", None)
    return env


def run_ingest(data_dir: Path, quantize: bool, args: list[str]) -> dict:
    """One `ingest.py --json` run as a process: its summary, wall time and peak RSS."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "ingest.py", "--json", *args], cwd=ROOT,
                          env=env_for(data_dir, quantize), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"wall_s": round(wall, 1), "seconds": summary["seconds"], "chunks": summary["chunks"],
            "words": summary["words"], "words_per_s": summary["words_per_s"],
            "chunks_per_s": summary["chunks_per_s"], "failed": len(summary["failed"]),
            # ru_maxrss of children is the largest child so far; a later, smaller child
            # leaves it unchanged, so it is only reported when this run raised it.
            "peak_rss_mb": round(rss / 1024) if rss > before else None}


def build(data_dir: Path, quantize: bool, agreements: list[Path], fresh: bool,
          reuse: bool = False) -> dict:
    """Ingest knowledge/ (and the agreements) into data_dir once; later runs reuse it."""
    record = data_dir / "bench-ingest.json"
    if record.exists() and not fresh:
        return json.loads(record.read_text())
    if reuse and (data_dir / "chroma").is_dir():
        return {"note": "index built earlier and reused; ingest not timed in this run"}
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    report = {"knowledge": run_ingest(data_dir, quantize, [str(KNOWLEDGE)])}
    if agreements:
        report["agreements"] = run_ingest(data_dir, quantize,
                                          ["--type", "agreement", *map(str, agreements)])
    record.write_text(json.dumps(report, indent=1))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/tota-bench"),
                        help="where the two indexes are kept between runs")
    parser.add_argument("--fp32", action="store_true",
                        help="default fp32 model instead of int8 (about 2x slower ingest)")
    parser.add_argument("--limit", type=int, help="only the first N agreements")
    parser.add_argument("--all-english", action="store_true",
                        help="all English texts (424), plurilateral ones included, not only "
                             "the 301 bilateral")
    parser.add_argument("--fresh", action="store_true", help="re-ingest even if already built")
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--synthetic", default="41000,100000",
                        help="also time retrieval on indexes grown to these sizes ('' to skip)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an index already in --dir even without an ingest record")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    quantize = not args.fp32
    if not TOTA.is_dir():
        raise SystemExit(f"the ToTA corpus is not at {TOTA}")
    agreements = english_agreements(TOTA, bilateral_only=not args.all_english)[: args.limit]
    tag = f"{'int8' if quantize else 'fp32'}-{len(agreements)}"
    runs = {"knowledge only": (args.dir / f"kb-{tag}", []),
            f"knowledge + {len(agreements)} agreements": (args.dir / f"full-{tag}", agreements)}
    results = {}
    for label, (data_dir, files) in runs.items():
        ingest = build(data_dir, quantize, files, args.fresh, args.reuse)
        results[label] = {"ingest": ingest}
        if args.ingest_only:
            continue
        from benchmarks.tota_measure import measure_app, measure_index

        env = env_for(data_dir, quantize)
        results[label].update(measure_app(ROOT, env))
        results[label].update(measure_index(data_dir, quantize))
        for size in [int(n) for n in args.synthetic.split(",") if n] if files else []:
            from benchmarks.tota_measure import measure_synthetic

            results[f"grown to {size:,} passages"] = measure_synthetic(data_dir, quantize, size)
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        from benchmarks.tota_measure import print_table

        print_table(results)


if __name__ == "__main__":
    main()
