"""Sign-in names: after a cue ("my login is j.smith84", "username: priya.nair", "user john.doe"), or shaped like a
person's name joined by dots ("john.doe", "j.smith84", "mark.t.brennan") anywhere.

A value after a cue must look like a handle (a dot, underscore or digit inside) or be a word no dictionary knows
("my login is kowalczyk"); "my login is broken" is prose. Without a cue, the dotted parts must be listed names
or initials: "e.coli", "e.g." and file names are not.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.entities import USERNAME
from compliance.phi.lexicon import sentence_start_words, word_list
from compliance.phi.names import vocabulary
from compliance.phi.recognizers.base import alternation

HANDLE = r"@?[\p{L}\p{N}](?:[\p{L}\p{N}._-]{0,62}[\p{L}\p{N}_])?"
JOIN = r"(?:\s+(?:is|was|=)\s*|\s*[:=]\s*|\s+)"
# "john.doe", "j.smith84", "anna.lee.77": letters joined by dots (an underscore or digits at the end).
DOTTED = regex.compile(
    r"(?<![\p{L}\p{N}._@/:-])(\p{Ll}+(?:\.\p{Ll}+)+)(?:[._]?\d{1,4})?(?![\p{L}\p{N}_@]|\.[\p{L}\p{N}])"
)


class PhiUsernameRecognizer(LocalRecognizer):
    ENTITY: ClassVar[str] = USERNAME
    SCORES: ClassVar[dict[str, float]] = {"cue": 0.95, "weak cue": 0.85, "dotted name": 0.7}
    TRIGGER: ClassVar[regex.Pattern[str]] = regex.compile(r"\p{L}\.\p{L}|(?i:user|log|sign|handle|name|tag)")

    name: str  # set by Presidio's __init__, which does not annotate it

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)
        cues = alternation(word_list("username_cues"))
        self._cue = regex.compile(rf"\b{cues}{JOIN}\K{HANDLE}", regex.IGNORECASE)
        self._weak_cue = regex.compile(rf"\buser{JOIN}\K{HANDLE}", regex.IGNORECASE)
        self._vocab = vocabulary()
        self._english = sentence_start_words()

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not self.TRIGGER.search(text):
            return []
        found: list[tuple[int, int, float]] = []
        for match in self._cue.finditer(text):
            value = match.group()
            if handle_shaped(value) or self._unknown_word(value):
                found.append((match.start(), match.end(), self.SCORES["cue"]))
        for match in self._weak_cue.finditer(text):
            if handle_shaped(match.group()):
                found.append((match.start(), match.end(), self.SCORES["weak cue"]))
        for match in DOTTED.finditer(text):
            if self._dotted_name(match.group(1)):
                found.append((match.start(), match.end(), self.SCORES["dotted name"]))
        return [
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
            for start, end, score in found
        ]

    def _unknown_word(self, value: str) -> bool:
        form = value.lstrip("@").lower()
        return form.isalpha() and len(form) > 3 and form not in self._english and not self._vocab.is_common(form)

    def _dotted_name(self, letters: str) -> bool:
        """Each part a listed name or an initial, the first a given name or an initial, at least one a name."""
        parts = letters.split(".")
        names = [part for part in parts if len(part) > 1]
        if not names or any(len(part) > 1 and not self._vocab.is_listed(part) for part in parts):
            return False
        return len(parts[0]) == 1 or parts[0] in self._vocab.first


def handle_shaped(value: str) -> bool:
    """A dot, underscore or digit inside letters: "j.smith84", "k_oduya1990", "sam99"; not a bare number."""
    core = value.lstrip("@")
    return (any(ch.isalpha() for ch in core) and any(ch in "._" or ch.isdigit() for ch in core)) or value.startswith(
        "@"
    )
