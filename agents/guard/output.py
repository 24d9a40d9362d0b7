"""The streaming output guard: what a model says passes PHI re-redaction, then the sentence judge.

Each sentence of a model's answer is held until it is complete and judged against the disposition
(agents/guard/sentences.py, rules in advice.yaml). A contradicting sentence is replaced by our own sentence for
the disposition (agents/engines/templates/advice.j2) and the event is recorded; a second contradiction in the
same answer trips the guard: nothing more of the model's answer is released and the generate node streams our
template for the disposition instead. Text from trusted engines (our own templates, built only from protocol
data) passes straight through, after releasing whatever model text was still held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from agents.guard.judge import SentenceJudge, Verdict, default_judge
from agents.guard.judge_ja import default_japanese_judge
from agents.guard.sentences import SentenceGuard

if TYPE_CHECKING:
    from agents.engines.local import Advice
    from agents.triage import Assessment
    from compliance.phi import PlaceholderVault, Redactor


class TextStage(Protocol):
    def feed(self, token: str) -> str: ...
    def flush(self) -> str: ...


class OutputGuard:
    def __init__(
        self,
        phi: TextStage | None,
        sentences: SentenceGuard | None = None,
        *,
        events: list[str] | None = None,
    ) -> None:
        self._phi = phi
        self._sentences = sentences
        self.events = events if events is not None else []
        self.model_chars = 0  # what the model sent
        self._phi_out = 0  # what the PHI stage gave back; differs from model_chars once it replaced something
        self._phi_reported = False
        self._reported = 0  # verdicts already turned into events

    @classmethod
    def for_turn(
        cls,
        redactor: Redactor,
        vault: PlaceholderVault | None,
        assessment: Assessment,
        advice: Advice,
        events: list[str] | None = None,
        judge: SentenceJudge | None = None,
        language: str | None = None,
    ) -> OutputGuard:
        """`language`: the turn's (the trace's, as GenerationRequest.language): "ja" judges the answer with the
        Japanese reader (agents/guard/japanese.py), anything else with the English one."""
        from compliance.phi import StreamingRedactor

        if judge is None:
            judge = default_japanese_judge() if language == "ja" else default_judge()
        level = assessment.level.value
        sentences = SentenceGuard(judge, level, advice.instead_of) if judge.judges(level) else None
        return cls(StreamingRedactor(redactor, vault, language), sentences, events=events)

    @property
    def tripped(self) -> Verdict | None:
        return self._sentences.tripped if self._sentences is not None else None

    @property
    def verdicts(self) -> list[Verdict]:
        return self._sentences.verdicts if self._sentences is not None else []

    def feed(self, chunk: str, *, trusted: bool) -> str:
        if trusted:
            return self.flush() + chunk
        if self.tripped is not None:
            return ""
        self.model_chars += len(chunk)
        text = chunk
        if self._phi is not None:
            text = self._phi.feed(chunk)
            self._phi_out += len(text)
        return self._judge(text, end=False)

    def flush(self) -> str:
        """Release held model text (end of a model's answer, or a seam before trusted text)."""
        if self.tripped is not None:
            return ""
        text = ""
        if self._phi is not None:
            text = self._phi.flush()
            self._phi_out += len(text)
            self._note_phi()
        return self._judge(text, end=True)

    def _judge(self, text: str, *, end: bool) -> str:
        sentences = self._sentences
        if sentences is None:
            return text
        out = sentences.feed(text) if text else ""
        if end:
            out += sentences.flush()
        if len(sentences.verdicts) > self._reported:
            self._report()
        return out

    def _report(self) -> None:
        sentences = self._sentences
        assert sentences is not None  # noqa: S101 - reported only when the sentence guard exists
        for verdict in sentences.verdicts[self._reported :]:
            if verdict is sentences.tripped:
                if self._phi is not None:
                    self._phi.flush()  # discard what the PHI stage still holds of the withdrawn answer
                self.events.append(
                    f"contradiction:{verdict.describe()}; a second contradiction: the answer was cut after "
                    f"{self.model_chars} characters and replaced by the template"
                )
            else:
                self.events.append(
                    f"contradiction:{verdict.describe()}; replaced by our {verdict.replacement} sentence"
                )
        self._reported = len(sentences.verdicts)

    def _note_phi(self) -> None:
        if self._phi_out != self.model_chars and not self._phi_reported:
            self._phi_reported = True
            self.events.append("phi_redacted: model output contained PHI-like text, replaced by placeholders")
