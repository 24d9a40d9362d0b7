"""Protocol data: loading, validation and compilation (once per process).

Knowledge lives in YAML: ``lexicon.yaml`` holds the language (spelling,
negation grammar, shared terms, follow-up questions) and ``protocols/*.yaml``
one file per complaint family, each with its own terms and rules. This module
turns them into precompiled, immutable objects; it never runs on the hot path
after the first load.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.triage import glosses, yaml_text
from agents.triage.facts import FACT_NAMES
from agents.triage.levels import Level
from agents.triage.text import NegationGrammar, Term, compile_alternation, gram_of, literal_grams, required_literals

HERE = Path(__file__).parent
LEXICON = HERE / "lexicon.yaml"
PROTOCOL_DIR = HERE / "protocols"

_OPS = frozenset({"lt", "lte", "gt", "gte", "eq", "known", "or_unknown"})


class ProtocolError(ValueError):
    """A protocol file is malformed; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class FactTest:
    name: str
    op: str
    value: Any
    or_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """All of ``all`` (each item: any one of its terms), none of ``none``,
    every fact test, and at least one of ``any_of`` when given."""

    all: tuple[tuple[str, ...], ...] = ()
    none: tuple[str, ...] = ()
    facts: tuple[FactTest, ...] = ()
    any_of: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    level: Level | None
    rationale: str
    clause: Clause
    ask: tuple[str, ...] = ()
    level_is: frozenset[Level] = frozenset()


@dataclass(frozen=True, slots=True)
class Protocols:
    version: str
    spelling: tuple[tuple[re.Pattern[str], Any], ...]
    glosser: glosses.Glosser
    """Words of other languages mixed into English, glossed after the spelling fixes (agents/triage/glosses.py)."""
    negation: NegationGrammar
    terms: dict[str, Term]
    rules: tuple[Rule, ...]
    questions: dict[str, str]
    english: frozenset[str]
    foreign: frozenset[str]
    families: tuple[str, ...]
    gram_index: dict[str, tuple[tuple[str, str], ...]]
    """Short substring -> (term, required literal containing it)."""
    rules_by_term: dict[str, tuple[int, ...]]
    """Term -> indexes of the rules gated by it (their first condition)."""
    ungated: tuple[int, ...]
    """Indexes of rules that must always be evaluated."""
    escalators: tuple[Rule, ...]
    """Rules that apply only to the level reached by the others (``level_is``)."""


