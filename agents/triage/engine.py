"""The engine: text in, Assessment out. Deterministic, no I/O after the first load.

Two layers propose a disposition and the most urgent proposal wins; nothing lowers it.
- The findings layer (``reading`` -> ``reasoning``): concepts from the knowledge base read on stems with
  ConText (negation, history, family, hypothetical), physiology (NEWS2, qSOFA, age-specific limits,
  critical labs) and a knowledge base of conditions, each with its findings and disposition.
- The phrase rules of the first engine (``protocols/*.yaml``), kept as a safety floor while their
  knowledge moves into the findings layer: every rule that holds proposes its level; escalation rules
  (``level_is``) look at the level reached so far (a self-care complaint that has lasted weeks becomes a
  consultation). Rules may also name facts to ask about when they are unknown.
A message neither layer can read goes to a clinician (``needs_clinician``), never to a routine default.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from agents.triage import addressed, japanese, knowledge, learned, protocols
from agents.triage.assessment import Assessment, ConditionConsidered
from agents.triage.facts import Facts, conversation_facts, extract
from agents.triage.knowledge import Knowledge
from agents.triage.levels import Level
from agents.triage.protocols import Clause, FactTest, Protocols, Rule
from agents.triage.reading import Coverage, Mention, Reader
from agents.triage.reasoning import Reasoning, reason
from agents.triage.text import Conversation, Document, Term, normalise
from agents.triage.words import tokens

_TOKENS = re.compile(r"[^\W\d_]+")
_PLACEHOLDERS = re.compile(r"<[a-z_]+>")
_FEVER_C = 38.0
_DOCUMENTS_KEPT = 4096  # ~6 KB each: ~24 MB at most; 200 active conversations use ~1,200

ENGINE_VERSION = "2.8.61"
_NO_COMPLAINT = (
    "We could not recognise a symptom or problem in this message, so a clinician will read it. "
    "If this is severe or you feel very unwell, call emergency services now."
)
_UNRECOGNISED = "The symptoms described did not match a specific protocol; a routine consultation is the safe default."
_PARTLY_READ = (
    "We recognised a symptom but could not read all of this message, so a doctor should see you within 24 hours. "
    "If this is severe or you feel very unwell, call emergency services now."
)
_FOREIGN = (
    "The message does not appear to be in English, so a clinician will read it before any advice is relied on. "
    "If this is severe, call emergency services now."
)
_LEVEL_PHRASES = {
    Level.emergency_ambulance: "can be a sign of a life-threatening problem; call an ambulance now.",
    Level.emergency: "needs urgent assessment at an emergency department now.",
    Level.consultation_24: "should be seen by a doctor within 24 hours.",
    Level.consultation: "should be checked by a doctor at a routine appointment.",
    Level.self_care: "can usually be looked after at home.",
}


@dataclass(frozen=True, slots=True)
class _ReadMessage:
    """One message as the layers read it (shared between turns: copy ``facts`` before changing them)."""

    doc: Document
    facts: Facts
    mentions: tuple[Mention, ...]
    stems: tuple[str, ...]
    coverage: Coverage


class _MessageDocuments:
    """Each message's normalised document and facts, kept for the turns that follow (an LRU of pure results).

    A conversation's earlier messages are read again on every turn; with this the engine normalises and
    scans each message once, so a turn costs about the same at message 20 as at message 1 (issue 9). It keeps
    the text it is given; the service gives it redacted text only (agents/nodes/assess.py), as the checkpointer
    keeps.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._docs: OrderedDict[tuple[str, str], _ReadMessage] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()

    def get(self, text: str, p: Protocols, reader: Reader) -> _ReadMessage:
        """The message's document, facts, mentions, stems and coverage."""
        key = (p.version, text)
        with self._lock:
            found = self._docs.get(key)
            if found is not None:
                self._docs.move_to_end(key)
                return found
        doc = Document(p.glosser.apply(normalise(text, p.spelling)), p.negation, p.gram_index)
        mentions, coverage = reader.read_counting(doc.text)
        found = _ReadMessage(doc, extract(doc.text), mentions, tuple(t.stem for t in tokens(doc.text)), coverage)
        with self._lock:
            self._docs[key] = found
            if len(self._docs) > self._size:
                self._docs.popitem(last=False)
        return found


_documents = _MessageDocuments(_DOCUMENTS_KEPT)
_readers: dict[str, Reader] = {}


