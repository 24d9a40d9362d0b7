"""The learned layer: a linear model over what the other layers read, trained on labelled cases.

    features(base, stems) -> tuple[str, ...]      what the model sees (pure)
    model() -> Model | None                        the trained weights (knowledge/learned.json), cached
    model_for(language) -> Model | None            the weights for a message read as ``language`` (Taglish: its own)
    Model.decide(base, features) -> Decision       the level it proposes, within the safety rules below

The deterministic layers (phrase rules, findings, physiology, conditions) each propose a level and the most
urgent wins (``engine.combine``). That floor catches every emergency the layers recognise but over-triages
reassuring messages that mention an alarming word, and sends a complaint none of them recognise to a routine
default. The model weighs everything they recognised together (rule ids, findings, conditions, scores) with the
message's stems, as a clinician reads the whole message rather than its most alarming word. It never sees the
floor's level itself: trained on cases the knowledge was tuned on, where the floor is nearly always right, a model
that saw it learned to trust it and raised little on new text (notes/issue-15.md, round 8). Its authority is
bounded:
- an emergency proposed by any deterministic layer stands (the model never lowers an emergency);
- it may raise a non-emergency to an emergency when its probability of one reaches ``raise_at`` (for a
  short message) or ``raise_at_long`` (for one of ``LONG_WORDS`` content words or more: there the deterministic
  layers' silence is weaker evidence, because more of the text went unread);
- otherwise it picks the most probable of the three non-emergency levels, lowering the floor only when that
  level's share reaches ``lower_at`` and no red flag holds the floor (a rule or finding that calls for a doctor
  within 24 hours: emergency contraception, a dental abscess, mania ... stand as the knowledge says).
The model is data: weights with the training sets' digests, written by ``python -m bench.train_triage`` and
reproducible from the stored cases (deterministic full-batch training).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.triage.japanese.text import normalise as normalise_japanese
from agents.triage.levels import Level
from agents.triage.reading import Coverage

PATH = Path(__file__).parent / "knowledge" / "learned.json"
#: The Japanese layer's weights: the same model over character bigrams, trained on Japanese cases; it only raises.
JA_PATH = Path(__file__).parent / "knowledge" / "learned_ja.json"
#: The layer for English mixed with a glossed language (Taglish; agents/triage/glosses.py): the English layer's
#: features and rules, trained on the English cases and the Taglish readable parts, and used only for a message the
#: engine reads as ``glossed``, so that English is decided by the English layer's weights alone.
GLOSSED_PATH = Path(__file__).parent / "knowledge" / "learned_tl.json"
LEVELS = tuple(Level)
_EMERGENCIES = (Level.emergency_ambulance, Level.emergency)
#: Content words (agents/triage/words.py ``content_word``) from which a message counts as long.
LONG_WORDS = 13
_LENGTH_BANDS = ((0, "0-4"), (5, "5-12"), (LONG_WORDS, "13-30"), (31, "31+"))
_UNREAD_BANDS = ((0, "0"), (1, "1-3"), (4, "4-10"), (11, "11-25"), (26, "26+"))


#: Characters of a Japanese message (normalised, spaces left out) from which it counts as long: about the length of
#: thirteen English content words.
LONG_CHARS = 30
_JA_LENGTH_BANDS = ((0, "ja:0-14"), (15, "ja:15-29"), (LONG_CHARS, "ja:30-79"), (80, "ja:80+"))
_SHORT_LENGTHS = frozenset(
    f"len:{name}"
    for bands, long in ((_LENGTH_BANDS, LONG_WORDS), (_JA_LENGTH_BANDS, LONG_CHARS))
    for low, name in bands
    if low < long
)


def is_long(feats: Iterable[str]) -> bool:
    """Whether the features are those of a long message (``LONG_WORDS`` content words or more)."""
    return any(f.startswith("len:") and f not in _SHORT_LENGTHS for f in feats)


def _band(n: int, bands: tuple[tuple[int, str], ...]) -> str:
    return next(name for low, name in reversed(bands) if n >= low)


@dataclass(frozen=True, slots=True)
class Base:
    """What the deterministic layers concluded: the model's input besides the text."""

    level: Level
    rules: tuple[str, ...]
    findings: tuple[str, ...]
    conditions: tuple[tuple[str, Level, str], ...]
    """(id, level, via) of each condition considered."""
    scores: tuple[str, ...]
    needs_clinician: bool
    red_flag: bool = False
    """A rule or finding that holds the level at a doctor within 24 hours or more urgent."""


@dataclass(frozen=True, slots=True)
class Decision:
    level: Level
    probabilities: dict[Level, float]

    def summary(self) -> str:
        """'self_care 0.71' - the level and its probability, for the audit record."""
        return f"{self.level.value} {self.probabilities[self.level]:.2f}"


#: The labels and units of measurements (HR 80, BP 112/70 mmHg, SpO2 99%): what a measurement says reaches the model
#: through the physiology layer's reading, never as words, so that a vignette's normal observations do not read as an
#: emergency's (the training part's clinicians wrote them mostly in emergencies; notes/issue-15.md, session 17).
_MEASURES = frozenset(
    "hr bp spo2 sao2 sat sats rr mmhg bpm gcs temp temperatur puls pulse o2 min kg cm mg dl mmol rate respiratori f c "
    "oxygen saturat vital sign observ".split()
)


