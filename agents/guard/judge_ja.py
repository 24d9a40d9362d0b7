"""Judges one sentence of a model's Japanese answer against the disposition (default-deny, agents/guard/japanese.py).

The same contract as the English `AdviceJudge`: a verdict names the first claim that does not agree with the
disposition and which of our sentences (safe or escalation, in Japanese from templates/ja/advice.j2) takes its
place. A sentence with no Japanese letter in it (a model that slips into English) is judged by the English judge.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agents.guard.japanese import JAPANESE, JapaneseCareReader, default_reader
from agents.guard.judge import NOT_AGREEING, AdviceJudge, Verdict, default_judge

_QUESTION = re.compile(r"(?:[?？]|か[。．.]?)\s*$")


class JapaneseJudge:
    language = "ja"

    def __init__(self, reader: JapaneseCareReader, english: AdviceJudge) -> None:
        self.reader = reader
        self.english = english

    def normalise(self, text: str) -> str:
        return self.reader.normalise(text)

    def judges(self, level: str) -> bool:
        return self.reader.judges(level) or self.english.judges(level)

    def judge(self, level: str, sentence: str, previous: str = "") -> Verdict | None:
        return self.judge_sentence(level, sentence)[0]

    def judge_sentence(self, level: str, sentence: str, previous: str = " ") -> tuple[Verdict | None, str]:
        if JAPANESE.search(sentence) is None:
            return self.english.judge_sentence(level, sentence, previous)
        text = self.reader.normalise(sentence)
        if not self.reader.judges(level):
            return None, text
        # asked of the normalised text: a polite request (受診していただけますか) reads there as one (してください)
        reading = self.reader.read_normalised(level, text, question=_QUESTION.search(text) is not None)
        if reading.denied is None:
            return None, text
        claim = reading.denied
        return Verdict(NOT_AGREEING, level, reading.replacement, claim.span, claim.kind), text


@lru_cache(maxsize=1)
def default_japanese_judge() -> JapaneseJudge:
    return JapaneseJudge(default_reader(), default_judge())
