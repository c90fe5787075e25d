"""Readers and administrators against the real app (app.py as a process, real HTTP, a real
gradio_client): hashed passwords, the failed-login slow-down, admin handlers refusing readers
and anonymous callers whatever the page shows, upload names and the audit log."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from statistics import median

import httpx
import pytest

from assistant.auth import NOT_ADMIN, hash_password, verify_password
from assistant.config import PROJECT_ROOT, Settings
from assistant.feedback import FeedbackStore
from assistant.uploads import UploadRunner, safe_name

from .conftest import subprocess_env
from .test_cli_and_app import free_port, wait_for_port

READER, ADMIN = ("reader", "reader-pass-1"), ("trainer", "trainer-pass-1")
MEMO = """---
title: Ferry corridor memo
type: reference
---
# Ferry corridor memo

The ferry operators of both countries pool their timetables so that freight waits less than a
day at either port, and a joint desk settles disputes about berth slots within a week.
"""


def write_knowledge(folder: Path) -> Path:
    """A two-document knowledge dir: the app ingests it in seconds, not the whole corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "committee.md").write_text(
        "---\ntitle: Joint committee note\ntype: reference\n---\n# Joint committee note\n\n"
        "A joint committee meets twice a year, co-chaired by a minister from each side, and "
        "keeps a public list of open issues with an owner and a deadline for each.\n",
        encoding="utf-8")
    (folder / "grants.md").write_text(
        "---\ntitle: Training grants note\ntype: reference\n---\n# Training grants note\n\n"
        "Training grants pay for technicians from the partner country to spend six months in "
        "workshops, and the grant is repaid if they leave the sector within two years.\n",
        encoding="utf-8")
    return folder


class App:
    def __init__(self, url: str, data: Path, proc: subprocess.Popen) -> None:
        self.url, self.data, self.proc = url, data, proc


