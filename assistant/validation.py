"""Checking what callers of `/ask` and `/workshop` send before it reaches retrieval or Chroma:
types, the range of `k`, and filter values from the known vocabulary. Each refusal says which
input is wrong and why, so a dict such as {"$ne": ""} never becomes a Chroma operator."""

from __future__ import annotations

from .chunking import region_slug
from .documents import DOC_TYPES
from .regions import REGION_OF, REGIONS

FILTERS = ("doc_type", "topic", "country", "region", "sector")
NO_FILTER = ("", "Any", None)


class RequestError(ValueError):
    """A request the API will not take; the message names the input and the reason."""


def known_values(documents: list[dict], topics: set[str], sectors: set[str]) -> dict[str, set]:
    """The values each filter may take: the vocabulary plus what the index holds."""

    def held(field: str) -> set[str]:
        return {v for d in documents for v in (d.get(field) or "").split(", ") if v}

    return {"doc_type": set(DOC_TYPES), "topic": set(topics) | held("topics"),
            "country": set(REGION_OF) | held("countries"),
            "region": {region_slug(r) for r in REGIONS} | {region_slug(r) for r in held("regions")},
            "sector": set(sectors) | held("sectors")}


def _kind(value: object) -> str:
    return type(value).__name__


def check_text(name: str, value: object, limit: int | None = None) -> str:
    if not isinstance(value, str):
        raise RequestError(f"'{name}' must be text, not {_kind(value)}")
    if limit is not None and len(value) > limit:
        raise RequestError(f"'{name}' is {len(value)} characters long; the limit is {limit}")
    return value


def check_filters(values: dict, known: dict[str, set]) -> dict[str, str]:
    """Filter values to plain strings from the known vocabulary; blanks and "Any" mean none."""
    filters = {}
    for name, value in values.items():
        if value in NO_FILTER:
            continue
        value = check_text(name, value, 100).strip()
        if name == "region" and value not in known["region"]:
            value = region_slug(value)  # "East Asia & Pacific" as well as its slug
        if name == "country":
            value = value.upper()
        if value not in known[name]:
            sample = ", ".join(sorted(known[name])[:12])
            raise RequestError(f"'{name}' is {value!r}, which is not a known value "
                               f"(for example: {sample})")
        filters[name] = value
    return filters


def check_k(k: object, max_k: int) -> int | None:
    """None for the default; else a whole number from 1 to max_k."""
    if k in (None, 0, ""):
        return None
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, bool) or not isinstance(k, int):
        raise RequestError(f"'k' must be a whole number from 1 to {max_k}, not {_kind(k)}")
    if not 1 <= k <= max_k:
        raise RequestError(f"'k' is {k}; it must be from 1 to {max_k}")
    return k


def check_history(history: object, max_chars: int) -> list[str] | None:
    if history in (None, ""):
        return None
    if not isinstance(history, list):
        raise RequestError(f"'history' must be a list of earlier questions, not {_kind(history)}")
    if len(history) > 50:
        raise RequestError(f"'history' has {len(history)} questions; the limit is 50")
    return [check_text("history item", item, max_chars) for item in history]


def check_case_ids(case_ids: object, limit: int = 3) -> list[str]:
    if case_ids in (None, ""):
        return []
    if isinstance(case_ids, str):
        case_ids = [case_ids]
    if not isinstance(case_ids, list):
        raise RequestError(f"'case_ids' must be a list of document ids, not {_kind(case_ids)}")
    if len(case_ids) > limit:
        raise RequestError(f"'case_ids' has {len(case_ids)} case studies; choose at most {limit}")
    return [check_text("case id", c, 300) for c in case_ids]


def known_for(assistant) -> dict[str, set]:
    """known_values for a running assistant: its index and its knowledge dir's vocabulary."""
    from .service import vocabulary

    vocab = vocabulary(assistant.settings)
    return known_values(list(assistant.index.documents().values()),
                        set(vocab.topics) if vocab else set(), set(vocab.sectors) if vocab else set())
