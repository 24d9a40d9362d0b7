"""Text the engine reads: normalisation, negation scope, and term look-up.

A term is affirmed when at least one of its matches lies outside every
negation scope. A scope opens after a cue ("no", "denies", "without",
"doesn't" ...) and closes at the end of the sentence, at a clause break
("but", "however", "and she has" ...) or after a few words, whichever comes
first; so "no fever or cough" negates both, "no fever but a cough" only the
fever. A cue inside a term's own match does not negate it ("can't breathe",
"baby isn't moving", "rash doesn't fade").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"<([a-z_]+?)(?:_\d+)?>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " "}
)
_WORD = re.compile(r"\S+")
_CONTRACTIONS = (
    (re.compile(r"\b(i|you|he|she|it|we|they|that|there|who)'ll\b"), r"\1 will"),
    (re.compile(r"\b(you|we|they|who)'re\b"), r"\1 are"),
    (re.compile(r"\b(i|you|we|they|would|could|should|might|must)'ve\b"), r"\1 have"),
    (re.compile(r"\b(i|you|he|she|we|they)'d\b"), r"\1 would"),
    (re.compile(r"\b(he|she|it|that|there|what|who|where|here)'s\b"), r"\1 is"),
    (
        re.compile(
            r"\b(throw|sneez|drink|lift|breath|burn|droop|cough|vomit|bleed|hurt|ach|itch|swell|feel|think|go|do|pee|wee"
            r"|eat|sleep|tak|hav|com|shak|sweat|fitt|pass|runn|walk|talk|kill|puk|los|us|gett|spread|wheez|chok|pound"
            r"|throbb|burst|fall|peel|cramp|spott|faint|collaps|struggl|pour|gush|leak|tingl|mov|kick)in\b"
        ),
        r"\1ing",
    ),
    (re.compile(r"\bbout\b"), "about"),
    (re.compile(r"'s\b"), ""),
    (re.compile(r"'"), ""),
)


@dataclass(frozen=True, slots=True)
class Term:
    """A compiled term and, when one can be proven, a prefilter: trigrams of
    which at least one must occur in the text for the pattern to match."""

    pattern: re.Pattern[str]
    literals: tuple[str, ...] | None = None
    grams: frozenset[str] | None = None

    def may_match(self, text: str) -> bool:
        """False only when the pattern cannot match (no required literal occurs)."""
        return self.literals is None or any(lit in text for lit in self.literals)


GRAM = 4


def grams(text: str) -> set[str]:
    """Every substring of the text of two to GRAM characters."""
    found: set[str] = set()
    for size in range(2, GRAM + 1):
        found.update(text[i : i + size] for i in range(len(text) - size + 1))
    return found


# --- required literals: a small reader of the regular expressions the knowledge uses ----------------------------
# It reads a pattern into the shape Python's own `re` parser gives it (non-capturing groups inlined, a prefix common
# to all alternatives taken out, alternatives of single characters made a class), so the literals found are the ones
# that parser's tree gives; anything it does not know (inline flags, conditionals, numbered back-references) gives
# no prefilter, which is always safe.


class _Unsupported(ValueError):
    """A construct the reader does not handle: the pattern gets no prefilter."""


@dataclass(frozen=True, slots=True)
class _Lit:
    char: str


@dataclass(frozen=True, slots=True)
class _Atom:
    """One position that is not a literal (a class, an anchor, any character); equal when `re` would see it so."""

    key: tuple[Any, ...]


@dataclass(eq=False, slots=True)
class _Group:
    body: list[Any]
    inline: bool = False
    """Non-capturing: its items join the enclosing sequence once that is read."""


@dataclass(eq=False, slots=True)
class _Branch:
    alternatives: list[list[Any]]


@dataclass(eq=False, slots=True)
class _Repeat:
    min: int
    body: list[Any]


@dataclass(eq=False, slots=True)
class _Opaque:
    """Requires no literal that can be shown: a look-around, an atomic group, a possessive repeat."""

    repeat: bool = False


_CONTROL = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.source = pattern
        self.at = 0

    def parse(self) -> list[Any]:
        items = self.alternation()
        if self.at != len(self.source):
            raise _Unsupported("unbalanced parenthesis")
        return items

    def peek(self) -> str | None:
        return self.source[self.at] if self.at < len(self.source) else None

    def take(self) -> str:
        char = self.peek()
        if char is None:
            raise _Unsupported("unexpected end of pattern")
        self.at += 1
        return char

    def match(self, char: str) -> bool:
        if self.peek() == char:
            self.at += 1
            return True
        return False

    def alternation(self) -> list[Any]:
        items = [self.sequence()]
        while self.match("|"):
            items.append(self.sequence())
        if len(items) == 1:
            return items[0]
        out: list[Any] = []
        while all(items) and all(item[0] == items[0][0] for item in items):
            out.append(items[0][0])
            for item in items:
                del item[0]
        chars: list[tuple[Any, ...]] = []
        for item in items:
            if len(item) != 1:
                break
            node = item[0]
            if isinstance(node, _Lit):
                chars.append(("lit", node.char))
            elif isinstance(node, _Atom) and node.key[0] == "in" and not node.key[1]:
                chars.extend(node.key[2])
            else:
                break
        else:
            out.append(_Atom(("in", False, tuple(dict.fromkeys(chars)))))
            return out
        out.append(_Branch(items))
        return out

    def sequence(self) -> list[Any]:
        seq: list[Any] = []
        while (char := self.peek()) is not None and char not in "|)":
            self.at += 1
            if char == "\\":
                seq.append(self.escape())
            elif char == "[":
                seq.append(self.char_class())
            elif char in "*+?{":
                self.repeat(char, seq)
            elif char == ".":
                seq.append(_Atom(("any",)))
            elif char == "(":
                seq.append(self.group())
            elif char in "^$":
                seq.append(_Atom(("at", char)))
            else:
                seq.append(_Lit(char))
        flat: list[Any] = []
        for node in seq:
            flat.extend(node.body if isinstance(node, _Group) and node.inline else [node])
        return flat

    def repeat(self, char: str, seq: list[Any]) -> None:
        least = 1 if char == "+" else 0
        if char == "{":
            start = self.at
            low = self.digits()
            high = self.digits() if self.match(",") else low
            if self.peek() == "}" and (low or high or self.source[start] == ","):
                self.at += 1
                least = int(low) if low else 0
                if high and int(high) < least:
                    raise _Unsupported("min repeat greater than max repeat")
            else:  # not a quantifier: a literal brace
                self.at = start
                seq.append(_Lit("{"))
                return
        last = seq[-1] if seq else None
        if (
            last is None
            or isinstance(last, _Repeat)
            or (isinstance(last, _Opaque) and last.repeat)
            or (isinstance(last, _Atom) and last.key[0] == "at")
        ):
            raise _Unsupported("nothing to repeat")
        body = last.body if isinstance(last, _Group) and last.inline else [last]
        if self.match("?"):  # lazy: requires what the greedy form requires
            seq[-1] = _Repeat(least, body)
        elif self.match("+"):
            seq[-1] = _Opaque(repeat=True)
        else:
            seq[-1] = _Repeat(least, body)

    def digits(self) -> str:
        start = self.at
        while (char := self.peek()) is not None and char in "0123456789":
            self.at += 1
        return self.source[start : self.at]

    def group(self) -> Any:
        if not self.match("?"):
            return self.closed(_Group(self.alternation()))
        kind = self.take()
        if kind == ":":
            return self.closed(_Group(self.alternation(), inline=True))
        if kind == "P" and self.match("<"):
            while self.take() != ">":
                pass
            return self.closed(_Group(self.alternation()))
        if kind == "<" and self.peek() in ("=", "!"):
            self.at += 1
            kind = "="
        if kind in "=!>":
            self.closed(_Group(self.alternation()))
            return _Opaque()
        raise _Unsupported(f"(?{kind}")

    def closed(self, group: _Group) -> _Group:
        if not self.match(")"):
            raise _Unsupported("missing )")
        return group

    def escape(self) -> Any:
        char = self.take()
        if char in "dDsSwW":
            return _Atom(("in", False, (("category", char),)))
        if char in "AbBZ":
            return _Atom(("at", "\\" + char))
        return _Lit(self.escaped(char))

    def escaped(self, char: str) -> str:
        """The character an escape stands for (outside a class, or in one: the same for these)."""
        if char in _CONTROL:
            return _CONTROL[char]
        if char in _HEX_DIGITS:
            code = self.source[self.at : self.at + _HEX_DIGITS[char]]
            if len(code) != _HEX_DIGITS[char] or any(c not in "0123456789abcdefABCDEF" for c in code):
                raise _Unsupported("bad escape")
            self.at += len(code)
            return chr(int(code, 16))
        if char in "0123456789" or (char.isascii() and char.isalpha()):
            raise _Unsupported(f"escape \\{char}")  # octal, a back-reference, \N{...}: not in the knowledge
        return char

    def class_item(self, char: str) -> tuple[Any, ...]:
        if char != "\\":
            return ("lit", char)
        char = self.take()
        if char in "dDsSwW":
            return ("category", char)
        return ("lit", "\b" if char == "b" else self.escaped(char))

    def char_class(self) -> _Lit | _Atom:
        negate = self.match("^")
        items: list[tuple[Any, ...]] = []
        while True:
            char = self.take()
            if char == "]" and items:
                break
            first = self.class_item(char)
            if self.match("-"):
                char = self.take()
                if char == "]":
                    items += [first, ("lit", "-")]
                    break
                last = self.class_item(char)
                if first[0] != "lit" or last[0] != "lit" or last[1] < first[1]:
                    raise _Unsupported("bad character range")
                items.append(("range", first[1], last[1]))
            else:
                items.append(first)
        unique = tuple(dict.fromkeys(items))
        if len(unique) == 1 and unique[0][0] == "lit":
            return _Atom(("not", unique[0][1])) if negate else _Lit(unique[0][1])
        return _Atom(("in", negate, unique))


def _required(seq: list[Any]) -> set[str] | None:
    """Literal strings, one of which any match of ``seq`` must contain (None: unknown)."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for node in seq:
        if isinstance(node, _Lit):
            run.append(node.char)
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        found: set[str] | None = None
        if isinstance(node, _Group):
            found = _required(node.body)
        elif isinstance(node, _Branch):
            parts = [_required(branch) for branch in node.alternatives]
            found = set().union(*parts) if all(parts) else None  # type: ignore[arg-type]
        elif isinstance(node, _Repeat) and node.min >= 1:
            found = _required(node.body)
        if found:
            candidates.append(found)
    if run:
        candidates.append({"".join(run)})
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(x) for x in c), -len(c)))


