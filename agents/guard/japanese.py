"""Default-deny for care-seeking statements in Japanese: the design of care.py, read character by character.

Japanese writes no spaces, puts a negation after its predicate (救急車を呼ぶ必要はありません, 受診しないで) and a
condition before it, ending a clause of its own (悪化したら、 / 悪化した場合は). So, with the knowledge in
care_ja.yaml:
1. The sentence is normalised (`JapaneseNormaliser`: NFKC, lower case, zero-width characters dropped, katakana as
   hiragana, no spaces, "must" forms and hedges said plainly, durations as `tday`/`tlater`).
2. It is cut into clauses at 、。！？ and after conjunctions (が after a predicate, けど, ので); a clause that ends with
   a condition marker (たら, れば, 場合は, ときは, なら ...) is the condition of the clause after it.
3. Claims are read in each clause (care_ja.yaml `claims`, into care.yaml's claim kinds), each with the negation
   AFTER it in its clause (a list such as 病院や救急外来 shares one), a permissive ending (受診してもかまいません:
   optional), the condition it sits under and its time frame (今すぐ, 今日中, 24時間以内, 明日以降, 数日; history
   such as 3日前から is blanked first).
4. care.yaml's `levels` table says what each claim is at the disposition; anything else about care, and a clause
   about care in which no claim is read, is replaced (care.py's `denied`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from agents.guard.care import (
    BLOCKS_SAFETY_NET,
    CARE_FILE,
    CONDITION_KINDS,
    Claim,
    NegatedTime,
    Outcome,
    Reading,
    denied,
    from_the_pick,
)
from agents.guard.care import level_outcomes as care_levels
from agents.guard.normalise import strip_invisible
from compliance import yaml_text

CARE_JA_FILE = Path(__file__).with_name("care_ja.yaml")
_KANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}  # ァ..ヶ -> ぁ..ゖ (ー stays)
_SPACES = re.compile(r"\s+")
_CLASS = re.compile(r"\{([a-z_]+)\}")
_GAP = re.compile(r"~(\d+)")
_DIGITS = dict(zip("〇一二三四五六七八九", range(10), strict=True))
#: Japanese letters: a sentence without any is read by the English judge.
JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
#: Characters that join a list of claims, so that one negation after the list reaches all of them.
_JOINERS = re.compile(r"(?:[やと・かもにへをはの]|または|あるいは|および)*")


def fold(text: str) -> str:
    """Katakana as hiragana (patterns and text alike)."""
    return text.translate(_KANA)


def _kanji_number(text: str) -> float | None:
    if text.isdigit():
        return float(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return float(total + current)


class JapaneseNormaliser:
    """Text as the Japanese claims read it: one spelling of what a sentence says."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._within = float(data["within_hours"])
        self._units = {str(k): float(v) for k, v in data["units"].items()}
        self._amounts = {str(k): float(v) for k, v in data["amounts"].items()}
        units = "|".join(sorted(map(re.escape, self._units), key=len, reverse=True))
        amount = "|".join([r"\d+(?:\.\d+)?", "[〇一二三四五六七八九十百]+", *map(re.escape, self._amounts)])
        self._duration = re.compile(rf"({amount})(?:(?:~|-|〜|から|か|・|、)({amount}))?({units})")
        rewrites = {fold(str(k)): fold(str(v)) for k, v in data["rewrite"].items()}
        self._rewrites = sorted(rewrites.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, text: str) -> str:
        text = strip_invisible(unicodedata.normalize("NFKC", text).lower())
        text = _SPACES.sub("", text)
        text = fold(self._duration.sub(self._as_time, text))
        for old, new in self._rewrites:
            if old in text:
                text = text.replace(old, new)
        return text

    def _as_time(self, match: re.Match[str]) -> str:
        amounts = [self._amounts.get(a) or _kanji_number(a) for a in (match[1], match[2]) if a]
        if any(a is None for a in amounts):
            return match.group()
        hours = max(a for a in amounts if a is not None) * self._units[match[3]]
        return "tday" if hours <= self._within else "tlater"


