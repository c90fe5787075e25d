"""Chat models for generative answers, chosen by `ASSISTANT_ANSWER_BACKEND`: one factory each."""

from __future__ import annotations

import os

from langchain_core.language_models import BaseChatModel

from .config import Settings


class BackendUnavailable(RuntimeError):
    """The configured backend cannot be used; the message says what to install or check."""


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """None for the extractive default; otherwise a LangChain chat model."""
    backend = settings.answer_backend
    if backend == "extractive":
        return None
    if backend == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise BackendUnavailable("the ollama backend needs: pip install -e '.[ollama]'") from exc
        return ChatOllama(base_url=settings.llm_base_url or "http://127.0.0.1:11434",
                          model=settings.llm_model or "llama3.2", temperature=0,
                          client_kwargs={"timeout": settings.llm_timeout})
    if backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise BackendUnavailable("the openai backend needs: pip install -e '.[openai]'") from exc
        key = (settings.llm_api_key.get_secret_value() if settings.llm_api_key
               else os.environ.get("OPENAI_API_KEY", "not-needed"))
        return ChatOpenAI(base_url=settings.llm_base_url, api_key=key,
                          model=settings.llm_model or "gpt-4o-mini", temperature=0,
                          timeout=settings.llm_timeout, max_retries=0)
    raise BackendUnavailable(f"unknown answer backend {backend!r}")
