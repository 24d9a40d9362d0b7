"""The clinical allow-list: spans that must reach the triage engine intact.

Two kinds of knowledge, both data: regexes in data/clinical_patterns.yaml (durations, relative
times, ages up to 89, doses, vitals, labs ...) and term lists (eponyms, drugs, body parts,
symptoms) matched on whole words, possessives ignored ("Crohn's" = "Crohn"). Redaction placeholders
already in a text ("<PERSON_1>") are protected the same way and win over every detection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import regex

from compliance import yaml_text
from compliance.phi.lexicon import DATA_DIR, clinical_terms, normalize_term

TERM_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['\u2019\-][\p{L}\p{N}]+)*['\u2019]?")
MAX_TERM_WORDS = 4


@dataclass(frozen=True)
class ClinicalSpan:
    start: int
    end: int
    kind: str

    @property
    def absolute(self) -> bool:
        """Placeholders win over everything; other clinical spans only over weak detections."""
        return self.kind == "placeholder"


@cache
def _patterns() -> tuple[tuple[str, regex.Pattern[str]], ...]:
    data = yaml_text.parse((DATA_DIR / "clinical_patterns.yaml").read_text(encoding="utf-8"))
    return tuple((name, regex.compile(rx, regex.IGNORECASE)) for name, rx in data["patterns"].items())


def pattern_spans(text: str, patterns: Iterable[tuple[str, regex.Pattern[str]]]) -> list[ClinicalSpan]:
    """Each named pattern's matches as clinical spans, leading spaces trimmed (shared by both languages)."""
    out: list[ClinicalSpan] = []
    for name, pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            while start < end and text[start].isspace():
                start += 1
            if end > start:
                out.append(ClinicalSpan(start, end, name))
    return out


class ClinicalAllowList:
    def __init__(self) -> None:
        self._patterns = _patterns()
        self._terms = clinical_terms()

    def spans(self, text: str) -> list[ClinicalSpan]:
        out = pattern_spans(text, self._patterns)
        out.extend(self._term_spans(text))
        return out

    def _term_spans(self, text: str) -> list[ClinicalSpan]:
        words = list(TERM_WORD.finditer(text))
        forms = [normalize_term(word.group()) for word in words]
        out: list[ClinicalSpan] = []
        index = 0
        while index < len(words):
            for size in range(min(MAX_TERM_WORDS, len(words) - index), 0, -1):
                phrase = " ".join(forms[index : index + size])
                if phrase in self._terms or (size == 1 and phrase.endswith("s") and phrase[:-1] in self._terms):
                    out.append(ClinicalSpan(words[index].start(), words[index + size - 1].end(), "term"))
                    index += size - 1
                    break
            index += 1
        return out