def required_literals(patterns: list[str] | tuple[str, ...]) -> tuple[str, ...] | None:
    """A prefilter for the alternation of ``patterns``: literals one of which
    must appear in any matching text, or None when that cannot be shown."""
    found: set[str] = set()
    for pattern in patterns:
        try:
            lits = _required(_Reader(pattern).parse())
        except _Unsupported:
            return None
        if not lits or min(len(x) for x in lits) < 2:
            return None
        found |= lits
    return tuple(sorted(found))


def gram_of(literal: str) -> str:
    """The short substring of a literal used to index it (its middle GRAM characters)."""
    if len(literal) <= GRAM:
        return literal
    start = (len(literal) - GRAM) // 2
    return literal[start : start + GRAM]


def literal_grams(literals: tuple[str, ...] | None) -> frozenset[str] | None:
    """One short substring of each required literal (any match contains one of them)."""
    return None if literals is None else frozenset(gram_of(lit) for lit in literals)


@dataclass(frozen=True, slots=True)
class NegationGrammar:
    cues: tuple[tuple[re.Pattern[str], int], ...]
    """Each cue pattern with the number of words its scope may reach."""
    pseudo: re.Pattern[str]
    breaks: re.Pattern[str]
    post: re.Pattern[str]


# A word gap in a pattern ("chest (?:\w+ ){0,3}pain") never steps over a negation word, so
# "vomiting no blood" or "has no plan" cannot match a term whose own words carry no negation.
_NEGATION_WORDS = r"(?!(?:no|not|never|without|denies|denied|nor|none|neither|dont|doesnt|didnt|isnt|arent|wasnt|werent|hasnt|havent|hadnt)\b)"
_GAPS = (r"(?:\w+\s+)", r"(?:\w+ )", r"(?:\w+,? )")


