"""The Admin tab: upload documents into the index, read feedback. Administrators only.

The tab is hidden from readers, but hiding is not the guard: every handler here asks who is
calling (the login behind `gr.Request`) and refuses anyone who is not an administrator, because
any logged-in page can call any event by its id through Gradio's queue API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pandas as pd

from ..auth import NOT_ADMIN, Accounts
from ..feedback import FeedbackStore
from ..uploads import UploadRunner

FEEDBACK_COLUMNS = ["When", "Rating", "Question", "Comment"]


def caller(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def upload(runner: UploadRunner, accounts: Accounts, files: list | None,
           request: gr.Request | None) -> Iterator[str]:
    """Check the caller, queue the files for ingest, and report progress until it is done."""
    user = caller(request)
    names = [str(f if isinstance(f, str) else getattr(f, "name", f)) for f in files or []]
    if not accounts.is_admin(user):
        runner.refuse(user, names, "not an administrator")
        yield NOT_ADMIN
        return
    if not files:
        yield "Choose one or more files first."
        return
    job = runner.submit(user, [Path(name) for name in names])
    while not job.done.wait(0.5):
        yield job.progress()
    yield runner.report(job)


def feedback_table(store: FeedbackStore, accounts: Accounts,
                   request: gr.Request | None) -> pd.DataFrame:
    if not accounts.is_admin(caller(request)):
        return pd.DataFrame([[None, None, NOT_ADMIN, None]], columns=FEEDBACK_COLUMNS)
    rows = store.recent(200)
    columns = FEEDBACK_COLUMNS + (["User"] if store.keep_names else [])
    return pd.DataFrame([[r["created"], "helpful" if r["rating"] > 0 else "not helpful",
                          r["question"], r["comment"] or ""]
                         + ([r.get("user") or ""] if store.keep_names else []) for r in rows],
                        columns=columns)


def build_admin_tab(runner: UploadRunner, accounts: Accounts, store: FeedbackStore):
    """Build the tab's content; returns the feedback table, which the page fills for admins."""
    limit = runner.settings.max_upload_mb
    gr.Markdown("Upload Markdown, text, PDF, DOCX, HTML or ToTA XML files (up to "
                f"{limit:g} MB each). They go through the same checks as `ingest.py`; bad "
                "files are reported and nothing indexed is lost. Every upload is recorded in "
                "`uploads.log` in the data folder.")
    files = gr.File(file_count="multiple", label="Documents", elem_id="admin-files")
    go = gr.Button("Ingest", variant="primary", elem_id="admin-ingest")
    report = gr.Markdown(elem_id="admin-report")

    def ingest(files, request: gr.Request):
        yield from upload(runner, accounts, files, request)

    def feedback(request: gr.Request):
        return feedback_table(store, accounts, request)

    # Uploads have their own queue slot, so a long ingest never holds up chat answers.
    go.click(ingest, files, report, api_visibility="private", concurrency_limit=2,
             concurrency_id="admin-upload")
    gr.Markdown("### Feedback")
    refresh = gr.Button("Refresh", size="sm", elem_id="admin-refresh")
    # Empty until an administrator's page asks for it: the page's config is public.
    table = gr.Dataframe(pd.DataFrame(columns=FEEDBACK_COLUMNS), interactive=False, wrap=True,
                         elem_id="admin-feedback")
    refresh.click(feedback, None, table, api_visibility="private")
    return table, feedback
