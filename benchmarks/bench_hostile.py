"""Hostile input, measured (issue 14).

1. The injection screen: time per passage over every passage of knowledge/, segments it flags
   in knowledge/ and in the ToTA treaties (false positives), and the planted-instruction set
   (benchmarks/planted_instructions.jsonl) caught, dev and test halves apart.
2. The zip bomb (a DOCX whose document.xml inflates to 1.2 GB) and the regex file (the issue's
   3 KB heading with a long run of spaces): each ingested by `ingest.py` in its own process,
   next to a good file; wall time, peak RSS of that process, its report, and whether the index
   answers afterwards (`python -m assistant ask`). The old heading pattern is timed too.

    .venv/bin/python benchmarks/bench_hostile.py [--tota N]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chunking import chunk_document  # noqa: E402
from assistant.documents import load_document  # noqa: E402
from assistant.screening import _segments, screen  # noqa: E402

TOTA = ROOT.parent / "shared" / "corpora" / "tota" / "xml"
GOOD = ("---\ntitle: Port community systems\ntype: reference\n---\n# Port community systems\n\n"
        "A port community system links shipping lines, terminals, customs and hauliers so that "
        "each submits data once.\n")
RSS_WRAPPER = """import resource, runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    print("PEAK_RSS_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
"""


def screen_figures(tota_files: int) -> dict:
    passages = []
    for path in sorted((ROOT / "knowledge").rglob("*.md")):
        if "eval" in path.parts or path.name == "README.md":
            continue
        passages += [p.text for p in chunk_document(load_document(path, path.stem, path.name))]
    timings = []
    for text in passages:
        started = time.perf_counter()
        screen(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    flagged = {"knowledge": [], "tota": []}
    segments = {"knowledge": 0, "tota": 0}
    for text in passages:
        segments["knowledge"] += len(_segments(text))
        flagged["knowledge"] += screen(text)[1]
    for path in sorted(TOTA.glob("*.xml"))[:tota_files] if TOTA.is_dir() else []:
        try:
            doc = load_document(path, path.stem, path.name)
        except Exception:
            continue
        for section in doc.sections:
            segments["tota"] += len(_segments(section.text))
            flagged["tota"] += screen(section.text)[1]
    planted = [json.loads(line) for line in
               (ROOT / "benchmarks" / "planted_instructions.jsonl").read_text().splitlines()]
    caught = {"dev": [0, 0], "test": [0, 0]}
    for row in planted:
        text = row["text"].format(place="Valmora", canary="PELICAN")
        doc = f"The Valmora system links customs and ports. {text} Trucks wait less at Valmora."
        caught[row["half"]][1] += 1
        caught[row["half"]][0] += "PELICAN" not in screen(doc)[0]
    return {"passages": len(passages),
            "ms_per_passage": {"mean": round(statistics.mean(timings), 3),
                               "p95": round(timings[int(0.95 * len(timings))], 3),
                               "max": round(timings[-1], 3)},
            "segments": segments, "flagged": {k: len(v) for k, v in flagged.items()},
            "flagged_examples": {k: v[:5] for k, v in flagged.items()},
            "planted_caught": {k: f"{a}/{b}" for k, (a, b) in caught.items()}}


def write_bomb(path: Path, inflated_mb: int) -> None:
    import zipfile

    import docx

    source = path.with_suffix(".src.docx")
    document = docx.Document()
    document.add_paragraph("A short memo.")
    document.save(str(source))
    with zipfile.ZipFile(source) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                out.writestr(info, data)
                continue
            with out.open(info.filename, "w", force_zip64=True) as part:
                part.write(data[:-len(b"</w:document>")])
                for _ in range(inflated_mb):
                    part.write(b" " * 1_000_000)
                part.write(b"</w:document>")
    source.unlink()


def hostile_ingest(name: str, make) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        kb, data = Path(tmp) / "kb", Path(tmp) / "data"
        kb.mkdir()
        hostile = make(kb)
        env = {"ASSISTANT_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
        out = {"file": hostile.name, "file_kb": round(hostile.stat().st_size / 1e3, 1)}
        started = time.perf_counter()  # the parse (or refusal) alone, in this process
        try:
            load_document(hostile, hostile.stem, hostile.name)
            out["parse"] = "read"
        except Exception as exc:
            out["parse"] = f"refused: {exc}"
        out["parse_seconds"] = round(time.perf_counter() - started, 3)
        for label, paths in (("alone", [hostile]), ("with_a_good_file", [kb])):
            if label == "with_a_good_file":
                (kb / "ports.md").write_text(GOOD, encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", RSS_WRAPPER, "ingest.py", "--json",
                                   *map(str, paths)], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=600)
            peak = re.search(r"PEAK_RSS_MB ([\d.]+)", done.stderr)
            report = json.loads(done.stdout.strip().splitlines()[-1])
            out[label] = {"seconds": round(time.perf_counter() - started, 2),
                          "peak_rss_mb": round(float(peak.group(1))) if peak else None,
                          "exit": done.returncode, "added": report["added"],
                          "failed": report["failed"]}
        asked = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json",
                                "What does a port community system do?"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=600)
        answer = json.loads(asked.stdout)
        out["index_answers_afterwards"] = not answer["refused"] and bool(answer["citations"])
        return out


def old_heading_pattern() -> dict:
    code = ("import re,time,sys; p=re.compile(r'^(#{1,6})\\s+(.+?)\\s*#*\\s*$'); "
            "n=int(sys.argv[1]); line='# a'+' '*n+'b'; t=time.perf_counter(); p.match(line); "
            "print(round(time.perf_counter()-t,3))")
    return {f"{n}_spaces_s": float(subprocess.run([sys.executable, "-c", code, str(n)],
                                                  capture_output=True, text=True,
                                                  timeout=300).stdout)
            for n in (200, 400, 800)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tota", type=int, default=10_000, help="treaties to screen (default all)")
    args = parser.parse_args()
    results = {"screen": screen_figures(args.tota)}
    results["zip_bomb"] = hostile_ingest("zip bomb", lambda kb: (
        write_bomb(kb / "bomb.docx", 1200), kb / "bomb.docx")[1])
    regex_file = "# Customs" + " " * 3000 + "x\n\nSingle windows cut customs clearance times.\n"
    results["regex_file"] = hostile_ingest("regex file", lambda kb: (
        (kb / "spaces.md").write_text(regex_file), kb / "spaces.md")[1])
    results["old_heading_pattern"] = old_heading_pattern()
    print(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