def _guard_gaps(pattern: str) -> str:
    for gap in _GAPS:
        pattern = pattern.replace(gap, "(?:" + _NEGATION_WORDS + gap[3:])
    return pattern


def compile_alternation(patterns: list[str] | tuple[str, ...], *, boundaries: bool = True) -> re.Pattern[str]:
    body = "|".join(f"(?:{_guard_gaps(p)})" for p in patterns)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if boundaries else body)


def normalise(text: str, spelling: tuple[tuple[re.Pattern[str], Any], ...]) -> str:
    """Lower-case, one space, no apostrophes ("can't" reads "cant", as people
    also type it); placeholders lose their counters; common misspellings fixed."""
    text = text.translate(_QUOTES).lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _PLACEHOLDER.sub(lambda m: f"<{m.group(1)}>" if m.group(1) != "age" else "<age>", text)
    for pattern, replacement in spelling:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


class Document:
    """One message's normalised text with its negation scopes, ready for term look-ups (shared between turns,
    so never overridden: `Conversation.set_term` overrides in the turn's own view)."""

    __slots__ = ("_cache", "_post", "_scopes", "_starts", "possible", "text")

    def __init__(self, text: str, grammar: NegationGrammar, gram_index: dict[str, tuple[tuple[str, str], ...]]) -> None:
        self.text = text
        possible: set[str] = set()
        for gram in grams(text):
            for name, literal in gram_index.get(gram, ()):
                if name not in possible and literal in text:
                    possible.add(name)
        self.possible = possible
        self._post = grammar.post
        self._cache: dict[str, tuple[bool, bool]] = {}
        self._scopes = self._negation_scopes(text, grammar)
        self._starts = [start for start, _ in self._scopes]

    @staticmethod
    def _negation_scopes(text: str, grammar: NegationGrammar) -> list[tuple[int, int]]:
        pseudo = [m.span() for m in grammar.pseudo.finditer(text)]
        words = [m.end() for m in _WORD.finditer(text)]
        scopes: list[tuple[int, int]] = []
        for cues, window in grammar.cues:
            for cue in cues.finditer(text):
                start, end = cue.span()
                if any(ps <= start < pe for ps, pe in pseudo):
                    continue
                stop = grammar.breaks.search(text, end)
                limit = stop.start() if stop else len(text)
                nth = bisect_right(words, end) + window - 1
                if nth < len(words):
                    limit = min(limit, words[nth])
                if limit > end:
                    scopes.append((end, limit))
        return sorted(scopes)

    def _negated(self, match: re.Match[str]) -> bool:
        start = match.start()
        i = bisect_right(self._starts, start)
        while i > 0:
            i -= 1
            s, e = self._scopes[i]
            if s <= start < e:
                return True
            if start - s > 400:
                break
        return bool(self._post.match(self.text, match.end()))

    def lookup(self, name: str, term: Term) -> tuple[bool, bool]:
        """(mentioned, affirmed) for a term, cached per document."""
        hit = self._cache.get(name)
        if hit is None:
            mentioned = affirmed = False
            if term.grams is not None and name not in self.possible:
                self._cache[name] = (False, False)
                return (False, False)
            for match in term.pattern.finditer(self.text):
                mentioned = True
                if not self._negated(match):
                    affirmed = True
                    break
            hit = self._cache[name] = (mentioned, affirmed)
        return hit


