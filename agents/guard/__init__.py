"""Output guard: PHI re-redaction and judging each sentence of streamed engine output against the disposition
(English: judge.py; Japanese: judge_ja.py, picked by the turn's language)."""

from agents.guard.judge import AdviceJudge, SentenceJudge, Verdict, default_judge
from agents.guard.judge_ja import JapaneseJudge, default_japanese_judge
from agents.guard.output import OutputGuard
from agents.guard.sentences import SentenceGuard

__all__ = [
    "AdviceJudge",
    "JapaneseJudge",
    "OutputGuard",
    "SentenceGuard",
    "SentenceJudge",
    "Verdict",
    "default_japanese_judge",
    "default_judge",
]
