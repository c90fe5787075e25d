"""The chat page (Gradio): streamed cited answers, a sources panel, filters and an /ask API."""

from __future__ import annotations

import html
import logging
import re

import gradio as gr

from .answering import Answer
from .prompts import DOC_TYPE_LABELS, EXAMPLE_QUESTIONS
from .service import Assistant, QuestionError

log = logging.getLogger(__name__)

CSS = """
.sources details { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 6px 10px; margin-bottom: 8px; }
.sources summary { cursor: pointer; font-weight: 600; }
.sources .meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.sources blockquote { white-space: pre-wrap; margin: 6px 0 0 0; }
"""
ANY = "Any"


def country_name(code: str) -> str:
    if code == "EUR":
        return "European Union"
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


def sources_html(answer: Answer | None) -> str:
    """Each cited passage, escaped so that markup inside a document is shown, never run."""
    if answer is None or not answer.citations:
        return "<div class='sources'><p>Cited passages appear here.</p></div>"
    parts = ["<div class='sources'>"]
    if answer.standalone_question and answer.standalone_question != answer.question:
        parts.append(f"<p class='standalone'>Searched as: <em>"
                     f"{html.escape(answer.standalone_question)}</em></p>")
    for c in answer.citations:
        section = f" › {html.escape(c.section)}" if c.section else ""
        page = f", page {c.page}" if c.page else ""
        parts.append(
            f"<details id='source-{c.n}' {'open' if c.n == 1 else ''}>"
            f"<summary>[{c.n}] {html.escape(c.title)}{section}</summary>"
            f"<div class='meta'>{html.escape(DOC_TYPE_LABELS.get(c.doc_type, c.doc_type))} · "
            f"{html.escape(c.source)}{page} · relevance {c.score:.2f}</div>"
            f"<blockquote>{html.escape(c.text)}</blockquote></details>")
    parts.append("</div>")
    return "".join(parts)


def references_markdown(answer: Answer) -> str:
    lines = [f"[{c.n}] {c.title}" + (f" › {c.section}" if c.section else "")
             for c in answer.citations]
    return "\n\n**Sources**  \n" + "  \n".join(_escape_md(line) for line in lines) if lines else ""


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_<>#])", r"\\\1", text)


def filters_from(doc_type: str | None, topic: str | None, country: str | None) -> dict:
    """Dropdown values to retrieval filters; "Any" and blanks mean no filter."""
    chosen = {"doc_type": doc_type, "topic": topic, "country": country}
    return {k: v for k, v in chosen.items() if v not in (ANY, "", None)}


def chat_turn(assistant: Assistant, message: str, history: list, asked: list[str],
              doc_type: str = ANY, topic: str = ANY, country: str = ANY):
    """One chat turn. `asked` holds this session's earlier standalone questions, so follow-ups
    keep their context. Yields (conversation, sources panel, cleared textbox, asked)."""
    history = list(history or [])
    asked = list(asked or [])
    history.append({"role": "user", "content": message})
    try:
        answer = None
        for text, answer in assistant.stream(message, history=asked,
                                             filters=filters_from(doc_type, topic, country)):
            yield (history + [{"role": "assistant", "content": text}], sources_html(answer), "",
                   asked)
        asked.append(answer.standalone_question)
        history.append({"role": "assistant",
                        "content": answer.answer + references_markdown(answer)})
        yield history, sources_html(answer), "", asked
    except QuestionError as exc:
        history.append({"role": "assistant", "content": str(exc)})
        yield history, sources_html(None), "", asked
    except Exception:  # a user sees a plain message; the trace goes to the log
        log.exception("answering failed")
        history.append({"role": "assistant",
                        "content": "Sorry, something went wrong while answering. "
                                   "Please try again."})
        yield history, sources_html(None), "", asked


def ask_json(assistant: Assistant, question: str, doc_type: str = "", topic: str = "",
             country: str = "", k: int = 0, history: list[str] | None = None) -> dict:
    try:
        answer = assistant.ask(question, k=k or None, history=history,
                               filters=filters_from(doc_type, topic, country))
    except QuestionError as exc:
        return {"question": question, "error": str(exc)}
    return answer.to_json()


def build_ui(assistant: Assistant) -> gr.Blocks:
    documents = assistant.index.documents().values()
    countries = sorted({c for d in documents for c in (d.get("countries") or "").split(", ") if c})
    vocab = assistant.settings.knowledge_dir / "README.md"
    topics = sorted({t for d in documents for t in (d.get("topics") or "").split(", ") if t})
    if not topics and vocab.exists():
        from .service import vocabulary

        topics = sorted(vocabulary(assistant.settings).topics)

    def respond(message: str, history: list, asked: list, doc_type: str, topic: str,
                country: str):
        yield from chat_turn(assistant, message, history, asked, doc_type, topic, country)

    def ask_api(question: str, doc_type: str = "", topic: str = "", country: str = "",
                k: int = 0, history: list[str] | None = None) -> dict:
        """Answer one question; returns the same JSON as `python -m assistant ask --json`.
        `history`: earlier standalone questions of the conversation, oldest first."""
        return ask_json(assistant, question, doc_type, topic, country, k, history)

    with gr.Blocks(title="Partnership Design Assistant") as demo:
        gr.Markdown("## Partnership Design Assistant\nAnswers on designing long-term bilateral "
                    "economic partnerships, drawn from a curated library of guidance and real "
                    "case studies. Every sentence cites the passage it comes from.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat",
                                  buttons=["copy"], feedback_options=None)
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask about capacity building, governance, "
                                     "financing, trust, metrics, or a case study…",
                                     show_label=False, scale=5, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                gr.Examples(EXAMPLE_QUESTIONS, inputs=box, label="Example questions")
                clear = gr.Button("New conversation", size="sm")
            with gr.Column(scale=2):
                with gr.Accordion("Filters", open=False):
                    doc_type = gr.Dropdown([ANY, *DOC_TYPE_LABELS], value=ANY,
                                           label="Document type", elem_id="filter-type")
                    topic = gr.Dropdown([ANY, *topics], value=ANY, label="Topic",
                                        elem_id="filter-topic")
                    country = gr.Dropdown([(ANY, ANY)] + [(f"{country_name(c)} ({c})", c)
                                                          for c in countries],
                                          value=ANY, label="Country", elem_id="filter-country")
                gr.Markdown("### Sources")
                sources = gr.HTML(sources_html(None), elem_id="sources")

        asked = gr.State([])  # per-session standalone questions, for follow-ups
        inputs = [box, chat, asked, doc_type, topic, country]
        outputs = [chat, sources, box, asked]
        box.submit(respond, inputs, outputs, api_visibility="private")
        send.click(respond, inputs, outputs, api_visibility="private")
        clear.click(lambda: ([], sources_html(None), "", []), None, outputs,
                    api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return demo
