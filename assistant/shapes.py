"""The shape an answer should take: steps for "how should we design…", a list of cases for
"which examples…", a side-by-side table for "how did X and Y differ…"."""

from __future__ import annotations

import re

from .conversation import subjects

_COMPARISON = re.compile(r"\b(compare[sd]?|comparison|differ(ed|s)?|differences?|versus|vs\.?|"
                         r"contrast|similarities|similar to)\b", re.IGNORECASE)
_EXAMPLES = re.compile(
    r"\b(which|what|any) (real )?(examples?|cases?|case studies|countries|partnerships|"
    r"agreements|projects|programmes|programs)\b|\bexamples? of\b|\bgive (me )?(some )?examples\b|"
    r"\bcase studies\b|\bwho has (done|tried)\b", re.IGNORECASE)
_STEPS = re.compile(
    r"^\s*(how (should|do|can|could|would|might) (we|i|a|an|the|our|one|two|governments?|"
    r"countries|partners|ministries|officials)\b.*\b(design|set up|setup|build|structure|"
    r"establish|create|organi[sz]e|plan|run|make|start|choose|select|measure|monitor|finance|"
    r"draft|prevent|prepare|include|involve|sequence|assess)\b|what steps\b|what are the steps\b)"
    r"|\bsteps\b|\bchecklist\b|\bhow to\b", re.IGNORECASE)


# "How do the Japan–Mexico and Japan–Thailand agreements handle dispute settlement?"; not
# "What went wrong with X, and what should a new deal with a hub have settled?".
_EACH_HANDLES = re.compile(r"^\W*how (do|does|did|would|will)\b[^?]*\band\b[^?]*\b(handle|treat|"
                           r"approach|deal with|address|regulate)\b", re.IGNORECASE)


def answer_shape(question: str) -> str:
    if (_COMPARISON.search(question) or _EACH_HANDLES.search(question)) and \
            len(compared_subjects(question)) >= 2:
        return "comparison"
    if _EXAMPLES.search(question):
        return "examples"
    if _STEPS.search(question):
        return "steps"
    return "plain"


def compared_subjects(question: str) -> list[str]:
    """The two things compared: "How did the Suzhou park and Hambantota differ on financing?"."""
    names = [s for s in subjects(question) if s.upper() not in {"X", "Y"}]
    if len(names) >= 2:
        return names[:2]
    match = re.search(r"between (.+?) and (.+?)(?:\s+(?:on|in|over|regarding|when)\b|[?,.]|$)",
                      question, re.IGNORECASE)
    return [match.group(1).strip(), match.group(2).strip()] if match else names


def comparison_aspect(question: str, compared: list[str]) -> str:
    """What the comparison is about: the question without the subjects and comparison words."""
    aspect = question
    for name in compared:
        aspect = aspect.replace(name, " ")
    aspect = _COMPARISON.sub(" ", aspect)
    aspect = re.sub(r"\b(how|did|do|does|what|were|was|the|and|between|on|in|their|its|"
                    r"approaches?|with|agreements?|treaty|treaties|handle|treat|deal|address|"
                    r"regulate|provisions?)\b", " ", aspect, flags=re.IGNORECASE)
    return re.sub(r"[\s?.,]+", " ", aspect).strip()
