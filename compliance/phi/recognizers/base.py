"""Shared shape for the regex recognizers: knowledge as class-level data, as in Presidio."""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

# Building blocks shared by several patterns.
NAME_WORD = r"\p{Lu}[\p{L}\p{M}]*\p{Ll}[\p{L}\p{M}]*(?:['\u2019-]\p{L}[\p{L}\p{M}]*)*"
ID_TOKEN = r"(?=[A-Za-z0-9-]*\d)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
ID_JOIN = r"\s*(?:number|num|no\.?|nbr|#|id|identifier)?\s*(?:is|was|:|#|=|-)?\s*"
DIGIT = r"\d"


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first so that prefixes do not win."""
    escaped = sorted({regex.escape(word).replace(r"\ ", r"\s+") for word in words}, key=len, reverse=True)
    return "(?:" + "|".join(escaped) + ")"


class DataPatternRecognizer(PatternRecognizer):
    """A PatternRecognizer configured entirely by class attributes.

    ENTITY    the entity type (see compliance.phi.entities)
    PATTERNS  Presidio Patterns; a cue is written before \\K so that the match is the value only
    TRIGGER   optional cheap regex that must occur somewhere in the text for any pattern to match
              (e.g. two digits for identifiers); when absent, the patterns are not run at all
    FLAGS     regex flags; the default is case-sensitive, patterns opt in with (?i:...)
    LANGUAGE  the language the recognizer is registered for ("en"; the Japanese ones say "ja")

    analyze() is a lean version of Presidio's loop (same results, same validate/invalidate hooks,
    without per-pattern timing, debug logging and explanations, which cost more than the regexes).
    """

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[Pattern, ...]]
    TRIGGER: ClassVar[str | None] = None
    FLAGS: ClassVar[int] = regex.MULTILINE
    LANGUAGE: ClassVar[str] = "en"
    # Set by Presidio's __init__, which does not annotate them.
    name: str
    patterns: list[Pattern]

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            supported_language=self.LANGUAGE,
            name=type(self).__name__,
            patterns=list(self.PATTERNS),
            global_regex_flags=self.FLAGS,
        )
        self._trigger = regex.compile(self.TRIGGER, self.FLAGS) if self.TRIGGER else None
        self._compiled = [(pattern, regex.compile(pattern.regex, self.FLAGS)) for pattern in self.patterns]
        self._metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        if self._trigger is not None and not self._trigger.search(text):
            return []
        results: list[RecognizerResult] = []
        for pattern, compiled in self._compiled:
            for match in compiled.finditer(text):
                start, end = match.span()
                if start == end:
                    continue
                value = text[start:end]
                score = pattern.score
                validated = self.validate_result(value)
                if validated is not None:
                    score = EntityRecognizer.MAX_SCORE if validated else EntityRecognizer.MIN_SCORE
                if self.invalidate_result(value):
                    score = EntityRecognizer.MIN_SCORE
                if score > EntityRecognizer.MIN_SCORE:
                    results.append(
                        RecognizerResult(self.ENTITY, start, end, score, recognition_metadata=dict(self._metadata))
                    )
        return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results
