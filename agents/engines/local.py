"""The embedded default engine: a deterministic jinja2 answer built from the disposition, streamed in pieces."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from agents.engines.base import Engine, GenerationRequest, word_chunks
from agents.engines.templating import localised


@dataclass(frozen=True)
class Advice:
    """Our own sentences for one disposition (templates/advice.j2)."""

    disposition: str  # said first; a model's answer only explains it
    safe: str  # in place of a model's sentence that says less than the disposition
    escalation: str  # in place of one that sends the patient to emergency care unconditionally

    def instead_of(self, replacement: Literal["safe", "escalation"]) -> str:
        return self.escalation if replacement == "escalation" else self.safe


@lru_cache(maxsize=64)
def advice(level: str, emergency_number: str = "911", language: str = "en") -> Advice:
    """Our own sentences for a disposition, in the answer's language, naming that language's emergency number."""
    macros = localised("advice.j2", language).module
    sentences = (
        " ".join(str(getattr(macros, kind)(level, emergency_number)).split())
        for kind in ("disposition", "safe", "escalation")
    )
    return Advice(*sentences)


_SENTENCE = re.compile(r"[^。]*。|[^。]+$")
#: A template's text is all there at once: its first word goes out alone (first-token latency), the rest in
#: pieces of at least this many characters: the same text in a fifteenth of the frames of one per word (issue 9).
FRAME_CHARS = 128


def template_chunks(text: str) -> list[str]:
    """The first word, then pieces of at least FRAME_CHARS characters (the last may be shorter). Japanese has no
    spaces between words: it is cut after each sentence (。) instead."""
    words = word_chunks(text) if " " in text.strip() else _SENTENCE.findall(text)
    chunks = words[:1]
    piece: list[str] = []
    size = 0
    for word in words[1:]:
        piece.append(word)
        size += len(word)
        if size >= FRAME_CHARS:
            chunks.append("".join(piece))
            piece, size = [], 0
    if piece:
        chunks.append("".join(piece))
    return chunks


def numbers_for(emergency_numbers: Mapping[str, str], language: str) -> str:
    """The emergency number an answer in ``language`` names (the English one when the language has none)."""
    return emergency_numbers.get(language) or emergency_numbers.get("en") or "911"


class TemplateEngine(Engine):
    """Streams a rendered template (our own text, built from protocol data: trusted by the output guard), in the
    request's language (``templates/ja/`` for Japanese) with that language's emergency number."""

    trusted = True

    def __init__(
        self,
        name: str,
        template_name: str,
        *,
        emergency_numbers: Mapping[str, str] | None = None,
        emergency_number: str = "911",
    ) -> None:
        self.name = name
        self.model = template_name.removesuffix(".j2")
        self._template_name = template_name
        self._numbers = dict(emergency_numbers or {"en": emergency_number})

    def render(self, request: GenerationRequest) -> str:
        language = request.language
        text = localised(self._template_name, language).render(
            request=request, emergency_number=numbers_for(self._numbers, language)
        )
        joiner = "" if language == "ja" else " "
        return joiner.join(line.strip() for line in text.splitlines() if line.strip())

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        for chunk in template_chunks(self.render(request)):
            yield chunk


def local_engine(emergency_number: str = "911", emergency_numbers: Mapping[str, str] | None = None) -> TemplateEngine:
    return TemplateEngine(
        "local", "local_answer.j2", emergency_number=emergency_number, emergency_numbers=emergency_numbers
    )


def emergency_script(
    emergency_number: str = "911", emergency_numbers: Mapping[str, str] | None = None
) -> TemplateEngine:
    """The fixed emergency message: no model is asked when the clinical engine says emergency."""
    return TemplateEngine(
        "emergency_script",
        "emergency_script.j2",
        emergency_number=emergency_number,
        emergency_numbers=emergency_numbers,
    )