class Conversation:
    """Several messages' documents read as one: a term is mentioned (affirmed) when it is in any message.

    Negation scopes end at a line break, so reading each message on its own gives what reading them joined
    would; the message documents (and their look-up caches) are shared between turns, which makes a turn's
    cost independent of how long the conversation has been. Overrides (`set_term`) stay in this view.
    """

    __slots__ = ("_cache", "parts", "possible")

    def __init__(self, parts: list[Document]) -> None:
        self.parts = parts
        self.possible: set[str] = set().union(*(part.possible for part in parts))
        self._cache: dict[str, tuple[bool, bool]] = {}

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.parts)

    def lookup(self, name: str, term: Term) -> tuple[bool, bool]:
        """(mentioned, affirmed) over every message, cached per view."""
        hit = self._cache.get(name)
        if hit is None:
            mentioned = affirmed = False
            if term.grams is None or name in self.possible:
                for part in self.parts:  # each part skips (and caches) a term its text cannot hold
                    seen, holds = part.lookup(name, term)
                    mentioned = mentioned or seen
                    if holds:
                        affirmed = True
                        break
            hit = self._cache[name] = (mentioned, affirmed)
        return hit

    def set_term(self, name: str, mentioned: bool, affirmed: bool) -> None:
        """Override a term with what the numbers say (e.g. 38.5 C is a fever even if unnamed)."""
        self._cache[name] = (mentioned, affirmed)
        if affirmed:
            self.possible.add(name)
