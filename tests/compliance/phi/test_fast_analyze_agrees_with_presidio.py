"""DataPatternRecognizer.analyze (the lean loop in recognizers/base.py) gives what Presidio's own
PatternRecognizer.analyze gives: same entity type, start, end and score, on every fast-path recognizer.

The sample is the messages of the PHI evaluation sets (bench/data/*phi*.jsonl, the locked set left out), each
also NFKC-normalised as the Japanese finder analyses it, plus hand-written edge cases. A Presidio upgrade that
changes how its loop scores, validates or de-duplicates matches fails here instead of silently diverging.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from presidio_analyzer import PatternRecognizer, RecognizerResult

from bench.phi_eval import LOCKED_SETS
from compliance.phi.recognizers import RECOGNIZERS
from compliance.phi.recognizers.base import DataPatternRecognizer
from compliance.phi.recognizers.ja import JA_RECOGNIZERS

BENCH_DATA = Path(__file__).resolve().parents[3] / "bench" / "data"

EDGE_CASES = (
    "",
    " ",
    "\n\n",
    "no identifiers here, just a cough and a sore throat for two days",
    # Several patterns of one recognizer over the same characters: containment and equal spans de-duplicated.
    "MRN 12345678 and MRN:87654321, chart #A1234567B",
    "account 4111 1111 1111 1111, card 4111-1111-1111-1111, claim #1234567",
    "call 617-555-0123 ext 45 or (617)555-0199, cell 6175550123, reach me at 555-0134",
    "ssn 123-45-6789, social security number 123 45 6789, SSN last four 6789",
    "DOB 01/02/1990, born on March 3rd, 1990, seen 3/4, pain 10/10, take 1/2 tablet",
    "member ID W123456789, Medicare 1EG4-TE5-MK73, policy group 55A1",
    "VIN 1HGCM82633A004352, plate 7ABC123, serial SN:88A-1193-KQ, pacemaker serial 44-KQ1",
    "driver's license D123-4567, DEA AB1234563, NHS 111, NHS number 943 476 5919",
    "grandma is 94, 94F with cough, aged ninety-one, (95), in her nineties",
    "I live in Duluth, MN 55802; moved to Leicester; 12 Oak Street, Springfield, IL 62704",
    "ip 192.168.0.1, 999.1.1.1, ::1 and 2001:db8::ff00:42:8329; mac 00:1A:2B:3C:4D:5E",
    "jane.doe@example.com, j doe [at] example [dot] com, www.example.org/path, https://x.io/a?b=c.",
    # Unicode: accents (precomposed and combining), curly apostrophes, no-break and zero-width spaces, CRLF,
    # full-width and Arabic-Indic digits, emoji outside the BMP, right-to-left text.
    "Éva Noone, José (Jose\u0301) Zürich, I\u2019m 94, MRN\u00a01234567, call\u200b6175550123",
    "line one\r\nMRN\r\n7654321\r\nzip 02139",
    "ＭＲＮ １２３４５６７ and 電話 ０３-１２３４-５６７８",
    "رقم الهاتف ٠١٢٣٤٥٦٧٨٩ and account ١٢٣٤٥",
    "📞 call 6175550123 🙂 𝔐𝔯𝔫 12345678",
    "患者ID 12345、診察券番号 A-0318、〒100-0001 東京都千代田区1-1、TEL:0467-22-3333、マイナンバー 1234 5678 9018",
    "保険証の記号 ホ12 番号 3456、運転免許証 第123456789012号、2024年1月5日、95歳",
)


# The registered recognizers that run DataPatternRecognizer.analyze (directly or through super()).
FAST_PATH = [
    cls for cls in (*RECOGNIZERS, *JA_RECOGNIZERS) if isinstance(cls, type) and issubclass(cls, DataPatternRecognizer)
]


def concrete_subclasses(cls: type[DataPatternRecognizer]) -> set[type[DataPatternRecognizer]]:
    found: set[type[DataPatternRecognizer]] = set()
    for sub in cls.__subclasses__():
        if "ENTITY" in vars(sub):
            found.add(sub)
        found |= concrete_subclasses(sub)
    return found


@cache
def sample() -> tuple[str, ...]:
    texts: list[str] = []
    for path in sorted(BENCH_DATA.glob("*phi*.jsonl")):
        if path.name in LOCKED_SETS:  # aggregates only: its messages are not read outside the evaluation
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts += EDGE_CASES
    texts += [unicodedata.normalize("NFKC", text) for text in texts]
    return tuple(dict.fromkeys(texts))


def as_tuples(results: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return sorted((result.entity_type, result.start, result.end, result.score) for result in results)


def test_every_fast_path_recognizer_is_checked() -> None:
    assert set(FAST_PATH) == concrete_subclasses(DataPatternRecognizer)
    assert len(sample()) > 1000


@pytest.mark.parametrize("cls", FAST_PATH, ids=lambda cls: cls.__name__)
def test_fast_analyze_agrees_with_presidio(cls: type[DataPatternRecognizer]) -> None:
    recognizer = cls()
    entities = recognizer.supported_entities
    differences: list[str] = []
    found = 0
    for text in sample():
        fast = as_tuples(DataPatternRecognizer.analyze(recognizer, text, entities, None))
        presidio = as_tuples(PatternRecognizer.analyze(recognizer, text, entities, None))
        found += len(presidio)
        if fast != presidio:
            differences.append(f"{text!r}\n  fast:     {fast}\n  presidio: {presidio}")
    assert not differences, f"{len(differences)} texts differ, first 5:\n" + "\n".join(differences[:5])
    assert found, f"{cls.__name__} found nothing in the sample: the agreement says nothing"
