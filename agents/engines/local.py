"""The embedded default engine: a deterministic jinja2 answer built from the disposition, streamed word by word."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from agents.engines.base import Engine, GenerationRequest, word_chunks
from agents.engines.templating import template


class TemplateEngine(Engine):
    """Streams a rendered template; yields to the event loop between words so frames go out as they are made."""

    trusted = True

    def __init__(self, name: str, template_name: str, **context: object) -> None:
        self.name = name
        self.model = template_name.removesuffix(".j2")
        self._template_name = template_name
        self._context = context

    def render(self, request: GenerationRequest) -> str:
        text = template(self._template_name).render(request=request, **self._context)
        return " ".join(line.strip() for line in text.splitlines() if line.strip())

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        for chunk in word_chunks(self.render(request)):
            yield chunk
            await asyncio.sleep(0)


def local_engine(emergency_number: str = "911") -> TemplateEngine:
    return TemplateEngine("local", "local_answer.j2", emergency_number=emergency_number)


def emergency_script(emergency_number: str = "911") -> TemplateEngine:
    """The fixed emergency message: no model is asked when the clinical engine says emergency."""
    return TemplateEngine("emergency_script", "emergency_script.j2", emergency_number=emergency_number)
