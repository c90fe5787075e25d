"""Checking a generated answer against its citations, sentence by sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from .answer import split_sentences
from .screening import INSTRUCTION_MARKER, is_instruction_like, screen

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


def _screened_units(passage: str) -> tuple[list[str], list[str]]:
    """(what a claim may rest on: the passage and its sentences without instruction-like
    content, the instruction-like segments the screen took out)."""
    clean, removed = screen(passage)
    sentences = [s for s in split_sentences(clean) if INSTRUCTION_MARKER not in s]
    whole = " ".join(clean.replace(INSTRUCTION_MARKER, " ").split())
    return [whole, *sentences] if whole else sentences, removed


class CitationVerifier:
    """A claim is supported when it cites a passage that exists and its embedding is close
    enough to that passage (or one of its sentences): `threshold` is calibrated by
    benchmarks/calibrate_verifier.py. Only screened text counts: a claim that reads like an
    instruction, or that is closer to a passage's instruction-like segments than to the rest of
    it, is not supported, so a reply that obeys a planted instruction is dropped."""

    def __init__(self, embeddings: Embeddings, threshold: float) -> None:
        self.embeddings = embeddings
        self.threshold = threshold

    def verify(self, answer: str, passages: dict[int, str]) -> Verification:
        claims = [Claim(text, cited_numbers(text)) for line in answer.splitlines()
                  for text in _claims_in_line(line)]
        checkable = []
        for claim in claims:
            if is_instruction_like(_CITATION.sub("", claim.text)):
                claim.reason = "reads like an instruction, not a statement from the sources"
            elif not claim.cited:
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
        units, screened = {}, {}
        for n in cited:
            units[n], screened[n] = _screened_units(passages[n])
        texts = [_CITATION.sub("", c.text).strip() for c in claims]
        flat = [u for n in cited for u in units[n] + screened[n]]
        vectors = np.asarray(self.embeddings.embed_documents(texts + flat))
        claim_vecs, unit_vecs = vectors[: len(texts)], vectors[len(texts):]
        clean, removed, start = {}, {}, 0
        for n in cited:
            middle, end = start + len(units[n]), start + len(units[n]) + len(screened[n])
            clean[n], removed[n], start = (start, middle), (middle, end), end

        def best(vec, spans) -> float:
            return max((float(np.max(unit_vecs[a:b] @ vec)) for a, b in spans if b > a),
                       default=0.0)

        for claim, vec in zip(claims, claim_vecs, strict=True):
            supported = best(vec, [clean[n] for n in claim.cited])
            planted = best(vec, [removed[n] for n in claim.cited])
            claim.similarity = round(supported, 3)
            claim.supported = supported >= self.threshold and planted < supported
            if planted >= supported and planted >= self.threshold:
                claim.reason = (f"repeats text that [{', '.join(map(str, claim.cited))}] holds "
                                "only inside an instruction-like sentence")
            elif not claim.supported:
                claim.reason = f"not supported by [{', '.join(map(str, claim.cited))}]"
