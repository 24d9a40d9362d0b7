"""The one streaming interface every inference engine implements."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import Literal

from pydantic import BaseModel, ConfigDict

from agents.engines.errors import EngineError
from agents.triage import Assessment

__all__ = ["ChatTurn", "Engine", "EngineError", "GenerationRequest", "word_chunks"]


class ChatTurn(BaseModel):
    """One turn of the conversation, always PHI-redacted."""

    model_config = ConfigDict(frozen=True)

    role: Literal["user", "assistant"]
    content: str


class GenerationRequest(BaseModel):
    """What an engine may see: the fixed disposition and the redacted conversation, nothing else."""

    model_config = ConfigDict(frozen=True)

    assessment: Assessment
    conversation: tuple[ChatTurn, ...]
    follow_up_questions: tuple[str, ...] = ()
    audience: Literal["patient", "clinician"] = "patient"
    language: Literal["en", "ja"] = "en"
    """The language to answer in: the message's (compliance/language.py), English for any other."""


class Engine(ABC):
    name: str
    model: str
    #: True when the output is built only from our own data (templates), never from a model: no PHI can appear in it.
    trusted: bool = False
    #: Where it is served (a base URL without credentials) for metrics and the audit; None for in-process engines.
    endpoint: str | None = None

    @abstractmethod
    def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        """Yield the answer as text chunks, as soon as each is available."""

    async def aclose(self) -> None:  # noqa: B027 - an optional hook, a no-op by default
        """Release connections (engines that hold none need not override this)."""

    async def health(self, timeout_s: float) -> bool | None:
        """A cheap liveness check within `timeout_s`: True healthy, False not, None when the engine has none."""
        return None


_WORD = re.compile(r"\s*\S+")


def word_chunks(text: str) -> list[str]:
    """Split text into word-sized tokens that concatenate back to the same text."""
    chunks = _WORD.findall(text)
    tail = text[sum(len(c) for c in chunks) :]
    if tail:
        chunks.append(tail)
    return chunks
