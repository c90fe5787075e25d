"""Every format staff bring, each sync action, and the safety of the index (real files, real Chroma)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.ingestion import IngestLockedError, writer_lock
from assistant.service import build_assistant, ingest_paths

from .conftest import subprocess_env

TOTA = PROJECT_ROOT.parent / "shared" / "corpora" / "tota" / "xml"
needs_tota = pytest.mark.skipif(not TOTA.is_dir(), reason="../shared/corpora/tota not present")


def write_pdf(path: Path, pages: list[str], title: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Fisheries partnership review", level=0)
    document.add_heading("Governance", level=1)
    document.add_heading("Joint scientific committee", level=2)
    document.add_paragraph("The joint scientific committee sets annual catch limits for tuna "
                           "after reviewing stock assessments from both coastal states.")
    document.add_heading("Financing", level=1)
    document.add_paragraph("Access fees paid by the distant-water fleet fund patrol boats and "
                           "observer training in the coastal state.")
    document.save(str(path))


HTML_PAGE = """<!doctype html><html><head><title>Cold chain corridor</title>
<style>.x{color:red}</style><script>var tracking = "SECRET-SCRIPT-TEXT";</script></head>
<body><nav><a href="/">Home</a> NAVIGATION-MENU-TEXT</nav>
<header>SITE-HEADER-TEXT</header>
<main><h1>Cold chain corridor</h1>
<h2>Inspections</h2><p>Joint veterinary inspections at the border post cut the clearance
time for chilled mangoes, because one team now certifies for both customs services.</p>
</main><footer>FOOTER-TEXT cookies</footer></body></html>"""


def passages_of(assistant, doc_id: str) -> list[tuple[str, dict]]:
    got = assistant.index.passages.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
    return list(zip(got["documents"], got["metadatas"], strict=True))


def test_pdf_pages_are_kept_and_cited(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    write_pdf(kb / "corridor.pdf", [
        "The corridor authority publishes quarterly traffic figures for every border crossing.",
        "Truck drivers on the corridor obtain a single transit permit valid in both countries, "
        "replacing separate permits that took weeks to issue.",
    ], title="Transit corridor report")
    assistant = make_assistant(kb)
    assert assistant.ingest(progress=False).added == 1
    answer = assistant.ask("How do truck drivers get a transit permit on the corridor?")
    top = answer.citations[0]
    assert (top.title, top.page, top.section) == ("Transit corridor report", 2, "Page 2")
    assert answer.to_json()["citations"][0]["page"] == 2


def test_docx_headings_become_sections(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    write_docx(kb / "fisheries.docx")
    assistant = make_assistant(kb)
    assistant.ingest(progress=False)
    sections = {m["section"]: (t, m) for t, m in passages_of(assistant, "fisheries")}
    assert set(sections) == {"Governance › Joint scientific committee", "Financing"}
    assert sections["Financing"][1]["title"] == "Fisheries partnership review"


def test_html_keeps_main_text_only(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cold-chain.html").write_text(HTML_PAGE, encoding="utf-8")
    assistant = make_assistant(kb)
    assistant.ingest(progress=False)
    stored = passages_of(assistant, "cold-chain")
    text = " ".join(t for t, _ in stored)
    assert "Joint veterinary inspections" in text
    for noise in ("SECRET-SCRIPT-TEXT", "NAVIGATION-MENU-TEXT", "SITE-HEADER-TEXT", "FOOTER-TEXT"):
        assert noise not in text
    assert stored[0][1]["title"] == "Cold chain corridor"
    assert stored[0][1]["section"] == "Inspections"


def test_sidecar_and_flags_give_metadata_to_plain_files(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "memo.txt").write_text("Port authorities agreed to share berth schedules daily.\n",
                                 encoding="utf-8")
    (kb / "memo.meta.yaml").write_text("title: Berth scheduling memo\ncountries: [KEN, TZA]\n"
                                       "topics: [trade-facilitation]\n", encoding="utf-8")
    (kb / "note.txt").write_text("Both ministries publish joint customs statistics monthly.\n",
                                 encoding="utf-8")
    assistant = make_assistant(kb)
    report = assistant.ingest(progress=False, overrides={"type": "agreement",
                                                         "countries": ["JPN", "MEX"]})
    assert report.ok, report.failed
    docs = assistant.index.documents()
    assert docs["memo"]["title"] == "Berth scheduling memo"
    assert docs["memo"]["countries"] == "KEN, TZA" and docs["memo"]["doc_type"] == "agreement"
    assert docs["note"]["countries"] == "JPN, MEX"
    # Editing only the sidecar counts as a change to the document.
    (kb / "memo.meta.yaml").write_text("title: Berth memo v2\n", encoding="utf-8")
    again = assistant.ingest(progress=False, overrides={"type": "agreement",
                                                        "countries": ["JPN", "MEX"]})
    assert (again.updated, again.unchanged) == (1, 1)


@needs_tota
def test_tota_treaty_is_chunked_per_article_with_its_metadata(tmp_path, make_assistant):
    assistant = make_assistant(tmp_path / "kb")
    report = assistant.ingest([TOTA / "pta_34.xml"], progress=False,
                              overrides={"type": "agreement"})
    assert report.ok and report.added == 1
    record = assistant.index.documents()["xml/pta_34"]
    assert record["title"] == "Japan - Mexico" and record["doc_type"] == "agreement"
    assert record["countries"] == "JPN, MEX" and record["date_signed"] == "2004-09-17"
    answer = assistant.ask("What do the agreements between Japan and Mexico say about "
                           "cooperation on supporting industries?",
                           filters={"doc_type": "agreement"})
    top = answer.citations[0]
    assert top.section == ("Chapter 14 Bilateral Cooperation › "
                           "Article 140 Cooperation In The Field Of Supporting Industries")
    assert "supporting industries" in top.text


def test_dry_run_writes_nothing(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.txt").write_text("Customs officers exchange risk profiles weekly.\n", encoding="utf-8")
    assistant = make_assistant(kb)
    report = assistant.ingest(progress=False, dry_run=True)
    assert (report.added, report.chunks) == (1, 1)
    assert assistant.index.count() == 0 and assistant.index.documents() == {}


def test_bad_files_each_get_their_reason(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "good.txt").write_text("Inspectors from both sides train together each spring.\n",
                                 encoding="utf-8")
    (kb / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage that is not a pdf body \n%%EOF")
    (kb / "damaged.docx").write_bytes(b"PK\x03\x04 not a zip")
    (kb / "big.txt").write_text("word " * 400_000, encoding="utf-8")
    (kb / "bad.xml").write_text("<treaty><meta>", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret text outside the folder.\n", encoding="utf-8")
    (kb / "link.txt").symlink_to(outside)
    assistant = make_assistant(kb, max_file_mb=1)
    report = assistant.ingest(progress=False)
    reasons = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert "not a readable PDF" in reasons["corrupt.pdf"]
    assert "not a readable Word document" in reasons["damaged.docx"]
    assert "over the 1 MB limit" in reasons["big.txt"]
    assert "not well-formed XML" in reasons["bad.xml"]
    assert any("link.txt" in w and "links outside" in w for w in report.warnings)
    assert report.added == 1
    assert "Secret text" not in " ".join(assistant.index.all_passages()["documents"])


def test_rebuild_starts_afresh_but_keeps_documents_whose_files_now_fail(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "keep.txt").write_text("Joint patrols inspect fishing vessels at sea.\n", encoding="utf-8")
    (kb / "gone.txt").write_text("An old memo about ferry timetables.\n", encoding="utf-8")
    assistant = make_assistant(kb)
    assistant.ingest(progress=False)
    (kb / "gone.txt").unlink()
    (kb / "keep.txt").write_bytes(b"\xff\xfe broken bytes \x81")
    (kb / "new.txt").write_text("Exporters file one electronic certificate per shipment.\n",
                                encoding="utf-8")
    report = ingest_paths(assistant.settings, [kb], index=assistant.index,
                          embeddings=lambda: assistant.embeddings, rebuild=True)
    assert [Path(f["path"]).name for f in report.failed] == ["keep.txt"]
    assert sorted(assistant.index.documents()) == ["keep", "new"]
    answer = assistant.ask("Who inspects fishing vessels at sea?")
    assert not answer.refused and answer.citations[0].doc_id == "keep"


def test_a_second_writer_is_turned_away_with_a_message(tmp_path):
    data = tmp_path / "data"
    with writer_lock(data):
        done = subprocess.run([sys.executable, "ingest.py", "--json"], cwd=PROJECT_ROOT,
                              env=subprocess_env(data), capture_output=True, text=True)
        with pytest.raises(IngestLockedError):
            with writer_lock(data):
                pass
    assert done.returncode == 3
    assert "another ingest is writing" in done.stderr


def test_running_assistant_sees_new_documents_without_restart(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.txt").write_text("Exporters file one electronic certificate per shipment.\n",
                              encoding="utf-8")
    reader = make_assistant(kb)
    reader.ingest(progress=False)
    before = reader.ask("How are veterinary labs accredited?")
    assert "labs" not in {c.doc_id for c in before.citations}
    (kb / "labs.txt").write_text("Veterinary laboratories are accredited by the joint board "
                                 "under a mutual recognition arrangement.\n", encoding="utf-8")
    writer = build_assistant(reader.settings, reader.embeddings)  # as ingest.py would
    writer.ingest(progress=False)
    # The reader keeps answering while it loads the new search index in the background, and
    # answers from it within a few seconds.
    deadline = time.monotonic() + 15
    while True:
        answer = reader.ask("How are veterinary labs accredited?")
        if (answer.citations and answer.citations[0].doc_id == "labs") or (
                time.monotonic() > deadline):
            break
        time.sleep(0.3)
    assert answer.citations[0].doc_id == "labs"


@needs_tota
def test_a_run_killed_midway_leaves_the_index_answering_and_the_next_run_completes(tmp_path):
    data = tmp_path / "data"
    env = subprocess_env(data)
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "ports.txt").write_text("Port twinning paired customs risk officers from both ports.\n",
                                  encoding="utf-8")
    for name in ("pta_1.xml", "pta_34.xml", "pta_10.xml", "pta_100.xml"):
        shutil.copy(TOTA / name, kb / name)  # a temp copy: links leading outside are skipped
    ingest = [sys.executable, "ingest.py", str(kb / "ports.txt"), "--json"]
    assert subprocess.run(ingest, cwd=PROJECT_ROOT, env=env).returncode == 0

    (kb / "ports.txt").write_text("Port twinning paired customs risk officers and crane "
                                  "operators from both ports.\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "ingest.py", str(kb), "--json"], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(12)  # model loaded, part of the treaties embedded and written
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    ask = [sys.executable, "-m", "assistant", "ask", "--json", "Who did the port twinning pair?"]
    answered = json.loads(subprocess.run(ask, cwd=PROJECT_ROOT, env=env, capture_output=True,
                                         text=True).stdout)
    assert not answered["refused"] and answered["citations"][0]["doc_id"] == "kb/ports"

    done = subprocess.run([sys.executable, "ingest.py", str(kb), "--json"], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and summary["failed"] == []
    assert summary["added"] + summary["updated"] + summary["unchanged"] == 5

    from assistant.config import Settings

    index = build_assistant(Settings(data_dir=data)).index
    records = index.documents()
    assert len(records) == 5
    assert index.count() == sum(r["chunks"] for r in records.values()), "no stale passages left"


def test_switching_embedding_model_asks_for_a_rebuild(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.txt").write_text("Customs officers exchange risk profiles weekly.\n", encoding="utf-8")
    env = subprocess_env(tmp_path / "data")
    run = [sys.executable, "ingest.py", str(kb)]
    assert subprocess.run(run, cwd=PROJECT_ROOT, env=env).returncode == 0
    (kb / "b.txt").write_text("Inspectors train together each spring.\n", encoding="utf-8")
    env["ASSISTANT_EMBEDDING_QUANTIZE"] = "true"
    done = subprocess.run(run, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "--rebuild" in done.stderr
    rebuilt = subprocess.run(run + ["--rebuild", "--json"], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout.splitlines()[-1])["added"] == 2