def features(
    base: Base, stems: Iterable[str], coverage: Coverage | None = None, *, skipped: frozenset[str] = _MEASURES
) -> tuple[str, ...]:
    """The model's features: the layers' conclusions, the text's stems and stem pairs (without ``skipped``: English
    stems leave out the labels of measurements), and how much of the text the knowledge read (so that a long message
    the layers barely read can weigh differently from a three-word one)."""
    out = {"bias"}
    if coverage is not None:
        out.update((f"len:{_band(coverage.words, _LENGTH_BANDS)}", f"unread:{_band(coverage.unread, _UNREAD_BANDS)}"))
    out.update(f"rule:{r}" for r in base.rules)
    out.update(f"find:{f}" for f in base.findings)
    for ident, level, via in base.conditions:
        out.update((f"cond:{ident}", f"condlevel:{level.value}", f"condvia:{via}:{level.value}"))
    out.update(f"score:{s}" for s in base.scores)
    if base.needs_clinician:
        out.add("needs_clinician")
    words = [s for s in stems if s[:1].isalpha() and s not in skipped]
    out.update(f"s:{s}" for s in words)
    out.update(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    return tuple(sorted(out))


@dataclass(frozen=True, slots=True)
class Model:
    weights: dict[str, tuple[float, ...]]
    raise_at: float
    lower_at: float
    digest: str
    raise_at_long: float | None = None
    """The raise threshold for a long message (None: ``raise_at`` for every length)."""
    release_at: float | None = None
    """Japanese only: the probability of self care from which a message the findings layer placed at self care is
    left there instead of being held for a clinician (engine.decide_japanese; None: never)."""

    def raise_threshold(self, feats: Iterable[str]) -> float:
        return self.raise_at_long if self.raise_at_long is not None and is_long(feats) else self.raise_at

    def probabilities(self, feats: Iterable[str]) -> dict[Level, float]:
        z = [0.0] * len(LEVELS)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for i, x in enumerate(w):
                    z[i] += x
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {level: v / total for level, v in zip(LEVELS, e, strict=True)}

    def decide(self, base: Base, feats: Sequence[str]) -> Decision:
        p = self.probabilities(feats)
        if base.level in _EMERGENCIES:
            return Decision(base.level, p)
        if p[Level.emergency_ambulance] + p[Level.emergency] >= self.raise_threshold(feats):
            return Decision(max(_EMERGENCIES, key=p.__getitem__), p)
        rest = (Level.consultation_24, Level.consultation, Level.self_care)
        share = sum(p[x] for x in rest)
        pick = max(rest, key=p.__getitem__)
        if pick.rank > base.level.rank and (base.red_flag or p[pick] / share < self.lower_at):
            pick = base.level
        return Decision(pick, p)


def released(read: Level, probabilities: dict[Level, float], release_at: float | None) -> bool:
    """Whether the model is confident enough that ``read`` (a level the findings layer placed) or a calmer one is
    right for the floor holding it at a doctor within 24 hours to stand aside."""
    if release_at is None:
        return False
    return sum(p for level, p in probabilities.items() if level.rank >= read.rank) >= release_at


def from_json(data: dict[str, Any]) -> Model:
    return Model(
        weights={k: tuple(v) for k, v in data["weights"].items()},
        raise_at=float(data["raise_at"]),
        lower_at=float(data["lower_at"]),
        digest=str(data.get("digest", "")),
        raise_at_long=float(data["raise_at_long"]) if data.get("raise_at_long") is not None else None,
        release_at=float(data["release_at"]) if data.get("release_at") is not None else None,
    )


def grams(text: str) -> tuple[str, ...]:
    """A Japanese message as the Japanese layer reads it: the overlapping character bigrams of its normalised text
    (Japanese has no spaces between words; bigrams need no word list, so a phrasing no vocabulary holds still
    counts)."""
    chars = [c for c in normalise_japanese(text) if not c.isspace()]
    return tuple(a + b for a, b in itertools.pairwise(chars))


def features_ja(base: Base, messages: Sequence[str]) -> tuple[str, ...]:
    """The Japanese layer's features: the layers' conclusions, the character bigrams of every message and the last
    message's length band (so that a short first message can be held to a stricter raise threshold)."""
    last = sum(not c.isspace() for c in normalise_japanese(messages[-1])) if messages else 0
    grams_read = (g for m in messages for g in grams(m))
    # Bigrams are not English stems: "hr" or "bp" here is two letters of a note, and the Japanese weights were
    # trained with every bigram (2.8.11 dropped these from Japanese too, unmeasured; 2.8.15 restores them)
    found = features(base, grams_read, skipped=frozenset())
    return tuple(sorted({*found, f"len:{_band(last, _JA_LENGTH_BANDS)}"}))


@lru_cache(maxsize=1)
def model_ja() -> Model | None:
    """The Japanese layer's model, or None when no weights ship."""
    if not JA_PATH.exists():
        return None
    return from_json(json.loads(JA_PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def model() -> Model | None:
    """The trained model, or None when no weights ship (the deterministic layers then decide alone)."""
    if not PATH.exists():
        return None
    return from_json(json.loads(PATH.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def model_glossed() -> Model | None:
    """The layer for a glossed message (English mixed with Tagalog), or the English one when no such weights ship."""
    if not GLOSSED_PATH.exists():
        return model()
    return from_json(json.loads(GLOSSED_PATH.read_text(encoding="utf-8")))


def model_for(language: str) -> Model | None:
    """The layer that decides a message the English layers read as ``language`` (engine.py ``_language``)."""
    return model_glossed() if language == "glossed" else model()
