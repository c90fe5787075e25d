"""Which section answers a question, learned from questions labelled with the section that
answers them (`knowledge/eval/train/sections*.jsonl`, written by people who never saw the
composer or the evaluation sets).

The brief opens with a span from the best-fitting passage, and nearly all its supporting
points come from the same section, so choosing the section decides most of what the reader
sees. Words and vectors of the section itself cannot always tell "what did it cost" (Results)
from "how was it financed" (Financing) in one case study, or "set starting values" (Baselines
and targets) from a charter template's milestones. Questions people ask of each section can:

- `votes`: the labelled questions nearest the asker's vote for the sections they were written
  for, weighted by similarity. A section no labelled question names gets no vote, so a
  document added later is ranked as before, on its own text.
- `case_votes`: for a question about a case study, the three labelled questions about that
  case nearest the asker's vote for its sections ("what did Swiss firms lose" was asked of
  Results and metrics, though Capacity building shares more words). Held out half by half over
  the ten quality tuning halves: mean sentence precision 0.860 -> 0.917 (3 voters; 1, 2, 5 and
  9 scored 0.905, 0.913, 0.901 and 0.895), lead from a gold section 0.848 -> 0.901; on the
  unseen dev-k 0.730 -> 0.796.
- `kind`: case studies share their section names (Background, Financing, Governance, ...), so
  a softmax regression over the case-study questions learns the *kind* of section asked for,
  whatever the case; a case study added later gets the help too.
- `adapter`: a linear map of the question's vector towards the vectors of the passages that
  answer such questions ("how does a stuck issue climb to ministers" towards the passage on
  escalation ladders), fitted in closed form (ridge regression) against the search index in
  use, so it follows every ingest. It learns how askers word things, not which documents
  exist: a new document's passages are compared with the adapted vector like any other.

fit.passage_fit combines these with the passage's own text in a ranker whose weights were
learned on the same questions (benchmarks/train_section_ranker.py).

Embedding the labelled questions (about 2,000) takes about 8 s on 2 cores, once per machine:
the vectors are cached beside the exported model (embeddings.cache_root) under the files' hash
and the embedding model's id. The adapter takes well under a second per search index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .requests import softmax_regression

# What a question asks for -> words in the section names that answer it.
INTENTS = {
    "problems": (r"went wrong|go wrong|gone wrong|problems?|criticis|controvers|contested|"
                 r"contentious|objections?|opposition|fail|mistakes?|risks?|pitfalls?|downsides?|"
                 r"backlash|concerns?|weakness|avoid|watch out|traps?|troubles?|struggl|setbacks?|"
                 r"stall|derail|f[ae]ll(s|ing)? (apart|flat|through)|(get|gets|got|getting) stuck|"
                 r"br(eak|eaks|oke|oken) down|unravel|collapse|fizzle|peter(ed)? out|f[ae]ll(s|ing)? short|"
                 r"shortfalls?|delay(s|ed)?\b|(running|years|months|far) (late|behind)|behind schedule|"
                 r"overruns?|underperform|disappoint",
                 ("problems and criticism", "pitfalls", "risk", "criticism")),
    "financing": (r"financ|funded|funding|paid for|pay for|loans?|lend|lender|debt|money|capital",
                  ("financing", "financial", "finance")),
    "results": (r"results?|outcomes?|achiev|impact|effects?|worked|deliver|happened|"
                r"turn(ed|s)? out|pa(y|id) off|measurabl|(make|made) a difference|what came of|"
                r"cover(ed|s)? (its|their) (running |operating )?costs",
                ("results",)),
    "lessons": (r"\blearn|lessons?|takeaways?|take away|draw from|apply (this|that|it) to|"
                r"for our own|"
                r"\bwhat (does|did|do|can) .{0,80}\b(teach|taught)|\bteach(es)? us\b",
                ("lessons",)),
    "metrics": (r"indicators?|metrics?|kpis?|measure|report to (the )?(minister|parliament)|"
                r"baselines?|track progress", ("indicator", "measur", "metrics", "monitor")),
    "governance": (r"\bgovern|oversee|oversight|committee|secretariat|institutional set-?up|"
                   r"steer|who (runs|decides|manages)", ("governance", "committee", "institutions")),
    "capacity": (r"\bskills?|training|\btrain|capacity|know-how|expertise|transfer",
                 ("capacity building", "capacity", "training", "technology transfer")),
}


def intents(question: str) -> list[str]:
    return [name for name, (pattern, _) in INTENTS.items()
            if re.search(pattern, question, re.IGNORECASE)]


def intent_flags(question: str) -> np.ndarray:
    return np.array([name in intents(question) for name in INTENTS], dtype=np.float32)

log = logging.getLogger(__name__)

NEIGHBOURS = 7  # questions that vote
CASE_NEIGHBOURS = 3  # questions about the same case study that vote for one of its sections
RIDGE = 10.0  # the adapter's regularisation, set on the quality dev halves
MIN_LABELLED = 50  # fewer labelled questions about the indexed sections: no adapter


def section_matches(section: str, wanted: list[str]) -> bool:
    label = section.lower()
    return any(word in label for name in wanted for word in INTENTS[name][1])


# Guidance documents are about one subject throughout; only these kinds of question pick out
# one of their sections ("which indicators" -> the indicator framework, "pitfalls" -> risks).
_GUIDANCE_INTENTS = ("metrics", "problems")


def intent_applies(metadata: dict, wanted: list[str], top_doc: str | None) -> bool:
    """Whether a passage's section is the kind the question asks for. Case studies share
    section names, so it counts for the case asked about, not every case with such a section."""
    if not wanted:
        return False
    if metadata["doc_type"] == "case-study":
        return metadata["doc_id"] == top_doc and section_matches(metadata.get("section", ""),
                                                                 wanted)
    return section_matches(metadata.get("section", ""),
                           [w for w in wanted if w in _GUIDANCE_INTENTS])


def case_asked_about(passages: list) -> str | None:
    """The case study a question is about: the best passage's, when the evidence holds at least
    two of its passages (one stray Results section of some case does not make it the subject)."""
    if not passages:
        return None
    top = passages[0].metadata
    # A case the question names may rank just behind a guidance passage that cites it ("the
    # first case under the USMCA, at the Silao plant"): the closest passage by meaning decides.
    closest = max(passages[:5], key=lambda p: p.similarity).metadata
    if top["doc_type"] != "case-study" and closest["doc_type"] == "case-study" and \
            sum(p.metadata["doc_id"] == closest["doc_id"] for p in passages[:5]) >= 2:
        return closest["doc_id"]
    if top["doc_type"] != "case-study" or \
            sum(p.metadata["doc_id"] == top["doc_id"] for p in passages[:5]) >= 2:
        return top["doc_id"]
    return None


@dataclass
class SectionModel:
    vectors: np.ndarray  # (questions, dimensions), unit length
    labels: list[tuple[str, str]]  # (doc_id, lower-case heading) per question
    kinds: tuple[str, ...]  # the case studies' shared section names, lower case
    kind_weights: np.ndarray  # (dimensions, kinds): softmax regression over the question
    kind_bias: np.ndarray
    # Mean vector of the labelled questions about each case study (and "" for all of them):
    # subtracted before the kind is judged, so what is left is what is asked, not the case.
    case_means: dict[str, np.ndarray] = field(default_factory=dict)
    _adapters: dict = field(default_factory=dict, repr=False)
    _mapped: dict = field(default_factory=dict, repr=False)
    _by_case: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def votes(self, vector, guidance_only: bool = True, adapter: np.ndarray | None = None,
              question: str | None = None) -> dict[tuple[str, str], float]:
        """Shares of the nearest questions' votes by (doc_id, lower-case heading); sum <= 1.
        `guidance_only`: case-study questions are neighbours but do not vote (their nearest
        questions pick the case, not the section). With `adapter`, both the asker's and the
        labelled questions are compared after the map."""
        if not len(self.vectors):
            return {}
        q = np.asarray(vector, dtype=np.float32)
        labelled = self.vectors
        if adapter is not None:  # the labelled questions mapped once per adapter, not per call
            labelled = self._mapped.get(id(adapter))
            if labelled is None:
                labelled = self._mapped[id(adapter)] = adapt(self.vectors, adapter)
        sims = labelled @ q
        nearest = np.argsort(-sims)[:NEIGHBOURS]
        weights = np.maximum(sims[nearest], 0.0) ** 4  # the closest questions count most
        total = float(weights.sum()) or 1.0
        if question is not None and not ASKS_OVERVIEW.search(question):
            weights = weights * np.array([OVERVIEW_PRIOR if OVERVIEW.match(self.labels[i][1])
                                          and self.labels[i][0].startswith("guidance/") else 1.0
                                          for i in nearest], dtype=np.float32)
        by_section: dict[tuple[str, str], float] = {}
        for i, w in zip(nearest, weights, strict=True):
            key = self.labels[i]
            if guidance_only and key[0].startswith("case-studies/"):
                continue
            by_section[key] = by_section.get(key, 0.0) + float(w) / total
        return by_section

    def case_votes(self, vector, case: str, question: str = "") -> dict[tuple[str, str], float]:
        """Shares of the votes of the labelled questions about one case study nearest the
        asker's, by (doc_id, lower-case heading): among questions about the same case, the
        nearest tell which of its sections is asked for ("what did it cost Swiss firms" was
        asked of Results and metrics)."""
        rows = self._by_case.get(case)
        if rows is None:
            rows = self._by_case[case] = np.array(
                [i for i, (doc, _) in enumerate(self.labels) if doc == case], dtype=int)
        if not len(rows):
            return {}
        sims = self.vectors[rows] @ np.asarray(vector, dtype=np.float32)
        nearest = np.argsort(-sims)[:CASE_NEIGHBOURS]
        weights = np.maximum(sims[nearest], 0.0) ** 4
        total = float(weights.sum()) or 1.0  # (the shares left by the prior are not re-spread)
        if question and not _ASKS_BACKGROUND.search(question):
            # the same prior as the kind classifier's: the training files ask for a case's
            # Background far more often than askers do ("Did the 2005 Tokyo–Mexico City
            # agreement measurably change trade?" drew three Background questions about it)
            weights *= np.array([KIND_PRIOR.get(self.labels[i][1], 1.0) for i in rows[nearest]],
                                dtype=np.float32)
        by_section: dict[tuple[str, str], float] = {}
        for i, w in zip(rows[nearest], weights, strict=True):
            by_section[self.labels[i]] = by_section.get(self.labels[i], 0.0) + float(w) / total
        return by_section

    def kind(self, vector, question: str, case: str | None = None) -> dict[str, float]:
        """Probability of each kind of case-study section being the one asked for, in a
        question about `case` (any case study when unknown)."""
        if not self.kinds:
            return {}
        centre = self.case_means.get(case or "", self.case_means.get(""))
        asked = np.asarray(vector, dtype=np.float32) - (centre if centre is not None else 0.0)
        logits = np.concatenate([asked, intent_flags(question)]) @ self.kind_weights + \
            self.kind_bias
        p = np.exp(logits - logits.max())
        if not _ASKS_BACKGROUND.search(question):
            p *= np.array([KIND_PRIOR.get(k, 1.0) for k in self.kinds], dtype=np.float32)
        return dict(zip(self.kinds, map(float, p / p.sum()), strict=True))

    def adapter(self, lexical) -> np.ndarray | None:
        """The question map for this search index, fitted once per index (None when too few
        labelled questions are about its sections, as in a small test folder)."""
        key = getattr(lexical, "generation", "") or id(lexical)
        with self._lock:
            if key not in self._adapters:
                if len(self._adapters) >= 4:
                    self._adapters.clear()
                    self._mapped.clear()
                self._adapters[key] = fit_adapter(self, lexical)
            return self._adapters[key]


# How often each kind is asked for, against the training files, which hold about as many
# questions per kind by construction (270 of 2,140 case questions ask for a Background): no
# question of the nine quality dev halves has a Background as its gold section, yet the
# classifier led 16 of their 417 answers with one (each wrong). Other kinds' real shares
# (Instruments and institutions 5%, Problems and criticism 19%) moved nothing when used.
# 0.1, 0.03 and 0 score the same on the dev halves (mean sentence precision 0.806 -> 0.824);
# 0.1 leaves a question that plainly asks for the background its Background section.
KIND_PRIOR: dict[str, float] = {"background": 0.1}
# ... except for a question that asks when, or for the story or the overview, which is what a
# Background gives ("When did that revised version take effect?")
_ASKS_BACKGROUND = re.compile(r"^\W*(when|what (is|was|are|were) (the |a |an )?[\w–-]+\??$)|"
                              r"\b(background|overview|history|origins?|how did it (start|begin))\b",
                              re.IGNORECASE)


# A guidance document's opening section says why its subject matters or what it covers ("Why
# trust is a working asset ...", "What trade facilitation covers"); a question asks that only in
# those words ("why does a partnership need a strategic framework?", "what does capacity building
# mean?"). The training files ask for it as often as for any other section, by construction (182
# of their 3,954 questions); 2 of the 766 gold guidance sections of the quality halves are one.
# Its votes count OVERVIEW_PRIOR unless the question asks in those words: 1 -> 0.1 (stop 30), all
# 28 tuning halves held out, sentence precision 0.905 -> 0.906, key-point hit 0.900 -> 0.902.
OVERVIEW = re.compile(r"^(why |what .*\b(means?|covers?)\b|how to use )", re.IGNORECASE)
ASKS_OVERVIEW = re.compile(r"\bwhat (is|are|does|do) .{0,60}\b(mean|means|cover|covers)\b|"
                           r"\bwhat is (a|an|the) |\bdefin(e|ition)|\bwhy (does|do|should|would)"
                           r" .{0,80}\b(need|matter|belong)|\bwhy .{0,60}\bmatters?\b",
                           re.IGNORECASE)
OVERVIEW_PRIOR = 0.1


def adapt(vectors, adapter: np.ndarray) -> np.ndarray:
    """Vectors after the map: q + qA, back to unit length."""
    x = np.asarray(vectors, dtype=np.float32)
    x = x + x @ adapter
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def fit_adapter(model: SectionModel, lexical, ridge: float = RIDGE) -> np.ndarray | None:
    """The residual map A minimising |q + qA - c|² + ridge·|A|² over the labelled questions,
    where c is the mean vector of the passages of the section the question was written for."""
    rows: dict[tuple[str, str], list[int]] = {}
    for i, meta in enumerate(lexical.metadatas):
        if meta.get("doc_type") in ("guidance", "case-study"):
            top = str(meta.get("section", "")).split("›")[0].strip().lower()
            rows.setdefault((meta["doc_id"], top), []).append(i)
    keep = [i for i, key in enumerate(model.labels) if key in rows]
    if len(keep) < MIN_LABELLED:
        return None
    vectors = np.asarray(lexical.vectors, dtype=np.float64)
    centroids = {key: vectors[idx].mean(axis=0) for key, idx in rows.items()}
    q = model.vectors[keep].astype(np.float64)
    target = np.stack([centroids[model.labels[i]] for i in keep])
    target /= np.maximum(np.linalg.norm(target, axis=1, keepdims=True), 1e-9)
    d = q.shape[1]
    a = np.linalg.solve(q.T @ q + ridge * np.eye(d), q.T @ (target - q))
    return a.astype(np.float32)


def section_share(votes: dict[tuple[str, str], float], metadata: dict) -> float:
    """The vote share of a passage's section: its heading or any heading above it."""
    path = [part.strip().lower() for part in str(metadata.get("section", "")).split("›")]
    return sum(votes.get((metadata.get("doc_id"), part), 0.0) for part in path)


