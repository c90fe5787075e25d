"""The knowledge base itself: every file's front matter follows knowledge/README.md."""

from __future__ import annotations

import json

import pytest

from assistant.documents import (
    DocumentError,
    Vocabulary,
    load_document,
    split_front_matter,
    validate_front_matter,
)

from .conftest import KNOWLEDGE

VOCAB = Vocabulary.from_readme(KNOWLEDGE / "README.md")
DOCS = sorted(p for p in KNOWLEDGE.rglob("*.md") if p.name != "README.md")
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
