"""A residential building named in quotation brackets: 「ハイツ若竹」, アパート「コーポ・ヤマト」, 『メゾン桜』.

Where a patient lives, written without its street address (the address recognizer takes a building only after a
block number). The name counts when it holds a kind of dwelling (ハイツ, コーポ, マンション ...) or follows a word for
one (アパート「…」, 団地の「…」); the brackets stay outside the span."""

from __future__ import annotations

from presidio_analyzer import Pattern

from compliance.phi.entities import ADDRESS
from compliance.phi.recognizers.ja.base import JaPatternRecognizer

DWELLING_HEADS = "ハイツ|コーポ|マンション|アパート|レジデンス|メゾン|ハイム|ヴィラ|ビラ|パレス|コート|カーサ|シャトー|団地|荘|寮|住宅"
DWELLING_WORDS = "アパート|マンション|団地|寮|社宅|住宅"
_NAME = r"[^「」『』\s。、]{2,20}"


class JaBuildingRecognizer(JaPatternRecognizer):
    ENTITY = ADDRESS
    TRIGGER = r"[「『]"
    PATTERNS = (
        Pattern(
            "dwelling named in brackets",
            rf"[「『]\K(?=[^「」『』\s。、]{{0,20}}?(?:{DWELLING_HEADS})){_NAME}(?=[」』])",
            0.7,
        ),
        Pattern("named after a dwelling word", rf"(?:{DWELLING_WORDS})(?:の|は)?[「『]\K{_NAME}(?=[」』])", 0.7),
    )
