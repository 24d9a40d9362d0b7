"""Glosses: words and phrases of a language patients mix into English, rewritten into the English the layers read.

Each file in ``glosses/`` is one language's data (``glosses/tl.yaml``: Tagalog in Filipino patients' English chat):
fixed glosses, and frames over body parts ("masakit ang {part}" -> "<part> pain"). ``Glosser.apply`` rewrites a
normalised message (agents/triage/text.py ``normalise``). Each form is indexed by the word it starts with, so a
message is scanned once for words and only the forms starting with one of its words are tried there (an English
message with none costs a word scan); at one place the longest form is tried first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.triage import yaml_text

GLOSS_DIR = Path(__file__).parent / "glosses"
_WORD = re.compile(r"(?<!\w)[a-z]+")
_HEAD = re.compile(r"(\(\?<=[^)]*\))?(?:\(\?:([a-z |]+)\)(\?)?|([a-z]+))")
#: A space before an optional group whose words do not end with one ("utal (?:magsalita)?"): without the group the
#: form needs a space and another word, so the short reading never matched (2.8.61; the space goes inside).
_SPACE_BEFORE_OPTIONAL = re.compile(r" \(\?:[^()]*[^ ()]\)\?")


class GlossError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class _Form:
    pattern: re.Pattern[str]
    english: str
    parts: dict[str, str] | None
    """For a frame: each body part's English, looked up by the matched part."""

    def replacement(self, match: re.Match[str]) -> str:
        return self.english if self.parts is None else self.parts[match.group("part")]


def _heads(form: str, parts: dict[str, Any], name: str) -> list[str]:
    """The words a match of ``form`` can start with (a leading word, or the first words of a leading group; when
    that group is optional, the words after it too)."""
    if form.startswith("{part}"):
        return [re.match(r"[a-z]+", word).group(0) for word in parts]  # type: ignore[union-attr]
    found = _HEAD.match(form)
    if not found:
        raise GlossError(f"{name}: {form!r} does not start with a word or a group of words")
    if found.group(4):
        return [found.group(4)]
    heads = [alternative.split(" ")[0] for alternative in found.group(2).split("|")]
    if found.group(3):  # an optional group: the form may start after it
        heads += _heads(form[found.end() :].lstrip(" "), parts, name)
    return heads


class Glosser:
    """Every gloss file's forms, indexed by their first word."""

    def __init__(self, files: list[tuple[str, dict[str, Any]]]) -> None:
        index: dict[str, list[tuple[int, _Form]]] = {}
        function_words: set[str] = set()
        for name, data in files:
            function_words.update(data.get("function_words") or ())
            for form, compiled in self._forms(name, data):
                for head in _heads(form, data.get("body_parts") or {}, name):
                    index.setdefault(head, []).append((len(form), compiled))
        self.function_words = frozenset(function_words)
        """The languages' own small words (po, ang, ng): a message with them is English mixed with a glossed
        language, not a foreign message (agents/triage/engine.py ``_language``)."""
        self._index = {head: tuple(f for _, f in sorted(forms, key=lambda x: -x[0])) for head, forms in index.items()}

    @staticmethod
    def _forms(name: str, data: dict[str, Any]) -> list[tuple[str, _Form]]:
        out: list[tuple[str, _Form]] = []
        seen: set[str] = set()
        for gloss in data.get("glosses") or ():
            if not isinstance(gloss, dict):
                raise GlossError(f"{name}: a gloss is a mapping with id, en and tl: {gloss!r}")
            gid, english, forms = gloss.get("id"), gloss.get("en"), gloss.get("tl")
            if not gid or not isinstance(english, str) or not forms:
                raise GlossError(f"{name}: a gloss needs id, en (a string) and tl: {gloss!r}")
            if gid in seen:
                raise GlossError(f"{name}: gloss {gid!r} is defined twice")
            seen.add(gid)
            for f in forms:
                if _SPACE_BEFORE_OPTIONAL.search(f):
                    raise GlossError(f"{name}: {gid}: {f!r} puts a space before an optional group (put it inside)")
            out.extend((f, _Form(re.compile(f"(?:{f})(?!\\w)"), english, None)) for f in forms)
        parts: dict[str, dict[str, str]] = data.get("body_parts") or {}
        for frame in data.get("frames") or ():
            if "{part}" not in frame["tl"]:
                raise GlossError(f"{name}: frame {frame.get('id')!r} names no {{part}}")
            # a part that is also a word elsewhere ("noo" for "no") is glossed only inside a longer frame
            used = {w: part for w, part in parts.items() if frame["tl"] != "{part}" or part.get("alone", True)}
            english = {
                word: frame["en"].format(en=part["en"], pain=part.get("pain") or f"{part['en']} pain")
                for word, part in used.items()
            }
            alternation = "|".join(sorted(map(re.escape, used), key=len, reverse=True))
            pattern = frame["tl"].replace("{part}", f"(?P<part>{alternation})")
            out.append((frame["tl"], _Form(re.compile(f"(?:{pattern})(?!\\w)"), "", english)))
        return out

    def apply(self, text: str) -> str:
        """``text`` with every glossed form replaced by its English (forms never overlap; left to right)."""
        out: list[str] = []
        done = 0
        for word in _WORD.finditer(text):
            start = word.start()
            forms = self._index.get(word.group(0))
            if forms is None or start < done:
                continue
            for form in forms:
                found = form.pattern.match(text, start)
                if found:
                    out.append(text[done:start])
                    out.append(form.replacement(found))
                    done = found.end()
                    break
        if not out:
            return text
        out.append(text[done:])
        return "".join(out)


def load() -> tuple[Glosser, bytes]:
    """The glosser over every language's file, and the files' bytes (for the protocols' version)."""
    raw = {path.name: path.read_bytes() for path in sorted(GLOSS_DIR.glob("*.yaml"))}
    glosser = Glosser([(name, yaml_text.parse(data.decode("utf-8"))) for name, data in raw.items()])
    return glosser, b"".join(raw.values())
