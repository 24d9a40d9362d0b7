"""Plain names for what the engine reports by id, for staff screens: red flags, findings and conditions.

    red_flag_name("finding.chest_pain")          # the finding's name in the knowledge base
    red_flag_name("physiology.severe_hypoxia")   # likewise, for a number the text states
    red_flag_name("neuro.stroke_face")           # a phrase rule: `labels.yaml` names it, else its id in words
    finding_name("facial_droop")                 # "Face drooping"

Ids stay the stable contract (audit records, `triage assess`); names are for people and may be reworded with
the knowledge. `labels.yaml` holds the words (family names, abbreviations, names of single rules).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.triage import knowledge, yaml_text

LABELS = Path(__file__).with_name("labels.yaml")


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return yaml_text.parse(LABELS.read_text(encoding="utf-8")) or {}


def _in_words(ident: str) -> str:
    words = _words().get("words") or {}
    return " ".join(words.get(w, w) for w in ident.split("_") if w)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def finding_name(concept_id: str) -> str:
    """A finding's (concept's) name in the knowledge base; its id in words when it has none."""
    concept = knowledge.load().concepts.get(concept_id)
    return concept.name if concept is not None and concept.name else _capitalised(_in_words(concept_id))


def condition_name(condition_id: str) -> str:
    condition = knowledge.load().conditions.get(condition_id)
    return condition.name if condition is not None else _capitalised(_in_words(condition_id))


def red_flag_name(flag: str) -> str:
    """The plain name of one of an assessment's `red_flags` (any id; an unknown one comes back in words)."""
    kind, _, ident = flag.partition(".")
    if kind in ("finding", "physiology", "complaint") and ident:  # complaint: a Japanese complaint's own level
        return finding_name(ident)
    if kind == "condition" and ident:
        return condition_name(ident)
    data = _words()
    named = (data.get("rules") or {}).get(flag)
    if named:
        return str(named)
    if not ident:
        return _capitalised(_in_words(flag))
    family = (data.get("families") or {}).get(kind, _capitalised(_in_words(kind)))
    return f"{family}: {_in_words(ident)}"
