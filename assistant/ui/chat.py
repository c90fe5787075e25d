"""The Ask tab: streamed cited answers, the sources panel, filters, feedback and export."""

from __future__ import annotations

import logging

import gradio as gr

from ..agreements import treaty_panel_html
from ..answer import Answer
from ..briefing import write_briefing_note
from ..escaping import html_text, markdown_text
from ..export import conversation_markdown, write_export
from ..feedback import FeedbackStore
from ..prompts import DOC_TYPE_LABELS, EXAMPLE_QUESTIONS
from ..service import Assistant, QuestionError
from ..sources import is_web_url
from ..validation import RequestError, check_filters, check_history, check_k, check_text, known_for

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
                     f"{html_text(answer.standalone_question)}</em></p>")
    for c in answer.citations:
        section = f" › {html_text(c.section)}" if c.section else ""
        page = f" · page {c.page}" if c.page else ""
        parts.append(
            f"<details class='source' id='source-{c.n}' {'open' if c.n == 1 else ''}>"
            f"<summary>[{c.n}] {html_text(c.title)}{section}</summary>"
            f"<div class='meta'>{html_text(DOC_TYPE_LABELS.get(c.doc_type, c.doc_type))} · "
            f"{html_text(c.source)}{page} · relevance {c.score:.2f}</div>{treaty_panel_html(c)}"
            f"<blockquote>{html_text(c.text)}</blockquote>"
            f"{source_links_html(c.links)}</details>")
    parts.append("</div>")
    return "".join(parts)


def source_links_html(links: list[dict]) -> str:
    """The cited document's public sources as links that open in a new tab. Titles and
    addresses come from documents, so both are escaped and only http(s) links are kept."""
    items = [f"<li><a href=\"{html_text(link['url'])}\" target=\"_blank\" "
             f"rel=\"noopener noreferrer\">{html_text(link['title'])}</a>"
             + _date_note(link) + "</li>"
             for link in links or [] if link.get("title") and is_web_url(link.get("url"))]
    return f"<div class='links'>Public sources:<ul>{''.join(items)}</ul></div>" if items else ""


def _date_note(link: dict) -> str:
    # Most titles already carry their date; repeat it only when the title does not.
    date = str(link.get("date") or "")
    return f" ({html_text(date)})" if date and date[:4] not in link["title"] else ""


def references_markdown(answer: Answer) -> str:
    lines = [f"\\[{c.n}\\] {markdown_text(c.title)}"
             + (f" › {markdown_text(c.section)}" if c.section else "") for c in answer.citations]
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
              doc_type=ANY, topic=ANY, country=ANY, region=ANY, sector=ANY, detail=False):
    """One chat turn. `turns` holds this session's answers (JSON), so follow-ups keep their
    context and the conversation can be exported. Yields (conversation, sources, box, turns)."""
    history = list(history or [])
    turns = list(turns or [])
    history.append({"role": "user", "content": message})
    asked = [t["standalone_question"] for t in turns if not t.get("refused")]
    try:
        answer = None
        for text, answer in assistant.stream(message, history=asked, filters=filters_from(
                doc_type, topic, country, region, sector), detail=bool(detail)):
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
             region: str = "", sector: str = "", detail: bool = False) -> dict:
    """The /ask endpoint: every input is checked (validation.py) and a bad one gets a message."""
    try:
        check_text("question", question)
        filters = check_filters({"doc_type": doc_type, "topic": topic, "country": country,
                                 "region": region, "sector": sector}, known_for(assistant))
        answer = assistant.ask(
            question, k=check_k(k, assistant.settings.max_k), filters=filters,
            history=check_history(history, assistant.settings.max_question_chars),
            detail=bool(detail))
    except (QuestionError, RequestError) as exc:
        return {"question": question if isinstance(question, str) else None, "error": str(exc)}
    return answer.to_json()


def export_files(turns: list[dict], kind: str):
    """The conversation as a file to download (the download box shows only once there is one)."""
    if not turns:
        gr.Warning("Ask a question first; there is nothing to export yet.")
        return gr.update(value=None, visible=False)
    path = write_export(conversation_markdown(turns), "partnership-brief", kind)
    return gr.update(value=str(path), visible=True)


def briefing_file(turns: list[dict]):
    """The last answer as a one-page briefing note (DOCX, citations as footnotes)."""
    answered = [t for t in turns or [] if not t.get("refused")]
    if not answered:
        gr.Warning("Ask a question first; the briefing note is built from the last answer.")
        return gr.update(value=None, visible=False)
    return gr.update(value=str(write_briefing_note(answered[-1])), visible=True)


def save_feedback(store: FeedbackStore, turns: list[dict], rating: int, comment: str,
                  request: gr.Request | None = None):
    if not turns:
        return "Ask a question first, then rate its answer.", comment
    # The store drops the name unless ASSISTANT_FEEDBACK_NAMES is set.
    store.record(turns[-1], rating, comment or "", getattr(request, "username", None))
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
            with gr.Row():
                detail = gr.Checkbox(False, label="More detail (a longer answer)",
                                     elem_id="detail", scale=1)
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
                export_note = gr.Button("Briefing note (DOCX)", size="sm",
                                        elem_id="export-briefing")
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

    def respond(message, history, turns, doc_type, topic, country, region, sector, detail):
        yield from chat_turn(assistant, message, history, turns, doc_type, topic, country,
                             region, sector, detail)

    inputs = [box, chat, turns, doc_type, topic, country, region, sector, detail]
    outputs = [chat, sources, box, turns]
    box.submit(respond, inputs, outputs, api_visibility="private")
    send.click(respond, inputs, outputs, api_visibility="private")
    clear.click(lambda: ([], sources_html(None), "", [], gr.update(value=None, visible=False)),
                None, outputs + [download],
                api_visibility="private")
    def rate(rating: int):
        def handler(t, c, request: gr.Request):
            return save_feedback(store, t, rating, c, request)
        return handler

    up.click(rate(1), [turns, comment], [thanks, comment], api_visibility="private")
    down.click(rate(-1), [turns, comment], [thanks, comment], api_visibility="private")
    export_md.click(lambda t: export_files(t, "md"), turns, download, api_visibility="private")
    export_docx.click(lambda t: export_files(t, "docx"), turns, download,
                      api_visibility="private")
    export_note.click(briefing_file, turns, download, api_visibility="private")

    def ask_api(question: str, doc_type: str = "", topic: str = "", country: str = "",
                k: int = 0, history: list[str] | None = None, region: str = "",
                sector: str = "", detail: bool = False) -> dict:
        """Answer one question; returns the same JSON as `python -m assistant ask --json`.
        `history`: earlier standalone questions of the conversation, oldest first;
        `detail`: the longer answer."""
        return ask_json(assistant, question, doc_type, topic, country, k, history, region,
                        sector, detail)

    gr.api(ask_api, api_name="ask")
