"""Disposition-contradiction detection on streamed text, driven by phrases.yaml.

The scanner holds back text only while it could be the start of a listed phrase (checked with one bisect per
candidate word start), so ordinary text passes at once; a completed phrase trips it and nothing more of the
model's answer is released.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from agents.triage import Level

PHRASES_FILE = Path(__file__).with_name("phrases.yaml")

_URGENCY_GROUPS = {
    "em": ("emergency_ambulance", "emergency"),
    "ne": ("consultation_24", "consultation"),
    "sc": ("self_care",),
}
# Normalised (apostrophes dropped) short form -> long forms; either spelling of a phrase matches the other.
CONTRACTIONS = {
    "dont": ("do not",), "doesnt": ("does not",), "didnt": ("did not",), "isnt": ("is not",),
    "arent": ("are not",), "wont": ("will not",), "cant": ("cannot", "can not"), "shouldnt": ("should not",),
    "neednt": ("need not",), "its": ("it is",), "theres": ("there is",), "thats": ("that is",),
    "youre": ("you are",), "youll": ("you will",), "wouldnt": ("would not",), "havent": ("have not",),
}
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018\u02bc")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_WORD_START = re.compile(r"(?<![\w'\u2019])\w")


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, every run of other non-alphanumerics one space."""
    return _NON_WORD.sub(" ", text.lower().translate(_APOSTROPHES))


def spellings(phrase: str) -> set[str]:
    """The phrase with each contraction in both its short and long forms."""
    words = normalise(phrase).strip().split(" ")
    options = []
    for word in words:
        longs = CONTRACTIONS.get(word, ())
        options.append((word, *longs))
    found = {" ".join(combo) for combo in itertools.product(*options)}
    for short, longs in CONTRACTIONS.items():  # long forms written out in the file get the short form too
        for long in longs:
            for variant in list(found):
                padded = f" {variant} "
                if f" {long} " in padded:
                    found.add(padded.replace(f" {long} ", f" {short} ").strip())
    return found


@dataclass(frozen=True)
class Hit:
    rule: str
    phrase: str


class PhraseSet:
    """The phrases that contradict one disposition, ready for prefix and match tests on normalised text."""

    def __init__(self, rules: dict[str, str]) -> None:
        self._rule_of = rules  # normalised phrase -> rule id
        self._sorted = sorted(rules)
        alternatives = "|".join(re.escape(p) for p in sorted(rules, key=len, reverse=True))
        self._match = re.compile(alternatives).match if rules else None
        self.max_chars = max((len(p) for p in rules), default=0)

    def __bool__(self) -> bool:
        return bool(self._sorted)

    def match(self, normalised: str) -> Hit | None:
        """A phrase that `normalised` (text from a word start) begins with."""
        if self._match is None:
            return None
        found = self._match(normalised)
        return Hit(self._rule_of[found.group()], found.group()) if found else None

    def could_start(self, normalised: str) -> bool:
        """Could more text turn `normalised` into a phrase? (It is a prefix of one.)"""
        i = bisect.bisect_left(self._sorted, normalised)
        return i < len(self._sorted) and self._sorted[i].startswith(normalised)


class ContradictionRules:
    def __init__(self, data: dict) -> None:
        per_level: dict[str, dict[str, str]] = {level.value: {} for level in Level}
        for rule in data["rules"]:
            levels = set()
            for target in rule["contradicts"]:
                if target in _URGENCY_GROUPS:
                    levels.update(_URGENCY_GROUPS[target])
                elif target in per_level:
                    levels.add(target)
                else:
                    raise ValueError(f"rule {rule['id']}: unknown disposition {target!r}")
            for phrase in rule["phrases"]:
                for spelling in spellings(str(phrase)):
                    for level in levels:
                        per_level[level].setdefault(spelling, rule["id"])
        self._sets = {level: PhraseSet(phrases) for level, phrases in per_level.items()}

    @classmethod
    def load(cls, path: Path = PHRASES_FILE) -> "ContradictionRules":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def for_level(self, level: str) -> PhraseSet:
        return self._sets[level]


@lru_cache(maxsize=1)
def default_rules() -> ContradictionRules:
    return ContradictionRules.load()


class ContradictionScanner:
    """Streams text through, holding back only a possible phrase start; `hit` is set once a phrase completes."""

    __slots__ = ("phrases", "hit", "_held", "_mid_word")

    def __init__(self, phrases: PhraseSet) -> None:
        self.phrases = phrases
        self.hit: Hit | None = None
        self._held = ""
        self._mid_word = False  # the released text ended inside a word: the held text does not start one

    def feed(self, text: str) -> str:
        if self.hit is not None:
            return ""
        if not text:
            return ""
        window = self._held + text
        hold = len(window)
        for start in _WORD_START.finditer(window):
            position = start.start()
            if position == 0 and self._mid_word:
                continue
            tail = normalise(window[position:])
            hit = self.phrases.match(tail)
            if hit is not None:
                self.hit = hit
                self._held = ""
                return ""  # what came before the phrase in this window is dropped too: over-caution
            if position < hold and self.phrases.could_start(tail):
                hold = position
        released = window[:hold]
        self._held = window[hold:]
        if released:
            self._mid_word = released[-1].isalnum()
        return released

    def flush(self) -> str:
        if self.hit is not None:
            return ""
        held, self._held = self._held, ""
        self._mid_word = False
        return held
