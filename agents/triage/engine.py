"""The engine: text in, Assessment out. Deterministic, no I/O after the first load.

Every rule that holds proposes its level; the most urgent proposal wins and
nothing lowers it. Escalation rules (``level_is``) then look at the level
reached so far (a self-care complaint that has lasted weeks becomes a
consultation). Rules may also name facts to ask about when they are unknown.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence

from agents.triage import protocols
from agents.triage.assessment import Assessment
from agents.triage.facts import Facts, extract, merge
from agents.triage.levels import Level
from agents.triage.protocols import Clause, FactTest, Protocols, Rule
from agents.triage.text import Conversation, Document, Term, normalise

_TOKENS = re.compile(r"[^\W\d_]+")
_PLACEHOLDERS = re.compile(r"<[a-z_]+>")
_FEVER_C = 38.0
_DOCUMENTS_KEPT = 4096  # ~6 KB each: ~24 MB at most; 200 active conversations use ~1,200

_NO_COMPLAINT = "No symptom or problem could be recognised, so a routine consultation is the safe default until we know what is wrong."
_UNRECOGNISED = "The symptoms described did not match a specific protocol; a routine consultation is the safe default."
_FOREIGN = "The message does not appear to be in English; a clinician should confirm the problem before any advice is relied on."


class _MessageDocuments:
    """Each message's normalised document and facts, kept for the turns that follow (an LRU of pure results).

    A conversation's earlier messages are read again on every turn; with this the engine normalises and
    scans each message once, so a turn costs about the same at message 20 as at message 1 (issue 9). It keeps
    the text it is given; the service gives it redacted text only (agents/nodes/assess.py), as the checkpointer
    keeps.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._docs: OrderedDict[tuple[str, str], tuple[Document, Facts]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, p: Protocols) -> tuple[Document, Facts]:
        """The message's document and facts (shared: copy the facts before changing them)."""
        key = (p.version, text)
        with self._lock:
            found = self._docs.get(key)
            if found is not None:
                self._docs.move_to_end(key)
                return found
        doc = Document(normalise(text, p.spelling), p.negation, p.gram_index)
        found = (doc, extract(doc.text))
        with self._lock:
            self._docs[key] = found
            if len(self._docs) > self._size:
                self._docs.popitem(last=False)
        return found


_documents = _MessageDocuments(_DOCUMENTS_KEPT)


def _fact_holds(test: FactTest, facts: Facts) -> bool:
    value = facts.get(test.name)
    if test.op == "known":
        return (value is not None) == bool(test.value)
    if value is None:
        return test.or_unknown
    if test.op == "eq":
        return value == test.value
    if test.op == "lt":
        return value < test.value
    if test.op == "lte":
        return value <= test.value
    if test.op == "gt":
        return value > test.value
    return value >= test.value  # gte


def _holds(clause: Clause, doc: Conversation, facts: Facts, terms: dict[str, Term]) -> bool:
    for test in clause.facts:
        if not _fact_holds(test, facts):
            return False
    for group in clause.all:
        if not any(doc.lookup(name, terms[name])[1] for name in group):
            return False
    for name in clause.none:
        if doc.lookup(name, terms[name])[1]:
            return False
    return not clause.any_of or any(_holds(sub, doc, facts, terms) for sub in clause.any_of)


def _derive(doc: Conversation, facts: Facts, p: Protocols) -> None:
    """Numbers settle what words only suggest: 37.2 C is not a fever."""
    if facts.temp_c is not None:
        doc.set_term("fever", True, facts.temp_c >= _FEVER_C)
    if facts.gest_weeks is not None:
        doc.set_term("pregnant", True, True)
    if facts.sex is None and doc.lookup("pregnant", p.terms["pregnant"])[1]:
        facts.sex = "female"


def _known(key: str, doc: Conversation, facts: Facts, p: Protocols) -> bool:
    if key == "age":
        return facts.age is not None
    if key == "duration":
        return facts.duration_days is not None
    if key == "severity":
        return facts.severity_stated or facts.pain_score is not None
    if key == "temperature":
        return facts.temp_c is not None
    if key == "pregnancy":
        if facts.sex == "male" or (facts.age is not None and not 11 <= facts.age <= 56):
            return True
        return doc.lookup("pregnancy_status", p.terms["pregnancy_status"])[0]
    if key == "rash_blanching":
        return doc.lookup("blanching_test", p.terms["blanching_test"])[0]
    return True


