"""Source links from front matter to what a reader sees: the sources panel, the Markdown and DOCX
exports, the JSON. Real ingest, real Chroma, the real embedding model; links are document data,
so markup in them must never run."""

from __future__ import annotations

import docx

from assistant.export import conversation_markdown, write_export
from assistant.ui import sources_html

DOC = """---
title: "Port of Testhaven concession"
type: case-study
topics: [infrastructure, governance]
summary: "A port concession and its joint committee."
countries: [KEN, CHN]
sectors: [transport]
period: "2010–2020"
sources:
  - title: "Concession agreement <script>alert(1)</script> [final] (2012)"
    url: "https://example.org/concession?a=1&b=\\"x\\""
    date: "2012"
  - title: "Harbour board minutes (2015)"
    no_public_copy: true
    note: "never published"
---
# Port of Testhaven concession

## Governance

The port concession was governed by a joint committee of the port authority and the operator,
which met every quarter to review tariffs, dredging and the concession's investment plan.
"""


def test_cited_document_links_reach_the_panel_and_the_exports_escaped(tmp_path, make_assistant):
    kb = tmp_path / "kb" / "case-studies"
    kb.mkdir(parents=True)
    (kb / "testhaven.md").write_text(DOC, encoding="utf-8")
    assistant = make_assistant(tmp_path / "kb")
    assert assistant.ingest(progress=False).ok

    answer = assistant.ask("How was the Testhaven port concession governed by its joint committee?")
    assert not answer.refused
    links = answer.citations[0].links
    assert [link["title"] for link in links] == [
        "Concession agreement <script>alert(1)</script> [final] (2012)"]  # unlinked one left out
    assert answer.to_json()["citations"][0]["links"][0]["url"].startswith("https://example.org/")

    panel = sources_html(answer)
    assert "<script>" not in panel and "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert ('href="https://example.org/concession?a=1&amp;b=&quot;x&quot;" target="_blank" '
            'rel="noopener noreferrer"') in panel

    markdown = conversation_markdown([answer.to_json()])
    assert ("[Concession agreement \\<script\\>alert\\(1\\)\\</script\\> \\[final\\] \\(2012\\)]"
            "(https://example.org/concession?a=1&b=%22x%22)") in markdown
    assert "Harbour board minutes" not in markdown

    text = "\n".join(p.text for p in docx.Document(write_export(markdown, "brief", "docx")).paragraphs)
    assert ("Concession agreement <script>alert(1)</script> [final] (2012) "
            "<https://example.org/concession?a=1&b=%22x%22>") in text


def test_a_non_web_link_is_refused_at_ingest_naming_the_entry(tmp_path, make_assistant):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "notes.md").write_text("# Notes\n\nThe joint committee of the Testhaven port met every "
                                 "quarter to review tariffs and dredging.\n", encoding="utf-8")
    (kb / "notes.meta.yaml").write_text(
        'sources: ["Plain title is fine outside the curated base", '
        '{title: "Bad", url: "javascript:alert(1)"}]\n', encoding="utf-8")
    assistant = make_assistant(kb)
    report = assistant.ingest(progress=False)
    assert not report.ok
    assert "'sources' entry 2 ('Bad') has 'url' 'javascript:alert(1)'" in report.failed[0]["error"]
