"""Text as the advice rules read it: one canonical spelling of what a sentence says.

Steps, each driven by the `normalise` and `time` sections of advice.yaml:
1. Unicode: NFKC (full-width and mathematical letters, ligatures), lower case, accents and every zero-width or
   other format character dropped, look-alike letters mapped (Cyrillic "о" -> "o").
2. Words that mix letters with digits or signs are read as the rules' words where that makes one ("d0n't" ->
   "don't", "ton1ght" -> "tonight"; "24h" and "COVID19" stay).
3. Contractions and short forms spelled out ("don't" -> "do not", "u" -> "you", "A&E" -> "a and e"), punctuation
   dropped, letters spaced out joined ("d o c t o r" -> "doctor"), a rules' word split in two joined ("doc tor").
4. Time expressions: an amount and a unit become `tday` (within `within_hours`) or `tlater` ("in a day or two",
   "48 hours", "next week" -> "in tlater", "tlater", "next tlater").
5. Short numbers left over are read as the words they spell where they spell one ("need 70 see" -> "need to see").
The result is " word word ... " (a space at each end) for the rules' patterns to match whole words; read clause by
clause, punctuation that ends a clause stays as the word CLAUSE_MARK.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Combining marks (accents) and format characters: zero-width space/joiners, soft hyphen, bidi controls,
# word joiner, variation selectors, byte-order mark, tag characters.
_INVISIBLE = re.compile(
    "[\u0300-\u036f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)


def strip_invisible(text: str) -> str:
    """`text` without zero-width, bidi and other format characters (and combining accents)."""
    return _INVISIBLE.sub("", text)


_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032\u201b]")
_CONTRACTED = (
    (
        re.compile(r"\b(ca|wo|sha|ai)n't\b"),
        lambda m: {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}[m[1]] + " not",
    ),
    (re.compile(r"n't\b"), lambda m: " not"),
    (
        re.compile(r"\b(it|that|there|what|he|she|who|here|where|everything|nothing|this|something)'s\b"),
        lambda m: m[1] + " is",
    ),
    (re.compile(r"\blet's\b"), lambda m: "let us"),
    (re.compile(r"'re\b"), lambda m: " are"),
    (re.compile(r"'ll\b"), lambda m: " will"),
    (re.compile(r"'ve\b"), lambda m: " have"),
    (re.compile(r"'d\b"), lambda m: " would"),
    (re.compile(r"'m\b"), lambda m: " am"),
    (re.compile(r"'s\b"), lambda m: ""),
)
_AND = re.compile(r"\s*[&+]\s*")
_UNIT_SUFFIX = re.compile(r"\b(\d+)(hours?|hrs?|h|days?|d|weeks?|wks?|months?)\b")
_WORDS = re.compile(r"[a-z0-9]+")
# Characters spaced out: "d o c t o r", "E.R.", "9-1-1", "n o t  u r g e n t" (one or two separators each).
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9][ .\-_*\u00b7]{1,2})+[a-z0-9](?![a-z0-9])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
#: Stands for a clause break in normalised text read clause by clause; a word no rule or repair uses.
CLAUSE_MARK = "qqclauseqq"


def _without_summary_marks(words: list[str]) -> list[str]:
    """ "TL;DR" opens a summary; its "dr" is no doctor (dev10, session 17)."""
    out: list[str] = []
    for word in words:
        if word == "dr" and out[-1:] == ["tl"]:
            out.pop()
        elif word == "dr" and out[-2:] == ["tl", CLAUSE_MARK]:
            del out[-2:]
        elif word != "tldr":
            out.append(word)
    return out


@dataclass(frozen=True)
class TimeScale:
    within_hours: float
    units: Mapping[str, float]
    amounts: Mapping[str, float]
    kept: frozenset[tuple[str, ...]] = frozenset()  # phrases whose unit is no duration ("out of hours")

    #: Units that mean something without an amount ("next week", "for days"); abbreviations need a number.
    BARE_UNITS = frozenset(
        {"hour", "hours", "day", "days", "night", "nights", "week", "weeks", "fortnight", "month", "months"}
    )
    CONNECTORS = frozenset({"to", "or", "and"})
    FILLERS = frozenset({"more", "extra", "further", "whole", "full", "odd"})

    def _amount(self, words: Sequence[str], i: int) -> tuple[float, int] | None:
        """An amount starting at words[i] (digits, or the longest listed phrase): (value, words used)."""
        if i >= len(words):
            return None
        if words[i].isdigit():
            return float(words[i]), 1
        for size in (3, 2, 1):
            phrase = " ".join(words[i : i + size])
            if len(words) - i >= size and phrase in self.amounts:
                return self.amounts[phrase], size
        return None

    def _unit(self, words: Sequence[str], i: int) -> float | None:
        return self.units.get(words[i]) if i < len(words) else None

    def rewrite(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            parsed = self._duration(words, i)
            if parsed is None:
                out.append(words[i])
                i += 1
                continue
            hours, used = parsed
            out.append("tday" if hours <= self.within_hours else "tlater")
            i += used
        return out

    def _duration(self, words: Sequence[str], i: int) -> tuple[float, int] | None:
        j = i
        amounts: list[float] = []
        first = self._amount(words, j)
        if first is not None:
            amounts.append(first[0])
            j += first[1]
            if j < len(words) and words[j] in self.CONNECTORS:  # "2 to 3 days", "1 or 2 days"
                second = self._amount(words, j + 1)
                if second is not None and self._unit(words, j + 1 + second[1]) is not None:
                    amounts.append(second[0])
                    j += 1 + second[1]
            elif (second := self._amount(words, j)) is not None and words[i].isdigit() and words[j].isdigit():
                amounts.append(second[0])  # "1-2 days", hyphen dropped
                j += second[1]
            while j < len(words) and words[j] in self.FILLERS:
                j += 1
        unit = self._unit(words, j)
        if unit is None or (not amounts and words[j] not in self.BARE_UNITS):
            return None
        if any(tuple(words[j - len(k) + 1 : j + 1]) == k for k in self.kept):
            return None
        if not amounts:
            amounts.append(2.0 if words[j].endswith("s") else 1.0)
        j += 1
        if j + 1 < len(words) and words[j] == "or":  # "a day or two", "a week or so" stays "tlater or so"
            more = self._amount(words, j + 1)
            if more is not None:
                amounts.append(more[0] * (self._unit(words, j + 1 + more[1]) or unit) / unit)
                j += 1 + more[1] + (1 if self._unit(words, j + 1 + more[1]) is not None else 0)
        return max(amounts) * unit, j - i


class Normaliser:
    def __init__(
        self,
        *,
        confusables: Mapping[str, str],
        leet: Mapping[str, Sequence[str]],
        aliases: Mapping[str, str],
        contractions: Mapping[str, str],
        its_is_before: Iterable[str],
        vocabulary: Iterable[str],
        time: TimeScale,
    ) -> None:
        self._confusables = str.maketrans(dict(confusables))
        self._leet = {k: tuple(v) for k, v in leet.items()}
        leet_chars = re.escape("".join(k for k in self._leet if not k.isdigit()))
        self._leet_word = re.compile(rf"[a-z0-9{leet_chars}']*[0-9{leet_chars}][a-z0-9{leet_chars}']*")
        self._aliases = {**contractions, **aliases}
        self.vocabulary = (
            frozenset(vocabulary) | set(self._aliases) | {w for v in self._aliases.values() for w in v.split()}
        )
        self._time = time
        self._its_is = frozenset(its_is_before)

    def __call__(self, text: str, *, clause_breaks: re.Pattern[str] | None = None) -> str:
        """`clause_breaks`: punctuation that ends a clause, kept as the word CLAUSE_MARK (agents/guard/care.py)."""
        text = unicodedata.normalize("NFKC", text).lower()
        text = _INVISIBLE.sub("", unicodedata.normalize("NFD", text)).translate(self._confusables)
        text = _APOSTROPHES.sub("'", text)
        if clause_breaks is not None:
            text = clause_breaks.sub(f" {CLAUSE_MARK} ", text)
        text = self._leet_word.sub(self._unleet, text)
        for pattern, replacement in _CONTRACTED:
            text = pattern.sub(replacement, text)
        text = text.replace("'", "")
        text = _AND.sub(" and ", text)
        text = _UNIT_SUFFIX.sub(r"\1 \2", text)
        text = _SPACED.sub(self._unspace, text)
        words = _without_summary_marks(self._join_split(_WORDS.findall(text)))
        expanded: list[str] = []
        for i, word in enumerate(words):
            alias = self._aliases.get(word)
            if word == "its" and i + 1 < len(words) and words[i + 1] in self._its_is:
                alias = "it is"  # "its not serious"; "its own" stays
            expanded.extend(alias.split() if alias is not None else (word,))
        return " " + " ".join(self._digit_words(self._time.rewrite(expanded))) + " "

    def _unleet(self, match: re.Match[str]) -> str:
        word = match.group()
        bare = word.strip("'!")
        if not any(c.isalpha() for c in bare) or bare.replace("'", "") in self._aliases:
            return word
        options = [self._leet.get(c, (c,)) for c in bare]
        for combo in itertools.islice(itertools.product(*options), 64):
            candidate = "".join(combo)
            if candidate.replace("'", "") in self.vocabulary:
                return word.replace(bare, candidate, 1)
        return word

    def _digit_words(self, words: list[str]) -> list[str]:
        """Short numbers left once durations are read ("need 70 see 4 doctor") as the rules' words they spell."""
        out = []
        for word in words:
            if word.isdigit() and len(word) <= 3 and word not in self.vocabulary:
                for combo in itertools.product(*(self._leet.get(c, (c,)) for c in word)):
                    if "".join(combo) in self.vocabulary:
                        word = "".join(combo)
                        break
            out.append(word)
        return out

    def _unspace(self, match: re.Match[str]) -> str:
        """Spaced-out characters as the words they spell ("n o t  u r g e n t" -> "not urgent"); digits alone only
        from three up ("9 1 1", not the "1-2" of "1-2 days")."""
        joined = _SEPARATORS.sub("", match.group())
        if joined.isdigit() and len(joined) < 3:
            return match.group()
        return " " + " ".join(self._segment(joined)) + " "

    def _segment(self, text: str) -> list[str]:
        """`text` as the fewest rules' words (none shorter than two letters but "a" and "i"), else as it is."""
        if text in self.vocabulary or text.isdigit():
            return [text]
        best: list[list[str] | None] = [[]] + [None] * len(text)
        for end in range(1, len(text) + 1):
            for start in range(max(0, end - 20), end):
                piece, before = text[start:end], best[start]
                if before is None or (len(piece) < 2 and piece not in ("a", "i")) or piece not in self.vocabulary:
                    continue
                if best[end] is None or len(before) + 1 < len(best[end]):  # type: ignore[arg-type]
                    best[end] = [*before, piece]
        return best[-1] or [text]

    def _join_split(self, words: list[str]) -> list[str]:
        """A rules' word split in two or three ("doc tor", "appoint ment") is joined again."""
        vocabulary = self.vocabulary
        out: list[str] = []
        i = 0
        while i < len(words):
            for size in (3, 2):
                parts = words[i : i + size]
                if len(parts) == size and not all(p in vocabulary for p in parts) and "".join(parts) in vocabulary:
                    out.append("".join(parts))
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out