def _language(text: str, p: Protocols) -> str:
    """'english', 'foreign', 'mixed' (many foreign words), 'unknown' (no English word) or 'none'."""
    text = _PLACEHOLDERS.sub(" ", text)
    tokens = _TOKENS.findall(text)
    if not tokens:
        return "none"
    letters = sum(len(t) for t in tokens)
    non_latin = sum(1 for t in tokens for ch in t if ord(ch) > 0x24F)
    if non_latin > letters / 2:
        return "foreign"
    english = sum(1 for t in tokens if t in p.english)
    foreign = sum(1 for t in tokens if t in p.foreign)
    if foreign >= 2 and foreign > english:
        return "foreign"
    if foreign >= 3 and 2 * foreign >= english:
        return "mixed"
    if len(tokens) >= 4 and english == 0:
        return "unknown"
    return "english"


def _rationale(rules: list[Rule], level: Level) -> str:
    texts: list[str] = []
    for rule in rules:
        if rule.level is level and rule.rationale not in texts:
            texts.append(rule.rationale)
        if len(texts) == 2:
            break
    return " ".join(texts)


def assess(
    text: str,
    *,
    age: float | None = None,
    sex: str | None = None,
    history: Sequence[str] = (),
) -> Assessment:
    """Triage one message (plus the patient's earlier messages, oldest first)."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    p = protocols.load()
    parts = [_documents.get(t, p) for t in (*history, text) if isinstance(t, str) and t.strip()]
    parts = [(part, facts) for part, facts in parts if part.text]
    doc = Conversation([part for part, _ in parts])
    norm = doc.text
    facts = merge([facts for _, facts in parts]) or extract(norm)
    if age is not None:
        facts.age = float(age)
    if sex:
        facts.sex = sex.lower()
    _derive(doc, facts, p)

    candidates = set(p.ungated)
    by_term = p.rules_by_term
    for name in doc.possible:
        if name in by_term:
            candidates.update(by_term[name])
    matched: list[Rule] = []
    asks: list[str] = []
    level: Level | None = None
    for index in sorted(candidates):
        rule = p.rules[index]
        if rule.level_is or not _holds(rule.clause, doc, facts, p.terms):
            continue
        matched.append(rule)
        asks.extend(rule.ask)
        if rule.level is not None:
            level = rule.level if level is None else level.at_least(rule.level)
    for rule in p.escalators:
        if level in rule.level_is and _holds(rule.clause, doc, facts, p.terms):
            matched.append(rule)
            asks.extend(rule.ask)
            level = level.at_least(rule.level) if rule.level else level

    missing = [k for k in dict.fromkeys(asks) if not _known(k, doc, facts, p)]
    language = _language(norm, p)
    rationale = ""
    if level is None:
        level = Level.consultation
        recognised = doc.lookup("symptom_any", p.terms["symptom_any"])[0] or any(
            getattr(facts, name) is not None for name in ("temp_c", "spo2", "hr", "sbp", "rr", "glucose")
        )
        if language in ("foreign", "mixed", "unknown"):
            missing[:0] = ["complaint", "language"] if language == "unknown" else ["language"]
            rationale = _FOREIGN
        elif recognised:
            rationale = _UNRECOGNISED
            missing.extend(k for k in ("duration", "severity") if not _known(k, doc, facts, p) and k not in missing)
        else:
            missing.insert(0, "complaint")
            rationale = _NO_COMPLAINT
    elif language in ("foreign", "mixed"):
        level = level.at_least(Level.consultation)
        missing.insert(0, "language")

    ranked = sorted(matched, key=lambda r: (r.level.rank if r.level else 9, r.id))
    rationale = rationale or _rationale(ranked, level) or _UNRECOGNISED
    red_flags = tuple(r.id for r in ranked if r.level is not None and r.level.rank <= Level.consultation_24.rank)
    return Assessment(
        level=level,
        red_flags=red_flags,
        rationale=rationale,
        missing_info=tuple(dict.fromkeys(missing)),
        protocol_version=p.version,
        matched_rules=tuple(r.id for r in ranked),
    )


def follow_up_question(key: str) -> str:
    """The plain-language question that fills a ``missing_info`` key."""
    questions = protocols.load().questions
    if key not in questions:
        raise KeyError(f"no follow-up question for {key!r}; known keys: {sorted(questions)}")
    return questions[key]
