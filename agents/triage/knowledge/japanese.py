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
    from agents.triage.knowledge import Knowledge, Pattern

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


class Pairs(_Strict):
    """Every part with every word, as ``part...word`` terms (胸 x 痛, ぎゅ, 苦し -> 胸...痛, 胸...ぎゅ, 胸...苦し)."""

    parts: Words
    words: Words

    def terms(self) -> tuple[str, ...]:
        return tuple(f"{part}{GAP}{word}" for part in self.parts for word in self.words)


class JaConcept(_Strict):
    name: str = ""
    """The plain Japanese name a patient is told ("胸の痛み")."""
    terms: Words = ()
    pairs: tuple[Pairs, ...] = ()
    """Body parts with the words said of them (胸 with 痛, 苦し, ぎゅ): each pair is a term with a gap."""
    also: Words = ()
    """Concepts every match of these terms also names (吐血 is vomiting too), as the English reader, which finds
    every phrase inside a longer one, reads "vomiting blood" as vomiting as well."""
    context_terms: Words = ()
    """Words that mean this concept only when one of ``with_any`` is read in the conversation too (出血 is vaginal
    bleeding in a pregnancy, not after cutting a finger)."""
    with_any: Words = ()
    covers: Words = ()
    """Concepts this one's words take in whole: a match of one of them inside a match of this one is not read
    (いびき...呼吸停止 is breathing that stops in sleep, not a stop of breathing) when the match holds one of
    ``covers_when`` (いびき, 数秒: words that say it comes and goes; 寝ている父の息が止まっている stays an arrest)."""
    covers_when: Words = ()

    def all_terms(self) -> tuple[str, ...]:
        """The terms, with the pairs spelled out."""
        return (*self.terms, *(term for pairs in self.pairs for term in pairs.terms()))


class JaCondition(_Strict):
    name: str = ""
    named: Words = ()


class Relatives(_Strict):
    """A relative's own condition (父が脳梗塞, 母は乳がん): a family history when the message is about someone else."""

    kin: Words
    """Blood relatives (父, 母, 祖父 ...): whose conditions are a family history."""
    subject: Marks
    """Particles that make the relative the subject of what follows (父が, 母は, 兄も, 父の)."""
    window: int = 12
    """Characters from the particle to the condition's name, within one clause."""
    age: str
    """A regular expression for an age (83歳, 生後2か月, (83)): the person it belongs to is a patient."""
    age_before: str
    """What may stand between an age and the relative's word after it for the age to be theirs (83歳の父)."""
    age_after: str
    """What may stand between a relative's word and an age after it for the age to be theirs (父(83歳), 父は83歳)."""
    now: Words = ()
    """Words that report the relative's event as happening now (今朝, さっき, 倒れ, 救急車): their sentence is about the
    relative as the patient, never a family history."""


class JaContext(_Strict):
    window: int = 12
    """Characters a trigger after a finding may stand from it."""
    list_joins: Marks = ()
    suffixes: Marks = ()
    gap_words: Marks = ()
    boundaries: Marks = ()
    list_marks: Marks = ()
    """Marks that join the items of a written list (頭痛・胸痛・動悸なし): a trigger's reach runs through the items."""
    item_chars: int = 8
    """The longest list item the knowledge does not read (左右差, 視覚異常) that a trigger's reach runs through."""
    affirmations: Marks = ()
    """Words that say an unread item is there (動悸あり): a list holding one stops a trigger's reach."""
    descriptions: Marks = ()
    """Words that make a finding describe the noun after it (胸がへこむような呼吸なし): the noun's trigger is the finding's."""
    attributive: Marks = ()
    """Endings of a finding's own words that make it modify the noun after it (急な: 急な視力低下なし, 急な変化はない): the
    trigger after that noun, or after a list of nouns the knowledge does not read, is the finding's."""
    triggers: dict[Category, dict[Direction, Words]] = Field(default_factory=dict)
    pseudo: Words = ()
    relatives: Relatives | None = None


