"""Output guard: PHI re-redaction and judging each sentence of streamed engine output against the disposition."""

from agents.guard.judge import AdviceJudge, Verdict, default_judge
from agents.guard.output import OutputGuard
from agents.guard.sentences import SentenceGuard

__all__ = ["AdviceJudge", "OutputGuard", "SentenceGuard", "Verdict", "default_judge"]
