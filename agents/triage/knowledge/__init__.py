"""The clinical knowledge base, typed: concepts (findings), conditions, context triggers and physiology.

    from agents.triage.knowledge import load
    kb = load()            # read once per process; pure data afterwards
    kb.concepts["chest_pain"].name

The files are described in this folder's README.md. Two files may declare the same concept id (writers
work per body system): their terms are merged, and the first file's name, kind, level and source stand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from agents.triage import yaml_text
from agents.triage.knowledge import japanese
from agents.triage.knowledge.japanese import Vocabulary
from agents.triage.levels import Level

ROOT = Path(__file__).parent
Kind = Literal["symptom", "sign", "test", "imaging", "risk", "medicine", "modifier", "exposure", "condition", "derived"]
#: Ids the physiology layer and the person's details set (knowledge/README.md); files may add terms to them.
DERIVED_IDS = frozenset(
    "fever high_fever hyperpyrexia hypothermia tachycardia severe_tachycardia bradycardia tachypnoea "
    "severe_tachypnoea bradypnoea hypotension severe_hypertension hypertension_in_pregnancy hypoxia severe_hypoxia "
    "hypoglycaemia severe_hypoglycaemia hyperglycaemia severe_hyperglycaemia ketosis significant_ketosis hyperkalaemia "
    "hypokalaemia hyponatraemia severe_hyponatraemia hypernatraemia raised_lactate high_lactate reduced_gcs low_gcs "
    "severe_anaemia news2_medium news2_high qsofa_positive pregnant infant_under_3_months infant child older_adult".split()
)


class KnowledgeError(ValueError):
    """A knowledge file is malformed or refers to something that does not exist."""


def _terms(value: Any) -> tuple[str, ...]:
    terms = tuple(value or ())
    for term in terms:
        if isinstance(term, bool):  # YAML reads a bare no/yes/on/off as a boolean
            raise ValueError(f"term {term!r} is a YAML boolean: quote it")
    return tuple(str(t) for t in terms)


Terms = Annotated[tuple[str, ...], BeforeValidator(_terms)]


class Who(BaseModel):
    """The population an entry applies to; an unknown age or sex does not satisfy a limit on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sex: Literal["female", "male"] | None = None
    age_min: float | None = None
    age_max: float | None = None
    pregnant: bool | None = None


