"""The knowledge base itself: every file's front matter follows knowledge/README.md."""

from __future__ import annotations

import json

import pytest
import yaml

from assistant.documents import (
    DocumentError,
    Vocabulary,
    load_document,
    split_front_matter,
    validate_front_matter,
)
from assistant.ingestion import SKIPPED_NAMES
from assistant.sources import is_web_url, links_from_metadata

from .conftest import KNOWLEDGE

VOCAB = Vocabulary.from_readme(KNOWLEDGE / "README.md")
DOCS = sorted(p for p in KNOWLEDGE.rglob("*.md") if p.name not in SKIPPED_NAMES)
CASE_SECTIONS = ["Background", "Instruments and institutions", "Governance", "Capacity building",
                 "Financing", "Results and metrics", "Problems and criticism",
                 "Lessons for partnership design"]


def test_vocabulary_is_read_from_the_readme():
    assert {"governance", "capacity-building", "finance", "trust-building"} <= VOCAB.topics
    assert {"manufacturing", "energy"} <= VOCAB.sectors


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(KNOWLEDGE).as_posix())
def test_front_matter_follows_the_schema(path):
    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
    problems = validate_front_matter(meta, VOCAB)
    assert not problems, f"{path.relative_to(KNOWLEDGE)}: " + "; ".join(problems)
    expected_type = "case-study" if path.parent.name == "case-studies" else "guidance"
    assert meta["type"] == expected_type, f"{path.name}: 'type' should be {expected_type}"


@pytest.mark.parametrize("path", sorted((KNOWLEDGE / "case-studies").glob("*.md")),
                         ids=lambda p: p.stem)
def test_case_studies_have_the_required_sections_in_order(path):
    doc = load_document(path, path.stem, path.name, VOCAB)
    headings = [s.path[0] for s in doc.sections if s.path]
    ordered = list(dict.fromkeys(headings))
    assert ordered[: len(CASE_SECTIONS)] == CASE_SECTIONS, f"{path.name}: sections {ordered}"


def test_the_library_is_large_enough():
    guidance = list((KNOWLEDGE / "guidance").glob("*.md"))
    cases = list((KNOWLEDGE / "case-studies").glob("*.md"))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in DOCS)
    assert len(guidance) >= 14 and len(cases) >= 24 and words >= 40_000, (
        len(guidance), len(cases), words)


def test_a_wrong_field_is_named(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: X\ntype: case-study\ntopics: [governance, cooking]\n"
                   "summary: s\ncountries: [Japan]\n---\n# X\n\nText here.\n", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_document(bad, "bad", "bad.md", VOCAB)
    message = str(err.value)
    assert "'topics' has ['cooking']" in message
    assert "'countries' has 'Japan'" in message
    assert "'sectors' is missing" in message


def _sources(path):
    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
    return meta.get("sources") or []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(KNOWLEDGE).as_posix())
def test_every_source_has_a_link_or_says_it_has_no_public_copy(path):
    """A reader checking a figure can follow each source, or knows why there is no link."""
    sources = _sources(path)
    assert sources, f"{path.relative_to(KNOWLEDGE)}: no 'sources' for its figures and events"
    for entry in sources:
        assert isinstance(entry, dict) and entry.get("title"), f"{path.name}: {entry!r}"
        if entry.get("no_public_copy") is True:
            assert "url" not in entry and entry.get("note"), (
                f"{path.name}: {entry['title']!r} has no public copy but does not say why")
        else:
            assert is_web_url(entry.get("url")), f"{path.name}: {entry['title']!r} has no link"


def test_links_are_not_lost():
    """A floor at the share linked by the 2026-12-02 check (knowledge/FACT-CHECK.md), so a
    later edit cannot quietly turn links back into unlinked titles."""
    entries = [e for p in DOCS for e in _sources(p)]
    linked = [e for e in entries if e.get("url")]
    assert len(linked) >= 0.2 * len(entries), (len(linked), len(entries))


@pytest.mark.parametrize("entry, reason", [
    ("A title only", "must be a mapping"),
    ({"title": "T"}, "needs a 'url' or 'no_public_copy: true'"),
    ({"title": "T", "url": "javascript:alert(1)"}, "expected an http:// or https:// address"),
    ({"title": "T", "url": "https://"}, "expected an http:// or https:// address"),
    ({"title": "T", "url": "ftp://example.org/x"}, "expected an http:// or https:// address"),
    ({"title": "T", "no_public_copy": "yes"}, "only true is allowed"),
    ({"title": "T", "url": "https://example.org", "no_public_copy": True}, "both"),
    ({"url": "https://example.org"}, "has no 'title'"),
    ({"title": "T", "url": "https://example.org", "link": "x"}, "unknown keys ['link']"),
])
def test_a_bad_source_is_named_with_its_file_and_field(tmp_path, entry, reason):
    bad = tmp_path / "bad-sources.md"
    meta = {"title": "X", "type": "guidance", "topics": ["governance"], "summary": "s",
            "sources": [entry]}
    bad.write_text("---\n" + yaml.safe_dump(meta) + "---\n# X\n\nText here.\n",
                   encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_document(bad, "bad-sources", "bad-sources.md", VOCAB)
    assert "'sources' entry 1" in str(err.value) and reason in str(err.value)


def test_source_links_reach_passage_metadata_as_followable_links():
    from assistant.chunking import chunk_document
    path = KNOWLEDGE / "case-studies" / "malaysia-china-east-coast-rail-link.md"
    passages = chunk_document(load_document(path, "case-studies/x", "x.md", VOCAB))
    meta = passages[0].metadata
    assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    links = links_from_metadata(meta)
    assert any("thestar.com.my" in link["url"] for link in links)
    assert all(is_web_url(link["url"]) for link in links)
    assert "Chatham House" in meta["source_titles"]  # unlinked sources are still named


def test_a_list_stays_in_the_passage_of_its_lead_in():
    """The corpus's own case: the sustainability guidance introduces four ways a partnership can
    help smallholders with "...into a joint project by:"; cut from its list, neither half could
    be quoted and the answer to "how can our partnership help them comply" lost them."""
    from assistant.chunking import chunk_document
    from assistant.config import Settings
    path = KNOWLEDGE / "guidance" / "sustainability-standards.md"
    passages = chunk_document(load_document(path, "guidance/x", "x.md", VOCAB),
                              Settings().chunk_words)
    lead_in = [p for p in passages if "into a joint project by:" in p.text]
    assert len(lead_in) == 1
    assert "funding traceability systems and land mapping" in lead_in[0].text
    for p in passages:
        assert not p.text.rstrip().endswith(":"), p.text[-120:]


def test_eval_questions_point_at_real_documents():
    ids = {p.relative_to(KNOWLEDGE).with_suffix("").as_posix() for p in DOCS}
    rows = [json.loads(line) for f in sorted((KNOWLEDGE / "eval").glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows), "eval ids must be unique"
    kinds = [r["kind"] for r in rows]
    assert len(rows) >= 60 and kinds.count("unanswerable") >= 10 and kinds.count("follow-up") >= 10
    for row in rows:
        assert set(row["expected"]) <= ids, f"{row['id']} expects unknown {row['expected']}"
        if row["kind"] == "follow-up":
            assert row["follow_up_of"] in by_id, row["id"]
