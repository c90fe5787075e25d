"""A second opinion on what kind of request a question is, learned from labelled questions.

The rules in coverage.py name what they catch; questions phrased some other way slip past them
("How do I win back my co-founder's trust after a missed payment?"). This is a softmax
regression over the question's embedding, trained on `knowledge/eval/train/coverage.jsonl`
(questions labelled by someone who never saw the rules or the evaluation sets). Only its two
semantic verdicts are used, `out_of_domain` and `not_a_question`:
- to name the reason for a question refused anyway (for want of evidence, or a missing
  subject): "explain quantum entanglement" is told the subject is outside the field rather
  than that nothing matched;
- to settle the out-of-domain cases the word lists leave open (coverage.out_of_domain): a
  private-life word beside a country or a state word ("a wedding with two families from
  different countries"), and, only when very sure, a question with neither ("trust between the
  sales and marketing teams at my company"). Refusing on the model's word alone, without those
  guards, also refused practitioner questions ("Irritants with our partner sit unresolved for
  years...", 0.67) and drafting requests.
- to overrule the rules when they would answer (`overrule`): a question the model is sure is
  not a question, outside the field or about the present ("Has Beijing reimposed any duties
  on Australian wine recently?", "What's the half-life of carbon-14?") is refused for that
  reason. The thresholds (OVERRULE) were set on the coverage dev halves with the model trained
  on `coverage.jsonl` alone and then checked on `coverage-b.jsonl`, which nothing was tuned on.
Whether a named subject is covered stays with the rules, which look at the evidence.
Thresholds: benchmarks/tune_requests.py.

Training takes a few seconds (embedding ~800 short questions) once per machine: the question
vectors are cached beside the exported model (embeddings.cache_root) under the files' hash and
the embedding model's id; the regression itself takes about a second, once per process.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LABELS = ("covered", "not_covered", "out_of_date", "out_of_domain", "not_a_question")
USED = ("out_of_domain", "not_a_question")
RELABEL_AT = 0.40
# The model's probability at which it refuses a question the rules would answer. With the
# model trained on coverage.jsonl alone, the held-out coverage-b.jsonl went from 0.792 to 0.824
# right reason at 0.7 / 0.7 / 0.8 with no more answerable questions refused; over the 2,261
# answerable questions of the section, quality and retrieval sets, the model trained on both
# files reaches 0.75 for not_a_question once, 0.9 for out_of_domain once and 0.9 for
# out_of_date never (at 0.7: 1, 15 and 14), so those are the limits; an out-of-domain verdict
# also needs a question without the field's own words (coverage._FIELD).
OVERRULE = {"not_a_question": 0.75, "out_of_domain": 0.9, "out_of_date": 0.9}


@dataclass
class RequestModel:
    weights: np.ndarray  # (dimensions, labels)
    bias: np.ndarray  # (labels,)

    def probabilities(self, vector) -> dict[str, float]:
        logits = np.asarray(vector, dtype=np.float32) @ self.weights + self.bias
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return dict(zip(LABELS, map(float, p), strict=True))

    @staticmethod
    def overrule(p: dict[str, float], limits: dict[str, float] | None = None) -> str | None:
        """The reason to refuse a question the rules would answer, when the model is sure."""
        limits = OVERRULE if limits is None else limits
        sure = [label for label, at in limits.items() if p[label] >= at]
        return max(sure, key=lambda label: p[label]) if sure else None

    @staticmethod
    def judge(p: dict[str, float]) -> tuple[str, float]:
        """From `probabilities`: the likelier of the used verdicts, and its probability."""
        best = max(USED, key=lambda label: p[label])
        return best, p[best]

    @classmethod
    def train(cls, vectors: np.ndarray, labels: list[str]) -> RequestModel:
        weights, bias = softmax_regression(vectors, [LABELS.index(label) for label in labels],
                                           len(LABELS))
        return cls(weights, bias)


def softmax_regression(vectors: np.ndarray, classes: list[int], n_classes: int,
                       l2: float = 1e-3, steps: int = 600,
                       rate: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on the class-balanced cross-entropy: (weights, bias)."""
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(classes)
    onehot = np.eye(n_classes)[y]
    counts = onehot.sum(axis=0)
    sample = (1.0 / np.maximum(counts, 1))[y]
    sample /= sample.sum()
    w = np.zeros((x.shape[1], n_classes))
    b = np.zeros(n_classes)
    for _ in range(steps):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * sample[:, None]
        w -= rate * (x.T @ error + l2 * w)
        b -= rate * error.sum(axis=0)
    return w.astype(np.float32), b.astype(np.float32)


def training_files(path: Path) -> list[Path]:
    """A labelled file, or every `coverage*.jsonl` of a folder."""
    return sorted(path.glob("coverage*.jsonl")) if path.is_dir() else [path]


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    questions, labels = [], []
    for f in training_files(path):
        for line in f.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append(row["question"])
                labels.append(row.get("reason") or "covered")
    return questions, labels


_TRAINED: dict[str, RequestModel] = {}


def load_model(training: Path, embeddings, model_id: str,
               cache_dir: Path | None) -> RequestModel | None:
    """The model for these training files and embedding model: from this process, or trained
    now on the question vectors (cached in `cache_dir`). None (rules only) without a file."""
    try:
        data = b"".join(f.read_bytes() for f in training_files(training))
    except OSError:
        data = b""
    if not data:
        log.info("no labelled requests at %s: the request model is off", training)
        return None
    key = hashlib.sha256(data + model_id.encode()).hexdigest()[:16]
    if key not in _TRAINED:
        from .sections import cached_vectors

        questions, labels = read_labelled(training)
        vectors = cached_vectors(cache_dir, f"requests-{key}", questions, embeddings)
        _TRAINED[key] = RequestModel.train(vectors, labels)
    return _TRAINED[key]
