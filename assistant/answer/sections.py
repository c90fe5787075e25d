"""Which section answers a question, learned from questions labelled with the section that
answers them (`knowledge/eval/train/sections.jsonl`, written by people who never saw the
composer or the evaluation sets).

The brief opens with a span from the best-fitting passage, and nearly all its supporting
points come from the same section, so choosing the section decides most of what the reader
sees. Words and vectors of the section itself cannot always tell "what did it cost" (Results)
from "how was it financed" (Financing) in one case study, or "set starting values" (Baselines
and targets) from a charter template's milestones. Questions people ask of each section can:

- `votes`: the labelled questions nearest the asker's vote for the guidance sections they were
  written for, weighted by similarity. A section no labelled question names gets no vote, so
  a document added later is ranked as before, on its own text.
- `kind`: case studies share their section names (Background, Financing, Governance, ...),
  and a question's vector is mostly its topic, so its nearest neighbours pick the case, not
  the section. A softmax regression over the case-study questions learns the *kind* of section
  asked for instead, whatever the case, so a case study added later gets the help too.

Embedding the 820 questions takes about 4 s on 2 cores; the vectors are cached in the data dir
under the file's hash and the embedding model's id (then loading takes 0.3 s, the kind
classifier's training included), and once per process. Weights: brief.FIT["asked"] and
["asked_kind"], tuned on the quality dev halves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .requests import softmax_regression

log = logging.getLogger(__name__)

NEIGHBOURS = 7  # questions that vote


@dataclass
class SectionModel:
    vectors: np.ndarray  # (questions, dimensions), unit length
    sections: list[tuple[str, str] | None]  # (doc_id, heading) per question; None: a case's
    kinds: tuple[str, ...]  # the case studies' shared section names, lower case
    kind_weights: np.ndarray  # (dimensions, kinds): softmax regression over the question
    kind_bias: np.ndarray

    def votes(self, vector) -> dict[tuple[str, str], float]:
        """Shares of the nearest questions' votes by (doc_id, lower-case heading); sum <= 1."""
        q = np.asarray(vector, dtype=np.float32)
        if not len(self.vectors):
            return {}
        sims = self.vectors @ q
        nearest = np.argsort(-sims)[:NEIGHBOURS]
        weights = np.maximum(sims[nearest], 0.0) ** 4  # the closest questions count most
        total = float(weights.sum()) or 1.0
        by_section: dict[tuple[str, str], float] = {}
        for i, w in zip(nearest, weights, strict=True):
            if self.sections[i] is None:
                continue
            doc_id, heading = self.sections[i]
            key = (doc_id, heading.lower())
            by_section[key] = by_section.get(key, 0.0) + float(w) / total
        return by_section

    def kind(self, vector) -> dict[str, float]:
        """Probability of each kind of case-study section being the one asked for."""
        if not self.kinds:
            return {}
        logits = np.asarray(vector, dtype=np.float32) @ self.kind_weights + self.kind_bias
        p = np.exp(logits - logits.max())
        return dict(zip(self.kinds, map(float, p / p.sum()), strict=True))


def section_share(votes: dict[tuple[str, str], float], metadata: dict) -> float:
    """The vote share of a passage's section: its heading or any heading above it."""
    path = [part.strip().lower() for part in str(metadata.get("section", "")).split("›")]
    return sum(votes.get((metadata.get("doc_id"), part), 0.0) for part in path)


def build(rows: list[dict], vectors: np.ndarray) -> SectionModel:
    """Case-study questions train the kind classifier (their sections share names across
    cases, and a question's vector is mostly its topic, so nearest neighbours pick the case,
    not the section); the other questions vote for their own sections."""
    case = np.array([row["doc_id"].startswith("case-studies/") for row in rows], dtype=bool)
    kinds = tuple(sorted({row["section"].lower() for row, c in zip(rows, case, strict=True)
                          if c}))
    weights = np.zeros((vectors.shape[1], len(kinds)), dtype=np.float32)
    bias = np.zeros(len(kinds), dtype=np.float32)
    if kinds:
        weights, bias = softmax_regression(
            vectors[case], [kinds.index(row["section"].lower())
                            for row, c in zip(rows, case, strict=True) if c], len(kinds))
    # Every question is a neighbour, but only those of sections with a name of their own vote:
    # a question about a case has case questions nearest, and its votes stay small.
    return SectionModel(vectors, [None if c else (row["doc_id"], row["section"])
                                  for row, c in zip(rows, case, strict=True)], kinds, weights, bias)


def read_sections(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


_LOADED: dict[str, SectionModel] = {}


def load_sections(training: Path, embeddings, model_id: str,
                  cache_dir: Path | None) -> SectionModel | None:
    """The model for this file and embedding model: from this process, the data dir's cache, or
    embedded now. None (the brief ranks sections on their own text) without a file."""
    try:
        data = training.read_bytes()
    except OSError:
        log.info("no labelled section questions at %s: sections rank on their text", training)
        return None
    key = hashlib.sha256(data + model_id.encode()).hexdigest()[:16]
    if key in _LOADED:
        return _LOADED[key]
    rows = read_sections(training)
    cached = cache_dir / f"sections-{key}.npy" if cache_dir else None
    vectors = None
    if cached is not None and cached.exists():
        try:
            vectors = np.load(cached)
        except (OSError, ValueError) as exc:
            log.warning("could not read %s (%s); embedding again", cached, exc)
        if vectors is not None and len(vectors) != len(rows):
            vectors = None
    if vectors is None:
        vectors = np.asarray(embeddings.embed_documents([row["question"] for row in rows]),
                             dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                partial = cached.with_suffix(".partial.npy")
                np.save(partial, vectors)
                partial.replace(cached)
            except OSError as exc:
                log.warning("could not cache the section questions in %s: %s", cached, exc)
    model = build(rows, vectors)
    _LOADED[key] = model
    return model
