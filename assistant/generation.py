"""Generative answers: a chat model writes from the passages, the verifier checks every sentence."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig

from .answer import Answer, ExtractiveAnswerer, citation_for
from .prompts import (
    ANSWER_SYSTEM,
    ANSWER_USER,
    BACKEND_DOWN_NOTE,
    SHAPE_INSTRUCTIONS,
    UNVERIFIED_NOTE,
)
from .retrieval import Retrieval, ScoredPassage
from .screening import without_instructions
from .shapes import answer_shape
from .verification import CitationVerifier

log = logging.getLogger(__name__)


_FORGED_NUMBER = re.compile(r"\[(\d+)\]")


def prompt_safe(text: str) -> str:
    """Document text as it may appear inside the prompt's <passages> block: instruction-like
    content replaced by the marker, and no `<` or `>` (nor their full-width look-alikes) left,
    so no tag in a document can close the block or open a chat-template turn. A `[n]` in the
    text becomes `(n)`, so a document cannot forge another passage's number."""
    text = unicodedata.normalize("NFKC", without_instructions(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _FORGED_NUMBER.sub(r"(\1)", text)


def format_passages(passages: list[ScoredPassage]) -> str:
    """Numbered passages with their source; titles and sections are screened like the text."""
    blocks = []
    for n, passage in enumerate(passages, start=1):
        meta = passage.metadata
        title = " ".join(prompt_safe(meta["title"]).split())
        section = " ".join(prompt_safe(meta.get("section") or "").split())
        where = f" — {section}" if section else ""
        blocks.append(f"[{n}] {title}{where}\n{prompt_safe(passage.text)}")
    return "\n\n".join(blocks)


class GenerativeAnswerer(Runnable[Retrieval, Answer]):
    """Streams a chat model's answer, then keeps only the sentences its citations support.

    Falls back to the extractive answer (with a note saying why) when the model cannot be
    reached or too little of what it wrote is supported.
    """

    def __init__(self, chat_model: BaseChatModel, fallback: ExtractiveAnswerer,
                 verifier: CitationVerifier, backend: str, min_support: float) -> None:
        self.chat_model = chat_model
        self.fallback = fallback
        self.verifier = verifier
        self.backend = backend
        self.min_support = min_support

    @property
    def sections(self):
        """The section model the evidence is gathered with, as for the extractive answer."""
        return self.fallback.sections

    def invoke(self, retrieval: Retrieval, config: RunnableConfig | None = None,
               **kwargs) -> Answer:
        answer = None
        for piece in self.stream_answer(retrieval):
            if isinstance(piece, Answer):
                answer = piece
        return answer

    def messages(self, retrieval: Retrieval) -> list:
        shape = SHAPE_INSTRUCTIONS[retrieval.shape or answer_shape(retrieval.question)]
        return [SystemMessage(ANSWER_SYSTEM.format(shape=shape)),
                HumanMessage(ANSWER_USER.format(passages=format_passages(retrieval.passages),
                                                question=retrieval.question))]

    def stream_answer(self, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield text pieces as the model writes them, then the verified Answer."""
        if not retrieval.relevant or not retrieval.passages:
            yield self.fallback.invoke(retrieval)
            return
        text = ""
        try:
            for chunk in self.chat_model.stream(self.messages(retrieval)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                text += piece
                if piece:
                    yield piece
        except Exception as exc:  # unreachable server, timeout, bad model name...
            log.warning("%s backend failed: %s", self.backend, exc)
            reason = f"{exc.__class__.__name__}: {str(exc)[:160]}"
            yield self._fallback(retrieval, BACKEND_DOWN_NOTE.format(backend=self.backend,
                                                                      reason=reason))
            return
        if "does not cover this question" in text and "[" not in text:
            yield self.fallback.invoke(retrieval)
            return
        numbered = {n: p.text for n, p in enumerate(retrieval.passages, start=1)}
        checked = self.verifier.verify(text, numbered)
        if checked.support < self.min_support or not checked.text.strip():
            note = UNVERIFIED_NOTE.format(
                reason=f"only {checked.support:.0%} of its sentences are supported by the "
                       "passages they cite")
            answer = self._fallback(retrieval, note)
        else:
            cited = sorted({n for c in checked.claims if c.supported for n in c.cited})
            answer = Answer(retrieval.question, checked.text, refused=False,
                            citations=[citation_for(n, retrieval.passages[n - 1]) for n in cited])
        answer.support = round(checked.support, 3)
        answer.dropped = [{"sentence": c.text, "reason": c.reason} for c in checked.dropped]
        answer.backend = self.backend
        yield answer

    def _fallback(self, retrieval: Retrieval, note: str) -> Answer:
        answer = self.fallback.invoke(retrieval)
        answer.note = note
        answer.backend = "extractive"
        return answer
