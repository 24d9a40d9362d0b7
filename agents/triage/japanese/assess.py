"""Triage of a Japanese message: the findings layer decides, on the same concepts, conditions and physiology.

    read_message(text, kb) -> Part          one message read (cached): facts and mentions
    assess(parts, kb=..., ...) -> Assessment

The phrase rules and the learned layer read English only, so for Japanese the findings layer decides: red-flag
findings, physiology and conditions (``reasoning.reason``, the code English uses), plus each complaint's own level
when read alone (``knowledge/ja/complaints.yaml``, the counterpart of the phrase rules' floor; a non-emergency one
stands aside when a condition that counts refers to that complaint). A message none of these place goes to a
clinician (``needs_clinician``, at least ``consultation_24``), never to a routine default; below an emergency every
message is held there for a clinician unless the learned layer releases self care (``released``). The patient's
rationale is in Japanese (``knowledge/ja/wording.yaml``); conditions and ids stay as in English, for clinicians and
the audit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from agents.triage.assessment import Assessment, ConditionConsidered
from agents.triage.facts import Facts, conversation_facts
from agents.triage.japanese.facts import facts as read_facts
from agents.triage.japanese.reader import Conditional, JapaneseReader
from agents.triage.knowledge import Knowledge
from agents.triage.knowledge.japanese import Vocabulary
from agents.triage.levels import Level, Urgency
from agents.triage.reading import Mention
from agents.triage.reasoning import Proposal, Reasoning, reason

_MESSAGES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class Part:
    """One message as read: its facts and mentions (by the Japanese reader, or the English one for English text)."""

    facts: Facts
    mentions: tuple[Mention, ...]
    conditional: tuple[Conditional, ...] = ()
    text: str = ""
    """The message as the facts were read from it (NFKC), for reading a conversation's facts as one."""


_readers: dict[str, JapaneseReader] = {}


def reader(kb: Knowledge) -> JapaneseReader:
    found = _readers.get(kb.version)
    if found is None:
        found = _readers[kb.version] = JapaneseReader(kb)
    return found


_parts: OrderedDict[tuple[str, str], Part] = OrderedDict()
_lock = threading.Lock()


def read_message(text: str, kb: Knowledge) -> Part:
    """A Japanese message, read once per knowledge version and kept for the turns that follow (an LRU of pure
    results, as the English engine keeps its documents). The facts are shared: copy them before changing them."""
    key = (kb.version, text)
    with _lock:
        found = _parts.get(key)
        if found is not None:
            _parts.move_to_end(key)
            return found
    assert kb.ja is not None  # noqa: S101 - narrows the type: a Japanese message is read with Japanese knowledge
    reading = reader(kb).read(text)
    found = Part(read_facts(text, kb.ja.facts), reading.mentions, reading.conditional, text)
    with _lock:
        _parts[key] = found
        if len(_parts) > _MESSAGES_KEPT:
            _parts.popitem(last=False)
    return found


def forget_messages() -> None:
    with _lock:
        _parts.clear()


def assess(
    parts: Sequence[Part],
    *,
    kb: Knowledge,
    age: float | None,
    sex: str | None,
    protocol_version: str,
    engine_version: str,
) -> Assessment:
    """The assessment of a conversation's messages (oldest first), the last one in Japanese."""
    ja = kb.ja
    if ja is None:
        raise ValueError("the knowledge base has no Japanese vocabulary (knowledge/ja/)")
    facts = conversation_facts([part.facts for part in parts], " ".join(p.text for p in parts))
    if age is not None:
        facts.age = float(age)
    if sex:
        facts.sex = sex.lower()
    mentions = [m for part in parts for m in part.mentions]
    mentions += _conditional([c for part in parts for c in part.conditional], mentions)
    findings = reason(mentions, facts, kb)
    complaints = _complaint_proposals(findings, kb, ja) + _combinations(findings, facts, ja)
    proposals = sorted((*findings.proposals, *complaints), key=lambda p: (p.level.rank, p.source))
    level = proposals[0].level if proposals else None
    for escalation in ja.escalations:
        if level is escalation.from_ and escalation.when in findings.present:
            level = escalation.to
            proposals.insert(0, Proposal(level, f"escalation:{escalation.when}", kb.concepts[escalation.when].name))
    needs_clinician = level is None
    if level is None:
        level = Level.consultation_24
        rationale = ja.wording.no_complaint_placed if findings.complaint_read else ja.wording.not_read
        missing: tuple[str, ...] = () if findings.complaint_read else ("complaint",)
    else:
        rationale = _rationale(proposals, level, findings, kb, ja)
        missing = ()
    layers = {
        "findings": findings.level.value if findings.level else "none",
        "complaints": min(complaints, key=lambda p: p.level.rank).level.value if complaints else "none",
    }
    if level.urgency is not Urgency.em:
        # Japanese vocabulary is young: blind first passes caught 63% of emergencies and under-triaged 21%
        # (notes/issue-19.md). Every Japanese message below an emergency goes to a clinician and is held at 24 hours
        # at least; an emergency it does recognise still short-circuits. Only the learned layer may release self care
        # read here, when it agrees (engine.decide_japanese, engine 2.7.0).
        needs_clinician = True
        if level.rank > Level.consultation_24.rank:
            layers["read"] = level.value
            level, rationale = Level.consultation_24, ja.wording.under_review
    red_flags = tuple(
        dict.fromkeys(
            p.source.replace(":", ".", 1)
            for p in proposals
            if p.level.rank <= Level.consultation_24.rank and not p.source.startswith("condition:")
        )
    )
    return Assessment(
        level=level,
        red_flags=red_flags,
        rationale=rationale,
        missing_info=missing,
        protocol_version=protocol_version,
        engine_version=engine_version,
        knowledge_version=kb.version,
        findings=tuple(sorted(findings.present)),
        conditions=tuple(
            ConditionConsidered(id=c.id, name=c.name, level=c.level, via=c.via, findings=c.findings)
            for c in findings.considered[:8]
        ),
        scores=findings.scores,
        needs_clinician=needs_clinician,
        layers=layers,
    )


