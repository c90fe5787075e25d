"""Serve the page: one Gradio app (optionally behind a login), or, with ASSISTANT_OPEN_READING,
an open readers' app at / and an administrators' app behind a login at /admin."""

from __future__ import annotations

import logging

import gradio as gr
from starlette.middleware import Middleware

from ..auth import Accounts, ClientAddressMiddleware
from ..service import Assistant
from . import CSS, build_ui

log = logging.getLogger(__name__)


def _queued(demo: gr.Blocks, assistant: Assistant) -> gr.Blocks:
    # One shared assistant (models, index); chat state is per browser session. Answers take
    # tens of milliseconds, so a few workers serve a workshop of 30 without long queues.
    return demo.queue(default_concurrency_limit=assistant.settings.concurrency, max_size=256)


def serve(assistant: Assistant, host: str, port: int) -> None:
    settings = assistant.settings
    accounts = Accounts(settings)
    if accounts.enabled and not accounts.admins:
        log.warning("ASSISTANT_AUTH is set but ASSISTANT_ADMINS names none of its users: "
                    "every login is a reader and nobody can upload")
    common = {"css": CSS, "show_error": False,
              # Gradio refuses larger files at its upload endpoint, before they reach a handler.
              "max_file_size": int(settings.max_upload_mb * 1024 * 1024)}
    middleware = {"middleware": [Middleware(ClientAddressMiddleware)]}
    if not (accounts.enabled and settings.open_reading):
        demo = _queued(build_ui(assistant, accounts), assistant)
        demo.launch(server_name=host, server_port=port, app_kwargs=middleware,
                    auth=accounts.login if accounts.enabled else None, **common)
        return

    # Gradio's login guards a whole app, so open reading with admin logins is two apps on one
    # server: each has its own login state, and the open one has no admin handlers at all.
    import uvicorn
    from fastapi import FastAPI

    async def admin_login(username: str, password: str) -> bool:
        return await accounts.login(username, password, admins_only=True)

    app = FastAPI(**middleware)
    admin = _queued(build_ui(assistant, accounts, admin_tab=True), assistant)
    app = gr.mount_gradio_app(app, admin, path="/admin", auth=admin_login,
                              server_name=host, server_port=port, **common)
    readers = _queued(build_ui(assistant, accounts, admin_tab=False), assistant)
    app = gr.mount_gradio_app(app, readers, path="/", server_name=host, server_port=port,
                              **common)
    print(f"* Running on http://{host}:{port} (administrators: /admin)", flush=True)
    # Open event streams would otherwise hold a stop (SIGTERM) for as long as they stay open.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
