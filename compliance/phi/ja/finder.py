"""Find PHI in a Japanese message: NFKC, Sudachi, the Japanese recognizers, the clinical allow-list.

    finder = JapaneseFinder()                  # once per process (loads Sudachi's dictionary: ~0.1 s)
    finder.find("母の山田花子が…")             # -> [PhiSpan(start=2, end=6, type="PERSON")], original offsets

One Presidio AnalyzerEngine for "ja" whose NLP engine is Sudachi's tokenizer (no GiNZA pipeline). Detections
are made on the NFKC form and mapped back, so ０９０－１２３４－５６７８ and ｶﾛﾅｰﾙ are read like their ASCII and
full-width forms. Clinical spans veto weaker detections as in English; adjacent name parts merge into one
name. Stretches of English inside a Japanese message ("My name is John Smith.") go to the English pipeline
when one is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

from compliance.phi.allowlist import ClinicalSpan
from compliance.phi.analyzer import CuesInPatterns
from compliance.phi.entities import ADDRESS, EMPLOYER, FACILITY, PERSON, STRONG_SCORE
from compliance.phi.ja import name_edges
from compliance.phi.ja.allowlist import JapaneseClinicalAllowList
from compliance.phi.ja.nlp import DEFAULT_DICTIONARY, LANGUAGE, JaToken, SudachiNlpEngine
from compliance.phi.ja.organisation_core import organisation_core
from compliance.phi.ja.text import NormalisedText
from compliance.phi.recognizers.ja import JA_RECOGNIZERS
from compliance.phi.recognizers.ja.names import Strength
from compliance.phi.recognizers.ja.person_words import STRONG_END, name_after
from compliance.phi.types import PhiSpan

WARM_UP = "母の山田花子（昭和55年3月2日生まれ）の電話は090-1234-5678、〒160-0023 東京都新宿区西新宿3-2-1、橋本病です。"
EDGE_CHARS = " \t\r\n、。,.;:!?「」『』()[]{}<>・\u3000"
NAME_GAPS = ("", " ", "・")
COORDINATION = regex.compile(r"(?:さん|ちゃん|くん|君)?(?:と|や|、)")
# Names that may hold a clinical term without being one (川崎病院 holds 川崎病).
CONTAINERS = frozenset({FACILITY, EMPLOYER, ADDRESS})
ORGANISATIONS = frozenset({FACILITY, EMPLOYER})
# A stretch of English inside a Japanese message: three words or more.
LATIN_STRETCH = regex.compile(r"[A-Za-z][A-Za-z0-9'’.,:;!?&/_+@-]*(?:[ \t]+[A-Za-z0-9][A-Za-z0-9'’.,:;!?&/_+@-]*){2,}")

# What follows a name used as a person (a subject, a possessor, an honorific, a bracket or a pause).
AS_A_PERSON = regex.compile(r"(?:[がはもと、。(（]|の(?!で)|だけ|ちゃん|くん|君|さん|様|\Z)")

# What follows an organisation's name used alone (の, で, に, へ, は, が, から, まで, さん, a break).
AS_AN_ORGANISATION = regex.compile(r"(?:[のでにへはがも、。!?！？\s]|から|まで|さん|様|\Z)")

EnglishFinder = Callable[[str], list[PhiSpan]]


@dataclass
class _Hit:
    start: int
    end: int
    type: str
    score: float


class JapaneseFinder:
    def __init__(self, dictionary: str = DEFAULT_DICTIONARY, english: EnglishFinder | None = None) -> None:
        self.nlp = SudachiNlpEngine(dictionary)
        self.nlp.load()
        registry = RecognizerRegistry(recognizers=[cls() for cls in JA_RECOGNIZERS], supported_languages=[LANGUAGE])
        self.analyzer = AnalyzerEngine(
            registry=registry,
            nlp_engine=self.nlp,
            supported_languages=[LANGUAGE],
            context_aware_enhancer=CuesInPatterns(),
            default_score_threshold=0.3,
        )
        self.allowlist = JapaneseClinicalAllowList()
        self.english = english
        self.find(WARM_UP)

    def find(self, text: str) -> list[PhiSpan]:
        """PHI spans in the original text's offsets: non-overlapping and sorted."""
        normalised = NormalisedText.of(text)
        body = normalised.text
        guards = self.allowlist.spans(body)
        artifacts = self.nlp.process_text(body, LANGUAGE)
        results = self.analyzer.analyze(text=body, language=LANGUAGE, nlp_artifacts=artifacts)
        hits = [_Hit(r.start, r.end, r.entity_type, r.score) for r in results]
        hits = [hit for hit in hits if not _vetoed(hit, guards)]
        hits += _coordinated_names(body, hits, artifacts.ja_tokens, self.nlp)
        # a reading in brackets is a span of its own: the allow-list may veto it (土田様（ドライアイ）)
        hits = [
            widened
            for hit in hits
            for widened in _widened(body, hit, self.nlp)
            if (widened.start < hit.end and hit.start < widened.end) or not _vetoed(widened, guards)
        ]
        hits += [hit for hit in _repeated_names(body, hits, artifacts.ja_tokens) if not _vetoed(hit, guards)]
        hits += [hit for hit in _repeated_organisations(body, hits, artifacts.ja_tokens) if not _vetoed(hit, guards)]
        spans = []
        for hit in _resolve(body, hits):
            start, end = normalised.to_original(hit.start, hit.end)
            spans.append(PhiSpan(start=start, end=end, type=hit.type))
        if self.english is not None:
            spans = _with_english(text, spans, self.english)
        return spans


