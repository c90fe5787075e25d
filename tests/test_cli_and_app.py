"""The ways users reach the assistant: the CLI, the chat handler and the running app's /ask."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time

import pytest

from assistant.config import PROJECT_ROOT
from assistant.ui import ANY, chat_turn, sources_html

from .conftest import subprocess_env


def run_cli(*args, data_dir, timeout=300):
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=PROJECT_ROOT,
                          env=subprocess_env(data_dir), capture_output=True, text=True,
                          timeout=timeout)


def test_cli_answers_and_refuses_in_one_process(tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps({"question": q}) for q in [
        "How should a joint committee be set up?",
        "What is the best way to cook rice?",
    ]) + "\n", encoding="utf-8")
    # A fresh data dir: the CLI ingests knowledge/ itself on first use.
    done = run_cli("ask", "--questions", str(questions), "--json", data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    committee, rice = [json.loads(line) for line in done.stdout.splitlines()]
    assert not committee["refused"]
    assert any(c["source"].startswith("guidance/") for c in committee["citations"])
    assert all((PROJECT_ROOT / "knowledge" / c["source"]).exists() for c in committee["citations"])
    assert rice["refused"] and rice["citations"] == []


def test_cli_type_filter(tmp_path, kb_settings, kb):
    done = run_cli("ask", "How was the partnership governed?", "--json", "--type", "case-study",
                   "--k", "3", data_dir=kb_settings.data_dir)
    answer = json.loads(done.stdout)
    assert 0 < len(answer["citations"]) <= 3
    assert {c["doc_type"] for c in answer["citations"]} == {"case-study"}


def test_chat_turn_streams_and_keeps_follow_up_context(kb):
    turns = list(chat_turn(kb, "How did Singapore share its know-how with Suzhou officials?",
                           [], [], ANY, ANY, ANY))
    assert len(turns) > 2, "the answer should arrive in several steps"
    partial, final = turns[0][0][-1]["content"], turns[-1][0][-1]["content"]
    assert len(partial) < len(final)
    history, panel, box, answers = turns[-1]
    assert box == "" and "[1]" in final and "**Sources**" in final
    assert "Suzhou" in panel and "<details" in panel

    follow = list(chat_turn(kb, "And who ended up owning the park?", history, answers,
                            ANY, ANY, ANY))
    history, panel, _, answers = follow[-1]
    assert len(history) == 4 and len(answers) == 2
    assert "Suzhou" in answers[-1]["standalone_question"] and "Searched as:" in panel
    assert "singapore-china-suzhou-industrial-park" in panel or "Suzhou" in history[-1]["content"]


def test_chat_turn_reports_a_bad_question_plainly(kb):
    *_, (history, panel, _, _) = chat_turn(kb, "x" * 5000, [], [], ANY, ANY, ANY)
    assert "limit is" in history[-1]["content"]
    assert "Traceback" not in history[-1]["content"]


def test_sources_panel_shows_markup_as_text(kb):
    answer = kb.ask("How should a joint committee be set up?")
    answer.citations[0].text = "<script>alert('x')</script> <b>bold</b>"
    panel = sources_html(answer)
    assert "<script>" not in panel and "&lt;script&gt;" in panel


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(proc: subprocess.Popen, port: int, log_path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_path.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("app did not start: " + log_path.read_text())


@pytest.fixture
def running_app(tmp_path):
    port = free_port()
    env = subprocess_env(tmp_path / "app-data")
    log = open(tmp_path / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    wait_for_port(proc, port, tmp_path / "app.log")
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_running_app_answers_through_gradio_client(running_app):
    from gradio_client import Client

    client = Client(running_app, verbose=False)
    answer = client.predict("How should a joint committee be set up?", api_name="/ask")
    assert not answer["refused"]
    assert {c["source"] for c in answer["citations"]} & {
        "guidance/governance-structures.md",
        "guidance/templates-partnership-charter-and-committee-terms.md"}
    assert set(answer["timings_ms"]) == {"retrieve", "answer", "total"}

    follow = client.predict("And how often should it meet?", "", "", "", 0,
                            [answer["standalone_question"]], api_name="/ask")
    assert follow["standalone_question"] != follow["question"]

    refused = client.predict("Who won the football World Cup in 2022?", api_name="/ask")
    assert refused["refused"] is True

    pack = client.predict("capacity-building", [], api_name="/workshop")
    assert {"discussion", "role_play", "quiz", "handout", "citations"} <= set(pack)
    numbers = {int(n) for part in ("discussion", "role_play", "quiz", "handout")
               for n in re.findall(r"\[(\d+)\]", pack[part])}
    assert numbers and numbers <= {c["n"] for c in pack["citations"]}
    missing = client.predict("", [], api_name="/workshop")
    assert "Choose a topic" in missing["error"]
