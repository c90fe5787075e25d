"""The Admin tab (only with ASSISTANT_AUTH): upload documents into the index, read feedback."""

from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr
import pandas as pd

from ..feedback import FeedbackStore
from ..service import Assistant


def upload(assistant: Assistant, files: list | None) -> str:
    """Copy uploads into the data dir and run them through the same pipeline as ingest.py."""
    if not files:
        return "Choose one or more files first."
    folder = assistant.settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for item in files:
        source = Path(item if isinstance(item, str) else item.name)
        target = folder / source.name
        shutil.copyfile(source, target)
        saved.append(target)
    # Through the assistant: this app then answers from the new search index at once.
    report = assistant.ingest(saved, wait=True)
    lines = [f"Added {report.added}, updated {report.updated}, unchanged {report.unchanged}; "
             f"{report.chunks} passages indexed."]
    lines += [f"- Could not ingest **{Path(f['path']).name}**: {f['error']}" for f in report.failed]
    return "\n".join(lines)


def feedback_table(store: FeedbackStore) -> pd.DataFrame:
    rows = store.recent(200)
    return pd.DataFrame([[r["created"], "helpful" if r["rating"] > 0 else "not helpful", r["question"],
                          r["comment"] or ""] for r in rows],
                        columns=["When", "Rating", "Question", "Comment"])


def build_admin_tab(assistant: Assistant, store: FeedbackStore) -> None:
    gr.Markdown("Upload Markdown, text, PDF, DOCX, HTML or ToTA XML files. They go through the "
                "same checks as `ingest.py`; bad files are reported and nothing indexed is lost.")
    files = gr.File(file_count="multiple", label="Documents", elem_id="admin-files")
    go = gr.Button("Ingest", variant="primary", elem_id="admin-ingest")
    report = gr.Markdown(elem_id="admin-report")
    go.click(lambda f: upload(assistant, f), files, report, api_visibility="private")
    gr.Markdown("### Feedback")
    refresh = gr.Button("Refresh", size="sm")
    table = gr.Dataframe(feedback_table(store), interactive=False, wrap=True,
                         elem_id="admin-feedback")
    refresh.click(lambda: feedback_table(store), None, table, api_visibility="private")
