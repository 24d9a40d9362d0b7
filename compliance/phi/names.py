"""Word-level tests shared by the person recognizers: is this token a plausible part of a name?"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from compliance.phi.lexicon import ambiguous_names, common_words, first_names, last_names, plain_names

# A word as the person recognizers see it: letters with inner apostrophes or hyphens, or an initial "J.".
WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['\u2019-]\p{L}[\p{L}\p{M}]*)*|\p{Lu}\.")
PARTICLES = frozenset(
    {
        "de",
        "del",
        "della",
        "da",
        "di",
        "do",
        "dos",
        "das",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "du",
        "bin",
        "ibn",
        "al",
        "el",
        "st.",
        "mac",
        "ter",
        "ten",
    }
)
# Between two words of one name only a single space, or a hyphen.
NAME_GAP = regex.compile(r"[ \t]{1,2}")


def is_capitalised(word: str) -> bool:
    return word[:1].isupper() and any(ch.islower() for ch in word[1:])


def is_initial(word: str) -> bool:
    return len(word) == 2 and word[0].isupper() and word[1] == "."


def base_form(word: str) -> str:
    """Lower case without a trailing possessive."""
    word = word.lower().replace("\u2019", "'")
    return word[:-2] if word.endswith("'s") else word


@dataclass(frozen=True)
class NameVocabulary:
    first: frozenset[str]
    last: frozenset[str]
    plain: frozenset[str]
    ambiguous: frozenset[str]
    common: frozenset[str]

    def is_common(self, word: str) -> bool:
        return base_form(word) in self.common

    def is_listed(self, word: str) -> bool:
        form = base_form(word)
        return form in self.first or form in self.last or self.is_compound_name(word)

    def is_plain_name(self, word: str) -> bool:
        """A listed name that is not also an ordinary word."""
        return base_form(word) in self.plain or self.is_compound_name(word)

    def is_compound_name(self, word: str, after_name: bool = False) -> bool:
        """A double-barrelled name in any case ("smith-jones", "o'neill-hughes", "Garcia-Lopez"): every part a listed
        name and no part an ordinary word, one of them a name and nothing else (unless it follows a name word:
        "tom baker-wilson"). English hyphenations ("follow-up", "long-term", "x-ray") fail on an ordinary or
        unlisted part."""
        form = base_form(word)
        if "-" not in form:
            return False
        parts = [part.replace("'", "") for part in form.split("-")]
        if any(len(part) < 2 or (part not in self.first and part not in self.last) for part in parts):
            return False
        return not any(part in self.common for part in parts) and (
            after_name or any(part in self.plain for part in parts)
        )


@cache
def vocabulary() -> NameVocabulary:
    return NameVocabulary(first_names(), last_names(), plain_names(), ambiguous_names(), common_words())


def words_from(text: str, pos: int, limit: int = 5) -> list[regex.Match[str]]:
    """Up to `limit` consecutive words starting at `pos`, separated by at most a double space."""
    out: list[regex.Match[str]] = []
    while len(out) < limit:
        match = WORD.match(text, pos)
        if not match:
            break
        out.append(match)
        gap = NAME_GAP.match(text, match.end())
        if not gap:
            break
        pos = gap.end()
    return out


def strip_possessive(text: str, start: int, end: int) -> int:
    """End offset without a trailing 's / 's / ' on a name."""
    value = text[start:end]
    for suffix in ("'s", "\u2019s", "'", "\u2019"):
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            return end - len(suffix)
    return end
