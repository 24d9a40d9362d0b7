"""The Japanese side of the analyzer: SudachiPy morphemes as Presidio NLP artifacts, no GiNZA pipeline.

A GiNZA pipeline (parser, NER, morphologizer) costs about 19 ms a message; Sudachi's tokenizer alone, whose
dictionary already tags person names (名詞,固有名詞,人名,姓/名) and places (地名), costs a few hundredths of a
millisecond. Recognizers read the tokens from `nlp_artifacts.ja_tokens` (JaArtifacts: a tuple of JaToken).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
from sudachipy import Dictionary, SplitMode, Tokenizer

LANGUAGE = "ja"
READINGS_CACHE = 65536
DEFAULT_DICTIONARY = "core"
BRACKETS = re.compile(r"([()（）])")
OPENING = frozenset("(（")  # the sudachidict-core package; "small" or "full" when that package is installed


@dataclass(frozen=True, slots=True)
class JaToken:
    """One Sudachi morpheme: its surface, offsets in the analysed text and part of speech (up to 4 levels)."""

    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    oov: bool

    @property
    def is_person_name(self) -> bool:
        return self.pos[1:3] == ("固有名詞", "人名")

    @property
    def is_place(self) -> bool:
        return self.pos[1:3] == ("固有名詞", "地名")

    @property
    def is_country(self) -> bool:
        return self.is_place and self.pos[3] == "国"

    @property
    def is_proper(self) -> bool:
        return self.pos[1] == "固有名詞"

    @property
    def is_common_noun(self) -> bool:
        return self.pos[:2] == ("名詞", "普通名詞")

    @property
    def is_noun(self) -> bool:
        return self.pos[0] == "名詞"

    @property
    def is_time_noun(self) -> bool:
        """昨日, 今朝, 先週 ... (名詞,普通名詞,副詞可能): they precede a name without being part of it."""
        return self.pos[:3] == ("名詞", "普通名詞", "副詞可能")


class JaArtifacts(NlpArtifacts):
    """Presidio's NLP artifacts for a Japanese text: Sudachi's tokens in `ja_tokens` (no spaCy Doc)."""

    def __init__(self, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> None:
        super().__init__(entities=[], tokens=None, tokens_indices=[], lemmas=[], nlp_engine=engine, language=LANGUAGE)  # type: ignore[arg-type]  # no spaCy Doc here
        self.ja_tokens = tokens
        self.engine = engine


class SudachiNlpEngine(NlpEngine):
    """Presidio NlpEngine for "ja" backed by Sudachi (mode C: long units, so 東京都新宿区西新宿 is one place)."""

    def __init__(self, dictionary: str = DEFAULT_DICTIONARY) -> None:
        self.dictionary_name = dictionary
        self._dictionary: Dictionary | None = None
        self._tokenizer: Tokenizer | None = None
        self._pos: dict[int, tuple[str, ...]] = {}
        self._readings: dict[str, tuple[tuple[str, ...], ...]] = {}
        self._name_readings: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        self._dictionary = Dictionary(dict=self.dictionary_name)
        # SudachiPy 0.7 renamed create() to tokenizer() (create() still works there, with a warning)
        make = getattr(self._dictionary, "tokenizer", None) or self._dictionary.create
        self._tokenizer = make(mode=SplitMode.C)

    def is_loaded(self) -> bool:
        return self._tokenizer is not None

    @property
    def dictionary(self) -> Dictionary:
        """The loaded Sudachi dictionary (for another reader in the process to share rather than load again)."""
        if self._dictionary is None:
            raise ValueError("NLP engine is not loaded")
        return self._dictionary

    def tokens(self, text: str) -> tuple[JaToken, ...]:
        if self._tokenizer is None or self._dictionary is None:
            raise ValueError("NLP engine is not loaded")
        with self._lock:  # a Sudachi tokenizer is not shared across threads mid-call
            return tuple(self._tokenize(self._tokenizer, text, 0))

    def _tokenize(self, tokenizer: Tokenizer, text: str, offset: int) -> list[JaToken]:
        out = []
        for m in tokenizer.tokenize(text):
            pos_id = m.part_of_speech_id()
            pos = self._pos.get(pos_id)
            if pos is None:
                pos = self._pos[pos_id] = tuple(m.part_of_speech()[:4])
            token = JaToken(m.surface(), offset + m.begin(), offset + m.end(), pos, m.is_oov())
            if len(token.surface) > 1 and BRACKETS.search(token.surface):
                out += self._split_at_brackets(tokenizer, token)
            else:
                out.append(token)
        return out

    def _split_at_brackets(self, tokenizer: Tokenizer, token: JaToken) -> list[JaToken]:
        """翔(はると) comes out of the long-unit mode as one name: the bracket and its reading are tokens of their own."""
        out: list[JaToken] = []
        start = token.start
        for piece in BRACKETS.split(token.surface):
            if BRACKETS.fullmatch(piece):
                kind = "括弧開" if piece in OPENING else "括弧閉"
                out.append(JaToken(piece, start, start + 1, ("補助記号", kind, "*", "*"), False))
            elif piece and not out:
                out.append(JaToken(piece, start, start + len(piece), token.pos, token.oov))
            elif piece:
                out += self._tokenize(tokenizer, piece, start)
            start += len(piece)
        return out

    def readings(self, surface: str) -> tuple[tuple[str, ...], ...]:
        """Every part of speech the dictionary holds for this exact surface (empty when it holds none)."""
        found = self._readings.get(surface)
        if found is None:
            if self._dictionary is None:
                raise ValueError("NLP engine is not loaded")
            with self._lock:
                found = tuple(tuple(m.part_of_speech()[:4]) for m in self._dictionary.lookup(surface))
            if len(self._readings) < READINGS_CACHE:
                self._readings[surface] = found
        return found

    def name_readings(self, surface: str) -> frozenset[str]:
        """How the dictionary reads this surface as a person's name (katakana: 葵 -> アオイ; empty when never)."""
        found = self._name_readings.get(surface)
        if found is None:
            if self._dictionary is None:
                raise ValueError("NLP engine is not loaded")
            with self._lock:
                found = frozenset(
                    m.reading_form()
                    for m in self._dictionary.lookup(surface)
                    if m.part_of_speech()[1:3] == ("固有名詞", "人名")
                )
            if len(self._name_readings) < READINGS_CACHE:
                self._name_readings[surface] = found
        return found

    def process_text(self, text: str, language: str) -> JaArtifacts:
        return JaArtifacts(self.tokens(text), self)

    def process_batch(
        self, texts: Iterable[str], language: str, batch_size: int = 1, n_process: int = 1, **kwargs: object
    ) -> Iterator[tuple[str, NlpArtifacts]]:
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return False

    def is_punct(self, word: str, language: str) -> bool:
        return False

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return [LANGUAGE]