def _vetoed(hit: _Hit, guards: list[ClinicalSpan]) -> bool:
    for guard in guards:
        if guard.start < hit.end and hit.start < guard.end:
            if guard.absolute:
                return True
            inside = hit.start <= guard.start and guard.end <= hit.end and hit.end - hit.start > guard.end - guard.start
            if hit.score < STRONG_SCORE and not (inside and hit.type in CONTAINERS):
                return True
    return False


def _coordinated_names(text: str, hits: list[_Hit], tokens: tuple[JaToken, ...], nlp: SudachiNlpEngine) -> list[_Hit]:
    """蓮と湊が, 隆や恵子は: a word joined by と, や or 、 to a found name, and read as a name, is one too."""
    extra = []
    for hit in hits:
        if hit.type != PERSON:
            continue
        joined = COORDINATION.match(text, hit.end)
        if joined is None:
            continue
        found = name_after(text, joined.end(), tokens, nlp)
        if found is not None and found[1] >= Strength.UNKNOWN and STRONG_END.match(text, found[0]):
            extra.append(_Hit(joined.end(), found[0], PERSON, 0.7))
    return extra


def _repeated_names(text: str, hits: list[_Hit], tokens: tuple[JaToken, ...]) -> list[_Hit]:
    """はるとのママです！はるとが…: a name found once is the same name wherever else the message writes it as a
    word of its own (it starts where a token starts and ends where one ends: 学 is not read inside 学校) and is
    followed as a person is (が, は, の, も, と, an honorific, a bracket, a comma: 転院の希望を伝えたい is a wish)."""
    names = {text[h.start : h.end] for h in hits if h.type == PERSON and h.end > h.start}
    return _found_again(text, names, hits, tokens, AS_A_PERSON, PERSON)


def _repeated_organisations(text: str, hits: list[_Hit], tokens: tuple[JaToken, ...]) -> list[_Hit]:
    """ファーマシーしらゆき 帯広西店 … しらゆきの薬剤師さん: an organisation's own name, found once with its kind, head or
    branch, is the organisation wherever else the message writes it alone as a word, followed as a place is (の, で,
    に, へ, は, が, さん, a break). Only a name with kana in it of three letters or more: a kanji core such as 中央
    (of 中央病院) is an ordinary word elsewhere."""
    cores = {core for h in hits if h.type in ORGANISATIONS if (core := organisation_core(text[h.start : h.end]))}
    return _found_again(text, cores, hits, tokens, AS_AN_ORGANISATION, FACILITY)


def _found_again(
    text: str,
    values: set[str],
    hits: list[_Hit],
    tokens: tuple[JaToken, ...],
    followed_by: regex.Pattern[str],
    kind: str,
) -> list[_Hit]:
    """Every other place the text writes one of `values` as a word of its own (starting and ending where tokens do)
    with `followed_by` after it, outside the spans already found."""
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    extra: list[_Hit] = []
    for value in values:
        for found in regex.finditer(regex.escape(value), text):
            start, end = found.span()
            if start not in starts or end not in ends or not followed_by.match(text, end):
                continue
            if any(h.start < end and start < h.end for h in (*hits, *extra)):
                continue
            extra.append(_Hit(start, end, kind, 0.7))
    return extra


def _widened(text: str, hit: _Hit, nlp: SudachiNlpEngine) -> list[_Hit]:
    if hit.type != PERSON:
        return [hit]
    return [_Hit(start, end, hit.type, hit.score) for start, end in name_edges.widen(text, hit.start, hit.end, nlp)]


def _resolve(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Merge overlapping hits, and name parts side by side (山田 + 花子), into one span typed by the strongest."""
    trimmed = [hit for hit in (_trim(text, hit) for hit in hits) if hit is not None]
    trimmed.sort(key=lambda hit: (hit.start, -hit.end))
    groups: list[list[_Hit]] = []
    for hit in trimmed:
        if groups:
            group = groups[-1]
            end = max(h.end for h in group)
            strongest = max(group, key=lambda h: (h.score, h.end - h.start))
            gap = text[end : hit.start]
            names = hit.type == PERSON and strongest.type == PERSON and gap in NAME_GAPS
            # 医療法人社団 清和会 + みどりが丘クリニック: an organisation's parts side by side
            names = names or (hit.type in ORGANISATIONS and strongest.type in ORGANISATIONS and gap in NAME_GAPS)
            if hit.start < end or names:
                group.append(hit)
                continue
        groups.append([hit])
    out = []
    for group in groups:
        best = max(group, key=lambda h: (h.score, h.end - h.start))
        out.append(_Hit(min(h.start for h in group), max(h.end for h in group), best.type, best.score))
    return out


def _trim(text: str, hit: _Hit) -> _Hit | None:
    start, end = hit.start, hit.end
    while (
        start < end
        and text[start] in EDGE_CHARS
        and not (text[start] in "(（" and any(c in text[start:end] for c in ")）"))
    ):
        start += 1
    while (
        end > start
        and text[end - 1] in EDGE_CHARS
        and not (text[end - 1] in ")）" and any(c in text[start:end] for c in "(（"))
    ):
        end -= 1
    return _Hit(start, end, hit.type, hit.score) if end > start else None


def _with_english(text: str, spans: list[PhiSpan], english: EnglishFinder) -> list[PhiSpan]:
    extra: list[PhiSpan] = []
    for stretch in LATIN_STRETCH.finditer(text):
        for span in english(stretch.group()):
            start, end = stretch.start() + span.start, stretch.start() + span.end
            if not any(s.start < end and start < s.end for s in spans):
                extra.append(PhiSpan(start=start, end=end, type=span.type))
    return sorted([*spans, *extra], key=lambda s: s.start) if extra else spans
