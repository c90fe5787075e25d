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
Whether a named subject is covered, and whether a question asks about a time after the review
date, stay with the rules, which look at the evidence. Thresholds were set on the training set
(cross-validated) and the dev half of the coverage set: benchmarks/tune_requests.py.

Training takes a second or two (embedding ~400 short questions); the weights are cached in the
data dir under the training file's hash and the embedding model's id, and once per process.
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


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    questions, labels = [], []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            questions.append(row["question"])
            labels.append(row.get("reason") or "covered")
    return questions, labels


_TRAINED: dict[str, RequestModel] = {}


def load_model(training: Path, embeddings, model_id: str,
               cache_dir: Path | None) -> RequestModel | None:
    """The model for this training file and embedding model: from this process, the data dir's
    cache, or trained now. None (rules only) when there is no training file."""
    try:
        data = training.read_bytes()
    except OSError:
        log.info("no labelled requests at %s: the request model is off", training)
        return None
    key = hashlib.sha256(data + model_id.encode()).hexdigest()[:16]
    if key in _TRAINED:
        return _TRAINED[key]
    cached = cache_dir / f"requests-{key}.npz" if cache_dir else None
    model = None
    if cached is not None and cached.exists():
        try:
            with np.load(cached) as saved:
                model = RequestModel(saved["weights"], saved["bias"])
        except (OSError, ValueError, KeyError) as exc:
            log.warning("could not read %s (%s); training again", cached, exc)
    if model is None:
        questions, labels = read_labelled(training)
        model = RequestModel.train(np.asarray(embeddings.embed_documents(questions)), labels)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                partial = cached.with_suffix(".partial.npz")
                np.savez(partial, weights=model.weights, bias=model.bias)
                partial.replace(cached)
            except OSError as exc:
                log.warning("could not cache the request model in %s: %s", cached, exc)
    _TRAINED[key] = model
    return model