def build(rows: list[dict], vectors: np.ndarray) -> SectionModel:
    """Case-study questions also train the kind classifier (their sections share names across
    cases): each question's vector taken relative to the mean of the questions about its case,
    which is mostly the case's topic, beside the question's intent words ("what went wrong");
    kind accuracy on the quality dev halves' case questions 0.60 with the vector alone, 0.65
    centred, 0.71 with the words. Every question votes for its own section."""
    vectors = np.asarray(vectors, dtype=np.float32)
    case = [i for i, row in enumerate(rows) if row["doc_id"].startswith("case-studies/")]
    kinds = tuple(sorted({rows[i]["section"].lower() for i in case}))
    weights = np.zeros((vectors.shape[1] + len(INTENTS), len(kinds)), dtype=np.float32)
    bias = np.zeros(len(kinds), dtype=np.float32)
    means: dict[str, np.ndarray] = {}
    if kinds:
        by_case: dict[str, list[int]] = {}
        for i in case:
            by_case.setdefault(rows[i]["doc_id"], []).append(i)
        means = {doc: vectors[idx].mean(axis=0) for doc, idx in by_case.items()}
        means[""] = vectors[case].mean(axis=0)
        centred = np.stack([np.concatenate([vectors[i] - means[rows[i]["doc_id"]],
                                            intent_flags(rows[i]["question"])]) for i in case])
        weights, bias = softmax_regression(centred, [kinds.index(rows[i]["section"].lower())
                                                     for i in case], len(kinds))
    labels = [(row["doc_id"], row["section"].strip().lower()) for row in rows]
    return SectionModel(vectors, labels, kinds, weights, bias, means)


