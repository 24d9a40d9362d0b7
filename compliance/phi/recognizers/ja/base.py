"""Shared shape of the Japanese recognizers: registered for "ja", run on NFKC-normalised text.

Pattern recognizers are DataPatternRecognizer with LANGUAGE = "ja". Recognizers that read Sudachi's tokens
derive from JaTokenRecognizer and implement spans(); they find the tokens, and the engine for dictionary
look-ups, in the NLP artifacts (JaArtifacts, compliance/phi/ja/nlp.py).
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.ja.nlp import LANGUAGE, JaArtifacts, JaToken, SudachiNlpEngine
from compliance.phi.recognizers.base import DataPatternRecognizer

# Script classes (after NFKC: half-width kana are full-width, full-width Latin and digits are ASCII).
KANJI = r"[\p{Han}々〆ヶ]"
HIRAGANA = r"[\p{Hiragana}ー]"
KATAKANA = r"[\p{Katakana}ー]"
LATIN = r"[A-Za-z]"
# Dashes as Japanese text writes them between digits (a long-vowel mark typed for a hyphen included).
DASH_CHARS = r"\-‐‑–—―−ー"
DASH = rf"[{DASH_CHARS}]"
# Characters that close a cue or a name: particles and punctuation.
PARTICLE_CHARS = "のがはをにともでへやかより"


class JaPatternRecognizer(DataPatternRecognizer):
    LANGUAGE = LANGUAGE


class JaTokenRecognizer(LocalRecognizer):
    """A recognizer over Sudachi tokens: spans() returns (start, end, score) in the analysed text's offsets."""

    ENTITY: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], supported_language=LANGUAGE, name=type(self).__name__)

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not isinstance(nlp_artifacts, JaArtifacts):
            return []
        spans = [span for span in self.spans(text, nlp_artifacts.ja_tokens, nlp_artifacts.engine) if span[1] > span[0]]
        # A span inside another of the same recognizer adds nothing (堺203号 inside a whole address).
        kept = [
            a
            for a in spans
            if not any(b != a and b[0] <= a[0] and a[1] <= b[1] and (b[1] - b[0]) > (a[1] - a[0]) for b in spans)
        ]
        return [RecognizerResult(self.ENTITY, start, end, score) for start, end, score in kept]

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        raise NotImplementedError


def token_index_at(tokens: tuple[JaToken, ...], position: int) -> int | None:
    """Index of the token that starts at `position` (None when the position falls inside a token)."""
    low, high = 0, len(tokens)
    while low < high:
        middle = (low + high) // 2
        if tokens[middle].start < position:
            low = middle + 1
        else:
            high = middle
    return low if low < len(tokens) and tokens[low].start == position else None


def token_index_ending(tokens: tuple[JaToken, ...], position: int) -> int | None:
    """Index of the token that ends at `position` (None when the position falls inside a token)."""
    index = token_index_at(tokens, position)
    if index is not None:
        return index - 1 if index > 0 else None
    if tokens and tokens[-1].end == position:
        return len(tokens) - 1
    return None


def compile_ja(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.MULTILINE)
