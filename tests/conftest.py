"""Shared fixtures: real embedding model, real Chroma in temp folders, never ./data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.embeddings import SentenceEmbeddings
from assistant.service import Assistant, build_assistant

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test gets its own data dir, so nothing ever touches ./data."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ASSISTANT_CHROMA_HOST", raising=False)


@pytest.fixture(scope="session")
def embeddings() -> SentenceEmbeddings:
    """The real all-MiniLM-L6-v2 from its package, loaded once per test run."""
    return SentenceEmbeddings()


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("kb-data"), knowledge_dir=KNOWLEDGE)


@pytest.fixture(scope="session")
def kb(kb_settings, embeddings) -> Assistant:
    """An assistant over the real knowledge/ folder, ingested once for the session."""
    assistant = build_assistant(kb_settings, embeddings)
    report = assistant.ingest(progress=False)
    assert report.ok, report.failed
    return assistant


@pytest.fixture
def make_assistant(tmp_path, embeddings):
    """An assistant over a knowledge folder the test writes itself."""

    def make(knowledge_dir: Path, **overrides) -> Assistant:
        settings = Settings(data_dir=tmp_path / "own-data", knowledge_dir=knowledge_dir,
                            **overrides)
        return build_assistant(settings, embeddings)

    return make


def subprocess_env(data_dir: Path) -> dict:
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(data_dir))
    env.pop("ASSISTANT_CHROMA_HOST", None)
    return env
