"""Holds a model's streamed text until each sentence is complete, judges it, and releases it or our sentence.

A sentence ends at ".", "!" or "?" followed by white space (";" does not: "no need for A&E; see your GP" is one
piece of advice; closing quotes, brackets and markdown emphasis go with it; "e.g." and "Dr." do not end one), or at
a line break. One-word sentences in a row ("No. need. to. see. anyone.") are read together as one: a one-word
sentence waits for the next to know. A sentence that contradicts the disposition is replaced by our own sentence
for it; after `max_replaced` replacements the next contradiction trips the guard: nothing more of the answer is
released, and our whole template follows (the generate node). Text is held at most `max_hold_chars` before it is
judged at a clause or word boundary anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from agents.guard.judge import Replacement, SentenceJudge, Verdict
from compliance.phi.ja.boundaries import japanese_hold_point

#: Words that start a sentence when they follow a lower-case word with no punctuation between ("call 911 now If
#: you ..."): a model that drops its full stops still gets its sentences judged one by one.
STARTERS = (
    "If",
    "Please",
    "You",
    "Your",
    "This",
    "That",
    "It",
    "The",
    "Call",
    "See",
    "Go",
    "Get",
    "Rest",
    "Keep",
    "Drink",
    "Try",
    "Most",
    "Do",
    "Don't",
    "Dont",
    "Should",
    "Seek",
    "Make",
    "Book",
    "There",
    "In",
    "While",
    "Until",
    "When",
    "Take",
    "Avoid",
    "But",
    "However",
    "Also",
    "Remember",
    "Contact",
    "Ask",
    "Stay",
    "Use",
    "Always",
    "Never",
    "Watch",
    "Monitor",
    "These",
    "We",
    "Just",
    "Let",
    "Even",
    "Whatever",
    "No",
    "Nothing",
    "Otherwise",
    "Meanwhile",
    "Wait",
    "Give",
    "Head",
    "Ring",
    "Dial",
    "Phone",
    "Honestly",
    "Overall",
    "Sometimes",
    "Many",
    "Some",
)
_END = re.compile(
    r"[.!?\u3002\uff0e\uff01\uff1f\u061f\u0964]+[)\]\"'\u2019\u201d\uff09*_]*\s+|\n\s*"
    rf"|(?<=[a-z0-9]) (?=(?:{'|'.join(STARTERS)})[\s,.;:!?])"
)
#: Japanese: a sentence ends at 。！？ with or without a space after it (closing brackets go with it), at a line
#: break, at ". " when the model writes a Latin sentence, or at a chat's drawn-out final particle (いいよ〜, ですね〜:
#: a wave dash after よ or ね; 2〜3日 is a range).
_END_JA = re.compile(
    r"[\u3002\uff01\uff1f!?]+[\u300d\u300f\uff09)\]\"'\u2019\u201d*_]*\s*|\n\s*|[.!?]+[)\]\"'\u2019\u201d*_]*\s+"
    r"|(?<=[よね])[\u301c\uff5e~]+\s*"
)
#: Japanese text is held at most this long before a run-on sentence is judged up to its last clause end (、).
MAX_HOLD_CHARS_JA = 200
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "e.g", "i.e", "eg", "ie", "etc", "vs", "approx", "a.m", "p.m", "fig", "cf"}
)
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_CLAUSE = re.compile(r"[,:\u2013\u2014-]\s+")
_EDGES = re.compile(r"(\s*)(.*?)(\s*)", re.S)


class SentenceGuard:
    __slots__ = (
        "_held",
        "_instead_of",
        "_japanese",
        "_previous",
        "_scan_from",
        "judge",
        "level",
        "max_hold_chars",
        "max_replaced",
        "tripped",
        "verdicts",
    )

    def __init__(
        self,
        judge: SentenceJudge,
        level: str,
        instead_of: Callable[[Replacement], str],
        *,
        max_replaced: int = 1,
        max_hold_chars: int | None = None,
    ) -> None:
        """The judge's `language` says where sentences end ("ja": Japanese punctuation, no spaces)."""
        self.judge = judge
        self.level = level
        self._instead_of = instead_of
        self.max_replaced = max_replaced
        self._japanese = judge.language == "ja"
        self.max_hold_chars = max_hold_chars or (MAX_HOLD_CHARS_JA if self._japanese else 400)
        self.verdicts: list[Verdict] = []
        self.tripped: Verdict | None = None
        self._held = ""
        self._scan_from = 0
        self._previous = " "  # the sentence before, normalised

    @property
    def held(self) -> str:
        return self._held

    def feed(self, text: str) -> str:
        if self.tripped is not None or not text:
            return ""
        self._held += text
        out: list[str] = []
        while self.tripped is None:
            end = self._sentence_end()
            if end is None:
                break
            sentence, self._held, self._scan_from = self._held[:end], self._held[end:], 0
            out.append(self._judged(sentence))
        return "".join(out)

    def flush(self) -> str:
        """The end of the model's answer: what is held is a sentence (or a run of one-word sentences and one more)."""
        if self.tripped is not None:
            return ""
        out = []
        if not self._japanese and (end := self._one_word_run(self._held, final=True)) is not None:
            out.append(self._judged(self._held[:end]))
            self._held = self._held[end:]
        held, self._held, self._scan_from = self._held, "", 0
        if held and self.tripped is None:
            out.append(self._judged(held))
        return "".join(out)

    def _ends(self, held: str, start: int) -> Iterator[int]:
        """Where sentences end in `held` after `start` ("Dr." and "e.g." end none)."""
        for match in _END.finditer(held, start):
            if held[match.start()] == "." and (word := _WORD_BEFORE.search(held, 0, match.start() + 1)):
                if word[1].lower() in _ABBREVIATIONS:
                    continue
            yield match.end()

    def _one_word_run(self, held: str, *, final: bool = False) -> int | None:
        """A run of one-word sentences ("No. need. to. see. anyone... just. rest!!!") is judged as one sentence:
        where the run ends once a longer sentence follows it (or, `final`, the held text ends); None when the held
        text does not start with one, or the run may go on."""
        end = next(self._ends(held, 0), None)
        if end is None or len(held[:end].split()) != 1:
            return None
        for following in self._ends(held, end):
            if len(held[end:following].split()) != 1:
                return end
            end = following
        return end if final and len(held[end:].split()) > 1 else None

    def _sentence_end(self) -> int | None:
        if self._japanese:
            return self._japanese_end()
        held = self._held
        end = next(self._ends(held, max(0, self._scan_from - 8)), None)
        if end is not None:
            if len(held[:end].split()) != 1:
                return end
            # a one-word sentence waits for the next: one-word sentences in a row are read together
            run = self._one_word_run(held)
            if run is None and len(held) <= self.max_hold_chars:
                return None
            return run or end
        self._scan_from = len(held)
        if len(held) <= self.max_hold_chars:
            return None
        # A run-on sentence: judge it up to its last clause break, else its last space, else all of it.
        cut = max((m.end() for m in _CLAUSE.finditer(held, self.max_hold_chars // 2)), default=-1)
        if cut < 0:
            cut = held.rfind(" ", self.max_hold_chars // 2) + 1
        return cut or len(held)

    def _japanese_end(self) -> int | None:
        held = self._held
        match = _END_JA.search(held, max(0, self._scan_from - 8))
        if match is not None and (match.end() < len(held) or not held[match.start()].isascii()):
            return match.end()  # ". " must be followed by more before it counts ("38." may go on "38.5")
        self._scan_from = len(held)
        if len(held) <= self.max_hold_chars:
            return None
        # A run-on sentence: judge it up to its last clause end (the PHI stream's rule), else all of it.
        return japanese_hold_point(held, self.max_hold_chars) or len(held)

    def _judged(self, sentence: str) -> str:
        verdict, normalised = self.judge.judge_sentence(self.level, sentence, self._previous)
        self._previous = normalised
        if verdict is None:
            return sentence
        self.verdicts.append(verdict)
        if len(self.verdicts) > self.max_replaced:
            self.tripped = verdict
            self._held = ""
            return ""
        before, _, after = _EDGES.fullmatch(sentence).groups()  # type: ignore[union-attr]
        return before + self._instead_of(verdict.replacement) + after
