"""The Library tab: browse and search every document, read one, see coverage at a glance."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from .. import library
from ..escaping import markdown_text
from ..prompts import DOC_TYPE_LABELS
from ..regions import country_name
from ..service import Assistant
from .workshop import page_events

ANY = "Any"
COLUMNS = ["Title", "Type", "Countries", "Topics", "Period"]


def table(items: list[library.Entry]) -> pd.DataFrame:
    return pd.DataFrame([[e.title, DOC_TYPE_LABELS.get(e.doc_type, e.doc_type),
                          ", ".join(e.countries), ", ".join(e.topics), e.period] for e in items],
                        columns=COLUMNS)


def document_markdown(assistant: Assistant, doc_id: str | None) -> str:
    """A document rendered for reading; its text is escaped so markup in it cannot run."""
    if not doc_id:
        return "Choose a document to read it here."
    record, passages = library.read(assistant.index, doc_id)
    if not record:
        return "That document is no longer in the library."

    safe = markdown_text
    head = [f"# {safe(record.get('title', doc_id))}"]
    facts = [DOC_TYPE_LABELS.get(record.get("doc_type"), record.get("doc_type", ""))]
    if record.get("countries"):
        facts.append(", ".join(country_name(c) for c in record["countries"].split(", ")))
    if record.get("period") or record.get("date_signed"):
        facts.append(record.get("period") or f"signed {record['date_signed']}")
    head.append("_" + safe(" · ".join(f for f in facts if f)) + f"_ · {safe(record.get('source', ''))}")
    if record.get("summary"):
        head.append(f"> {safe(record['summary'])}")
    body, last = [], None
    for section, text, page in passages:
        label = section + (f" (page {page})" if page and section != f"Page {page}" else "")
        if label and label != last:
            body.append(f"## {safe(label)}")
            last = label
        body.append(safe(text))
    return "\n\n".join(head + body)


def coverage_frames(items: list[library.Entry]) -> dict[str, pd.DataFrame]:
    counts = library.coverage(items)
    return {name: pd.DataFrame(sorted(c.items(), key=lambda kv: -kv[1]),
                               columns=[name.title(), "Case studies"])
            for name, c in counts.items()}


def build_library_tab(assistant: Assistant, choices: dict) -> None:
    items = library.entries(assistant.index)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            with gr.Row():
                query = gr.Textbox(placeholder="Search titles, summaries, countries, topics…",
                                   show_label=False, scale=3, elem_id="library-search")
                doc_type = gr.Dropdown([ANY, *DOC_TYPE_LABELS], value=ANY, label="Type",
                                       scale=1, elem_id="library-type")
                topic = gr.Dropdown(choices["topics"], value=ANY, label="Topic", scale=1,
                                    elem_id="library-topic")
                region = gr.Dropdown([ANY, *choices["region_names"]], value=ANY, label="Region",
                                     scale=1, elem_id="library-region")
            count = gr.Markdown(f"{len(items)} documents", elem_id="library-count")
            grid = gr.Dataframe(table(items), interactive=False, wrap=True, max_height=420,
                                elem_id="library-table")
            picker = gr.Dropdown([(e.title, e.doc_id) for e in items], label="Open a document",
                                 elem_id="library-open")
        with gr.Column(scale=2, min_width=300):
            reader = gr.Markdown("Choose a document to read it here.", elem_id="library-reader",
                                 sanitize_html=True)
    with gr.Accordion("Coverage: case studies by region, sector and topic", open=True):
        frames = coverage_frames(items)
        with gr.Row():
            plots = [gr.BarPlot(frames[name], x=name.title(), y="Case studies", title=f"By {name}",
                                sort="-y", height=320, elem_id=f"coverage-{name}")
                     for name in ("region", "sector", "topic")]

    shown = gr.State([e.doc_id for e in items])

    def refresh(text, doc_type, topic, region):
        found = library.search(library.entries(assistant.index), text,
                               None if doc_type == ANY else doc_type,
                               None if topic == ANY else topic, None,
                               None if region == ANY else region)
        return (table(found), f"{len(found)} documents", [e.doc_id for e in found],
                gr.update(choices=[(e.title, e.doc_id) for e in found]))

    def pick(ids: list[str], evt: gr.SelectData):
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return ids[row] if 0 <= row < len(ids) else None

    for control in (query, doc_type, topic, region):
        event = control.submit if control is query else control.change
        event(refresh, [query, doc_type, topic, region], [grid, count, shown, picker],
              api_visibility="private")
    grid.select(pick, shown, picker, api_visibility="private")

    def reload(text, doc_type, topic, region):
        """Everything the tab shows, re-read from the index (documents ingested meanwhile)."""
        frames = coverage_frames(library.entries(assistant.index))
        return (*refresh(text, doc_type, topic, region),
                *[frames[name] for name in ("region", "sector", "topic")])

    gr.on(page_events(), reload, [query, doc_type, topic, region],
          [grid, count, shown, picker, *plots], api_visibility="private")
    picker.change(lambda doc_id: document_markdown(assistant, doc_id), picker, reader,
                  api_visibility="private")
