"""The Japanese clinical allow-list: eponymous diseases, drug names, doses, durations, vitals that must survive.

Regexes in data/ja/clinical_patterns.yaml and term lists (data/ja/eponyms.txt, data/ja/drugs.txt), all matched
on NFKC-normalised text. Japanese has no spaces, so terms match as substrings; a term that starts or ends in
katakana must not run on into more katakana (イブ is a drug, ドライブ is not). The spans have the English
allow-list's type, so the same rule applies: placeholders win over everything, other spans over weak detections.
"""

from __future__ import annotations

from functools import cache

import regex

from compliance.phi.allowlist import ClinicalSpan, pattern_spans
from compliance.phi.ja.lexicon import table, words

KATAKANA = r"[\p{Katakana}ー]"


def _term_pattern(term: str) -> str:
    body = regex.escape(term)
    if regex.match(KATAKANA, term[0]):
        body = rf"(?<!{KATAKANA}){body}"
    if regex.match(KATAKANA, term[-1]):
        body = rf"{body}(?!{KATAKANA})"
    return body


@cache
def _patterns() -> tuple[tuple[str, regex.Pattern[str]], ...]:
    patterns = [
        (name, regex.compile(rx, regex.IGNORECASE)) for name, rx in table("clinical_patterns")["patterns"].items()
    ]
    terms = sorted({*words("eponyms"), *words("drugs")}, key=len, reverse=True)
    patterns.append(("term", regex.compile("|".join(_term_pattern(term) for term in terms))))
    return tuple(patterns)


class JapaneseClinicalAllowList:
    def __init__(self) -> None:
        self._patterns = _patterns()

    def spans(self, text: str) -> list[ClinicalSpan]:
        return pattern_spans(text, self._patterns)
