"""Screening document text: sentences that read like instructions to an assistant are data,
never quoted in answers nor passed to a language model."""

from __future__ import annotations

import re

# Text in documents is data. Sentences that read like instructions to an assistant are never
# quoted in answers nor passed to a language model.
_INSTRUCTION_LIKE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,60}\b(instructions?|prompts?|rules|guidelines|"
    r"above|previous|prior)\b|\b(system prompt|you are now|act as an?|jailbreak|"
    r"developer mode|reveal your)\b", re.IGNORECASE)


INSTRUCTION_MARKER = "[instruction-like text removed]"


def is_instruction_like(sentence: str) -> bool:
    return bool(_INSTRUCTION_LIKE.search(sentence))


def without_instructions(text: str) -> str:
    """The passage with instruction-like sentences replaced by a marker."""
    from .answer.spans import split_sentences  # here, not at the top: answer/ imports this module

    out = text
    for sentence in split_sentences(text):
        if is_instruction_like(sentence):
            out = out.replace(sentence, INSTRUCTION_MARKER)
    return out
