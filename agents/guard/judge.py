"""Judges one sentence of a model's answer against the disposition: default-deny for care-seeking statements.

Two readings, the first verdict wins:
1. The phrase rules of advice.yaml: known ways to contradict a disposition. The sentence is normalised
   (agents/guard/normalise.py) and matched against the rules for the level; the first rule that matches, and is
   not undone by a negation or condition just before the match or by a check on the same sentence, gives the
   verdict. (One combined pattern per level was slower than the rules one by one: Python's `re` loses its
   literal-prefix scan on a large alternation.)
2. Default-deny (agents/guard/care.py, care.yaml): a sentence that talks about care-seeking at all (being seen,
   time frames, waiting, urgency, emergency services, "no need", "it will pass") passes only when what it says is
   recognised as agreeing with the disposition; anything else about care is replaced. The phrase rules stay as a
   second check on a sentence the default-deny reading accepted, and they name the contradiction in the event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

from agents.guard.care import CARE_FILE, CareReader
from agents.guard.normalise import CLAUSE_MARK, Normaliser, TimeScale
from agents.guard.patterns import GAP as _GAP
from agents.guard.patterns import Compiler
from agents.triage import Level, Urgency
from compliance import yaml_text

ADVICE_FILE = Path(__file__).with_name("advice.yaml")
LEVELS = tuple(level.value for level in Level)
GROUPS: Mapping[str, tuple[str, ...]] = {
    **{urgency.value: tuple(level.value for level in urgency.levels) for urgency in (Urgency.em, Urgency.ne)},
    "all": LEVELS,
}
Replacement = Literal["safe", "escalation"]

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Verdict:
    """A sentence contradicts the disposition: which rule, and which of our sentences takes its place."""

    rule: str
    level: str
    replacement: Replacement
    span: str  # the normalised words that matched
    claim: str = ""  # default-deny: what the clause was read as saying (care.yaml claim kind, "unread": nothing)

    def describe(self) -> str:
        if self.claim:
            return (
                f"{self.rule}: {self.span!r} ({self.claim}) is about care and not recognised as agreeing with "
                f"the disposition {self.level}"
            )
        return f"{self.rule}: {self.span!r} contradicts the disposition {self.level}"


def _window_words(before: Iterable[str]) -> tuple[str, ...]:
    return tuple(f" {w} " for w in before)


@dataclass(frozen=True)
class _Check:
    name: str
    regex: re.Pattern[str]
    before: tuple[str, ...]
    window: int
    urging: re.Pattern[str] | None  # a negation followed by one of these urges ("don't wait") and is dropped

    def undone(self, text: str, start: int) -> bool:
        """A word of `before` within `window` words before `start`."""
        if not self.before:
            return False
        window = " " + " ".join(text[:start].split()[-self.window :]) + " "
        if self.urging is not None:
            window = self.urging.sub(" ", window)
        return any(word in window for word in self.before)

    def first(self, text: str, end_after: int = 0) -> re.Match[str] | None:
        for match in self.regex.finditer(text):
            if match.end() > end_after and not self.undone(text, match.start()):
                return match
        return None


@dataclass(frozen=True)
class _Rule(_Check):
    levels: frozenset[str]
    unless: tuple[_Check, ...]
    previous: bool  # reads the sentence before too ("Do you need a doctor? No.")
    questions: bool  # also judges questions
    replacement: Replacement


class SentenceJudge(Protocol):
    """What the sentence guard asks of a judge (AdviceJudge for English, judge_ja.JapaneseJudge for Japanese)."""

    @property
    def language(self) -> str: ...  # how the sentence guard finds sentence ends ("ja": no spaces after 。)

    def judges(self, level: str) -> bool: ...

    def judge_sentence(self, level: str, sentence: str, previous: str = " ") -> tuple[Verdict | None, str]: ...


#: The rule name of a default-deny verdict (also the guard metric's label).
NOT_AGREEING = "not_agreeing"


class AdviceJudge:
    language = "en"

    def __init__(
        self, data: Mapping[str, Any], care: Mapping[str, Any] | None = None, *, phrase_rules: bool = True
    ) -> None:
        """`care`: care.yaml (None: the phrase rules alone, as before default-deny); `phrase_rules` False: the
        default-deny reading alone (for measuring it)."""
        norm, time = data["normalise"], data["time"]
        compiler = Compiler(data["lexicon"])
        window = int(data["window"])
        word_sets = {name: _window_words(words) for name, words in data["before"].items()}

        def sets(names: Iterable[str]) -> tuple[str, ...]:
            return tuple(w for name in names for w in word_sets[name])

        def regex(patterns: Iterable[str]) -> re.Pattern[str]:
            return re.compile("|".join(compiler.pattern(p) for p in patterns))

        negators = "|".join(re.escape(w) for w in data["before"]["negation"])
        urging = re.compile(rf" (?:do )?(?:{negators}) (?={'|'.join(map(re.escape, data['urging']))} )")
        checks = {
            name: _Check(name, regex(spec["patterns"]), sets(spec.get("before", ())), window, urging)
            for name, spec in data["checks"].items()
        }
        rules: list[_Rule] = []
        for spec in data["rules"]:
            levels: set[str] = set()
            for target in spec["contradicts"]:
                if target in GROUPS:
                    levels.update(GROUPS[target])
                elif target in LEVELS:
                    levels.add(target)
                else:
                    raise ValueError(f"rule {spec['id']}: unknown disposition {target!r}")
            rules.append(
                _Rule(
                    spec["id"],
                    regex(spec["patterns"]),
                    sets(spec.get("before", ())),
                    window,
                    urging,
                    levels=frozenset(levels),
                    unless=tuple(checks[name] for name in spec.get("unless", ())),
                    previous=spec.get("context") == "previous",
                    questions=spec.get("questions", True),
                    replacement=spec.get("replace_with", "safe"),
                )
            )
        self._rules = {level: tuple(r for r in rules if phrase_rules and level in r.levels) for level in LEVELS}
        sources = (
            (data["lexicon"], data["rules"], data["checks"], care["lexicon"], care["claims"], care["about_care"])
            if care
            else (data["lexicon"], data["rules"], data["checks"])
        )
        words = (w for text in _strings(*sources) for w in _WORD.findall(_GAP.sub(" ", text)))
        vocabulary = {w for w in words if not w.isdigit() or len(w) >= 3}  # "911", not the "4" of "~4"
        vocabulary |= set(time["units"]) | {w for a in time["amounts"] for w in a.split()}
        self.normalise = Normaliser(
            confusables=norm["confusables"],
            leet=norm["leet"],
            aliases=norm["aliases"],
            contractions=norm["contractions"],
            its_is_before=norm["its_is_before"],
            vocabulary=vocabulary,
            time=TimeScale(
                float(time["within_hours"]),
                time["units"],
                time["amounts"],
                frozenset(tuple(k.split()) for k in time["kept"]),
            ),
        )
        self.care = CareReader(care, data["lexicon"], self.normalise) if care else None

    @classmethod
    def load(cls, path: Path = ADVICE_FILE, care: Path | None = CARE_FILE, *, phrase_rules: bool = True) -> AdviceJudge:
        def read(p: Path) -> Any:
            return yaml_text.parse(p.read_text(encoding="utf-8"))

        return cls(read(path), read(care) if care is not None else None, phrase_rules=phrase_rules)

    def judges(self, level: str) -> bool:
        """Is anything judged at this level?"""
        return bool(self._rules.get(level)) or (self.care is not None and self.care.judges(level))

    def judge(self, level: str, sentence: str, previous: str = "") -> Verdict | None:
        """`sentence` (raw model text) against the disposition `level`; `previous` is the sentence before it."""
        return self.judge_sentence(level, sentence, self.normalise(previous) if previous else " ")[0]

    def judge_sentence(self, level: str, sentence: str, previous: str = " ") -> tuple[Verdict | None, str]:
        """`sentence` as the model wrote it; `previous` the sentence before it, normalised. Also returns `sentence`
        normalised (one pass serves both readings)."""
        question = sentence.rstrip().endswith("?")
        care = self.care if self.care is not None and self.care.judges(level) else None
        if care is None:
            text = self.normalise(sentence)
            return self.judge_normalised(level, text, previous, question=question), text
        marked = self.normalise(sentence, clause_breaks=care.clause_breaks)
        text = marked.replace(f" {CLAUSE_MARK} ", " ")
        verdict = self.judge_normalised(level, text, previous, question=question)
        if verdict is None:
            reading = care.read_marked(level, marked, question=question)
            if reading.denied is not None:
                claim = reading.denied
                verdict = Verdict(NOT_AGREEING, level, reading.replacement, claim.span, claim.kind)
        return verdict, text

    def judge_normalised(self, level: str, text: str, previous: str = " ", *, question: bool = False) -> Verdict | None:
        """The phrase rules alone, over normalised text."""
        for rule in self._rules.get(level, ()):
            if question and not rule.questions:
                continue
            match = rule.first(previous[:-1] + text, end_after=len(previous)) if rule.previous else rule.first(text)
            if match is None or any(check.first(text) for check in rule.unless):
                continue
            return Verdict(rule.name, level, rule.replacement, match.group().strip())
        return None


def _strings(*values: Any) -> Iterable[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            yield from _strings(*value.values())
        elif isinstance(value, (list, tuple)):
            yield from _strings(*value)


@lru_cache(maxsize=1)
def default_judge() -> AdviceJudge:
    return AdviceJudge.load()
