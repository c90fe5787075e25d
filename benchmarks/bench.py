"""Speed and memory of the default (extractive) assistant on this machine.

Reports: ingest throughput on knowledge/ (fresh index), unchanged re-ingest (in process and as a
whole `python ingest.py` command), answer latency p50/p95 over the eval questions in one warm
process, app cold start (index already built) and the app's peak RSS after serving them.

    make bench            # or: .venv/bin/python benchmarks/bench.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.service import build_assistant  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_app(data_dir: Path, questions: list[str]) -> dict:
    """Start app.py on an existing index; time until it serves, then serve the questions."""
    from gradio_client import Client

    port = free_port()
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError("app did not start") from None
                time.sleep(0.1)
        cold_start = time.perf_counter() - started
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        latencies = []
        for question in questions:
            t0 = time.perf_counter()
            client.predict(question, api_name="/ask")
            latencies.append((time.perf_counter() - t0) * 1000)
        return {"app_cold_start_s": round(cold_start, 2),
                "app_peak_rss_mb": round(peak_rss_mb(proc.pid)),
                "api_p50_ms": round(percentile(latencies, 0.5), 1),
                "api_p95_ms": round(percentile(latencies, 0.95), 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        settings = Settings(data_dir=data_dir)
        assistant = build_assistant(settings)

        report = assistant.ingest(progress=False)
        fresh = report.summary()
        again = assistant.ingest(progress=False)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "ingest.py"], cwd=ROOT, check=True,
                       env=dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir)),
                       stdout=subprocess.DEVNULL)
        command_seconds = time.perf_counter() - t0

        rows = load_questions([settings.knowledge_dir / "eval"])
        questions = [r["question"] for r in rows if r["kind"] != "follow-up"]
        assistant.ask(questions[0])  # warm-up
        latencies = []
        for question in questions:
            t0 = time.perf_counter()
            assistant.ask(question)
            latencies.append((time.perf_counter() - t0) * 1000)

        app = bench_app(data_dir, questions)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "ingest_documents": fresh["added"],
        "ingest_chunks": fresh["chunks"],
        "ingest_chunks_per_s": fresh["chunks_per_s"],
        "ingest_words_per_s": fresh["words_per_s"],
        "ingest_seconds": fresh["seconds"],
        "reingest_unchanged_s": again.summary()["seconds"],
        "reingest_unchanged_command_s": round(command_seconds, 2),
        "questions": len(latencies),
        "answer_p50_ms": round(statistics.median(latencies), 1),
        "answer_p95_ms": round(percentile(latencies, 0.95), 1),
        "answer_max_ms": round(max(latencies), 1),
        **app,
    }
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:>30}: {value}")


if __name__ == "__main__":
    main()
