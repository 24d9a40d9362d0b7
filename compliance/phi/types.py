"""Typed results of PHI redaction."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PhiSpan(BaseModel):
    """One identifier found in the ORIGINAL text, in character offsets."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    type: str


class Redaction(BaseModel):
    """The text with each PHI span replaced by a typed placeholder such as <PERSON_1>."""

    model_config = ConfigDict(frozen=True)

    redacted: str
    spans: tuple[PhiSpan, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for span in self.spans:
            out[span.type] = out.get(span.type, 0) + 1
        return out
