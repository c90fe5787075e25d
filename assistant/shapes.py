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


# "Has the advice made a difference?", "does the difference affect their role?": no comparison.
_NOT_COMPARING = re.compile(r"\b(make|makes|made|making) (a|any|the|much|no|real|little|some) "
                            r"difference\b|\bthe difference (affect|matter|make)", re.IGNORECASE)
# "the two episodes", "both cases": a comparison of subjects named in the sentences before
_BOTH = re.compile(r"\b(the two|both|each)\b", re.IGNORECASE)


def comparison_sentence(question: str) -> str | None:
    """The sentence of the question that asks for a comparison, if one does."""
    for sentence in re.split(r"(?<=[.?!])\s+", question.strip()):
        if _EACH_HANDLES.search(sentence) or _COMPARISON.search(sentence) and \
                not _NOT_COMPARING.search(sentence):
            return sentence
    return None


def answer_shape(question: str) -> str:
    if comparison_sentence(question) and len(compared_subjects(question)) >= 2:
        return "comparison"
    if _EXAMPLES.search(question):
        return "examples"
    if _STEPS.search(question):
        return "steps"
    return "plain"


def compared_subjects(question: str) -> list[str]:
    """The two things compared: "How did the Suzhou park and Hambantota differ on financing?".
    Names are taken from the sentence that compares (not "Journalists keep calling it aid. What
    is it in loans versus grants?"), leaving out a word capitalised only because it opens that
    sentence ("Quick definitions please: MFN versus national treatment")."""
    sentence = comparison_sentence(question) or question
    names = [s for s in subjects(sentence) if s.upper() not in {"X", "Y"} and
             not _opens_only(s, sentence)]
    if len(names) < 2 and _BOTH.search(sentence):  # "How do the two episodes compare?"
        names = [s for s in subjects(question) if not _opens_only(s, question)]
    match = re.search(r"between (.+?) and (.+?)(?:\s+(?:on|in|over|regarding|when)\b|[?,.]|$)",
                      sentence, re.IGNORECASE)
    if len(names) >= 2 and _set_side_by_side(names[:2], sentence):
        return names[:2]
    return [match.group(1).strip(), match.group(2).strip()] if match else names[:1]


def _set_side_by_side(names: list[str], sentence: str) -> bool:
    """Whether the sentence compares the two names themselves: joined by "and" ("the Suzhou park
    and Hambantota differ"), or one named just after the comparison word ("differ from the
    EU–Japan EPA", "vs Korea"); not "loans versus grants" or "now compared with 2009" in a
    question that names Germany and India or Japan and Mexico."""
    first, second = (re.escape(n) for n in names)
    if re.search(rf"{first}(\s+\S+){{0,4}}\s+and\s+(\S+\s+){{0,3}}{second}", sentence) or \
            re.search(rf"{second}(\s+\S+){{0,4}}\s+and\s+(\S+\s+){{0,3}}{first}", sentence):
        return True
    for word in _COMPARISON.finditer(sentence):
        after = " ".join(sentence[word.end():].split()[:5])
        if any(name in after for name in names):
            return True
    return bool(_EACH_HANDLES.search(sentence))


def _opens_only(name: str, text: str) -> bool:
    """A one-word name that opens a sentence of `text` and is followed by a lower-case word
    other than "and"/"or" ("Journalists keep...", "Trainer preparing...", "I'm a ..."): an
    ordinary word, capitalised for its place."""
    if " " in name or not name[:1].isupper() or name.isupper():
        return False
    return any(re.match(rf"{re.escape(name)}\s+(?!and\b|or\b|vs\b|versus\b)[a-z]", s)
               for s in re.split(r"(?<=[.?!:])\s+", text.strip()))


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
