"""How fast can someone guess passwords? Wrong passwords from 20 concurrent callers for a
fixed time, in two scenarios: one user name, and a new user name on every guess (one client).

First in process, through the app's real login check (`Accounts.login`: scrypt, the throttle),
counting the guesses whose password was actually checked; attempts refused without a check
look the same to the caller, so only checked ones could ever find a password. Then over HTTP
against app.py: answers per second, and how long the right password then takes for a user
whose name was not attacked, from the same client.

    .venv/bin/python benchmarks/bench_login.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import assistant.auth as auth  # noqa: E402
from assistant.auth import Accounts, hash_password  # noqa: E402
from assistant.config import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(tmp: Path) -> tuple[subprocess.Popen, str]:
    knowledge = tmp / "knowledge"
    knowledge.mkdir()
    (knowledge / "note.md").write_text(
        "---\ntitle: Note\ntype: reference\n---\n# Note\n\nA joint committee meets twice a "
        "year and keeps a public list of open issues.\n", encoding="utf-8")
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(tmp / "data"),
               ASSISTANT_KNOWLEDGE_DIR=str(knowledge), ASSISTANT_ADMINS="admin",
               ASSISTANT_AUTH=f"victim:{hash_password('victim-pass')},"
                              f"other:{hash_password('other-pass')},"
                              f"admin:{hash_password('admin-pass')}")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("app did not start")


async def guess(url: str, seconds: float, name_for) -> tuple[int, float]:
    """Wrong passwords from 20 connections until `seconds` pass; (answered guesses, elapsed)."""
    done = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        async def worker(w: int) -> None:
            nonlocal done
            i = 0
            while time.monotonic() < stop:
                await client.post("/login", data={"username": name_for(w, i), "password": "x"})
                done += 1
                i += 1
        started = time.monotonic()
        await asyncio.gather(*(worker(w) for w in range(20)))
        return done, time.monotonic() - started


async def checked_guesses(seconds: float, name_for) -> tuple[int, int, float]:
    """(attempts answered, passwords checked, elapsed) through the real login check."""
    accounts = Accounts(Settings(auth=f"victim:{hash_password('victim-pass')}"))
    checks = 0
    verify = auth.verify_password

    def counting(password: str, stored: str) -> bool:
        nonlocal checks
        checks += 1
        return verify(password, stored)

    auth.verify_password = counting
    answered = 0
    stop = time.monotonic() + seconds

    async def worker(w: int) -> None:
        nonlocal answered
        i = 0
        while time.monotonic() < stop:
            await accounts.login(name_for(w, i), "wrong", client="10.0.0.1")
            answered += 1
            i += 1

    started = time.monotonic()
    try:
        await asyncio.gather(*(worker(w) for w in range(20)))
    finally:
        auth.verify_password = verify
    return answered, checks, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    for label, name_for in (("one user name", lambda w, i: "victim"),
                            ("new name per guess", lambda w, i: f"name-{w}-{i}")):
        n, checks, t = asyncio.run(checked_guesses(args.seconds, name_for))
        print(f"in process, {label}: {n} attempts answered, {checks} passwords checked in "
              f"{t:.1f} s ({checks / t:.2f} checked/s)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp))
        try:
            n, t = asyncio.run(guess(url, args.seconds, lambda w, i: "victim"))
            print(f"HTTP, one user name: {n} attempts answered in {t:.1f} s ({n / t:.2f}/s)")
            n, t = asyncio.run(guess(url, args.seconds, lambda w, i: f"name-{w}-{i}"))
            print(f"HTTP, new name per guess, one client: {n} answered in {t:.1f} s ({n / t:.2f}/s)")
            started = time.monotonic()
            ok = httpx.post(f"{url}/login", data={"username": "other", "password": "other-pass"},
                            timeout=120)
            print(f"right password for an unattacked name, same client: HTTP {ok.status_code} "
                  f"after {time.monotonic() - started:.1f} s (the client's delay applies)")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
