"""Words as the findings engine reads them: normalised text cut into stemmed tokens with sentence numbers.

Terms in the knowledge files and the patient's text go through the same reading (knowledge/README.md):
lower case, apostrophes dropped, each word reduced to its Snowball (Porter2) stem, filler words
(determiners, possessives, intensifiers) skipped, punctuation ending a phrase. Pure and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

FILLERS = frozenset(
    "a an the my his her their your our its this that these those very really quite so extremely pretty rather just".split()
)
_POSSESSIVES = frozenset("my his her their your our".split())
#: Words that carry no complaint of their own: not counted when the learned layer weighs how much of a message the
#: knowledge read (``content_word``).
FUNCTION_WORDS = frozenset(
    "i im ive id me we us you he she it they them him and or but if then than as at by for from in into of on to"
    " up out off over with without about after before since until while when where what which who how why is am"
    " are was were be been being has have had having do does did doing can could will would should shall may"
    " might must not no yes also some any all each every other more most much many few lot lots get got getting"
    " go going went gone make made say said think thought know bit thing things there here now today yesterday"
    " please thanks thank hi hello ok okay like".split()
)
GAP = "..."
_TOKEN = re.compile(r"<[a-z_]+>|\d+(?:\.\d+)?%?|[a-z][a-z0-9+]*(?:-[a-z0-9]+)*|\?|[.!;:\n,)]")
#: Clinical shorthand for results: "+ve" and "-ve" would otherwise both read "ve".
_SIGNED = ((re.compile(r"\+\s?ve\b"), " positive"), (re.compile(r"(?<![a-z0-9])-\s?ve\b|(?<=[a-z])-ve\b"), " negative"))
#: A dipstick grade written apart from its word at the end of a clause ("nitrites +, leucocytes ++") reads as one
#: word ("nitrites+"), as it does written together; "paracetamol + ibuprofen" is left alone.
_GRADE = re.compile(r"(?<=[a-z]) (\+{1,3})(?=[,.;)\n]|$)")
_SENTENCE_END = frozenset({".", "!", ";", ":", "\n", "?"})
_stemmer = snowballstemmer.stemmer("english")


#: Words Porter2 reduces to another word's stem: "several" to "sever" read "several fingers" as a severed finger and
#: "several days" as severe; "tearful" to "tear" read a "second-degree tear" and a "tearing" pain as tearfulness.
_OWN_STEMS = {"several": "several", "tearful": "tearful"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if not word.isalpha() or len(word) <= 3:
        return word
    stemmed: str = _OWN_STEMS.get(word) or _stemmer.stemWord(word)
    return stemmed


@dataclass(frozen=True, slots=True)
class Token:
    stem: str
    word: str
    start: int
    end: int
    """Offsets in the text as read (after "+ve"/"-ve" became words)."""
    sentence: int
    index: int
    """Position among the content tokens (fillers skipped)."""
    clause: int = 0
    """Advances at each comma, closing bracket and sentence end: a trigger reading backwards stays in its clause."""
    aside: int = 0
    owned: bool = False
    """Follows a possessive ("her wee smells"): after a comma that starts a new statement, not a list item."""
    """Advances at each closing bracket: a negation inside "(not planned)" does not reach past it."""


def tokens(text: str) -> tuple[Token, ...]:
    """Content tokens of normalised (lower-case) text; sentence breaks and '?' advance the sentence number."""
    out: list[Token] = []
    sentence = clause = aside = 0
    owner = False
    if "ve" in text:
        for pattern, replacement in _SIGNED:
            text = pattern.sub(replacement, text)
    if "+" in text:
        text = _GRADE.sub(r"\1", text)
    for m in _TOKEN.finditer(text):
        word = m.group()
        if word in (",", ")"):
            clause += 1
            aside += word == ")"
            continue
        if word in _SENTENCE_END:
            clause += 1
            if word == "?":
                # "?appendicitis" is a clinician's query; a '?' that ends a question also ends its sentence
                out.append(Token("?", "?", m.start(), m.end(), sentence, len(out), clause, aside))
                if text[m.end() : m.end() + 1].isalpha():
                    continue
            sentence += 1
            continue
        if word in FILLERS:
            owner = word in _POSSESSIVES
            continue
        for part in word.split("-") if "-" in word and not word[0].isdigit() else (word,):
            if part and part not in FILLERS:
                out.append(Token(stem(part), part, m.start(), m.end(), sentence, len(out), clause, aside, owner))
            owner = False
    return tuple(out)


def content_word(token: Token) -> bool:
    """A word that may say something clinical: alphabetic and not a function word."""
    return token.word.isalpha() and token.word not in FUNCTION_WORDS


def term_stems(term: str) -> tuple[str, ...]:
    """A knowledge term as the stems it must match, with GAP where '...' allows other words."""
    if term.strip() == "?":
        return ("?",)
    parts: list[str] = []
    for chunk in term.lower().replace("'", "").replace("\u2019", "").split(GAP):
        if parts:
            parts.append(GAP)
        parts.extend(t.stem for t in tokens(chunk) if t.stem != "?")
    while parts and parts[0] == GAP:
        parts.pop(0)
    while parts and parts[-1] == GAP:
        parts.pop()
    return tuple(parts)