def start_app(tmp: Path, **env_extra: str):
    """app.py as a process with readers and a hashed administrator password."""
    data = tmp / "data"
    env = subprocess_env(data)
    env.update(ASSISTANT_KNOWLEDGE_DIR=str(write_knowledge(tmp / "knowledge")),
               ASSISTANT_AUTH=f"{READER[0]}:{READER[1]},{ADMIN[0]}:{hash_password(ADMIN[1])}",
               ASSISTANT_ADMINS=ADMIN[0], **env_extra)
    port = free_port()
    log_path = tmp / "app.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(proc, port, log_path)
        yield App(f"http://127.0.0.1:{port}", data, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    yield from start_app(tmp_path_factory.mktemp("auth-app"))


def login(base: str, user: str, password: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = httpx.post(f"{base}/login", data={"username": user, "password": password},
                          timeout=60)
    return response, time.perf_counter() - started


def logged_in(base: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120)
    assert client.post("/login", data={"username": user, "password": password}).status_code == 200
    return client


def call_by_id(client: httpx.Client, api_name: str, data: list) -> tuple[int, str | None]:
    """Call an event the way the page does: POST queue/join with its fn_index from /config,
    then read the result from the event stream. Returns (join status, final output)."""
    config = client.get("/config")
    if config.status_code != 200:
        return config.status_code, None
    dep = next(d for d in config.json()["dependencies"] if d.get("api_name") == api_name)
    session = uuid.uuid4().hex
    joined = client.post("/gradio_api/queue/join", json={
        "data": data, "fn_index": dep["id"], "trigger_id": dep["targets"][0][0],
        "session_hash": session, "event_data": None})
    if joined.status_code != 200:
        return joined.status_code, None
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    output = message.get("output") or {}
                    return 200, (output.get("data") or [output.get("error")])[0]
    return 200, None


def uploaded(client: httpx.Client, path: Path) -> list:
    """Put a file into Gradio's upload cache (any logged-in page may) and return its payload."""
    response = client.post("/gradio_api/upload", files={"files": (path.name, path.read_bytes())})
    assert response.status_code == 200, response.text
    return [{"path": response.json()[0], "meta": {"_type": "gradio.FileData"}}]


def audit_lines(data: Path) -> list[dict]:
    log = data / "uploads.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_scrypt_hash_round_trip():
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert ":" not in stored and "," not in stored  # fits inside ASSISTANT_AUTH
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsf", stored)
    assert not verify_password("correct horse", stored[:-4] + "AAAA")
    assert not verify_password("x", "scrypt$broken")
    assert hash_password("correct horse") != stored  # salted


def test_hash_password_command_prints_a_usable_entry():
    done = subprocess.run([sys.executable, "-m", "assistant", "hash-password", "--user", "ana"],
                          cwd=PROJECT_ROOT, input="long enough pass\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    user, stored = done.stdout.strip().split(":", 1)
    assert user == "ana" and verify_password("long enough pass", stored)
    short = subprocess.run([sys.executable, "-m", "assistant", "hash-password"],
                           cwd=PROJECT_ROOT, input="short\n", capture_output=True, text=True,
                           timeout=60)
    assert short.returncode == 2 and "shorter than 8" in short.stderr


def test_upload_names_lose_folders_and_control_characters():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\boot.ini") == "boot.ini"
    assert safe_name("memo\n  FAILED x.md") == "memo FAILED x.md"
    assert safe_name("report\u202egpj.md") == "reportgpj.md"  # right-to-left override
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("/") == "upload"
    long = safe_name("a" * 300 + ".md")
    assert len(long) <= 120 and long.endswith(".md")


def test_feedback_is_anonymous_unless_names_are_kept(tmp_path):
    answer = {"question": "q", "answer": "a", "citations": []}
    anonymous = FeedbackStore(tmp_path / "f.sqlite3")
    anonymous.record(answer, 1, "fine", user="reader")
    named = FeedbackStore(tmp_path / "f.sqlite3", keep_names=True)
    named.record(answer, -1, "", user="reader")
    rows = sqlite3.connect(tmp_path / "f.sqlite3").execute(
        "SELECT rating, user FROM feedback ORDER BY id").fetchall()
    assert rows == [(1, None), (-1, "reader")]


def test_feedback_store_made_before_names_keeps_its_rows(tmp_path):
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT "
               "NULL, question TEXT NOT NULL, standalone_question TEXT, answer TEXT NOT NULL, "
               "rating INTEGER NOT NULL, comment TEXT, citations TEXT)")
    db.execute("INSERT INTO feedback (created, question, answer, rating) VALUES "
               "('2026-01-01', 'old question', 'a', 1)")
    db.commit()
    db.close()
    store = FeedbackStore(tmp_path / "old.sqlite3")
    store.record({"question": "new", "answer": "a"}, -1, user="x")
    assert [r["question"] for r in store.recent()] == ["new", "old question"]


def test_hashed_password_logs_in_and_repeated_failures_slow_down(app):
    ok, _ = login(app.url, *ADMIN)
    assert ok.status_code == 200, "the administrator's scrypt hash should log in"
    firsts = []
    for _ in range(5):
        wrong, seconds = login(app.url, READER[0], "not-the-password")
        assert wrong.status_code == 400
        firsts.append(seconds)
    _, sixth = login(app.url, READER[0], "still-wrong")
    _, seventh = login(app.url, READER[0], "still-wrong-again")
    # The default first delay is 1 s, then 2 s: well above the time a check takes (medians,
    # because two shared cores make single timings jumpy).
    assert sixth >= 1.0 and sixth >= median(firsts) + 0.7, (firsts, sixth)
    assert seventh >= 2.0 and seventh >= sixth + 0.7, (sixth, seventh)
    # The right password still gets in (after its wait), and clears the name's count.
    right, waited = login(app.url, *READER)
    assert right.status_code == 200 and waited >= 2.5
    again, quick = login(app.url, *READER)
    assert again.status_code == 200 and quick < 1.0


def test_many_user_names_from_one_client_slow_down(tmp_path):
    # 3 free failures per client here (20 by default); each name is tried only once.
    for running in start_app(tmp_path, ASSISTANT_LOGIN_CLIENT_FREE_ATTEMPTS="3"):
        times = [login(running.url, f"guess-{i}", "x")[1] for i in range(3)]
        _, fourth = login(running.url, "guess-3", "x")
        assert fourth >= 1.0 and fourth >= median(times) + 0.7, (times, fourth)


def test_a_reader_cannot_upload_by_calling_the_handler(app, tmp_path):
    memo = tmp_path / "reader-memo.md"
    memo.write_text(MEMO.replace("Ferry corridor memo", "Reader planted memo"), encoding="utf-8")
    reader = logged_in(app.url, *READER)
    status, output = call_by_id(reader, "ingest", [uploaded(reader, memo)])
    assert status == 200 and output == NOT_ADMIN
    status, table = call_by_id(reader, "feedback", [])
    assert NOT_ADMIN in json.dumps(table)

    from gradio_client import Client, handle_file

    client = Client(app.url, auth=READER, verbose=False)
    ingest_id = next(d["id"] for d in reader.get("/config").json()["dependencies"]
                     if d.get("api_name") == "ingest")
    # The client does not offer private events at all (the raw call above is what gets past
    # it, and the server refuses that).
    with pytest.raises(ValueError, match="Invalid function index"):
        client.predict([handle_file(str(memo))], fn_index=ingest_id)
    answer = client.predict("How long does freight wait at the ferry ports?", api_name="/ask")
    assert "Reader planted memo" not in json.dumps(answer)
    assert not (app.data / "uploads" / "reader-memo.md").exists()
    results = [line["result"] for line in audit_lines(app.data) if line["user"] == READER[0]]
    assert results and all(r.startswith("refused") for r in results)


def test_an_anonymous_caller_is_refused(app):
    anonymous = httpx.Client(base_url=app.url, timeout=30)
    assert anonymous.get("/config").status_code == 401
    joined = anonymous.post("/gradio_api/queue/join", json={
        "data": [None], "fn_index": 0, "session_hash": "anon", "event_data": None})
    assert joined.status_code == 401
    assert anonymous.post("/gradio_api/upload",
                          files={"files": ("x.md", b"x")}).status_code == 401


def test_admin_upload_is_audited_and_oversized_files_are_refused(tmp_path):
    for running in start_app(tmp_path, ASSISTANT_MAX_UPLOAD_MB="0.001"):  # about 1 KB
        admin = logged_in(running.url, *ADMIN)
        memo = tmp_path / "ferry-memo.md"
        memo.write_text(MEMO, encoding="utf-8")
        big = tmp_path / "big.md"
        big.write_text(MEMO + "More text. " * 200, encoding="utf-8")
        response = admin.post("/gradio_api/upload", files={"files": ("big.md", big.read_bytes())})
        assert response.status_code == 413 or "too large" in response.text.lower(), response.text
        status, report = call_by_id(admin, "ingest", [uploaded(admin, memo)])
        assert status == 200 and "Added 1" in report, report
        final = [line for line in audit_lines(running.data) if line["result"] != "started"]
        assert final[-1]["user"] == ADMIN[0] and final[-1]["file"] == "ferry-memo.md"
        assert final[-1]["result"] == "indexed" and len(final[-1]["sha256"]) == 64
        assert final[-1]["time"].startswith(time.strftime("%Y-", time.gmtime()))
        # The handler's own limit, checked before a file is read, for files that arrive by
        # another way than Gradio's upload endpoint.
        runner = UploadRunner(Settings(data_dir=running.data, max_upload_mb=0.001),
                              ingest=lambda paths: pytest.fail("a refused file was ingested"))
        job = runner.submit(ADMIN[0], [big])
        assert job.done.is_set() and "over the upload limit" in runner.report(job)
        assert audit_lines(running.data)[-1]["file"] == "big.md"
        assert audit_lines(running.data)[-1]["result"].startswith("refused: ")


def test_open_reading_needs_no_login_and_admins_log_in_at_admin(tmp_path):
    for running in start_app(tmp_path, ASSISTANT_OPEN_READING="true"):
        anonymous = httpx.Client(base_url=running.url, timeout=60)
        config = anonymous.get("/config")
        assert config.status_code == 200
        names = {d.get("api_name") for d in config.json()["dependencies"]}
        assert "ask" in names and "ingest" not in names  # the open page has no admin events
        from gradio_client import Client

        answer = Client(running.url + "/", verbose=False).predict(
            "How often does the joint committee meet?", api_name="/ask")
        assert answer["citations"][0]["title"] == "Joint committee note"

        assert anonymous.get("/admin/config").status_code == 401
        reader = anonymous.post("/admin/login", data={"username": READER[0],
                                                      "password": READER[1]})
        assert reader.status_code == 400, "a reader has nothing to log in to at /admin"
        admin = httpx.Client(base_url=running.url + "/admin", timeout=120)
        assert admin.post("/login", data={"username": ADMIN[0],
                                          "password": ADMIN[1]}).status_code == 200
        memo = tmp_path / "ferry-memo.md"
        memo.write_text(MEMO, encoding="utf-8")
        status, report = call_by_id(admin, "ingest", [uploaded(admin, memo)])
        assert status == 200 and "Added 1" in report, report
        answer = Client(running.url + "/", verbose=False).predict(
            "How long does freight wait at the ferry ports?", api_name="/ask")
        assert answer["citations"][0]["title"] == "Ferry corridor memo"


def test_guessing_in_parallel_gets_no_free_attempts():
    """Seven wrong passwords at once: only five are free, the other two wait their turn."""
    import asyncio

    from assistant.auth import Accounts

    accounts = Accounts(Settings(auth=f"{READER[0]}:{hash_password(READER[1])}"))

    async def timed() -> float:
        started = time.perf_counter()
        assert not await accounts.login(READER[0], "wrong", client="10.0.0.9")
        return time.perf_counter() - started

    async def together() -> list[float]:
        return sorted(await asyncio.gather(*(timed() for _ in range(7))))

    durations = asyncio.run(together())
    assert durations[-2] >= 1.0 and durations[-1] >= durations[-2] + 0.9, durations
