"""Treaty texts as their own kind of evidence, with real ToTA files (trimmed copies): a question
that names an agreement is answered from its articles first, cited as a lawyer would; two
agreements compared cell by cell, "not addressed in the text" where one has no such article;
and an off-topic question stays refused with treaty texts indexed."""

from __future__ import annotations

import re

import pytest

from assistant.ui.chat import sources_html

from .test_scale import TOTA, needs_tota, trimmed_treaty, write_kb

# Art. 130, 16 and 173 name the parties and "this Agreement" over and over: distractors that
# outranked Art. 140 while the scoped search still carried the parties' names.
MEXICO = {"ARTICLE 140", "ARTICLE 150", "ARTICLE 151", "ARTICLE 152", "ARTICLE 153", "ARTICLE 130",
          "ARTICLE 16", "ARTICLE 173"}
THAILAND = {"ARTICLE 57", "ARTICLE 58", "ARTICLE 59"}  # paperless trading; no dispute articles


@pytest.fixture(scope="module")
def library(tmp_path_factory, embeddings):
    from assistant.config import Settings
    from assistant.service import build_assistant

    root = tmp_path_factory.mktemp("agreements")
    kb = write_kb(root / "kb")
    trimmed_treaty(TOTA / "pta_34.xml", kb / "pta_34.xml", MEXICO)
    trimmed_treaty(TOTA / "pta_1.xml", kb / "pta_1.xml", THAILAND)
    assistant = build_assistant(Settings(data_dir=root / "data", knowledge_dir=kb), embeddings)
    assert assistant.ingest(progress=False).ok
    return assistant


@needs_tota
def test_a_question_naming_an_agreement_is_answered_from_its_articles_first(library):
    answer = library.ask("What does the Japan–Mexico agreement say about supporting industries?")
    assert not answer.refused, answer.answer
    lines = [x for x in answer.answer.splitlines() if x.strip()]
    assert lines[0] == "**What the agreements say**"
    assert lines[1].startswith("- **Japan–Mexico EPA (2004), Art. 140 — Cooperation in the Field "
                               "of Supporting Industries**: ")
    treaty = next(c for c in answer.citations if c.doc_type == "agreement")
    assert "signed 17 September 2004" in treaty.treaty
    panel = sources_html(answer)  # the panel shows the citation and its dates
    assert "Art. 140" in panel and "in force 1 April 2005" in panel


@needs_tota
def test_guidance_about_other_partners_does_not_follow_a_named_agreement(library):
    """The knowledge folder here holds one curated note, on Japan–Thailand port twinning: it
    may follow the Japan–Thailand agreement's articles, never the Japan–Mexico agreement's."""
    mexico = library.ask("What does the Japan–Mexico agreement say about supporting industries?")
    assert {c.doc_type for c in mexico.citations} == {"agreement"}, mexico.answer
    assert "twinning" not in mexico.answer
    thailand = library.ask("What does the Japan–Thailand agreement say about paperless trading "
                           "and customs?")
    assert thailand.answer.splitlines()[0] == "**What the agreements say**", thailand.answer


@needs_tota
def test_two_agreements_compared_with_a_citation_or_not_addressed_in_every_cell(library):
    answer = library.ask("How do the Japan–Mexico and Japan–Thailand agreements handle dispute "
                         "settlement?")
    assert answer.shape == "comparison", answer.answer
    rows = [r for r in answer.answer.splitlines() if r.startswith("| ") and "---" not in r]
    header, body = rows[0], rows[1:]
    assert "Japan–Mexico" in header and "Japan–Thailand" in header
    mexico = [r.strip("|").split("|")[1].strip() for r in body]
    thailand = [r.strip("|").split("|")[2].strip() for r in body]
    assert mexico[0] and all(re.search(r"Art\. 15\d .*\[\d+\]$", c) for c in mexico if c)
    assert thailand[0] == "not addressed in the text"


@needs_tota
def test_an_off_topic_question_is_still_refused_with_treaty_texts_indexed(library):
    answer = library.ask("Who won the 2018 FIFA World Cup final and what was the score?")
    assert answer.refused and answer.citations == []


@needs_tota
def test_what_came_of_an_agreement_known_only_by_its_text_is_refused_plainly(library):
    """The articles say what was agreed, not what followed: asked what the Japan–Mexico
    agreement achieved, with no curated document on that pair, the answer says so instead
    of quoting articles; asked what it says, the articles answer."""
    answer = library.ask("What did the Japan–Mexico agreement achieve for supporting industries?")
    assert answer.refused and answer.reason == "not_covered", answer.answer[:300]
    assert "holds only the treaty text" in answer.answer
    assert any("Japan" in m and "Mexico" in m for m in answer.missing), answer.missing
    said = library.ask("What does the Japan–Mexico agreement say about supporting industries?")
    assert not said.refused, said.answer
