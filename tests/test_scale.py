"""The agreement library at scale: the search index is saved by the ingest and loaded, never
rebuilt on a question; an ingest never stalls the answers of a running app; treaty passages
carry their citations. Real model, real Chroma, real ToTA files (trimmed copies)."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import lexical
from assistant.agreements import treaty_citation, treaty_details, treaty_panel_html
from assistant.answer.compose import treaty_line
from assistant.config import PROJECT_ROOT

TOTA = PROJECT_ROOT.parent / "shared" / "corpora" / "tota" / "xml"
needs_tota = pytest.mark.skipif(not (TOTA / "pta_34.xml").exists(),
                                reason=f"the ToTA corpus is not at {TOTA}")


def write_kb(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ports.md").write_text(
        "---\ntitle: Port twinning\ntype: reference\ncountries: [JPN, THA]\n---\n# Port twinning"
        "\n\n## Customs\nThe twinning arrangement paired customs risk officers from both ports "
        "for six-week placements, so each side learned to target inspections by risk.\n",
        encoding="utf-8")
    return folder


def trimmed_treaty(source: Path, target: Path, keep_articles: set[str]) -> Path:
    """A real ToTA file with only its preamble and some articles (the whole one takes minutes
    to embed)."""
    tree = ET.parse(source)
    for chapter in list(tree.getroot().find("body")):
        for article in list(chapter):
            if article.get("number") not in keep_articles | {None}:
                chapter.remove(article)
        if not len(chapter):
            tree.getroot().find("body").remove(chapter)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


@needs_tota
def test_treaty_passages_cite_like_a_lawyer(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb")
    trimmed_treaty(TOTA / "pta_34.xml", kb / "pta_34.xml",
                   {"ARTICLE 139", "ARTICLE 140", "ARTICLE 141"})
    assistant = make_assistant(kb)
    assert assistant.ingest(progress=False).ok
    found = assistant.retriever.retrieve("cooperation in promoting supporting industries", 3)
    top = found.passages[0].metadata
    assert treaty_citation(top) == ("Japan–Mexico EPA (2004), Art. 140 — Cooperation in the "
                                    "Field of Supporting Industries")
    assert treaty_details(top) == ("signed 17 September 2004 · in force 1 April 2005 · "
                                   "status: In Force")
    # The sources panel line: citation and dates, escaped; nothing for a non-treaty passage.
    panel = treaty_panel_html(SimpleNamespace(treaty=treaty_line(top)))
    assert "Japan–Mexico EPA (2004), Art. 140" in panel and "signed 17 September 2004" in panel
    guidance = next(p for p in assistant.retriever.retrieve("customs risk officers", 5).passages
                    if p.metadata["doc_id"] == "ports")
    assert treaty_citation(guidance.metadata) == "Port twinning, Customs"  # not a treaty
    assert treaty_panel_html(SimpleNamespace(treaty=treaty_line(guidance.metadata))) == ""


@needs_tota
def test_search_index_is_saved_by_the_ingest_and_loaded_not_rebuilt(tmp_path, make_assistant,
                                                                     monkeypatch):
    kb = write_kb(tmp_path / "kb")
    trimmed_treaty(TOTA / "pta_324.xml", kb / "pta_324.xml",
                   {"ARTICLE I", "ARTICLE II", "ARTICLE III", "ARTICLE IV", "ARTICLE V"})
    writer = make_assistant(kb)
    assert writer.ingest(progress=False).ok
    generation = writer.index.generation()
    saved = writer.settings.data_dir / "search" / generation
    assert (saved / "rows.json").exists() and (saved / "vectors.npy").exists()

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the search index was rebuilt instead of loaded")

    monkeypatch.setattr("assistant.retrieval.build_from_store", no_rebuild)
    reader = make_assistant(kb)  # a new app start on the same data dir
    loaded = reader.retriever.lexical()
    assert loaded.generation == generation and len(loaded.ids) == writer.index.count()
    answer = reader.ask("What does the India–Nepal treaty say about trade?")
    assert not answer.refused and any(c.doc_id == "pta_324" for c in answer.citations)
    # Filters work on the loaded index: the country filter keeps only India–Nepal passages.
    nepal = reader.retriever.retrieve("trade between the parties", 5, {"country": "NPL"})
    assert nepal.passages and {p.metadata["doc_id"] for p in nepal.passages} == {"pta_324"}
    japan = reader.retriever.retrieve("customs officers", 5, {"country": "JPN"})
    assert {p.metadata["doc_id"] for p in japan.passages} == {"ports"}
    assert reader.retriever.retrieve("trade", 5, {"doc_type": "case-study"}).passages == []


def test_an_ingest_does_not_stall_a_running_app(tmp_path, make_assistant, monkeypatch):
    kb = write_kb(tmp_path / "kb")
    app = make_assistant(kb)
    assert app.ingest(progress=False).ok
    assert not app.ask("How did the ports learn risk-based inspection?").refused
    app.retriever.recheck_seconds = 0.0
    before = app.retriever.lexical()

    (kb / "ferry.md").write_text(
        "---\ntitle: Ferry corridor memo\ntype: reference\n---\n# Ferry corridor memo\n\n"
        "The ferry operators of both countries pool their timetables so that freight waits "
        "less than a day at either port.\n", encoding="utf-8")
    other_ingest = make_assistant(kb)  # another process: `ingest.py` while the app serves
    assert other_ingest.ingest(progress=False).added == 1

    # The app's loading of the new search index is made to hang until released, as a big
    # one might take seconds.
    release = threading.Event()
    real_load = lexical.LexicalIndex.load

    def slow_load(folder):
        assert release.wait(60), "never released"
        return real_load(folder)

    monkeypatch.setattr(lexical.LexicalIndex, "load", staticmethod(slow_load))

    # The app keeps answering from the index it has while the new one loads.
    answered = app.ask("How long does freight wait at the ferry ports?")
    assert app.retriever.lexical() is before
    assert all(c.doc_id != "ferry" for c in answered.citations)
    release.set()
    deadline = time.monotonic() + 30
    while app.retriever.lexical() is before and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = app.ask("How long does freight wait at the ferry ports?")
    assert answer.citations and answer.citations[0].doc_id == "ferry"


def test_rebuild_publishes_a_search_index_for_the_swapped_index(tmp_path, make_assistant):
    kb = write_kb(tmp_path / "kb")
    assistant = make_assistant(kb)
    assert assistant.ingest(progress=False).ok
    assert assistant.ingest(progress=False, rebuild=True).ok
    generation = assistant.index.generation()
    assert (assistant.settings.data_dir / "search" / generation / "rows.json").exists()
    assert assistant.retriever.lexical().generation == generation
    saved = [p.name for p in (assistant.settings.data_dir / "search").iterdir()]
    assert len(saved) <= 2, f"old search indexes are not cleaned up: {saved}"


@needs_tota
def test_curated_questions_rank_as_without_the_treaty_library(kb, embeddings):
    """Treaty articles in the index do not change how guidance and case studies are ranked or
    how their terms are weighed: a curated-only filter is searched in the curated BM25."""
    from assistant.formats import read_tota
    from assistant.retrieval import tokenize

    alone = kb.retriever.lexical()
    rows = []
    for name in ("pta_34.xml", "pta_1.xml"):  # Japan–Mexico, Japan–Thailand: investment chapters
        meta, title, sections = read_tota(TOTA / name)
        for n, section in enumerate(sections[:150]):
            rows.append((f"{name}:{n}", section.text, {
                "doc_id": f"agreements/{name}", "doc_type": "agreement", "title": title,
                "section": " › ".join(section.path)}))
    vectors = embeddings.embed_documents([text for _, text, _ in rows])
    both = lexical.LexicalIndex.build(
        list(alone.ids) + [r[0] for r in rows], list(alone.texts) + [r[1] for r in rows],
        list(alone.metadatas) + [r[2] for r in rows],
        list(map(list, alone.vectors)) + vectors)
    curated = {"doc_type": ["guidance", "case-study"]}
    questions = ["How can investment protection be offered without limiting a state's right to "
                 "regulate?", "What should rules of origin and customs procedures cover?",
                 "How do we settle disputes between investors and the host state?"]
    for question in questions:
        terms = tokenize(question)
        assert [alone.ids[i] for i in alone.search(terms, 30, curated)] == \
            [both.ids[i] for i in both.search(terms, 30, curated)], question
        # Without the split the treaty library's IDF reorders the curated passages.
        assert any(both.metadatas[i]["doc_type"] == "agreement"
                   for i in both.search(terms, 30, {}))
    assert both.idf == alone.idf
    # and it survives saving and loading
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        both.save(Path(folder) / "g")
        loaded = lexical.LexicalIndex.load(Path(folder) / "g")
        terms = tokenize(questions[0])
        assert [loaded.ids[i] for i in loaded.search(terms, 30, curated)] == \
            [alone.ids[i] for i in alone.search(terms, 30, curated)]
