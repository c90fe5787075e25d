"""The Workshop tab: grounded, cited material for trainers, exportable as Markdown or DOCX."""

from __future__ import annotations

import logging

import gradio as gr
from gradio.context import Context

from .. import library
from ..escaping import markdown_text
from ..export import write_export
from ..service import Assistant
from ..validation import RequestError, check_case_ids, check_filters, known_for
from ..workshop import PART_TITLES, PARTS, WorkshopError, build_workshop

log = logging.getLogger(__name__)
ANY = "Any"


def workshop_json(assistant: Assistant, topic: str = "", case_ids: list[str] | None = None) -> dict:
    """The /workshop endpoint: the topic must be one of the vocabulary's, case ids strings."""
    try:
        chosen = check_filters({"topic": topic}, known_for(assistant)).get("topic")
        return build_workshop(assistant, chosen, check_case_ids(case_ids)).to_json()
    except (WorkshopError, RequestError) as exc:
        return {"error": str(exc)}


def case_choices(assistant: Assistant) -> list[tuple[str, str]]:
    """The case studies in the index now: read on every tab visit, so that documents
    ingested while the app runs appear without a restart."""
    return [(e.title, e.doc_id) for e in library.entries(assistant.index)
            if e.doc_type == "case-study"]


def build_workshop_tab(assistant: Assistant, choices: dict) -> None:
    gr.Markdown("Pick a topic, one or more case studies, or both. Everything generated quotes "
                "the knowledge base and cites it, so participants can check every line.")
    with gr.Row():
        topic = gr.Dropdown(choices["topics"], value=ANY, label="Topic", elem_id="workshop-topic")
        picked = gr.Dropdown(case_choices(assistant), multiselect=True,
                             label="Case studies", elem_id="workshop-cases", max_choices=3)
        go = gr.Button("Generate workshop material", variant="primary", elem_id="workshop-go")
    status = gr.Markdown(elem_id="workshop-status")
    outputs = {}
    with gr.Tabs():
        for part in PARTS:
            with gr.Tab(PART_TITLES[part]):
                outputs[part] = gr.Markdown(elem_id=f"workshop-{part.replace('_', '-')}")
    with gr.Row():
        export_md = gr.Button("Export pack as Markdown", size="sm", elem_id="workshop-export-md")
        export_docx = gr.Button("Export pack as DOCX", size="sm", elem_id="workshop-export-docx")
    download = gr.File(label="Download", interactive=False, elem_id="workshop-download",
                       visible=False)
    pack_state = gr.State(None)

    def generate(topic_value, case_ids):
        try:
            pack = build_workshop(assistant, None if topic_value == ANY else topic_value, case_ids)
        except WorkshopError as exc:
            return (str(exc), *[""] * len(PARTS), None)
        except Exception:
            log.exception("workshop generation failed")
            return ("Sorry, the material could not be generated. Please try again.",
                    *[""] * len(PARTS), None)
        rendered = []
        for part in PARTS:  # the pack's Markdown escapes every document-derived string
            cited = {c.n for c in pack.citations if f"[{c.n}]" in pack.parts[part]}
            sources = pack.sources_markdown(cited, with_files=False)
            rendered.append(pack.parts[part] + (f"\n\n**Sources**\n\n{sources}" if sources else ""))
        return (f"**{markdown_text(pack.title)}**: {len(pack.citations)} passages cited.",
                *rendered, pack.markdown())

    def export(markdown: str | None, kind: str):
        if not markdown:
            gr.Warning("Generate the material first.")
            return gr.update(value=None, visible=False)
        return gr.update(value=str(write_export(markdown, "workshop-pack", kind)), visible=True)

    go.click(generate, [topic, picked], [status, *outputs.values(), pack_state],
             api_visibility="private")
    export_md.click(lambda m: export(m, "md"), pack_state, download, api_visibility="private")
    export_docx.click(lambda m: export(m, "docx"), pack_state, download,
                      api_visibility="private")

    def workshop_api(topic: str = "", case_ids: list[str] | None = None) -> dict:
        """Workshop pack (discussion, role_play, quiz, handout, citations) for a topic and/or
        case study ids such as 'case-studies/eu-japan-epa'."""
        return workshop_json(assistant, topic, case_ids)

    gr.api(workshop_api, api_name="workshop")

    def refresh_cases(current):
        choices = case_choices(assistant)
        known = {doc_id for _, doc_id in choices}
        return gr.update(choices=choices, value=[c for c in current or [] if c in known])

    # Documents ingested while the app runs: the picker re-reads the index when the page loads
    # and whenever the tab is opened.
    gr.on(page_events(), refresh_cases, picked, picked, api_visibility="private")


def page_events() -> list:
    """The page's load event and the enclosing tab's select event, for the tab being built."""
    tab, root = Context.block, Context.root_block
    return ([tab.select] if isinstance(tab, gr.Tab) else []) + ([root.load] if root else [])
