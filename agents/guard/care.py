"""Default-deny for care-seeking statements: a clause about being seen reaches the patient only if it agrees.

Reads one sentence of a model's answer, with the knowledge in care.yaml:
1. The sentence is cut into clauses (at commas, semicolons, colons, brackets, dashes, and before "but",
   "however", ...), each normalised as the phrase rules read text (agents/guard/normalise.py).
2. Claims are read in each clause (care.yaml `claims`: "see a doctor", "an ambulance", "wait", "it will pass",
   "no need", "nothing serious", ...), each with the negation just before it, the condition it sits under (in its
   clause, or a clause of its own before it: "If it gets worse, call 911") and its time frame ("today", "next
   week"; not history: "for the past 3 days").
3. A clause is about care-seeking when a claim was read in it or any `about_care` cue is in it (doctors, places,
   emergency services, time frames, waiting, urgency, "no need", home care, getting better by itself).
4. The disposition's table (`levels`) says what each claim is: agrees, compatible, "beside" (true but less than
   the disposition: passes only beside a claim that agrees), or replaced by our escalation sentence. Anything
   else, and a clause about care in which no claim was read, is replaced by our safe sentence.

The result names the first claim that is not accepted, for the guard event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from agents.guard.normalise import CLAUSE_MARK
from agents.guard.patterns import Compiler

CARE_FILE = Path(__file__).with_name("care.yaml")
Outcome = Literal["agree", "compatible", "beside", "escalation", "safe"]
CONDITION_KINDS = ("course", "worse", "optional")  # read in this order; none of them: "other"
LEADING_WORDS = 3  # a clause whose condition starts within its first words ("and remember, if ...") is a condition
OBJECT_GAP = 3
NOT_URGENT = "not_urgent"  # the claim kind that negates only the urgency of the claim it stands for
NO_NEED = "no_need"  # the claim kind that holds care back ("no need to see anyone")
BLOCKS_SAFETY_NET = (
    "blocks_safety_net"  # words between "no need for" and the claim it stands for ("no need to go to | the ER")
)


@dataclass(frozen=True)
class Claim:
    kind: str  # e.g. "see.later", "emergency.negated", "see.if_worse"
    span: str  # the normalised words read
    outcome: Outcome


@dataclass(frozen=True)
class NegatedTime:
    """care.yaml's `negated_time`, for both languages: a negated claim of these kinds with one of these time frames
    ("you don't need to be seen today") is "<kind>.negated.<time>"."""

    claims: frozenset[str]
    times: frozenset[str]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> NegatedTime:
        return cls(frozenset(data["claims"]), frozenset(data["times"]))

    def kind(self, kind: str, time: str | None) -> str | None:
        return f"{kind}.negated.{time}" if time in self.times else None


@dataclass(frozen=True)
class Reading:
    """What a sentence says about care, for one disposition."""

    about_care: bool
    claims: tuple[Claim, ...]
    denied: Claim | None  # the first claim not accepted (None: the sentence passes)

    @property
    def replacement(self) -> Literal["safe", "escalation"]:
        return "escalation" if any(c.outcome == "escalation" for c in self.claims) else "safe"


@dataclass(frozen=True)
class _ClaimSpec:
    kind: str
    regex: re.Pattern[str]
    negatable: bool
    conditional: bool
    timed: bool
    action: bool  # false: it may sit in a condition of its own ("If it gets worse quickly, ...")
    stands_for_object: bool  # "no need for | an ambulance": the claim right after it says what is not needed
    not_followed_by: re.Pattern[str] | None  # "no need to | worry" is no claim about care
    anchors: frozenset[str] | None  # one of these words is in any text it matches (a cheap test first)
    variants: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass
class _Found:
    spec: _ClaimSpec
    start: int  # word index in the clause
    end: int
    text: str
    negated: bool = False  # by the claim before it that stands for it ("no need to go to | the ER")
    # ... when that claim says only "not urgently" ("no rush to see | a GP", "a non-urgent | visit"): not that soon
    not_now: bool = False


_BLANK = re.compile(r"\S")


def _blank(match: re.Match[str]) -> str:
    return _BLANK.sub("_", match.group())  # the same words in the same places, none of them readable


def _char_of(text: str, word: int) -> int:
    """Where word number `word` ends in " w w w " text (the end of the text if it has fewer)."""
    at = 0
    for _ in range(word + 1):
        at = text.find(" ", at + 1)
        if at < 0:
            return len(text)
    return at


def _words_at(text: str, char: int) -> int:
    """The index of the word that starts at `char` in " w w w " text."""
    return text.count(" ", 0, char) - 1


@dataclass
class _Clause:
    text: str  # normalised
    bare: str  # the same, history ("for the past 3 days") blanked word for word
    found: list[_Found]
    leading_condition: bool  # starts with "if", "unless", "should you", ...

    @property
    def acts(self) -> bool:
        return any(f.spec.action for f in self.found)


def level_outcomes(data: Mapping[str, Any]) -> dict[str, dict[str, Outcome]]:
    """care.yaml's `levels` and `every_level`: per disposition, what each claim kind is (one table for every
    language: the Japanese reader, agents/guard/japanese.py, reads its claims into the same kinds)."""
    levels: dict[str, dict[str, Outcome]] = {}
    for level, table in data["levels"].items():
        outcomes: dict[str, Outcome] = dict.fromkeys(data["every_level"]["compatible"], "compatible")
        for outcome in ("agree", "compatible", "beside", "escalation"):
            for kind in table.get(outcome) or ():
                if kind in outcomes:
                    raise ValueError(f"care.yaml: {level}: {kind!r} is listed twice")
                outcomes[kind] = outcome
        levels[level] = outcomes
    return levels


def denied(claims: Sequence[Claim], question: bool) -> Claim | None:
    """The first claim not accepted: safe or escalation, or beside with nothing that agrees. In a question only
    claims that say less than the disposition count (asking asserts nothing)."""
    agrees = any(c.outcome == "agree" for c in claims)
    for claim in claims:
        if question and (claim.kind == "unread" or claim.outcome != "safe"):
            continue
        if claim.outcome in ("safe", "escalation") or (claim.outcome == "beside" and not agrees):
            return claim
    return None


_C = TypeVar("_C")


def from_the_pick(
    clauses: Sequence[_C], *, opens: Callable[[_C], bool], picks: Callable[[_C], bool], says_care: Callable[[_C], bool]
) -> list[_C]:
    """The clauses to read when options are listed and then one is picked (both languages' `options`): those
    before the opener and from the pick on; all of them when there is no pick, or the pick's clause says nothing
    about care."""
    opener = next((i for i, c in enumerate(clauses) if opens(c)), None)
    if opener is None:
        return list(clauses)
    pick = next((i for i in range(opener + 1, len(clauses)) if picks(clauses[i])), None)
    if pick is None or not says_care(clauses[pick]):
        return list(clauses)
    return [*clauses[:opener], *clauses[pick:]]


class CareReader:
    def __init__(self, data: Mapping[str, Any], lexicon: Mapping[str, str], normalise: Callable[..., str]) -> None:
        compiler = Compiler({**lexicon, **data["lexicon"]})
        self.normalise = normalise
        breaks = data["clauses"]
        #: Raw punctuation that ends a clause, for the normaliser to keep as CLAUSE_MARK.
        self.clause_breaks = re.compile(rf"[{re.escape(breaks['punctuation'])}]+|\s-\s")
        words = "|".join(re.escape(w) for w in breaks["words"])
        turns = "|".join(re.escape(w) for w in (*breaks["words"], *breaks["turns_away"]))
        self._turns_away = re.compile(rf" (?:{turns}) ")
        self._split = re.compile(rf" {CLAUSE_MARK}(?= )|(?<= )(?=(?:{words}) )")
        self._window = int(data["window"])
        self._short_window = int(data["short_window"])
        self._condition_window = int(data["condition_window"])
        negation = data["negation"]
        self._long_negation = compiler.regex([f"({'|'.join(negation['long'])})"])
        self._short_negation = compiler.regex([f"({'|'.join(negation['short'])})"])
        self._wide_negation = compiler.regex([f"({'|'.join(negation['wide'])})"])
        self._wide_window = int(negation["wide_window"])
        self._not_negating = compiler.regex(negation["not_negating"])
        self._negation_ends = frozenset(negation["ends_at"])
        self._not_about_care = compiler.regex(data["not_about_care"])
        self._urging = compiler.regex(["(do )?{urging_word}"])
        self._cues = compiler.regex(data["about_care"])
        conditions = data["conditions"]
        # "decide if tests are needed", "see whether it helps": an indirect question, not a condition
        not_after = "".join(f"(?<! {re.escape(w)} )" for w in conditions["not_after"])
        self._suggestion = compiler.regex(data["suggestions"])
        self._markers = re.compile(compiler.pattern(conditions["markers"]).replace("(?<= )", "(?<= )" + not_after, 1))
        self._condition_kinds = tuple((kind, compiler.regex(conditions["kinds"][kind])) for kind in CONDITION_KINDS)
        self._condition_met = compiler.regex(conditions["met"])
        self._condition_present = compiler.regex(conditions["present"])
        keeps = conditions["keeps_immediately"]
        self._keeps_immediately = frozenset(keeps["claims"])
        self._worry = compiler.regex(keeps["worry"])
        self._claims = tuple(
            _ClaimSpec(
                spec["kind"],
                compiler.regex(spec["patterns"]),
                spec.get("negatable", True),
                spec.get("conditional", False),
                spec.get("timed", False),
                spec.get("action", True),
                spec.get("stands_for_object", False),
                compiler.regex([spec["not_followed_by"]]) if "not_followed_by" in spec else None,
                compiler.anchors(spec["patterns"]),
                tuple((name, compiler.regex(patterns)) for name, patterns in spec.get("variants", {}).items()),
            )
            for spec in data["claims"]
        )
        self._time = tuple((str(name), compiler.regex(patterns)) for name, patterns in data["time"].items())
        self._time_window = int(data["time_window"])
        self._history = compiler.regex(data["history"])
        blocking = data["blocks_safety_net"]
        self._blocking = compiler.regex(blocking["markers"])
        self._blocked_kinds = frozenset(blocking["kinds"])
        self._negated_time = NegatedTime.of(data["negated_time"])
        restricted = data["restricted"]
        self._restricted_before = re.compile(restricted["before"])
        self._restricted_window = int(restricted["before_window"])
        self._restricted_condition = re.compile(restricted["condition"])
        self._restricted_claims = frozenset(restricted["claims"])
        self._options_opener = compiler.regex(data["options"]["opener"])
        self._options_pick = compiler.regex(data["options"]["pick"])
        self._levels = level_outcomes(data)

    def judges(self, level: str) -> bool:
        return level in self._levels

    def read(self, level: str, sentence: str, *, question: bool = False) -> Reading:
        """What the sentence (as the model wrote it) says about care, claim by claim, for `level`."""
        return self.read_marked(level, self.normalise(sentence, clause_breaks=self.clause_breaks), question=question)

    def read_marked(self, level: str, marked: str, *, question: bool = False) -> Reading:
        """`marked`: the sentence normalised with its clause breaks kept (`clause_breaks`). In a question ("Have
        you seen a doctor?") only claims that say less than the disposition are denied: asking asserts nothing."""
        table = self._levels[level]
        question = question and not self._suggestion.search(marked)
        clauses = []
        for piece in self._split.split(marked):
            # "why not", "it wouldn't hurt to": words that hold a negation and negate nothing are not read
            text = self._not_negating.sub(_blank, " " + piece.strip() + " ")
            if text != "  ":
                found = self._find(text)
                marker = self._markers.search(text, 0, _char_of(text, LEADING_WORDS + 1))
                leading = marker is not None and not any(f.start < _words_at(text, marker.start()) for f in found)
                clauses.append(_Clause(text, self._history.sub(_blank, text), found, leading))
        whole = "".join(c.text for c in clauses)  # variants ("with treatment") are read over the whole sentence
        clauses = self._picked(clauses)
        claims: list[Claim] = []
        held: list[_Clause] = []  # a condition in clauses of its own ("If you get a fever, chest pain," ...)
        # A condition that opens the sentence governs the clauses after the first one it reaches, up to a clause that
        # turns away from it ("but", "otherwise", "in the meantime"): "If the pain gets worse, don't wait for the
        # appointment: call 111 or go to A&E" is a safety net in every clause.
        governing: str | None = None
        for i, clause in enumerate(clauses):
            last = i == len(clauses) - 1
            if self._turns_away.match(clause.text):
                governing = None
            if (clause.leading_condition and not last) or (held and not clause.acts and not last):
                held.append(clause)
                continue
            condition = "".join(c.text for c in held) if held else governing
            if held and not clause.acts:  # the sentence ended inside the condition: read those clauses under it
                for earlier in held[1:]:
                    claims.extend(self._claims_of(table, earlier, condition, whole))
            if held and held[0] is clauses[0]:
                governing = condition
            held = []
            claims.extend(self._claims_of(table, clause, condition, whole))
        if any(c.kind in self._blocked_kinds for c in claims) and (marker := self._blocking.search(whole)):
            claims.append(
                Claim(BLOCKS_SAFETY_NET, marker.group().strip(), "safe")
            )  # "even if it gets worse, don't ..."
        return Reading(bool(claims), tuple(claims), denied(claims, question))

    def _picked(self, clauses: list[_Clause]) -> list[_Clause]:
        return from_the_pick(
            clauses,
            opens=lambda c: (
                not c.leading_condition
                and self._options_opener.search(c.text, 0, _char_of(c.text, LEADING_WORDS + 1)) is not None
            ),
            picks=lambda c: self._options_pick.search(c.text) is not None,
            says_care=lambda c: bool(c.found),
        )

    def _claims_of(self, table: Mapping[str, Outcome], clause: _Clause, carried: str | None, whole: str) -> list[Claim]:
        text, found = clause.text, clause.found
        if not found:
            if not self._cue(clause.bare):
                return []
            time = self._time_only(clause.bare)
            kind = f"time.{time}" if time else "unread"
            if time and self._long_negation.search(text):  # "you're not going to be treated today"
                kind += ".negated"
            return [Claim(kind, text.strip(), table.get(kind, "safe"))]
        return [
            Claim(kind := self._kind(clause, claim, carried, whole), claim.text, table.get(kind, "safe"))
            for claim in found
        ]

    def _cue(self, bare: str) -> bool:
        return self._cues.search(self._not_about_care.sub(" ", bare)) is not None

    def _time_only(self, bare: str) -> str | None:
        """A clause whose only cue is a time frame ("ideally today", "within 24 hours is best"): its class."""
        for name, regex in self._time:
            if regex.search(bare):
                rest = bare
                for _, other in self._time:
                    rest = other.sub(" ", rest)
                return None if self._cues.search(rest) else name
        return None

    def _find(self, text: str) -> list[_Found]:
        taken: list[tuple[int, int]] = []
        found: list[_Found] = []
        words = frozenset(text.split())
        for spec in self._claims:
            if spec.anchors is not None and spec.anchors.isdisjoint(words):
                continue
            at = 0
            while (match := spec.regex.search(text, at)) is not None:
                start, end = match.start(), match.end()
                if end <= start:
                    break
                overlap = next((e for s, e in taken if start < e and s < end), None)
                if overlap is not None:  # look again after the words an earlier claim took ("do not need | to see ...")
                    at = max(overlap, start + 1)
                    continue
                at = end
                if spec.not_followed_by is not None and spec.not_followed_by.match(text, end):
                    continue
                taken.append((start, end))
                found.append(_Found(spec, _words_at(text, start), _words_at(text, end), match.group().strip()))
        found.sort(key=lambda f: f.start)
        timed = [f for f in found if f.spec.timed]
        kept = []
        for i, f in enumerate(found):
            nxt = found[i + 1] if i + 1 < len(found) else None
            if f.spec.stands_for_object and nxt is not None and nxt.spec.negatable and nxt.start - f.end <= OBJECT_GAP:
                nxt.negated = True  # "no need to go to | the ER": read as the ER, negated
                nxt.not_now = f.spec.kind == NOT_URGENT
                continue
            if f.spec.kind == "urgent" and any(self._distance(t, f.start, f.end) <= self._time_window for t in timed):
                continue  # "see a doctor | right away": the time frame of the claim beside it
            kept.append(f)
        return kept

    def _kind(self, clause: _Clause, claim: _Found, carried: str | None, whole: str) -> str:
        spec, text, found = claim.spec, clause.text, clause.found
        words = text.split()
        condition, condition_starts = self._condition(text, words, claim, carried)
        if condition is not None and self._met(condition):
            condition = None  # "if you have a temperature, as you said, ...": a condition already met is no condition
        if spec.negatable and (claim.negated or self._negated(words, claim, condition_starts)):
            if (
                spec.conditional
                and condition is not None
                and not condition.startswith(" unless ")
                and (self._condition_kind(condition) == "worse")
            ):
                return f"{spec.kind}.negated.if_worse"  # "if it gets worse, don't call anyone": no safety net
            if spec.kind in self._negated_time.claims and (
                timed := self._negated_time.kind(
                    spec.kind, "now" if claim.not_now else self._time_of(clause.bare, claim, found)
                )
            ):
                return timed  # "you don't need to be seen today"
            return f"{spec.kind}.negated"
        for name, regex in spec.variants:
            if regex.search(whole):
                return f"{spec.kind}.{name}"
        if spec.conditional and condition is not None:
            condition_kind = self._condition_kind(condition)
            if spec.kind in self._restricted_claims and self._restricted(text, words, claim):
                # "only see a doctor if ...": no need unless
                return f"{NO_NEED}.unless_worse" if condition_kind == "worse" else f"{NO_NEED}.if_{condition_kind}"
            if spec.kind == NO_NEED and condition_kind == "worse" and condition.startswith(" unless "):
                return f"{NO_NEED}.unless_worse"  # "no need to go unless it gets worse": the safety net
            if (
                (condition_kind == "optional" or (condition_kind == "other" and self._worry.search(condition)))
                and spec.kind in self._keeps_immediately
                and self._time_of(clause.bare, claim, found) == "immediately"
            ):
                return f"{spec.kind}.immediately"
            return f"{spec.kind}.if_{condition_kind}"
        if spec.timed and (time := self._time_of(clause.bare, claim, found)):
            return f"{spec.kind}.{time}"
        return spec.kind

    def _restricted(self, text: str, words: Sequence[str], claim: _Found) -> bool:
        """Care said only under a condition: "only" just before the claim, or "only if" in its clause."""
        before = " " + " ".join(words[max(0, claim.start - self._restricted_window) : claim.start]) + " "
        return bool(self._restricted_before.search(before) or self._restricted_condition.search(text))

    def _negated(self, words: Sequence[str], claim: _Found, condition_starts: int | None) -> bool:
        """A negation before the claim, in reach of it; "not wait" urges and does not count."""
        floor = condition_starts + 1 if condition_starts is not None else 0
        for regex, width in (
            (self._long_negation, self._window),
            (self._short_negation, self._short_window),
            (self._wide_negation, self._wide_window),
        ):
            if condition_starts is not None:
                width = min(width, self._condition_window)
            reach = words[max(floor, claim.start - width) : claim.start]
            for i in range(len(reach) - 1, -1, -1):  # a negation reaches the claim only up to a word that ends it
                if reach[i] in self._negation_ends:
                    reach = reach[i + 1 :]
                    break
            window = " " + " ".join(reach) + " "
            if any(not self._urging.match(window, m.end()) for m in regex.finditer(window)):
                return True
        return False

    def _condition(
        self, text: str, words: Sequence[str], claim: _Found, carried: str | None
    ) -> tuple[str | None, int | None]:
        """The condition the claim sits under, and where it starts when it comes before the claim in the clause."""
        before = after = None
        for marker in self._markers.finditer(text):
            at = _words_at(text, marker.start())
            if at < claim.start:
                before = at
            elif at >= claim.end and after is None:
                after = at
        if before is not None:
            return " " + " ".join(words[before : claim.start]) + " ", before
        if after is not None:
            return " " + " ".join(words[after:]) + " ", None
        return carried, None

    def _met(self, condition: str) -> bool:
        if self._condition_met.search(condition):
            return True
        return bool(self._condition_present.search(condition)) and self._condition_kind(condition) not in (
            "worse",
            "course",
        )

    def _condition_kind(self, condition: str) -> str:
        for kind, regex in self._condition_kinds:
            if regex.search(condition):
                return kind
        return "other"

    def _time_of(self, bare: str, claim: _Found, found: Sequence[_Found]) -> str | None:
        """The time class of the time words nearest to this claim (and to no other timed claim), within the window."""
        for name, regex in self._time:
            for match in regex.finditer(bare):
                start, end = _words_at(bare, match.start()), _words_at(bare, match.end())
                distance = self._distance(claim, start, end)
                if distance > self._time_window:
                    continue
                if all(self._distance(other, start, end) >= distance for other in found if other.spec.timed):
                    return name
        return None

    @staticmethod
    def _distance(claim: _Found, start: int, end: int) -> int:
        if end <= claim.start:
            return claim.start - end
        if start >= claim.end:
            return start - claim.end
        return 0
