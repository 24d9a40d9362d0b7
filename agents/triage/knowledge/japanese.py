"""The Japanese vocabulary of the knowledge base (``knowledge/ja/``), typed: words for the same concepts and conditions.

    kb.ja.concepts["chest_pain"].terms        # ("胸痛", "胸が痛", "胸...痛", ...)
    kb.ja.complaints["chest_pain"]            # Level.emergency

Japanese adds words to the concepts of ``findings/`` and the conditions of ``conditions/``, keyed by their ids; it
declares no concept or condition of its own, so every pattern, level and source stays the shared one. The files
are described in ``README.md`` ("Japanese"); the reader that uses them is ``agents/triage/japanese/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from agents.triage.levels import Level

if TYPE_CHECKING:
    from agents.triage.knowledge import Knowledge

GAP = "..."
#: Kinds of concept a message names as its problem: each needs a level of its own or a complaint level.
_PLACED_KINDS = frozenset({"symptom", "sign", "exposure", "test", "imaging"})
Category = Literal["negated", "possible", "hypothetical", "historical", "family"]
Direction = Literal["after", "before"]


def _strings(value: Any) -> tuple[str, ...]:
    terms = tuple(value or ())
    for term in terms:
        if not isinstance(term, str):  # YAML reads a bare no/yes/on/off or a number as something else: quote it
            raise ValueError(f"term {term!r} is not a string: quote it")
    return terms


Words = Annotated[tuple[str, ...], BeforeValidator(_strings)]
Marks = Annotated[tuple[str, ...], BeforeValidator(lambda value: tuple(str(v) for v in value or ()))]
"""Punctuation and particles: YAML may read a bare one as something else ('.' stays a string; 0 would not)."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JaConcept(_Strict):
    name: str = ""
    """The plain Japanese name a patient is told ("胸の痛み")."""
    terms: Words = ()
    context_terms: Words = ()
    """Words that mean this concept only when one of ``with_any`` is read in the conversation too (出血 is vaginal
    bleeding in a pregnancy, not after cutting a finger)."""
    with_any: Words = ()


class JaCondition(_Strict):
    name: str = ""
    named: Words = ()


class JaContext(_Strict):
    window: int = 12
    """Characters a trigger after a finding may stand from it."""
    list_joins: Marks = ()
    gap_words: Marks = ()
    boundaries: Marks = ()
    triggers: dict[Category, dict[Direction, Words]] = Field(default_factory=dict)
    pseudo: Words = ()


class JaFacts(_Strict):
    labels: dict[str, Words] = Field(default_factory=dict)
    """The English word the facts extractor reads -> the Japanese labels written for it."""
    jcs_to_gcs: dict[int, int] = Field(default_factory=dict)
    sex: dict[Literal["female", "male"], Words] = Field(default_factory=dict)
    age_words: dict[str, float] = Field(default_factory=dict)


class JaWording(_Strict):
    levels: dict[Level, str]
    what_you_describe: str
    measured: str
    joiner: str
    not_read: str
    no_complaint_placed: str
    questions: dict[str, str]


class Vocabulary(_Strict):
    concepts: dict[str, JaConcept]
    conditions: dict[str, JaCondition]
    ignore: Words = ()
    """Words read as nothing: they hold characters a shorter term would otherwise take (熱中症 is not 熱)."""
    context: JaContext
    complaints: dict[str, Level]
    facts: JaFacts
    wording: JaWording


def read(folder: Path, digest: Any, files: list[str], load: Any) -> Vocabulary | None:
    """The vocabulary in ``folder`` (None when there is none); every file goes into the version digest."""
    if not folder.is_dir():
        return None
    data: dict[str, Any] = {}
    for path in sorted(folder.glob("*.yaml")):
        digest.update(f"ja/{path.name}".encode() + path.read_bytes())
        files.append(f"ja/{path.name}")
        data[path.stem] = load(path)
    findings = data.get("findings", {})
    return Vocabulary(
        concepts=findings.get("concepts") or {},
        conditions=(data.get("conditions", {}).get("conditions")) or {},
        ignore=findings.get("ignore") or (),
        context=data.get("context", {}),
        complaints=(data.get("complaints", {}).get("complaints")) or {},
        facts=data.get("facts", {}),
        wording=data["wording"],
    )


def problems(kb: Knowledge) -> list[str]:
    """Ids the Japanese files name that the shared knowledge lacks, empty entries, malformed terms."""
    ja = kb.ja
    if ja is None:
        return []
    found: list[str] = []
    for ident, concept in ja.concepts.items():
        if ident not in kb.concepts:
            found.append(f"ja concept {ident}: no such concept in findings/")
        if not concept.terms and not concept.context_terms:
            found.append(f"ja concept {ident}: no terms")
        found.extend(f"ja concept {ident}: with_any names unknown concept {ref!r}" for ref in concept.with_any
                     if ref not in kb.concepts)
        if concept.context_terms and not concept.with_any:
            found.append(f"ja concept {ident}: context_terms without with_any")
        found.extend(_term_problems(f"ja concept {ident}", (*concept.terms, *concept.context_terms)))
    for ident, condition in ja.conditions.items():
        if ident not in kb.conditions:
            found.append(f"ja condition {ident}: no such condition in conditions/")
        if not condition.named:
            found.append(f"ja condition {ident}: no named terms")
        found.extend(_term_problems(f"ja condition {ident}", condition.named))
    for ident, level in ja.complaints.items():
        concept = kb.concepts.get(ident)
        if concept is None:
            found.append(f"ja complaint {ident}: no such concept in findings/")
        elif ident not in ja.concepts:
            found.append(f"ja complaint {ident}: no Japanese words for it in ja/findings.yaml")
        elif concept.level is not None and level.rank < concept.level.rank:
            found.append(f"ja complaint {ident}: {level.value} is more urgent than the concept's own level")
    for ident in sorted(ja.concepts):
        concept = kb.concepts.get(ident)
        if concept is not None and concept.kind in _PLACED_KINDS and concept.level is None and ident not in ja.complaints:
            found.append(f"ja concept {ident}: a {concept.kind} with no level of its own and no entry in ja/complaints.yaml "
                         "(read alone it would place nothing)")
    missing = [level.value for level in Level if level not in ja.wording.levels]
    if missing:
        found.append(f"ja wording: no phrase for {missing}")
    return found


def _term_problems(where: str, terms: Iterable[str]) -> list[str]:
    found = []
    for term in terms:
        parts = term.split(GAP)
        if len(parts) > 2 or any(not part.strip() for part in parts):
            found.append(f"{where}: term {term!r} must be words, or two parts around one '{GAP}'")
    return found
