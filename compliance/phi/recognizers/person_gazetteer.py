"""Names from the given-name and surname lists, with no cue needed.

A capitalised word that is a listed name and not also an ordinary word starts a name; the
capitalised words after it that are not ordinary words join it ("Emily Rodriguez", "Ana de la Cruz").
A listed name that is also an ordinary word (Grace, Will, Hope) counts only next to another name word.
In lower case, two listed names in a row count ("maria gonzalez"), one alone does not.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.entities import PERSON
from compliance.phi.names import PARTICLES, WORD, base_form, is_capitalised, is_initial, strip_possessive, vocabulary


class PhiPersonGazetteerRecognizer(LocalRecognizer):
    ENTITY: ClassVar[str] = PERSON
    SCORE_SINGLE: ClassVar[float] = 0.7
    SCORE_FULL: ClassVar[float] = 0.85
    SCORE_LOWER: ClassVar[float] = 0.6
    MAX_WORDS: ClassVar[int] = 4
    GAP: ClassVar[regex.Pattern[str]] = regex.compile(r"[ \t]{1,2}|-")

    name: str  # set by Presidio's __init__, which does not annotate it

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)
        self._vocab = vocabulary()

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        words = list(WORD.finditer(text))
        results: list[RecognizerResult] = []
        index = 0
        while index < len(words):
            found = self._name_at(text, words, index)
            if found is None:
                index += 1
                continue
            last, score = found
            first = self._extend_left(text, words, index, results)
            start, end = words[first].start(), strip_possessive(text, words[first].start(), words[last].end())
            results.append(
                RecognizerResult(
                    self.ENTITY,
                    start,
                    end,
                    score,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
            index = last + 1
        return results

    def _extend_left(
        self, text: str, words: list[regex.Match[str]], index: int, results: list[RecognizerResult]
    ) -> int:
        """Take in an unlisted capitalised word just before ("Jarmo Herrera"), or "Last, First" at a line start."""
        if index == 0:
            return index
        before = words[index - 1]
        if results and results[-1].end >= before.start():
            return index
        word = before.group()
        gap = text[before.end() : words[index].start()]
        if not is_capitalised(word) or self._vocab.is_common(word):
            return index
        if self.GAP.fullmatch(gap):
            return index - 1
        if gap == ", ":
            line_start = text.rfind("\n", 0, before.start()) + 1
            if not text[line_start : before.start()].strip():
                return index - 1
        return index

    def _adjacent(self, text: str, left: regex.Match[str], right: regex.Match[str]) -> bool:
        gap = text[left.end() : right.start()]
        return gap == "" or bool(self.GAP.fullmatch(gap))

    def _name_at(self, text: str, words: list[regex.Match[str]], index: int) -> tuple[int, float] | None:
        vocab = self._vocab
        head = words[index].group()
        if is_capitalised(head):
            plain = vocab.is_plain_name(head)
            if not plain and not vocab.is_listed(head):
                return None
            last = self._extend(text, words, index)
            if last == index:
                return (index, self.SCORE_SINGLE) if plain else None
            return last, self.SCORE_FULL
        if head.islower() and index + 1 < len(words) and (vocab.is_plain_name(head) or vocab.is_listed(head)):
            nxt = words[index + 1].group()
            if self._adjacent(text, words[index], words[index + 1]) and nxt.islower() and not vocab.is_common(nxt):
                # "tom baker-wilson": a double-barrelled surname vouches for a first name that is also a word
                if vocab.is_compound_name(nxt, after_name=True) or (
                    vocab.is_plain_name(head) and (vocab.is_listed(nxt) or not nxt.isascii())
                ):
                    return index + 1, self.SCORE_LOWER
        if vocab.is_compound_name(head):  # "smith-jones" alone, in any case
            return index, self.SCORE_LOWER
        return None

    def _extend(self, text: str, words: list[regex.Match[str]], index: int) -> int:
        """Index of the last word of the name starting at `index`."""
        vocab = self._vocab
        last = index
        step = index + 1
        while step < len(words) and step - index < self.MAX_WORDS:
            word = words[step].group()
            if not self._adjacent(text, words[step - 1], words[step]):
                break
            if base_form(word) in PARTICLES and step + 1 < len(words) and is_capitalised(words[step + 1].group()):
                step += 1
                continue
            if (
                is_initial(word)
                or (is_capitalised(word) and not vocab.is_common(word))
                or vocab.is_compound_name(word, after_name=True)
            ):
                last = step
                step += 1
                continue
            break
        if is_initial(words[last].group()):
            last -= 1
        return max(last, index)