def training_files(path: Path) -> list[Path]:
    """A labelled file, or every `sections*.jsonl` of a folder and the tuning halves of the
    answer-quality set beside it (`../quality/dev*.jsonl`; never `test.jsonl`, which is for
    reporting). The quality halves' gold sections label their questions as well; held out half
    by half, adding them raised the held-out half's lead from a gold section 0.830 -> 0.848 on
    average over the ten halves, and 0.735 -> 0.776 on dev-k, written later and unseen."""
    if not path.is_dir():
        return [path]
    return sorted(path.glob("sections*.jsonl")) + \
        sorted((path.parent / "quality").glob("dev*.jsonl"))


def read_sections(path: Path) -> list[dict]:
    """Labelled questions as {question, doc_id, section}: a quality question (with `gold`)
    counts once per gold section."""
    rows = []
    for f in training_files(path):
        for line in f.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            golds = row.get("gold") or [row]
            rows.extend({**row, "doc_id": g["doc_id"], "section": g["section"]} for g in golds)
    return rows


_LOADED: dict[str, SectionModel] = {}


def load_sections(training: Path, embeddings, model_id: str,
                  cache_dir: Path | None) -> SectionModel | None:
    """The model for these files and embedding model: from this process, the cache, or
    embedded now. None (the brief ranks sections on their own text) without a file."""
    try:
        data = b"".join(f.read_bytes() for f in training_files(training))
    except OSError:
        data = b""
    if not data:
        log.info("no labelled section questions at %s: sections rank on their text", training)
        return None
    key = hashlib.sha256(data + model_id.encode()).hexdigest()[:16]
    if key in _LOADED:
        return _LOADED[key]
    rows = read_sections(training)
    vectors = cached_vectors(cache_dir, f"sections-{key}", [row["question"] for row in rows],
                             embeddings)
    model = build(rows, vectors)
    _LOADED[key] = model
    return model


def cached_vectors(cache_dir: Path | None, name: str, texts: list[str], embeddings) -> np.ndarray:
    """Unit vectors of labelled questions, from `cache_dir/name.npy` or embedded and saved
    there (written beside and renamed, so a reader never sees half a file)."""
    cached = cache_dir / f"{name}.npy" if cache_dir else None
    if cached is not None and cached.exists():
        try:
            vectors = np.load(cached)
            if len(vectors) == len(texts):
                return vectors
        except (OSError, ValueError) as exc:
            log.warning("could not read %s (%s); embedding again", cached, exc)
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{threading.get_ident()}.partial.npy")
            np.save(partial, vectors)
            partial.replace(cached)
        except OSError as exc:
            log.warning("could not cache labelled questions in %s: %s", cached, exc)
    return vectors
