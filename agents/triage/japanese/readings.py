"""Kana readings, so that a word written in kanji and the same word written in kana are one term.

    text_reading("右手にちからが入らない").kana  -> "みぎてにちからがはいらない"
    term_reading("力が入らな")                   -> "ちからがはいらな"

Chat writes in kana what the vocabulary holds in kanji (ちからがはいらない, ろれつがまわらない, すいみんやくをのんだ),
and listing kana variants one by one does not end. So the reader also matches the vocabulary's readings against the
message's reading: Sudachi's morphemes (the dictionary the Japanese redactor already ships) with each morpheme that
holds a kanji replaced by its reading and every other morpheme kept as written (digits, kana and signs stay), so a
position in the reading maps back to the morpheme it came from.

A term is usually a stem cut where its inflection starts (痛, 吐, 動かな), and a lone stem is read as another word
(動 alone is ドウ, 吐 is ハキ). So a term that ends in a plain negative's な is read with its い (動かない), and one
that ends in a kanji after kana (胸が痛, 血を吐) with the first okurigana that makes it one verb or adjective
(痛い, 吐く), then cut back to the stem's reading (いた, は). A term with no kanji is its own reading.

Pure and deterministic for a given dictionary (its version is part of the knowledge version: knowledge.READERS).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode, Tokenizer

from agents.triage.japanese.text import fold

#: Okurigana tried, in order, after a term's final kanji (the first that makes one verb or adjective wins).
_OKURIGANA = ("い", "く", "む", "る", "う", "す", "つ", "ぶ", "ぐ", "ぬ")
_INFLECTING = frozenset(("動詞", "形容詞"))
#: Parts of speech that carry no content of their own: a reading match may not start on one, and one written in kana
#: is not what makes a match worth taking (は of 血は is not 吐).
_FUNCTION = frozenset(("助詞", "助動詞", "補助記号", "記号", "空白", "接尾辞"))
#: The shortest reading a term part may have to be matched on readings: one or two kana are too often another word
#: (は, い, じ, たん).
MIN_PART = 2
MIN_TERM = 3
_local = threading.local()


def _tokenizer() -> Tokenizer:
    found: Tokenizer | None = getattr(_local, "tokenizer", None)
    if found is None:
        found = _local.tokenizer = dictionary().create(SplitMode.C)
    return found


#: The Sudachi dictionary the reader tokenizes with (its name: a caller sharing one must share this one).
DICTIONARY_NAME = "core"
_shared: list[Dictionary] = []


def share_dictionary(dictionary: Dictionary) -> None:
    """Read with this already-loaded ``core`` dictionary instead of loading a copy (about 60 MiB a process): the
    service hands over the one its Japanese redactor loaded. The readings do not change (the same dictionary)."""
    _shared[:] = [dictionary]
    _local.__dict__.pop("tokenizer", None)


def dictionary() -> Dictionary:
    """The Sudachi dictionary the reader tokenizes with (loaded on first use unless one was shared)."""
    if not _shared:
        _shared.append(Dictionary(dict=DICTIONARY_NAME))
    return _shared[0]


_KANJI = re.compile("[\u4e00-\u9fff\u3400-\u4dbf々]")


def has_kanji(text: str) -> bool:
    return _KANJI.search(text) is not None


@lru_cache(maxsize=4096)
def _is_function(pos_id: int) -> bool:
    return dictionary().pos_of(pos_id)[0] in _FUNCTION


def _kana(surface: str, reading: str) -> str:
    """A morpheme as it sounds: its reading (as hiragana) if it holds a kanji, else as written."""
    return fold(reading) if has_kanji(surface) and reading else surface


@dataclass(frozen=True, slots=True)
class TextReading:
    """A text's reading, and for each of its characters the text span of the morpheme it came from."""

    kana: str
    morpheme: tuple[int, ...]
    """For each character of the reading, the index of its morpheme."""
    spans: tuple[tuple[int, int], ...]
    """Each morpheme's span in the text."""
    starts_word: tuple[bool, ...]
    """Each morpheme: whether a term may start on it (it is not a particle, an auxiliary or a sign)."""
    kana_word: tuple[bool, ...]
    """Each morpheme: whether it is a content word written without kanji (what only a reading can match)."""

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The text span of the reading's [start, end) when a term may be taken there: it starts where a content
        word starts, and it reads at least one content word written in kana (otherwise the characters were matched
        already, or it is another word that sounds the same: 市販 is not 紫斑). None otherwise."""
        first, last = self.morpheme[start], self.morpheme[end - 1]
        if (start and self.morpheme[start - 1] == first) or not self.starts_word[first]:
            return None
        if not any(self.kana_word[first : last + 1]):
            return None
        return self.spans[first][0], self.spans[last][1]


def text_reading(text: str) -> TextReading:
    """The reading of a normalised text (agents/triage/japanese/text.py), mapped back to its characters."""
    kana: list[str] = []
    morpheme: list[int] = []
    spans, starts_word, kana_word = [], [], []
    for index, m in enumerate(_tokenizer().tokenize(text)):
        surface = m.surface()
        sounds = _kana(surface, m.reading_form())
        kana.append(sounds)
        morpheme.extend([index] * len(sounds))
        spans.append((m.begin(), m.end()))
        content = not _is_function(m.part_of_speech_id())
        starts_word.append(content)
        kana_word.append(content and not has_kanji(surface))
    return TextReading("".join(kana), tuple(morpheme), tuple(spans), tuple(starts_word), tuple(kana_word))


def term_reading(term: str) -> str | None:
    """The reading of a normalised term (or None when it has no kanji: it is its own reading)."""
    if not has_kanji(term):
        return None
    if term.endswith("な"):
        return _completed(term, "い")
    morphemes = _tokenizer().tokenize(term)
    last = morphemes[-1].surface() if len(morphemes) else ""
    if len(morphemes) > 1 and len(last) == 1 and has_kanji(last):
        for okurigana in _OKURIGANA:
            found = _completed(term, okurigana, inflecting=True)
            if found is not None:
                return found
    return "".join(_kana(m.surface(), m.reading_form()) for m in morphemes)


def _completed(term: str, ending: str, *, inflecting: bool = False) -> str | None:
    """The term's reading from the reading of ``term + ending``, with the ending's own sound cut off again; None
    when that does not end in one morpheme that carries the ending (and, if asked, a verb or adjective)."""
    morphemes = _tokenizer().tokenize(term + ending)
    if not len(morphemes):
        return None
    last = morphemes[-1]
    if not last.surface().endswith(ending) or len(last.surface()) <= len(ending):
        return None
    if inflecting and last.part_of_speech()[0] not in _INFLECTING:
        return None
    sounds = "".join(_kana(m.surface(), m.reading_form()) for m in morphemes)
    return sounds[: -len(ending)] if sounds.endswith(ending) else None
