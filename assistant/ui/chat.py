"""The Ask tab: streamed cited answers, the sources panel, filters, feedback and export."""

from __future__ import annotations

import html
import logging
import re

import gradio as gr

from ..agreements import treaty_panel_html
from ..answer import Answer
from ..export import conversation_markdown, write_export
from ..feedback import FeedbackStore
from ..prompts import DOC_TYPE_LABELS, EXAMPLE_QUESTIONS
from ..service import Assistant, QuestionError

log = logging.getLogger(__name__)
ANY = "Any"
SORRY = "Sorry, something went wrong while answering. Please try again."


def sources_html(answer: Answer | None) -> str:
    """Each cited passage in its document's context, escaped: markup in a document never runs."""
    if answer is None or not answer.citations:
        return "<div class='sources'><p>Cited passages appear here.</p></div>"
    parts = ["<div class='sources'>"]
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(f"<p class='standalone'>Searched as: <em>"
                     f"{html.escape(answer.standalone_question)}</em></p>")
    for c in answer.citations:
        section = f" › {html.escape(c.section)}" if c.section else ""
        page = f" · page {c.page}" if c.page else ""
        parts.append(
            f"<details class='source' id='source-{c.n}' {'open' if c.n == 1 else ''}>"
            f"<summary>[{c.n}] {html.escape(c.title)}{section}</summary>"
            f"<div class='meta'>{html.escape(DOC_TYPE_LABELS.get(c.doc_type, c.doc_type))} · "
            f"{html.escape(c.source)}{page} · relevance {c.score:.2f}</div>{treaty_panel_html(c)}"
            f"<blockquote>{html.escape(c.text)}</blockquote></details>")
    parts.append("</div>")
    return "".join(parts)


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_<>#\[\]])", r"\\\1", text)


def references_markdown(answer: Answer) -> str:
    lines = [f"\\[{c.n}\\] {_escape_md(c.title)}" + (f" › {_escape_md(c.section)}" if c.section else "")
             for c in answer.citations]
    return "\n\n**Sources**  \n" + "  \n".join(lines) if lines else ""


def answer_markdown(text: str) -> str:
    """Answer text for the chat bubble: document-derived text, so no raw HTML gets through."""
    return text.replace("<", "&lt;")


def filters_from(doc_type=None, topic=None, country=None, region=None, sector=None) -> dict:
    """Dropdown values to retrieval filters; "Any" and blanks mean no filter."""
    chosen = {"doc_type": doc_type, "topic": topic, "country": country, "region": region,
              "sector": sector}
    return {k: v for k, v in chosen.items() if v not in (ANY, "", None)}


def chat_turn(assistant: Assistant, message: str, history: list, turns: list[dict],
              doc_type=ANY, topic=ANY, country=ANY, region=ANY, sector=ANY):
    """One chat turn. `turns` holds this session's answers (JSON), so follow-ups keep their
    context and the conversation can be exported. Yields (conversation, sources, box, turns)."""
    history = list(history or [])
    turns = list(turns or [])
    history.append({"role": "user", "content": message})
    asked = [t["standalone_question"] for t in turns if not t.get("refused")]
    try:
        answer = None
        for text, answer in assistant.stream(message, history=asked, filters=filters_from(
                doc_type, topic, country, region, sector)):
            if answer is None:
                yield (history + [{"role": "assistant", "content": answer_markdown(text)}],
                       gr.skip(), "", turns)
        turns.append(answer.to_json())
        history.append({"role": "assistant",
                        "content": answer_markdown(answer.text) + references_markdown(answer)})
        yield history, sources_html(answer), "", turns
    except QuestionError as exc:
        history.append({"role": "assistant", "content": str(exc)})
        yield history, sources_html(None), "", turns
    except Exception:  # a user sees a plain message; the trace goes to the log
        log.exception("answering failed")
        history.append({"role": "assistant", "content": SORRY})
        yield history, sources_html(None), "", turns


def ask_json(assistant: Assistant, question: str, doc_type: str = "", topic: str = "",
             country: str = "", k: int = 0, history: list[str] | None = None,
             region: str = "", sector: str = "") -> dict:
    try:
        answer = assistant.ask(question, k=k or None, history=history,
                               filters=filters_from(doc_type, topic, country, region, sector))
    except QuestionError as exc:
        return {"question": question, "error": str(exc)}
    return answer.to_json()


