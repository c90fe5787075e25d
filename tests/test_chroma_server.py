"""The same assistant against a real `chroma run` server (ASSISTANT_CHROMA_HOST set), and two
app processes sharing one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.service import build_assistant

from .test_cli_and_app import free_port, wait_for_port

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.fail("the chroma command from the chromadb package is missing")
    port = free_port()
    log = tmp_path / "chroma.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path / "server-data"),
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(proc, port, log, seconds=60)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_ingest_and_answer_through_a_chroma_server(tmp_path, chroma_server, embeddings):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "ports.md").write_text(
        "---\ntitle: Port twinning\ntype: reference\n---\n# Port twinning\n\n## Customs\n"
        "The twinning arrangement paired customs risk officers from both ports for six-week "
        "placements, so each side learned to target inspections by risk.\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "local", knowledge_dir=kb,
                        chroma_host="127.0.0.1", chroma_port=chroma_server)
    writer = build_assistant(settings, embeddings)
    report = writer.ingest(progress=False)
    assert (report.added, report.failed) == (1, [])
    assert not (tmp_path / "local" / "chroma").exists(), "nothing stored locally in server mode"

    reader = build_assistant(settings, embeddings)  # another process would see the same
    answer = reader.ask("How did the ports learn risk-based inspection?")
    assert not answer.refused
    assert answer.citations[0].title == "Port twinning" and answer.citations[0].section == "Customs"
    assert writer.ingest(progress=False).unchanged == 1


def start_app(tmp_path: Path, name: str, chroma_port: int, kb: Path, **extra: str):
    from .conftest import subprocess_env

    port = free_port()
    env = subprocess_env(tmp_path / f"{name}-data")  # each app its own data dir, as on two hosts
    env.update(ASSISTANT_CHROMA_HOST="127.0.0.1", ASSISTANT_CHROMA_PORT=str(chroma_port),
               ASSISTANT_KNOWLEDGE_DIR=str(kb), **extra)
    log_path = tmp_path / f"{name}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(proc, port, log_path)
    return proc, port, log


def test_an_ingest_through_one_app_is_answered_by_another(tmp_path, chroma_server):
    """Two app.py processes on one `chroma run` server: a document uploaded through the first
    app's Admin tab (a real browser) is answered by the second, which keeps answering while
    it builds its search index from the server."""
    from gradio_client import Client

    from .test_browser import CHROMIUM, FLAGS

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "ports.md").write_text(
        "---\ntitle: Port twinning\ntype: reference\n---\n# Port twinning\n\n## Customs\n"
        "The twinning arrangement paired customs risk officers from both ports for six-week "
        "placements, so each side learned to target inspections by risk.\n", encoding="utf-8")
    memo = tmp_path / "ferry-memo.md"
    memo.write_text("---\ntitle: Ferry corridor memo\ntype: reference\n---\n# Ferry corridor "
                    "memo\n\nThe ferry operators of both countries pool their timetables so "
                    "that freight waits less than a day at either port.\n", encoding="utf-8")
    started = []
    try:
        started.append(start_app(tmp_path, "writer", chroma_server, kb,
                                 ASSISTANT_AUTH="trainer:s3cret-pass",
                                 ASSISTANT_ADMINS="trainer"))
        started.append(start_app(tmp_path, "reader", chroma_server, kb))
        reader = Client(f"http://127.0.0.1:{started[1][1]}/", verbose=False)
        question = "How long does freight wait at the ferry ports?"
        before = reader.predict(question, api_name="/ask")
        assert "Ferry corridor memo" not in {c["title"] for c in before["citations"]}

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{started[0][1]}/")
            page.fill("input[type='text']", "trainer")
            page.fill("input[type='password']", "s3cret-pass")
            page.keyboard.press("Enter")
            page.get_by_role("tab", name="Admin").click()
            page.locator("#admin-files input[type='file']").set_input_files([str(memo)])
            page.wait_for_timeout(1500)
            page.click("#admin-ingest")
            page.wait_for_function(
                "document.querySelector('#admin-report').innerText.includes('Added')",
                timeout=120_000)
            assert "Added 1" in page.inner_text("#admin-report")
            browser.close()

        # The reader notices the new generation, builds its search index from the server in
        # the background and keeps answering meanwhile; every poll below is an answer.
        titles: set[str] = set()
        deadline = time.monotonic() + 90
        while "Ferry corridor memo" not in titles and time.monotonic() < deadline:
            answer = reader.predict(question, api_name="/ask")
            titles = {c["title"] for c in answer["citations"]}
            time.sleep(0.5)
        assert "Ferry corridor memo" in titles, "the reader never saw the other app's ingest"
        assert not answer["refused"]
    finally:
        for proc, _, log in started:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
