"""The embedding runtimes side by side: PyTorch (the reference, and the fallback), ONNX Runtime
fp32 (the default) and ONNX Runtime int8 (`ASSISTANT_EMBEDDING_QUANTIZE=true`, for bulk
collections). Speed on real treaty passages, agreement of the vectors with PyTorch, and the
knowledge/eval figures with each.

sentence-transformers' own ONNX/OpenVINO backends need optimum-onnx (transformers < 4.58) or
optimum-intel (transformers < 5.6, huggingface-hub < 1.22, torchvision): neither fits beside
this project's transformers and huggingface-hub. `assistant/embeddings.py` exports the model
with torch.onnx instead and runs it on onnxruntime.

    .venv/bin/python benchmarks/onnx_backend.py [--passages 400] [--no-eval]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.embeddings import SentenceEmbeddings  # noqa: E402

TOTA = ROOT.parent / "shared" / "corpora" / "tota" / "xml"


def treaty_passages(limit: int) -> list[str]:
    from assistant.chunking import chunk_document
    from assistant.documents import load_document

    doc = load_document(TOTA / "pta_34.xml", "xml/pta_34", "xml/pta_34.xml", None,
                        {"type": "agreement"})
    return [p.embedding_text for p in chunk_document(doc, 180)][:limit]


def eval_with(embeddings) -> dict:
    """knowledge/eval with these embeddings (the index is named after the configuration)."""
    from assistant.evaluation import evaluate, load_questions
    from assistant.service import build_assistant

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedding_quantize=embeddings.name.endswith("-ort"))
        assistant = build_assistant(settings, embeddings)
        assistant.ingest(progress=False)
        summary = evaluate(assistant, load_questions([ROOT / "knowledge" / "eval"])).summary()
    return {k: summary[k] for k in ("hit_at_5", "mrr", "refusal_precision", "refusal_recall",
                                    "follow_up_accuracy")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args()
    texts = treaty_passages(args.passages)
    words = sum(len(t.split()) for t in texts)
    backends = {"torch fp32": lambda: SentenceEmbeddings(runtime="torch"),
                "onnxruntime fp32 (default)": lambda: SentenceEmbeddings(),
                "onnxruntime int8": lambda: SentenceEmbeddings(quantize=True)}
    results, reference = {}, None
    for name, make in backends.items():
        model = make()
        model.embed_documents(texts[:16])  # warm-up
        started = time.perf_counter()
        vectors = np.asarray(model.embed_documents(texts))
        seconds = time.perf_counter() - started
        reference = vectors if reference is None else reference
        results[name] = {"words_per_s": round(words / seconds),
                         "passages_per_s": round(len(texts) / seconds, 1),
                         "cosine_to_fp32": round(float(np.mean(np.sum(vectors * reference, 1))),
                                                 3)}
        if not args.no_eval:
            results[name]["eval"] = eval_with(model)
    print(json.dumps({"passages": len(texts), "words": words, "backends": results}, indent=1))


if __name__ == "__main__":
    main()