def combine(rules: Level | None, findings: Level | None) -> Level | None:
    """The disposition from the two layers' proposals: the more urgent (None when neither proposed one).

    Letting the findings layer overrule the phrase rules' non-emergency levels cut over-triage by 3 points on the
    corpus's dev part but multiplied under-triage by five (notes/issue-15.md), so the rules stay a floor."""
    if findings is None:
        return rules
    return findings if rules is None else findings.at_least(rules)


def forget_messages() -> None:
    """Empty the per-message caches (benchmarks measure cold reads with them)."""
    _documents.clear()
    japanese.forget_messages()


def _reader(kb: Knowledge) -> Reader:
    found = _readers.get(kb.version)
    if found is None:
        found = _readers[kb.version] = Reader(kb)
    return found


def _fact_holds(test: FactTest, facts: Facts) -> bool:
    value = facts.get(test.name)
    if test.op == "known":
        return (value is not None) == bool(test.value)
    if value is None:
        return test.or_unknown
    # test.value is whatever the protocol file holds (a number, a word or a flag): compare, then say yes or no.
    if test.op == "eq":
        return bool(value == test.value)
    if test.op == "lt":
        return bool(value < test.value)
    if test.op == "lte":
        return bool(value <= test.value)
    if test.op == "gt":
        return bool(value > test.value)
    return bool(value >= test.value)  # gte


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
    """'english', 'foreign', 'mixed' (many foreign words), 'unknown' (no English word), 'glossed' (English mixed
    with a language whose words the glosses read, agents/triage/glosses.py) or 'none'."""
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
    if sum(1 for t in tokens if t in p.glosser.function_words) >= 2:
        return "glossed"
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
    lang: str = "en",
) -> Assessment:
    """Triage one message (plus the patient's earlier messages, oldest first).

    ``lang`` is the message's language, as the caller detected it (compliance/language.py): ``"ja"`` is read by
    the Japanese reader, where the findings layer decides (agents/triage/japanese/); anything else by the English
    layers, which send a message they cannot read to a clinician."""
    if lang == "ja":
        return _assess_japanese(text, age=age, sex=sex, history=history)
    base, feats = assess_layers(text, age=age, sex=sex, history=history)
    model = learned.model_for(base.layers.get("language", "english"))
    result = base if model is None else apply_model(base, feats, model)
    if model is not None and addressed.instructions(text):
        result = _unmoved_by_instructions(base, result, text, model, age=age, sex=sex, history=history)
    if any(isinstance(t, str) and japanese.has_japanese(t) for t in history):
        result = _keep_japanese_history(result, text, age=age, sex=sex, history=history)
    return result


def _keep_japanese_history(
    result: Assessment, text: str, *, age: float | None, sex: str | None, history: Sequence[str]
) -> Assessment:
    """A conversation that began in Japanese keeps what its Japanese messages said when it goes on in another
    language: the disposition never goes down (the English layers cannot read those messages)."""
    said = _assess_japanese(text, age=age, sex=sex, history=history)
    if said.level.rank >= result.level.rank:
        return result
    return result.model_copy(
        update={
            "level": said.level,
            "red_flags": tuple(dict.fromkeys((*said.red_flags, *result.red_flags))),
            "findings": tuple(sorted({*said.findings, *result.findings})),
            "conditions": said.conditions or result.conditions,
            "layers": {**result.layers, "japanese_history": said.level.value},
        }
    )


def _unmoved_by_instructions(
    floor: Assessment,
    result: Assessment,
    text: str,
    model: learned.Model,
    *,
    age: float | None,
    sex: str | None,
    history: Sequence[str],
) -> Assessment:
    """A message that tells the assistant how to triage or answer it (agents/triage/addressed.py): the learned layer
    reads it without those sentences, so such words move the level neither way (it reads every stem: "not urgent"
    would lower, "override" and "urgent" raise). The deterministic layers' reading of the whole message still
    stands as a floor: a symptom written in the same sentence as an instruction is never lost."""
    clean = addressed.without_instructions(text)
    if not clean.strip():
        return result
    base, feats = assess_layers(clean, age=age, sex=sex, history=history)
    other = apply_model(base, feats, model)
    if floor.level.rank < other.level.rank:
        other = floor
    if other.level is result.level:
        return result
    return other.model_copy(update={"layers": {**other.layers, "instructions_set_aside": result.level.value}})


def apply_model(base: Assessment, feats: Sequence[str], model: learned.Model) -> Assessment:
    """The deterministic layers' assessment with the learned layer's decision (``learned`` says what it may do).

    A message the engine could not read keeps its level unless the model raises it: a clinician reads it."""
    decision = model.decide(_base_of(base), feats)
    layers = {**base.layers, "model": decision.summary()}
    level = decision.level
    if base.needs_clinician and level.rank > base.level.rank:
        level = base.level
    if level is base.level:
        return base.model_copy(update={"layers": layers})
    rationale = f"What you describe {_LEVEL_PHRASES[level]}"
    return base.model_copy(update={"level": level, "rationale": rationale, "layers": layers})


