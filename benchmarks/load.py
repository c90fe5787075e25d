"""A workshop's worth of load: N concurrent simulated users, each asking M questions through
the app's /ask endpoint on loopback (real app.py, real gradio_client). Reports errors and
latency p50/p95 per question as users see it, queueing included.

    .venv/bin/python benchmarks/load.py [--users 30] [--questions 5] [--url URL]

Without --url it starts app.py on a free port over a temporary copy of the index.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation import load_questions  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT,
                            env=dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("app did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(url: str, users: int, per_user: int, questions: list[str]) -> dict:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(users)

    def user(i: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # a user who cannot even connect counts every question
            with lock:
                errors.extend([f"connect: {exc}"] * per_user)
            return
        start.wait(timeout=120)
        for j in range(per_user):
            question = questions[(i * per_user + j) % len(questions)]
            t0 = time.perf_counter()
            try:
                answer = client.predict(question, api_name="/ask")
                ok = isinstance(answer, dict) and "answer" in answer and "error" not in answer
            except Exception as exc:
                ok, answer = False, str(exc)
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                if not ok:
                    errors.append(str(answer)[:200])

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - t0
    return {"users": users, "questions_each": per_user, "requests": len(latencies),
            "errors": len(errors), "p50_ms": round(percentile(latencies, 0.5)),
            "p95_ms": round(percentile(latencies, 0.95)), "max_ms": round(max(latencies)),
            "wall_s": round(wall, 1), "error_samples": errors[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--url")
    args = parser.parse_args()
    rows = load_questions([ROOT / "knowledge" / "eval"])
    questions = [r["question"] for r in rows if r["kind"] != "follow-up"]
    if args.url:
        print(json.dumps(run(args.url, args.users, args.questions, questions)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp))
        try:
            before = cpu_seconds(proc.pid)
            result = run(url, args.users, args.questions, questions)
            # The simulated users run on the same 2 cores: say how much CPU the server used.
            result["server_cpu_s"] = round(cpu_seconds(proc.pid) - before, 1)
            result["server_ms_per_request"] = round(
                1000 * result["server_cpu_s"] / max(result["requests"], 1))
            print(json.dumps(result))
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
