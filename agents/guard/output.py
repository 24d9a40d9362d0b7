"""The streaming output guard: what a model says passes PHI re-redaction, then the contradiction scanner.

Text from trusted engines (our own templates, built only from protocol data) passes straight through, after
releasing whatever model text was still held. When the scanner trips, the guard releases nothing more of the
model's answer; the generate node then streams our template for the disposition instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from agents.guard.contradiction import ContradictionScanner, Hit, PhraseSet, default_rules

if TYPE_CHECKING:
    from agents.triage import Assessment
    from compliance.phi import PlaceholderVault, Redactor


class TextStage(Protocol):
    def feed(self, token: str) -> str: ...
    def flush(self) -> str: ...


class OutputGuard:
    def __init__(
        self,
        phi: TextStage | None,
        contradictions: PhraseSet | None = None,
        *,
        level: str = "",
        events: list[str] | None = None,
    ) -> None:
        self._phi = phi
        self._scanner = ContradictionScanner(contradictions) if contradictions else None
        self._level = level
        self.events = events if events is not None else []
        self.model_chars = 0  # what the model sent
        self._phi_out = 0  # what the PHI stage gave back; differs from model_chars once it replaced something
        self._phi_reported = False

    @classmethod
    def for_turn(
        cls, redactor: "Redactor", vault: "PlaceholderVault | None", assessment: "Assessment", events: list[str] | None = None
    ) -> "OutputGuard":
        from compliance.phi import StreamingRedactor

        level = assessment.level.value
        return cls(StreamingRedactor(redactor, vault), default_rules().for_level(level), level=level, events=events)

    @property
    def tripped(self) -> Hit | None:
        return self._scanner.hit if self._scanner is not None else None

    def feed(self, chunk: str, *, trusted: bool) -> str:
        if trusted:
            return self.flush() + chunk
        scanner = self._scanner
        if scanner is not None and scanner.hit is not None:
            return ""
        self.model_chars += len(chunk)
        text = chunk
        if self._phi is not None:
            text = self._phi.feed(chunk)
            self._phi_out += len(text)
        if scanner is None or not text:
            return text
        text = scanner.feed(text)
        if scanner.hit is not None:
            self._cut(scanner.hit)
        return text

    def flush(self) -> str:
        """Release held model text (end of a model's answer, or a seam before trusted text)."""
        scanner = self._scanner
        if scanner is not None and scanner.hit is not None:
            return ""
        text = ""
        if self._phi is not None:
            text = self._phi.flush()
            self._phi_out += len(text)
            self._note_phi()
        if scanner is None:
            return text
        text = scanner.feed(text)
        if scanner.hit is not None:
            self._cut(scanner.hit)
            return ""
        return text + scanner.flush()

    def _cut(self, hit: Hit) -> None:
        if self._phi is not None:
            self._phi.flush()  # discard what the PHI stage still holds of the withdrawn answer
        self.events.append(
            f"contradiction:{hit.rule}: model text {hit.phrase!r} contradicts the disposition {self._level}; "
            f"answer cut after {self.model_chars} characters and replaced by the template"
        )

    def _note_phi(self) -> None:
        if self._phi_out != self.model_chars and not self._phi_reported:
            self._phi_reported = True
            self.events.append("phi_redacted: model output contained PHI-like text, replaced by placeholders")