class _Compiler:
    def __init__(self, lexicon: Mapping[str, str]) -> None:
        self._lexicon = {name: fold(value) for name, value in lexicon.items()}

    def pattern(self, text: str) -> str:
        def expand(match: re.Match[str]) -> str:
            if match[1] not in self._lexicon:
                raise ValueError(f"care_ja.yaml: unknown lexicon class {{{match[1]}}}")
            return "(?:" + _CLASS.sub(expand, self._lexicon[match[1]]) + ")"

        return _GAP.sub(lambda m: f"[^、。]{{0,{m[1]}}}", _CLASS.sub(expand, fold(text)))

    def regex(self, patterns: Sequence[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{self.pattern(p)})" for p in patterns))


@dataclass(frozen=True)
class _ClaimSpec:
    kind: str
    regex: re.Pattern[str]
    negatable: bool
    conditional: bool
    timed: bool
    action: bool
    variants: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass
class _Found:
    spec: _ClaimSpec
    start: int
    end: int
    text: str
    absorbed: bool = False  # a "no need" that is the negation of the claim before it (救急車を呼ぶ | 必要はありません)


@dataclass
class _Clause:
    text: str
    bare: str  # history blanked character for character
    condition: bool  # ends with a condition marker: the condition of the clause after it
    found: list[_Found]

    @property
    def acts(self) -> bool:
        return any(f.spec.action for f in self.found)


def _blank(match: re.Match[str]) -> str:
    return "_" * len(match.group())


class JapaneseCareReader:
    def __init__(self, data: Mapping[str, Any], care: Mapping[str, Any]) -> None:
        compiler = _Compiler(data["lexicon"])
        self.normalise = JapaneseNormaliser(data)
        clauses, conditions = data["clauses"], data["conditions"]
        markers = "|".join(f"(?:{compiler.pattern(p)})" for p in conditions["markers"])
        words = "|".join(f"(?:{compiler.pattern(p)})" for p in clauses["words"])
        punctuation = re.escape(fold(clauses["punctuation"]))
        #: A clause ends after punctuation, a conjunction, or a condition marker (group 1).
        self._breaks = re.compile(rf"[{punctuation}]+|(?:{words})|({markers})")
        self._not_markers = compiler.regex(conditions["not_markers"])
        self._topic = tuple(fold(w) for w in clauses["not_after"])
        self._condition_kinds = tuple((kind, compiler.regex(conditions["kinds"][kind])) for kind in CONDITION_KINDS)
        self._condition_met = compiler.regex(conditions["met"])
        self._window = int(data["window"])
        self._negation = compiler.regex(data["negation"]["after"])
        self._not_negation = compiler.regex(data["negation"]["exceptions"])
        self._permissive = compiler.regex(data["permissive"])
        self._precaution = compiler.regex(data["precaution"])
        self._concessive = re.compile(compiler.pattern(data["concessive"]))
        self._suggestion = compiler.regex(data["suggestions"])
        self._options_opener = compiler.regex(data["options"]["opener"])
        self._options_pick = compiler.regex(data["options"]["pick"])
        self._cues = compiler.regex(data["about_care"])
        self._history = compiler.regex(data["history"])
        self._claims = tuple(
            _ClaimSpec(
                spec["kind"],
                compiler.regex(spec["patterns"]),
                spec.get("negatable", True),
                spec.get("conditional", False),
                spec.get("timed", False),
                spec.get("action", True),
                tuple((name, compiler.regex(patterns)) for name, patterns in spec.get("variants", {}).items()),
            )
            for spec in data["claims"]
        )
        self._time = tuple((str(name), compiler.regex(patterns)) for name, patterns in data["time"].items())
        self._any_time = compiler.regex([p for patterns in data["time"].values() for p in patterns])
        self._time_window = int(data["time_window"])
        self._blocking = compiler.regex(data["blocks_safety_net"])
        self._blocked_kinds = frozenset(care["blocks_safety_net"]["kinds"])
        self._negated_time = NegatedTime.of(care["negated_time"])
        self._levels = care_levels(care)

    def judges(self, level: str) -> bool:
        return level in self._levels

    def read(self, level: str, sentence: str, *, question: bool = False) -> Reading:
        """What the sentence (as the model wrote it) says about care, claim by claim, for `level`."""
        return self.read_normalised(level, self.normalise(sentence), question=question)

    def read_normalised(self, level: str, text: str, *, question: bool = False) -> Reading:
        table = self._levels[level]
        question = question and not self._suggestion.search(text)
        clauses = self._picked(self._clauses(text))
        claims: list[Claim] = []
        held: list[_Clause] = []  # condition clauses, and the claimless list before them (息苦しさ、胸の痛みがあれば)
        quiet: list[_Clause] = []
        for i, clause in enumerate(clauses):
            last = i == len(clauses) - 1
            if clause.condition and not last:
                held.extend(quiet)
                held.append(clause)
                quiet = []
                continue
            if not clause.found and not held and not self._cue(clause.bare):
                quiet.append(clause)
                continue
            condition = "".join(c.text for c in held) if held else None
            read = self._claims_of(table, clause, condition, text)
            if not read and any(c.found for c in held):
                # the sentence ended inside the condition (受診の際に…相談いただければ十分): its own claims stand
                read = [c for earlier in held for c in self._claims_of(table, earlier, None, text)]
            held, quiet = [], []
            claims.extend(read)
        if any(c.kind in self._blocked_kinds for c in claims) and (marker := self._blocking.search(text)):
            claims.append(Claim(BLOCKS_SAFETY_NET, marker.group(), "safe"))
        return Reading(bool(claims), tuple(claims), denied(claims, question))

    def _picked(self, clauses: list[_Clause]) -> list[_Clause]:
        return from_the_pick(
            clauses,
            opens=lambda c: self._options_opener.search(c.text.lstrip()) is not None,
            picks=lambda c: self._options_pick.search(c.text) is not None,
            says_care=lambda c: bool(c.found),
        )

    def _clauses(self, text: str) -> list[_Clause]:
        clauses: list[_Clause] = []
        start = 0
        for match in self._breaks.finditer(text):
            condition = match.group(1) is not None
            if condition and self._not_markers.search(text, max(0, match.start() - 2), match.end() + 2):
                continue
            if text[match.start()] in "、," and text.endswith(self._topic, 0, match.start()):
                continue  # 受診するのは、明日でも: the topic and what is said of it
            piece = text[start : match.end()]
            start = match.end()
            self._add(clauses, piece, condition)
        self._add(clauses, text[start:], False)
        return clauses

    def _add(self, clauses: list[_Clause], piece: str, condition: bool) -> None:
        if not piece.strip("、,，;；:：。！？!?"):
            return
        bare = self._history.sub(_blank, piece)
        clauses.append(_Clause(piece, bare, condition, self._find(piece)))

    def _cue(self, bare: str) -> bool:
        return self._cues.search(bare) is not None

    def _find(self, text: str) -> list[_Found]:
        taken: list[tuple[int, int]] = []
        found: list[_Found] = []
        for spec in self._claims:
            at = 0
            while (match := spec.regex.search(text, at)) is not None:
                start, end = match.span()
                if end <= start:
                    break
                overlap = next((e for s, e in taken if start < e and s < end), None)
                if overlap is not None:
                    at = max(overlap, start + 1)
                    continue
                at = end
                taken.append((start, end))
                found.append(_Found(spec, start, end, match.group()))
        found.sort(key=lambda f: f.start)
        return found

    def _tail(self, text: str, found: Sequence[_Found], i: int) -> tuple[int, int]:
        """Where claim i's predicate is: after it (and after the claims a list joins to it), up to the next claim
        that is not a "no need" (that one is read as this claim's negation), within the window."""
        end = found[i].end
        limit = len(text)
        for other in found[i + 1 :]:
            if other.spec.kind == "no_need":
                continue
            if _JOINERS.fullmatch(text, end, other.start):
                end = max(end, other.end)
                continue
            limit = other.start
            break
        return end, min(limit, end + self._window)

    def _negation_in(self, text: str, start: int, end: int) -> re.Match[str] | None:
        tail = self._permissive.sub(_blank, self._not_negation.sub(_blank, text[start:end]))  # 受診してもかまいません
        return self._negation.search(tail)

    def _claims_of(
        self, table: Mapping[str, Outcome], clause: _Clause, condition: str | None, whole: str
    ) -> list[Claim]:
        found = clause.found
        if not found:
            if not self._cue(clause.bare):
                return []
            time = self._time_only(clause.bare)
            kind = f"time.{time}" if time else "unread"
            if time and self._negation_in(clause.bare, 0, len(clause.bare)):
                kind += ".negated"  # 今日でなくても大丈夫です
            return [Claim(kind, clause.text, table.get(kind, "safe"))]
        tails = [self._tail(clause.text, found, i) for i in range(len(found))]
        for i, claim in enumerate(found):  # a "no need" right after a claim is that claim's negation
            if claim.spec.negatable and (negation := self._negation_in(clause.text, *tails[i])):
                at = tails[i][0] + negation.start()
                for other in found[i + 1 :]:
                    if other.spec.kind == "no_need" and other.start <= at < other.end + 1:
                        other.absorbed = True
        claims = []
        for i, claim in enumerate(found):
            if claim.absorbed:
                continue
            kind = self._kind(clause, claim, tails[i], condition, whole)
            claims.append(Claim(kind, claim.text, table.get(kind, "safe")))
        return claims

    def _kind(self, clause: _Clause, claim: _Found, tail: tuple[int, int], condition: str | None, whole: str) -> str:
        spec, text = claim.spec, clause.text
        if condition is not None and self._condition_met.search(condition):
            if self._condition_kind(condition) not in ("worse", "course"):
                condition = None  # 症状があるうちは、: a condition already true is no condition
        if spec.negatable and (self._negation_in(text, *tail) or self._concessive.search(text[tail[0] : tail[1]])):
            if spec.conditional and condition is not None and self._condition_kind(condition) == "worse":
                return f"{spec.kind}.negated.if_worse"
            if spec.kind in self._negated_time.claims and (
                timed := self._negated_time.kind(spec.kind, self._time_of(clause.bare, claim, clause.found))
            ):
                return timed  # 今日すぐに受診する必要はありません
            return f"{spec.kind}.negated"
        for name, regex in spec.variants:
            if regex.search(whole):
                return f"{spec.kind}.{name}"
        if spec.conditional and condition is not None:
            return f"{spec.kind}.if_{self._condition_kind(condition)}"
        if spec.timed and (time := self._time_of(clause.bare, claim, clause.found)):
            return f"{spec.kind}.{time}"
        if (
            spec.conditional
            and self._permissive.search(text, tail[0], tail[1])
            and not self._precaution.search(clause.bare)
        ):
            return f"{spec.kind}.if_optional"  # 受診してもかまいません (念のため受診してもいいでしょう advises it)
        return spec.kind

    def _condition_kind(self, condition: str) -> str:
        for kind, regex in self._condition_kinds:
            if regex.search(condition):
                return kind
        return "other"

    def _time_only(self, bare: str) -> str | None:
        for name, regex in self._time:
            if regex.search(bare):
                return None if self._cue(self._any_time.sub(_blank, bare)) else name
        return None

    def _time_of(self, bare: str, claim: _Found, found: Sequence[_Found]) -> str | None:
        for name, regex in self._time:
            for match in regex.finditer(bare):
                distance = _distance(claim, *match.span())
                if distance > self._time_window:
                    continue
                if all(_distance(other, *match.span()) >= distance for other in found if other.spec.timed):
                    return name
        return None


def _distance(claim: _Found, start: int, end: int) -> int:
    if end <= claim.start:
        return claim.start - end
    if start >= claim.end:
        return start - claim.end
    return 0


def load_reader(path: Path = CARE_JA_FILE, care: Path = CARE_FILE) -> JapaneseCareReader:
    def read(p: Path) -> Any:
        return yaml_text.parse(p.read_text(encoding="utf-8"))

    return JapaneseCareReader(read(path), read(care))


@lru_cache(maxsize=1)
def default_reader() -> JapaneseCareReader:
    return load_reader()