class Concept(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    kind: Kind = "symptom"
    name: str = ""
    terms: Terms = ()
    exclude: Terms = ()
    level: Level | None = None
    who: Who | None = None
    unless: tuple[str, ...] = ()
    """Findings that, when present, stop this finding's own level being proposed (it still counts in patterns):
    facial weakness that takes in the forehead is Bell's palsy, not the stroke sign (NICE CKS Bell's palsy)."""
    source: str = ""


class Pattern(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    min_any: int = 1
    level: Level | None = None
    who: Who | None = None


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    name: str
    system: str = ""
    level: Level
    who: Who | None = None
    named: Terms = ()
    exclude: Terms = ()
    """Phrases that cancel a name they overlap ("heat stroke" for stroke, "ectopic beats" for ectopic)."""
    patterns: tuple[Pattern, ...] = ()
    source: str = ""


class PhysiologyRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    fact: str
    op: Literal["<", "<=", ">", ">="]
    value: float
    below: float | None = None
    """An upper bound (exclusive) for a band: preterm is >= 24 and below 37 weeks."""
    level: Level | None = None
    who: Who | None = None
    source: str = ""


class Knowledge(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    version: str
    concepts: dict[str, Concept]
    conditions: dict[str, Condition]
    context: dict[str, Any]
    physiology: tuple[PhysiologyRule, ...]
    news2: dict[str, Any]
    qsofa: dict[str, Any]
    files: tuple[str, ...] = Field(default=())
    duplicates: tuple[str, ...] = Field(default=())
    ja: Vocabulary | None = None
    """Japanese words for the same concepts and conditions (``ja/``, ``japanese.py``)."""


def _read(path: Path) -> Any:
    try:
        return yaml_text.parse(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc


def _merge_concept(old: Concept, new: Concept) -> Concept:
    terms = tuple(dict.fromkeys((*old.terms, *new.terms)))
    exclude = tuple(dict.fromkeys((*old.exclude, *new.exclude)))
    level = old.level if new.level is None else (new.level if old.level is None else old.level.at_least(new.level))
    unless = tuple(dict.fromkeys((*old.unless, *new.unless)))
    return old.model_copy(update={"terms": terms, "exclude": exclude, "level": level, "unless": unless})


_Entry = TypeVar("_Entry", "Concept", "Condition")


def _entries(
    root: Path, folder: str, key: str, model: type[_Entry], digest: Any, files: list[str]
) -> Iterator[tuple[Path, _Entry]]:
    """Each validated entry under ``key`` of every YAML file in ``folder``; the files go into the version digest."""
    for path in sorted((root / folder).glob("*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
        files.append(f"{folder}/{path.name}")
        for entry in _read(path).get(key) or ():
            try:
                yield path, model.model_validate(entry)
            except ValueError as exc:
                name = entry.get("id", entry) if isinstance(entry, dict) else entry
                raise KnowledgeError(f"{path.name}: {name}: {exc}") from exc


#: Packages whose data decide how the text is read (English stems, Japanese morphemes and kana readings): their
#: installed versions are part of the knowledge's version, so an audit record names the reading it was made with.
READERS = ("snowballstemmer", "sudachipy", "sudachidict-core")


def _installed(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def read(root: Path = ROOT) -> Knowledge:
    """Read and validate every knowledge file under ``root`` (raises KnowledgeError)."""
    digest = hashlib.sha256()
    files: list[str] = []
    concepts: dict[str, Concept] = {}
    conditions: dict[str, Condition] = {}
    duplicates: list[str] = []
    for _path, concept in _entries(root, "findings", "concepts", Concept, digest, files):
        concepts[concept.id] = _merge_concept(concepts[concept.id], concept) if concept.id in concepts else concept
    for path, condition in _entries(root, "conditions", "conditions", Condition, digest, files):
        if condition.id in conditions:
            duplicates.append(f"{path.name}: condition id {condition.id!r} is declared twice (the first stands)")
            continue
        conditions[condition.id] = condition
    # learned*.json: the learned layers' weights (agents/triage/learned.py)
    for name in ("context.yaml", "physiology.yaml", "learned.json", "learned_ja.json", "learned_tl.json"):
        if (root / name).exists() or not name.startswith("learned"):
            digest.update(name.encode() + (root / name).read_bytes())
    physiology = _read(root / "physiology.yaml")
    ja = japanese.read(root / "ja", digest, files, _read, Pattern)
    for reader in READERS:  # the same files read by another stemmer or dictionary are another engine
        digest.update(f"{reader} {_installed(reader)}".encode())
    for derived in DERIVED_IDS:
        concepts.setdefault(derived, Concept(id=derived, kind="derived", name=derived.replace("_", " ").capitalize()))
    version = (root / "VERSION").read_text(encoding="utf-8").strip() if (root / "VERSION").exists() else "dev"
    return Knowledge(
        version=f"{version}+{digest.hexdigest()[:10]}",
        concepts=concepts,
        conditions=conditions,
        context=_read(root / "context.yaml"),
        physiology=tuple(PhysiologyRule.model_validate(r) for r in physiology.get("rules", ())),
        news2=physiology.get("news2", {}),
        qsofa=physiology.get("qsofa", {}),
        files=tuple(files),
        duplicates=tuple(duplicates),
        ja=ja,
    )


def problems(kb: Knowledge) -> list[str]:
    """What a reviewer must fix: references to unknown findings, entries without terms or sources."""
    found: list[str] = list(kb.duplicates)
    for condition in kb.conditions.values():
        if not condition.named and not condition.patterns:
            found.append(f"condition {condition.id}: neither named terms nor patterns")
        if not condition.source:
            found.append(f"condition {condition.id}: no source")
        for i, pattern in enumerate(condition.patterns):
            if not pattern.all and not pattern.any:
                found.append(f"condition {condition.id} pattern {i}: empty")
            for ref in (*pattern.all, *pattern.any, *pattern.none):
                if ref not in kb.concepts and ref not in kb.conditions:
                    found.append(f"condition {condition.id} pattern {i}: unknown finding {ref!r}")
    from agents.triage.words import term_stems  # the reading of terms belongs to words.py

    for concept in kb.concepts.values():
        if concept.kind != "derived" and not concept.terms:
            found.append(f"concept {concept.id}: no terms")
        own = [term_stems(t) for t in concept.terms]
        for phrase in concept.exclude:
            cancel = term_stems(phrase)
            # an exclusion that every match of a term contains cancels that term everywhere
            if any(_contains(stems, cancel) for stems in own):
                found.append(
                    f"concept {concept.id}: exclude {phrase!r} reads like one of its own terms, so it cancels them"
                )
        for ref in concept.unless:
            if ref not in kb.concepts:
                found.append(f"concept {concept.id}: unless names unknown finding {ref!r}")
    for rule in kb.physiology:
        if rule.id not in kb.concepts:
            found.append(f"physiology rule sets unknown id {rule.id!r}")
    found.extend(japanese.problems(kb))
    return found


def _contains(stems: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return bool(part) and any(stems[i : i + len(part)] == part for i in range(len(stems) - len(part) + 1))


@lru_cache(maxsize=1)
def load() -> Knowledge:
    return read(ROOT)