class Escalation(_Strict):
    """A finding that raises one level to another (the English escalation rules' `level_is`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    when: str
    from_: Level = Field(alias="from")
    to: Level


FactOp = Literal["gte", "gt", "lte", "lt"]


class Combination(_Strict):
    """Findings that together call for a level no condition gives (an English phrase rule's combination): a
    pattern as in ``conditions/`` (all, any, none, who) plus limits on stated numbers (``facts``)."""

    pattern: Any
    """A ``knowledge.Pattern``; its level is the combination's."""
    facts: dict[str, dict[FactOp, float]] = Field(default_factory=dict)
    rule: str = ""
    """The English phrase rule it stands for (protocols/*.yaml), for the reviewer."""


class JaFacts(_Strict):
    labels: dict[str, Words] = Field(default_factory=dict)
    """The English word the facts extractor reads -> the Japanese labels written for it."""
    jcs_to_gcs: dict[int, int] = Field(default_factory=dict)
    sex: dict[Literal["female", "male"], Words] = Field(default_factory=dict)
    age_words: dict[str, float] = Field(default_factory=dict)


class JaWording(_Strict):
    levels: dict[Level, str]
    lead: str
    what_you_describe: str
    measured: str
    joiner: str
    not_read: str
    no_complaint_placed: str
    under_review: str
    """Said when a Japanese message below an emergency is held at 24 h for a clinician (see japanese/assess.py)."""
    questions: dict[str, str]
    names: dict[str, str] = Field(default_factory=dict)
    """Names of the physiology layer's findings (what numbers show)."""


class Vocabulary(_Strict):
    concepts: dict[str, JaConcept]
    conditions: dict[str, JaCondition]
    ignore: Words = ()
    """Words read as nothing: they hold characters a shorter term would otherwise take (熱中症 is not 熱)."""
    context: JaContext
    complaints: dict[str, Level]
    circumstances: Words = ()
    """Findings that say what happened or reassure (転んだ, 歩ける): alone they place nothing."""
    escalations: tuple[Escalation, ...] = ()
    combinations: tuple[Combination, ...] = ()
    explained_by: dict[str, Words] = Field(default_factory=dict)
    """Complaint -> conditions that account for it though no pattern of theirs names it."""
    facts: JaFacts
    wording: JaWording


def read(folder: Path, digest: Any, files: list[str], load: Any, pattern: type[Pattern]) -> Vocabulary | None:
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
        circumstances=data.get("complaints", {}).get("circumstances") or (),
        escalations=data.get("complaints", {}).get("escalations") or (),
        explained_by=data.get("complaints", {}).get("explained_by") or {},
        combinations=tuple(
            _combination(entry, pattern) for entry in data.get("complaints", {}).get("combinations") or ()
        ),
        facts=data.get("facts", {}),
        wording=data["wording"],
    )


def _combination(entry: dict[str, Any], pattern: type[Pattern]) -> Combination:
    entry = dict(entry)
    facts, rule = entry.pop("facts", {}), entry.pop("rule", "")
    found = pattern.model_validate(entry)
    if found.level is None:
        raise ValueError(f"combination {entry} has no level")
    return Combination(pattern=found, facts=facts, rule=rule)


def problems(kb: Knowledge) -> list[str]:
    """Ids the Japanese files name that the shared knowledge lacks, empty entries, malformed terms."""
    ja = kb.ja
    if ja is None:
        return []
    found: list[str] = []
    for ident, concept in ja.concepts.items():
        if ident not in kb.concepts:
            found.append(f"ja concept {ident}: no such concept in findings/")
        if not concept.terms and not concept.context_terms and not concept.pairs:
            found.append(f"ja concept {ident}: no terms")
        found.extend(
            f"ja concept {ident}: with_any names unknown concept {ref!r}"
            for ref in concept.with_any
            if ref not in kb.concepts
        )
        found.extend(
            f"ja concept {ident}: also names unknown concept {ref!r}" for ref in concept.also if ref not in kb.concepts
        )
        if concept.context_terms and not concept.with_any:
            found.append(f"ja concept {ident}: context_terms without with_any")
        found.extend(_term_problems(f"ja concept {ident}", (*concept.all_terms(), *concept.context_terms)))
    for ident, condition in ja.conditions.items():
        if ident not in kb.conditions:
            found.append(f"ja condition {ident}: no such condition in conditions/")
        if not condition.named:
            found.append(f"ja condition {ident}: no named terms")
        found.extend(_term_problems(f"ja condition {ident}", condition.named))
    for ident, level in ja.complaints.items():
        known = kb.concepts.get(ident)
        if known is None:
            found.append(f"ja complaint {ident}: no such concept in findings/")
        elif ident not in ja.concepts:
            found.append(f"ja complaint {ident}: no Japanese words for it in ja/findings.yaml")
        elif known.level is not None and level.rank < known.level.rank:
            found.append(f"ja complaint {ident}: {level.value} is more urgent than the concept's own level")
    for ident in sorted(ja.concepts):
        known = kb.concepts.get(ident)
        if (
            known is not None
            and known.kind in _PLACED_KINDS
            and known.level is None
            and ident not in ja.complaints
            and ident not in ja.circumstances
        ):
            found.append(
                f"ja concept {ident}: a {known.kind} with no level of its own and no entry in ja/complaints.yaml "
                "(read alone it would place nothing)"
            )
    found.extend(
        f"ja circumstance {ident}: no such concept in findings/"
        for ident in ja.circumstances
        if ident not in kb.concepts
    )
    found.extend(f"ja escalation: unknown finding {e.when!r}" for e in ja.escalations if e.when not in kb.concepts)
    for ident, explainers in ja.explained_by.items():
        found.extend(
            f"ja explained_by {ident}: unknown condition {ref!r}" for ref in explainers if ref not in kb.conditions
        )
        if ident not in ja.complaints:
            found.append(f"ja explained_by {ident}: not a complaint of ja/complaints.yaml")
    for combination in ja.combinations:
        found.extend(
            f"ja combination {combination.rule or '?'}: unknown finding {ref!r}"
            for ref in (*combination.pattern.all, *combination.pattern.any, *combination.pattern.none)
            if ref not in kb.concepts
        )
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
