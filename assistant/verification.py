"""Checking a generated answer against its citations, sentence by sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from .answer import split_sentences

_CITATION = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_CLAIM_END = re.compile(r"(?<=[.!?])\s+(?!\[\d)|(?<=\])\s+(?=[A-Z])")


@dataclass
class Claim:
    text: str  # as written, citations included
    cited: list[int]
    supported: bool = False
    similarity: float = 0.0
    reason: str = ""


@dataclass
class Verification:
    text: str  # the answer with unsupported claims removed
    support: float  # share of claims that are supported
    claims: list[Claim] = field(default_factory=list)

    @property
    def dropped(self) -> list[Claim]:
        return [c for c in self.claims if not c.supported]


def _claims_in_line(line: str) -> list[str]:
    if line.lstrip().startswith("|"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        return [c for c in cells if c and not set(c) <= set("-: ") and _CITATION.search(c)]
    body = re.sub(r"^\s*([-*+]|\d+[.)])\s+", "", line)
    return [part.strip() for part in _CLAIM_END.split(body) if len(part.split()) >= 3]


def cited_numbers(claim: str) -> list[int]:
    return [int(n) for group in _CITATION.findall(claim) for n in group.split(",")]


class CitationVerifier:
    """A claim is supported when it cites a passage that exists and its embedding is close
    enough to that passage (or one of its sentences): `threshold` is calibrated by
    benchmarks/calibrate_verifier.py."""

    def __init__(self, embeddings: Embeddings, threshold: float) -> None:
        self.embeddings = embeddings
        self.threshold = threshold

    def verify(self, answer: str, passages: dict[int, str]) -> Verification:
        claims = [Claim(text, cited_numbers(text)) for line in answer.splitlines()
                  for text in _claims_in_line(line)]
        checkable = []
        for claim in claims:
            if not claim.cited:
                claim.reason = "no citation"
            elif any(n not in passages for n in claim.cited):
                claim.reason = "cites a passage that does not exist"
            else:
                checkable.append(claim)
        if checkable:
            self._score(checkable, passages)
        supported = sum(c.supported for c in claims)
        kept = answer
        for claim in claims:
            if not claim.supported:
                kept = kept.replace(claim.text, "")
        kept = "\n".join(line for line in kept.splitlines()
                         if re.sub(r"[\s\-*+|:.0-9)]", "", line)).strip()
        return Verification(kept, supported / len(claims) if claims else 0.0, claims)

    def _score(self, claims: list[Claim], passages: dict[int, str]) -> None:
        cited = sorted({n for c in claims for n in c.cited})
        units = {n: [passages[n], *split_sentences(passages[n])] for n in cited}
        texts = [_CITATION.sub("", c.text).strip() for c in claims]
        flat = [u for n in cited for u in units[n]]
        vectors = np.asarray(self.embeddings.embed_documents(texts + flat))
        claim_vecs, unit_vecs = vectors[: len(texts)], vectors[len(texts):]
        offsets, start = {}, 0
        for n in cited:
            offsets[n] = (start, start + len(units[n]))
            start += len(units[n])
        for claim, vec in zip(claims, claim_vecs, strict=True):
            best = max(float(np.max(unit_vecs[a:b] @ vec)) for a, b in
                       (offsets[n] for n in claim.cited))
            claim.similarity = round(best, 3)
            claim.supported = best >= self.threshold
            if not claim.supported:
                claim.reason = f"not supported by [{', '.join(map(str, claim.cited))}]"
