"""Ingestion with real files, a real Chroma in a temp folder and the real embedding model."""

from __future__ import annotations

import json
import subprocess
import sys

from assistant.config import PROJECT_ROOT

from .conftest import subprocess_env

GOOD = """---
title: Port twinning between Rotterdam and Durban
type: reference
topics: [trade-facilitation]
summary: A fixture document about port twinning.
---
# Port twinning between Rotterdam and Durban

## Customs cooperation
The twinning arrangement paired customs risk officers from both ports for six-week placements.
Officers learned to target inspections by cargo risk instead of checking every container.

## Training
Trainers from both ports wrote a joint curriculum on container scanning and dwell time.
"""


def write_kb(folder, **files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def test_ingest_keeps_title_and_section_and_is_idempotent(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb", **{"ports.md": GOOD})
    assistant = make_assistant(kb)
    first = assistant.ingest(progress=False)
    assert (first.added, first.chunks, first.failed) == (1, 2, [])

    answer = assistant.ask("How did customs officers learn risk-based inspection at the ports?")
    assert not answer.refused
    top = answer.citations[0]
    assert top.title == "Port twinning between Rotterdam and Durban"
    assert top.section == "Customs cooperation"
    assert top.source == "ports.md"

    again = assistant.ingest(progress=False)
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 1, 0)


def test_an_edit_replaces_the_old_passages(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb", **{"ports.md": GOOD})
    assistant = make_assistant(kb)
    assistant.ingest(progress=False)
    (kb / "ports.md").write_text(GOOD.replace("six-week", "three-month"), encoding="utf-8")
    report = assistant.ingest(progress=False)
    assert report.updated == 1
    texts = assistant.index.all_passages()["documents"]
    assert len(texts) == 2
    assert any("three-month" in t for t in texts) and not any("six-week" in t for t in texts)


def test_bad_files_are_reported_and_the_index_is_kept(tmp_path):
    kb = write_kb(tmp_path / "kb", **{"ports.md": GOOD})
    data = tmp_path / "data"
    env = subprocess_env(data)
    env["ASSISTANT_KNOWLEDGE_DIR"] = str(kb)
    run = [sys.executable, str(PROJECT_ROOT / "ingest.py"), "--json"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr

    write_kb(kb, **{
        "broken.md": "---\ntitle: [unclosed\ntype: guidance\n---\n# Broken\n\nSome text here.\n",
        "latin1.md": "# Caf\xe9 policy\n\nThe caf\xe9 text.\n".encode("latin-1"),
        "empty.md": "",
        "slides.pptx": b"PK\x03\x04 not really a deck",
        "unknown-topic.md": GOOD.replace("[trade-facilitation]", "[cooking]"),
        "extra.md": GOOD.replace("Rotterdam and Durban", "Mombasa and Salalah"),
    })
    second = subprocess.run(run, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert second.returncode == 1
    summary = json.loads(second.stdout.strip().splitlines()[-1])
    reasons = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in summary["failed"]}
    assert "not valid YAML" in reasons["broken.md"]
    assert "not UTF-8" in reasons["latin1.md"]
    assert "empty" in reasons["empty.md"]
    assert "unsupported file type '.pptx'" in reasons["slides.pptx"]
    assert "cooking" in reasons["unknown-topic.md"]
    assert (summary["added"], summary["unchanged"]) == (1, 1)

    ask = [sys.executable, "-m", "assistant", "ask", "--json",
           "How did the ports train customs risk officers?"]
    answered = subprocess.run(ask, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    result = json.loads(answered.stdout)
    assert not result["refused"]
    assert {"ports.md", "extra.md"} & {c["source"] for c in result["citations"]}


def test_prune_removes_documents_whose_files_are_gone(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb", **{"ports.md": GOOD,
                                      "other.md": GOOD.replace("Durban", "Callao")})
    assistant = make_assistant(kb)
    assistant.ingest(progress=False)
    (kb / "other.md").unlink()
    kept = assistant.ingest(progress=False)
    assert kept.removed == 0 and len(assistant.index.documents()) == 2
    pruned = assistant.ingest(progress=False, prune=True)
    assert pruned.removed == 1
    assert list(assistant.index.documents()) == ["ports"]
    assert all(m["doc_id"] == "ports" for m in assistant.index.all_passages()["metadatas"])


def test_readme_and_eval_folder_are_not_ingested(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb", **{"ports.md": GOOD, "README.md": "# About\n\nnot a doc\n",
                                      "eval/questions.jsonl": '{"question": "x"}\n'})
    report = make_assistant(kb).ingest(progress=False)
    assert (report.added, report.failed) == (1, [])
