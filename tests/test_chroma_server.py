"""The same assistant against a real `chroma run` server (ASSISTANT_CHROMA_HOST set)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
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