def _base_of(a: Assessment) -> learned.Base:
    return learned.Base(
        level=a.level,
        rules=a.matched_rules,
        findings=a.findings,
        conditions=tuple((c.id, c.level, c.via) for c in a.conditions),
        scores=tuple(a.scores),
        needs_clinician=a.needs_clinician,
        red_flag=bool(a.red_flags),
    )


def assess_layers(
    text: str,
    *,
    age: float | None = None,
    sex: str | None = None,
    history: Sequence[str] = (),
) -> tuple[Assessment, tuple[str, ...]]:
    """The deterministic layers' assessment and the learned layer's features (the trainer's view)."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    p = protocols.load()
    kb = knowledge.load()
    reader = _reader(kb)
    parts = [_documents.get(t, p, reader) for t in (*history, text) if isinstance(t, str) and t.strip()]
    parts = [part for part in parts if part.doc.text]
    doc = Conversation([part.doc for part in parts])
    norm = doc.text
    facts = conversation_facts([part.facts for part in parts], norm)
    if age is not None:
        facts.age = float(age)
    if sex:
        facts.sex = sex.lower()
    _derive(doc, facts, p)
    findings = reason((m for part in parts for m in part.mentions), facts, kb)

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

    rules_level = level
    level = combine(rules_level, findings.level)
    missing = [k for k in dict.fromkeys(asks) if not _known(k, doc, facts, p)]
    language = _language(norm, p)
    rationale = ""
    needs_clinician = False
    if level is None:
        recognised = (
            doc.lookup("symptom_any", p.terms["symptom_any"])[0]
            or findings.complaint_read
            or any(getattr(facts, name) is not None for name in ("temp_c", "spo2", "hr", "sbp", "rr", "glucose"))
        )
        # A glossed message (English mixed with Tagalog) in which a complaint was recognised is read only in part:
        # a doctor within 24 hours, which the Taglish learned layer may change (it lowers only when confident);
        # one in which nothing was recognised goes to a clinician, as a foreign message does.
        level = Level.consultation if recognised and language == "english" else Level.consultation_24
        needs_clinician = not (recognised and language in ("english", "glossed"))
        if language in ("foreign", "mixed", "unknown"):
            missing[:0] = ["complaint", "language"] if language == "unknown" else ["language"]
            rationale = _FOREIGN
        elif recognised:
            rationale = _PARTLY_READ if language == "glossed" else _UNRECOGNISED
            missing.extend(k for k in ("duration", "severity") if not _known(k, doc, facts, p) and k not in missing)
        else:
            missing.insert(0, "complaint")
            rationale = _NO_COMPLAINT
    elif language in ("foreign", "mixed"):
        level = level.at_least(Level.consultation)
        needs_clinician = True
        missing.insert(0, "language")

    ranked = sorted(matched, key=lambda r: (r.level.rank if r.level else 9, r.id))
    from_findings = findings.level is not None and (rules_level is None or findings.level.rank < rules_level.rank)
    rationale = (
        rationale
        or (_findings_rationale(findings, kb, level) if from_findings else "")
        or _rationale(ranked, level)
        or _findings_rationale(findings, kb, level)
        or _UNRECOGNISED
    )
    red_flags = tuple(r.id for r in ranked if r.level is not None and r.level.rank <= Level.consultation_24.rank)
    red_flags += tuple(
        dict.fromkeys(  # "finding:not_breathing" -> "finding.not_breathing"
            p.source.replace(":", ".", 1)
            for p in findings.proposals
            if p.level.rank <= Level.consultation_24.rank and not p.source.startswith("condition:")
        )
    )
    assessment = Assessment(
        level=level,
        red_flags=red_flags,
        rationale=rationale,
        missing_info=tuple(dict.fromkeys(missing)),
        protocol_version=p.version,
        engine_version=ENGINE_VERSION,
        knowledge_version=kb.version,
        matched_rules=tuple(r.id for r in ranked),
        findings=tuple(sorted(findings.present)),
        conditions=tuple(
            ConditionConsidered(id=c.id, name=c.name, level=c.level, via=c.via, findings=c.findings)
            for c in findings.considered[:8]
        ),
        scores=findings.scores,
        needs_clinician=needs_clinician,
        layers={
            "rules": rules_level.value if rules_level else "none",
            "findings": findings.level.value if findings.level else "none",
            **({"language": language} if language == "glossed" else {}),
        },
    )
    coverage = sum((part.coverage for part in parts), Coverage())
    return assessment, learned.features(_base_of(assessment), (s for part in parts for s in part.stems), coverage)


def _assess_japanese(text: str, *, age: float | None, sex: str | None, history: Sequence[str]) -> Assessment:
    """A Japanese message: the findings layer decides (``assess_layers_ja``), and the Japanese learned layer may
    raise a level below an emergency to one, or let self care the findings layer placed stand instead of the
    clinician's hold (``decide_japanese``); it never lowers what the findings layer read."""
    base, feats = assess_layers_ja(text, age=age, sex=sex, history=history)
    model = learned.model_ja()
    return base if model is None else decide_japanese(base, feats, model)


