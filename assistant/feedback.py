"""Thumbs up or down on answers, with an optional comment, kept in SQLite in the data dir.

Rows are anonymous unless the store is told to keep names (ASSISTANT_FEEDBACK_NAMES=true):
workshop participants rate answers without being identified."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    standalone_question TEXT,
    answer TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT,
    citations TEXT,
    user TEXT
)"""


class FeedbackStore:
    def __init__(self, path: Path, keep_names: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.keep_names = keep_names
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            if "user" not in columns:  # a store made before names could be kept
                db.execute("ALTER TABLE feedback ADD COLUMN user TEXT")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, answer: dict, rating: int, comment: str = "",
               user: str | None = None) -> int:
        """Store one rating; `user` is kept only when the store keeps names."""
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created, question, standalone_question, answer, rating, "
                "comment, citations, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), answer.get("question", ""),
                 answer.get("standalone_question"), answer.get("answer", ""), rating,
                 comment.strip() or None,
                 json.dumps([c.get("doc_id") for c in answer.get("citations", [])]),
                 user if self.keep_names else None))
            return int(cursor.lastrowid)

    def recent(self, limit: int = 100) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,))
            return [dict(r) for r in rows]