def _read(path: Path) -> dict[str, Any]:
    data = yaml_text.parse(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ProtocolError(f"{path.name}: expected a mapping at the top level")
    return data


def _clause(raw: dict[str, Any], where: str, terms: dict[str, Any]) -> Clause:
    unknown = set(raw) - {"all", "none", "facts", "any_of"}
    if unknown:
        raise ProtocolError(f"{where}: unknown keys {sorted(unknown)}")
    groups = tuple(tuple([item] if isinstance(item, str) else item) for item in raw.get("all", ()))
    none = tuple(raw.get("none", ()))
    for name in [n for group in groups for n in group] + list(none):
        if name not in terms:
            raise ProtocolError(f"{where}: unknown term {name!r}")
    tests: list[FactTest] = []
    for name, spec in (raw.get("facts") or {}).items():
        if name not in FACT_NAMES:
            raise ProtocolError(f"{where}: unknown fact {name!r}")
        or_unknown = bool(spec.get("or_unknown", False))
        for op, value in spec.items():
            if op not in _OPS:
                raise ProtocolError(f"{where}: unknown operator {op!r}")
            if op != "or_unknown":
                tests.append(FactTest(name, op, value, or_unknown))
    any_of = tuple(_clause(sub, where, terms) for sub in raw.get("any_of", ()))
    if not (groups or tests or any_of):
        raise ProtocolError(f"{where}: a rule needs at least one term or fact condition")
    return Clause(groups, none, tuple(tests), any_of)


def _rules(path: Path, data: dict[str, Any], terms: dict[str, Any], questions: dict[str, str]) -> list[Rule]:
    family = data.get("family")
    if not family:
        raise ProtocolError(f"{path.name}: missing 'family'")
    rules = []
    for raw in data.get("rules", ()):
        rid = raw.get("id", "")
        where = f"{path.name}:{rid or '?'}"
        if not rid.startswith(f"{family}."):
            raise ProtocolError(f"{where}: rule ids start with the family name {family!r}")
        level = Level(raw["level"]) if raw.get("level") else None
        ask = tuple(raw.get("ask", ()))
        if level is None and not ask:
            raise ProtocolError(f"{where}: a rule needs a level or something to ask")
        if level is not None and not raw.get("rationale"):
            raise ProtocolError(f"{where}: a rule with a level needs a rationale")
        for key in ask:
            if key not in questions:
                raise ProtocolError(f"{where}: no follow-up question for {key!r}")
        cond = {k: v for k, v in raw.items() if k in {"all", "none", "facts", "any_of"}}
        rules.append(
            Rule(
                id=rid,
                family=family,
                level=level,
                rationale=str(raw.get("rationale", "")).strip(),
                clause=_clause(cond, where, terms),
                ask=ask,
                level_is=frozenset(Level(x) for x in raw.get("level_is", ())),
            )
        )
    return rules


def _term(patterns: list[str]) -> Term:
    literals = required_literals(patterns)
    return Term(compile_alternation(patterns), literals, literal_grams(literals))


@lru_cache(maxsize=1)
def load() -> Protocols:
    """Read, validate and compile every protocol file (cached)."""
    digest = hashlib.sha256()
    lexicon = _read(LEXICON)
    digest.update(LEXICON.read_bytes())
    files = sorted(PROTOCOL_DIR.glob("*.yaml"))
    raw_terms: dict[str, list[str]] = dict(lexicon.get("terms", {}))
    parsed = []
    for path in files:
        digest.update(path.read_bytes())
        data = _read(path)
        for name, patterns in (data.get("terms") or {}).items():
            if name in raw_terms:
                raise ProtocolError(f"{path.name}: term {name!r} is defined twice")
            raw_terms[name] = patterns
        parsed.append((path, data))
    try:
        terms = {name: _term(patterns) for name, patterns in raw_terms.items()}
    except re.error as exc:  # pragma: no cover - guarded by tests
        raise ProtocolError(f"bad pattern: {exc}") from exc
    questions = {str(k): str(v) for k, v in lexicon["questions"].items()}
    rules: list[Rule] = []
    for path, data in parsed:
        rules.extend(_rules(path, data, terms, questions))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ProtocolError(f"duplicate rule ids: {dupes}")
    neg = lexicon["negation"]
    by_window: dict[int, list[str]] = {}
    for cue in neg["cues"]:
        pattern, window = (cue["cue"], cue["window"]) if isinstance(cue, dict) else (cue, neg["window"])
        by_window.setdefault(int(window), []).append(pattern)
    grammar = NegationGrammar(
        cues=tuple((compile_alternation(cues), window) for window, cues in sorted(by_window.items())),
        pseudo=compile_alternation(neg["pseudo"]),
        breaks=compile_alternation(neg["breaks"], boundaries=False),
        post=re.compile(r"\s*(?:" + "|".join(neg["post"]) + r")(?![\w'])"),
    )
    glosser, gloss_bytes = glosses.load()
    digest.update(gloss_bytes)
    fixes = list(lexicon["spelling"].items())
    combined = re.compile(r"(?<!\w)(?:" + "|".join(f"({k})" for k, _ in fixes) + r")(?!\w)")
    replacements = [v for _, v in fixes]
    spelling = ((combined, lambda m: replacements[m.lastindex - 1]),)
    lang = lexicon["language"]
    ordered = tuple(sorted(rules, key=lambda r: (r.level.rank if r.level else 9, r.id)))
    gram_index: dict[str, list[tuple[str, str]]] = {}
    for name, term in terms.items():
        for literal in term.literals or ():
            gram_index.setdefault(gram_of(literal), []).append((name, literal))
    by_term: dict[str, list[int]] = {}
    ungated: list[int] = []
    for index, rule in enumerate(ordered):
        gate = rule.clause.all[0] if rule.clause.all else ()
        if rule.level_is:
            continue
        if not gate or any(terms[name].grams is None for name in gate):
            ungated.append(index)
        else:
            for name in gate:
                by_term.setdefault(name, []).append(index)
    return Protocols(
        version=f"{lexicon['version']}+{digest.hexdigest()[:8]}",
        spelling=spelling,
        glosser=glosser,
        negation=grammar,
        terms=terms,
        rules=ordered,
        questions=questions,
        english=frozenset(lang["english"]),
        foreign=frozenset(lang["foreign"]),
        families=tuple(str(data["family"]) for _, data in parsed),
        gram_index={gram: tuple(pairs) for gram, pairs in gram_index.items()},
        rules_by_term={name: tuple(ix) for name, ix in by_term.items()},
        ungated=tuple(ungated),
        escalators=tuple(rule for rule in ordered if rule.level_is),
    )
