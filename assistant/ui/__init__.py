"""The browser app (Gradio): Ask, Library and Workshop for everyone; Admin for administrators.

Which tabs a login sees is decided on the server when the page loads (from `gr.Request`); the
admin handlers check the caller again themselves (see admin.py)."""

from __future__ import annotations

import gradio as gr

from ..auth import Accounts
from ..chunking import region_slug
from ..feedback import FeedbackStore
from ..prompts import DOC_TYPE_LABELS
from ..regions import REGIONS, country_name
from ..service import Assistant, vocabulary
from ..uploads import UploadRunner
from .admin import build_admin_tab, caller
from .chat import ANY, ask_json, build_chat_tab, chat_turn, filters_from, sources_html
from .library import build_library_tab
from .workshop import build_workshop_tab

__all__ = ["ANY", "CSS", "ask_json", "build_ui", "chat_turn", "filters_from", "sources_html"]

CSS = """
.gradio-container { max-width: 1400px !important; }
#chat .message, .sources, #library-reader { font-size: 1.05rem; line-height: 1.5; }
.sources details { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 6px 10px; margin-bottom: 8px; }
.sources summary { cursor: pointer; font-weight: 600; font-size: 1rem; line-height: 1.4; }
.sources .meta { color: var(--body-text-color-subdued); font-size: 0.9em; }
.sources blockquote { white-space: pre-wrap; margin: 6px 0 0 0; }
@media (max-width: 700px) { #chat { height: 60vh !important; } }
"""


def filter_choices(assistant: Assistant) -> dict:
    documents = list(assistant.index.documents().values())

    def values(field: str) -> list[str]:
        return sorted({v for d in documents for v in (d.get(field) or "").split(", ") if v})

    topics = values("topics")
    vocab = vocabulary(assistant.settings)
    if not topics and vocab:
        topics = sorted(vocab.topics)
    regions = values("regions") or REGIONS
    return {
        "types": [ANY, *DOC_TYPE_LABELS],
        "topics": [ANY, *topics],
        "countries": [(ANY, ANY)] + [(f"{country_name(c)} ({c})", c) for c in values("countries")],
        "regions": [(ANY, ANY)] + [(r, region_slug(r)) for r in regions],
        "region_names": regions,
        "sectors": [ANY, *values("sectors")],
    }


def build_ui(assistant: Assistant, accounts: Accounts | None = None,
             admin_tab: bool | None = None) -> gr.Blocks:
    """The page. `admin_tab` (default: when there are logins) adds the Admin tab, hidden until
    an administrator's page loads; pass False for a readers-only page."""
    settings = assistant.settings
    accounts = accounts or Accounts(settings)
    admin_tab = accounts.enabled if admin_tab is None else admin_tab
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3", settings.feedback_names)
    choices = filter_choices(assistant)
    with gr.Blocks(title="Partnership Design Assistant") as demo:
        gr.Markdown("## Partnership Design Assistant\nAnswers on designing long-term bilateral "
                    "economic partnerships, drawn from a curated library of guidance and real "
                    "case studies. Every sentence cites the passage it comes from.")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask-tab"):
                build_chat_tab(assistant, store, choices)
            with gr.Tab("Library", id="library-tab"):
                build_library_tab(assistant, choices)
            with gr.Tab("Workshop", id="workshop-tab"):
                build_workshop_tab(assistant, choices)
            if admin_tab:
                runner = UploadRunner(settings, lambda paths: assistant.ingest(
                    paths, wait=True, progress=False))
                with gr.Tab("Admin", id="admin-tab", visible=False) as admin:
                    table, feedback = build_admin_tab(runner, accounts, store)

                def show_admin(request: gr.Request):
                    allowed = accounts.is_admin(caller(request))
                    return (gr.Tab(visible=allowed),
                            feedback(request) if allowed else gr.skip())

                demo.load(show_admin, None, [admin, table], api_visibility="private")
    return demo
