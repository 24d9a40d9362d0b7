"""Employers after a cue: "I work at Brightwater Logistics", "employed by Northgate Freight", "I'm a cashier at ...".

Safe Harbor counts the names of an individual's employers among the identifiers. What follows the cue is taken as
the employer's name when it is capitalised ("Halvorsen & Byrne Solicitors", "the Royal Mail"), or, in lower case,
when it holds a word no dictionary knows, up to the last such word or organisation suffix ("brightwater
logistics"). Ordinary places of work ("at night", "at a school", "for myself") are left alone.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.entities import EMPLOYER
from compliance.phi.lexicon import lower_set, sentence_start_words, word_list
from compliance.phi.names import base_form, is_capitalised, vocabulary
from compliance.phi.recognizers.base import alternation

# A job title between "I'm a" and "at": one or two lower-case words ("cashier", "delivery driver").
ROLE_CUE = r"\b(?:i'm|i\s+am|im|he's|he\s+is|she's|she\s+is|they're|they\s+are)\s+an?\s+\p{Ll}+(?:\s+\p{Ll}+)?\s+(?:at|for|with)"
CUE_END = r"(?:\s*[:\-]\s*|\s+)(?:the\s+)?"
NAME_TOKEN = regex.compile(r"&|\p{L}[\p{L}\p{M}'\u2019]*(?:-\p{L}[\p{L}\p{M}'\u2019]*)*|\d{1,4}")
JOINERS = frozenset({"&", "and", "of", "the"})


class PhiEmployerRecognizer(LocalRecognizer):
    ENTITY: ClassVar[str] = EMPLOYER
    SCORE: ClassVar[float] = 0.88  # below STRONG_SCORE: a drug or clinical term after the cue wins
    MAX_WORDS: ClassVar[int] = 5
    TRIGGER: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?i:work|employ|job|shift|placement|intern|apprentic|contract|volunteer|\s+at\s|\s+for\s)"
    )

    name: str  # set by Presidio's __init__, which does not annotate it

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)
        cues = alternation(word_list("employer_cues"))
        self._cue = regex.compile(rf"(?:\b{cues}|{ROLE_CUE}){CUE_END}", regex.IGNORECASE)
        self._vocab = vocabulary()
        self._english = sentence_start_words()
        self._suffixes = lower_set("organisation_suffixes")
        self._not_employers = lower_set("not_employers")

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not self.TRIGGER.search(text):
            return []
        results: list[RecognizerResult] = []
        for cue in self._cue.finditer(text):
            span = self._name_after(text, cue.end())
            if span is not None:
                results.append(
                    RecognizerResult(
                        self.ENTITY,
                        span[0],
                        span[1],
                        self.SCORE,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return results

    def _tokens(self, text: str, pos: int) -> list[regex.Match[str]]:
        tokens: list[regex.Match[str]] = []
        while len(tokens) < self.MAX_WORDS + 2:
            match = NAME_TOKEN.match(text, pos)
            if match is None:
                break
            tokens.append(match)
            gap = regex.match(r"[ \t]{1,2}", text[match.end() : match.end() + 2])
            if gap is None:
                break
            pos = match.end() + gap.end()
        return tokens

    def _name_after(self, text: str, pos: int) -> tuple[int, int] | None:
        tokens = self._tokens(text, pos)
        if not tokens:
            return None
        first = tokens[0].group()
        if is_capitalised(first) or (first.isupper() and len(first) > 1):
            return self._capitalised(tokens)
        return self._lower_case(tokens)

    def _capitalised(self, tokens: list[regex.Match[str]]) -> tuple[int, int] | None:
        """Capitalised words (and "&", "and", "of" between them), at least one not an ordinary word."""
        taken: list[regex.Match[str]] = []
        for token in tokens:
            word = token.group()
            if word.lower() in JOINERS and taken:
                taken.append(token)
                continue
            if not (is_capitalised(word) or (word.isupper() and word.isalpha())) or len(taken) >= self.MAX_WORDS:
                break
            taken.append(token)
        while taken and taken[-1].group().lower() in JOINERS:
            taken.pop()
        names = [t.group() for t in taken if t.group().lower() not in JOINERS]
        if not names or all(self._vocab.is_common(w) or base_form(w) in self._not_employers for w in names):
            return None
        return taken[0].start(), taken[-1].end()

    def _lower_case(self, tokens: list[regex.Match[str]]) -> tuple[int, int] | None:
        """Lower-case words up to the last unknown word or organisation suffix; none unknown: no employer."""
        end = None
        unknown = False
        for token in tokens[: self.MAX_WORDS]:
            word = token.group()
            form = base_form(word)
            if not word.islower() or (self._vocab.is_common(word) and form not in self._suffixes):
                break
            if form in self._suffixes:
                end = token.end()
            elif form not in self._english and len(form) > 2:
                unknown, end = True, token.end()
            else:
                break
        return (tokens[0].start(), end) if unknown and end is not None else None