def decide_japanese(base: Assessment, feats: Sequence[str], model: learned.Model) -> Assessment:
    """The Japanese layer's decision over the findings layer's assessment ``base``, where every level below an
    emergency is held at a doctor within 24 hours for a clinician (agents/triage/japanese/assess.py):
    - an emergency stands;
    - the model raises to an emergency when its probability of one reaches ``raise_at``;
    - self care, when the findings layer placed it (``layers["read"]``), stands instead of the hold when the model's
      probability of self care reaches ``release_at`` and no red flag was read. A routine level read stays held:
      at three levels it gains nothing, and on the calibration set releasing it sent cases labelled "within 24
      hours" to a routine appointment (notes/issue-19.md, round 9). The release never goes below what was read."""
    if base.is_emergency:
        return base
    decision = model.decide(_base_of(base), feats)
    if decision.level.urgency.value == "em":
        return japanese.raised(base, decision.level, decision.summary(), knowledge.load())
    read = base.layers.get("read")
    if (
        read == Level.self_care.value
        and not base.red_flags
        and learned.released(Level.self_care, decision.probabilities, model.release_at)
    ):
        agreed = learned.Decision(Level.self_care, decision.probabilities)
        return japanese.released(base, Level.self_care, agreed.summary(), knowledge.load())
    return base.model_copy(update={"layers": {**base.layers, "model": decision.summary()}})


def assess_layers_ja(
    text: str, *, age: float | None = None, sex: str | None = None, history: Sequence[str] = ()
) -> tuple[Assessment, tuple[str, ...]]:
    """The Japanese findings layer's assessment and the Japanese learned layer's features (the trainer's view): each
    message is read by the reader of its script (an English one in the conversation by the English reader)."""
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    p = protocols.load()
    kb = knowledge.load()
    parts = []
    messages = [m for m in (*history, text) if isinstance(m, str) and m.strip()]
    for message in messages:
        if japanese.has_japanese(message):
            parts.append(japanese.read_message(message, kb))
            continue
        read = _documents.get(message, p, _reader(kb))
        if read.doc.text:
            parts.append(japanese.Part(read.facts, read.mentions, (), read.doc.text))
    base = japanese.assess(parts, kb=kb, age=age, sex=sex, protocol_version=p.version, engine_version=ENGINE_VERSION)
    return base, learned.features_ja(_base_of(base), messages)


def _findings_rationale(findings: Reasoning, kb: Knowledge, level: Level) -> str:
    """Plain words for a patient: what they described and what it needs (never a diagnosis)."""
    top = next((p for p in findings.proposals if p.level is level), None)
    if top is None:
        return ""
    kind, ident = top.source.split(":", 1)
    if kind == "condition":
        behind = next((c for c in findings.considered if c.id == ident), None)
        ids = behind.findings if behind is not None else ()
        named = [kb.concepts[i].name.lower() for i in ids if i in kb.concepts and kb.concepts[i].kind != "derived"]
        what = ", ".join(dict.fromkeys(named)) if named else "what you describe"
    elif kind == "physiology":
        what = top.reason
    else:
        what = top.reason.lower()
    text = f"{what[:1].upper()}{what[1:]} {_LEVEL_PHRASES[level]}"
    return text


def follow_up_question(key: str, lang: str = "en") -> str:
    """The plain-language question that fills a ``missing_info`` key, in the message's language (English when the
    Japanese wording has no question for the key)."""
    ja = knowledge.load().ja
    if lang == "ja" and ja is not None and key in ja.wording.questions:
        return ja.wording.questions[key]
    questions = protocols.load().questions
    if key not in questions:
        raise KeyError(f"no follow-up question for {key!r}; known keys: {sorted(questions)}")
    return questions[key]