def raised(a: Assessment, level: Level, summary: str, kb: Knowledge) -> Assessment:
    """``a`` raised to an emergency by the Japanese learned layer, with plain Japanese words for the patient."""
    return _learned_level(a, level, summary, kb)


def released(a: Assessment, level: Level, summary: str, kb: Knowledge) -> Assessment:
    """``a`` left at the level the findings layer read (``level``, below 24 hours) instead of the clinician's hold,
    because the Japanese learned layer agrees (engine.decide_japanese)."""
    return _learned_level(a, level, summary, kb, needs_clinician=False, released=True)


def _learned_level(
    a: Assessment,
    level: Level,
    summary: str,
    kb: Knowledge,
    *,
    needs_clinician: bool | None = None,
    released: bool = False,
) -> Assessment:
    """``a`` at the level the learned layer decided, with its summary in ``layers`` and a Japanese rationale."""
    ja = kb.ja
    if ja is None:
        raise ValueError("the knowledge base has no Japanese vocabulary (knowledge/ja/)")
    layers = {**a.layers, "model": summary, **({"released": level.value} if released else {})}
    update: dict[str, object] = {
        "level": level,
        "rationale": f"{ja.wording.what_you_describe}{ja.wording.levels[level]}",
        "layers": layers,
    }
    if needs_clinician is not None:
        update["needs_clinician"] = needs_clinician
    return a.model_copy(update=update)


def _conditional(held: list[Conditional], mentions: list[Mention]) -> list[Mention]:
    """Conditional mentions whose company is read in the conversation (出血 with 妊娠)."""
    present = {m.id for m in mentions if m.assertion.counts_now and not m.named}
    return [c.mention for c in held if present.intersection(c.with_any)]


def _complaint_proposals(findings: Reasoning, kb: Knowledge, ja: Vocabulary) -> list[Proposal]:
    """Each complaint present now proposes its level read alone; a non-emergency one stands aside when a condition
    that counts refers to that complaint (the condition's level says more about it)."""
    referred: set[str] = set()
    counted = {c.id for c in findings.considered}
    for considered in findings.considered:
        referred.update(considered.findings)
        for pattern in kb.conditions[considered.id].patterns:
            referred.update((*pattern.all, *pattern.any))
    referred.update(ident for ident, explainers in ja.explained_by.items() if counted.intersection(explainers))
    out = []
    for ident in sorted(findings.present):
        level = ja.complaints.get(ident)
        if level is None or (level.urgency.value != "em" and ident in referred):
            continue
        out.append(Proposal(level, f"complaint:{ident}", kb.concepts[ident].name or ident))
    return out


_OPS = {"gte": float.__ge__, "gt": float.__gt__, "lte": float.__le__, "lt": float.__lt__}


def _combinations(findings: Reasoning, facts: Facts, ja: Vocabulary) -> list[Proposal]:
    """The combinations of findings (and stated numbers) that hold, each proposing its level."""
    out = []
    for combination in ja.combinations:
        pattern = combination.pattern
        if (
            not findings.person.fits(pattern.who)
            or any(ref not in findings.present for ref in pattern.all)
            or any(ref in findings.present for ref in pattern.none)
            or (pattern.any and sum(ref in findings.present for ref in pattern.any) < pattern.min_any)
        ):
            continue
        stated = [(getattr(facts, name), limits) for name, limits in combination.facts.items()]
        if all(
            value is not None and all(_OPS[op](float(value), limit) for op, limit in limits.items())
            for value, limits in stated
        ):
            lead = next((ref for ref in pattern.all if ref in findings.present), "")
            out.append(Proposal(pattern.level, f"complaint:{lead}", combination.rule))
    return out


def _rationale(proposals: Sequence[Proposal], level: Level, findings: Reasoning, kb: Knowledge, ja: Vocabulary) -> str:
    """Plain Japanese for a patient: what they described and what it needs (never a diagnosis)."""
    names: list[str] = []
    for proposal in proposals:
        if proposal.level is not level:
            continue
        kind, ident = proposal.source.split(":", 1)
        if kind == "condition":
            behind = next((c for c in findings.considered if c.id == ident), None)
            names.extend(
                _name(i, kb, ja)
                for i in (behind.findings if behind else ())
                if kb.concepts.get(i) is not None and kb.concepts[i].kind != "derived"
            )
        elif kind == "escalation":
            names.extend(_name(p.source.split(":", 1)[1], kb, ja) for p in proposals[1:3] if p.level is not level)
            names.append(_name(ident, kb, ja))
        elif kind == "physiology":
            names.append(ja.wording.names.get(ident) or _name(ident, kb, ja))
        else:
            names.append(_name(ident, kb, ja))
        if len([n for n in names if n]) >= 3:
            break
    named = [n for n in dict.fromkeys(names) if n][:3]
    if not named:
        what = (
            ja.wording.measured
            if any(p.source.startswith("physiology:") for p in proposals if p.level is level)
            else ja.wording.what_you_describe
        )
        return f"{what}{ja.wording.levels[level]}"
    return ja.wording.lead + ja.wording.joiner.join(f"「{n}」" for n in named) + ja.wording.levels[level]


def _name(ident: str, kb: Knowledge, ja: Vocabulary) -> str:
    concept = ja.concepts.get(ident)
    return concept.name if concept is not None and concept.name else ja.wording.names.get(ident, "")