def export_files(turns: list[dict], kind: str):
    """The conversation as a file to download (the download box shows only once there is one)."""
    if not turns:
        gr.Warning("Ask a question first; there is nothing to export yet.")
        return gr.update(value=None, visible=False)
    path = write_export(conversation_markdown(turns), "partnership-brief", kind)
    return gr.update(value=str(path), visible=True)


def save_feedback(store: FeedbackStore, turns: list[dict], rating: int, comment: str):
    if not turns:
        return "Ask a question first, then rate its answer.", comment
    store.record(turns[-1], rating, comment or "")
    return "Thank you: your feedback on the last answer was saved.", ""


def build_chat_tab(assistant: Assistant, store: FeedbackStore, choices: dict) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat",
                              buttons=["copy"], feedback_options=None,
                              sanitize_html=True)
            with gr.Row():
                box = gr.Textbox(placeholder="Ask about capacity building, governance, "
                                 "financing, trust, metrics, or a case study…",
                                 show_label=False, scale=5, elem_id="question", max_lines=4)
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask", min_width=80)
            gr.Examples(EXAMPLE_QUESTIONS, inputs=box, label="Example questions")
            with gr.Row():
                up = gr.Button("Helpful", size="sm", elem_id="thumbs-up")
                down = gr.Button("Not helpful", size="sm", elem_id="thumbs-down")
                comment = gr.Textbox(placeholder="Optional comment on the last answer",
                                     show_label=False, scale=3, elem_id="feedback-comment")
            thanks = gr.Markdown(elem_id="feedback-status")
            with gr.Row():
                export_md = gr.Button("Export as Markdown", size="sm", elem_id="export-md")
                export_docx = gr.Button("Export as DOCX brief", size="sm", elem_id="export-docx")
                clear = gr.Button("New conversation", size="sm", elem_id="new-conversation")
            download = gr.File(label="Download", elem_id="download", interactive=False,
                               visible=False)
        with gr.Column(scale=2, min_width=300):
            with gr.Accordion("Filters", open=False, elem_id="filters"):
                doc_type = gr.Dropdown([ANY, *DOC_TYPE_LABELS], value=ANY,
                                       label="Document type", elem_id="filter-type")
                topic = gr.Dropdown(choices["topics"], value=ANY, label="Topic",
                                    elem_id="filter-topic")
                region = gr.Dropdown(choices["regions"], value=ANY, label="Region",
                                     elem_id="filter-region")
                country = gr.Dropdown(choices["countries"], value=ANY, label="Country",
                                      elem_id="filter-country")
                sector = gr.Dropdown(choices["sectors"], value=ANY, label="Sector",
                                     elem_id="filter-sector")
            gr.Markdown("### Sources")
            sources = gr.HTML(sources_html(None), elem_id="sources")

    turns = gr.State([])  # per session: this conversation's answers

    def respond(message, history, turns, doc_type, topic, country, region, sector):
        yield from chat_turn(assistant, message, history, turns, doc_type, topic, country,
                             region, sector)

    inputs = [box, chat, turns, doc_type, topic, country, region, sector]
    outputs = [chat, sources, box, turns]
    box.submit(respond, inputs, outputs, api_visibility="private")
    send.click(respond, inputs, outputs, api_visibility="private")
    clear.click(lambda: ([], sources_html(None), "", [], gr.update(value=None, visible=False)),
                None, outputs + [download],
                api_visibility="private")
    up.click(lambda t, c: save_feedback(store, t, 1, c), [turns, comment], [thanks, comment],
             api_visibility="private")
    down.click(lambda t, c: save_feedback(store, t, -1, c), [turns, comment], [thanks, comment],
               api_visibility="private")
    export_md.click(lambda t: export_files(t, "md"), turns, download, api_visibility="private")
    export_docx.click(lambda t: export_files(t, "docx"), turns, download,
                      api_visibility="private")

    def ask_api(question: str, doc_type: str = "", topic: str = "", country: str = "",
                k: int = 0, history: list[str] | None = None, region: str = "",
                sector: str = "") -> dict:
        """Answer one question; returns the same JSON as `python -m assistant ask --json`.
        `history`: earlier standalone questions of the conversation, oldest first."""
        return ask_json(assistant, question, doc_type, topic, country, k, history, region,
                        sector)

    gr.api(ask_api, api_name="ask")
