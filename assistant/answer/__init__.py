"""The answer stage: compose a cited brief from a retrieval (extractive, no model needed)."""

from .compose import Answer, Citation, ExtractiveAnswerer, citation_for
from .spans import split_sentences

__all__ = ["Answer", "Citation", "ExtractiveAnswerer", "citation_for", 
           "split_sentences"]
