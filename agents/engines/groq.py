"""GroqCloud: a named preset of the OpenAI-compatible engine (its endpoint and a fast recommended model)."""

from __future__ import annotations

from agents.engines.openai_compat import OpenAICompatibleEngine

GROQ_BASE_URL = "https://api.groq.com/openai/v1"
GROQ_MODEL = "llama-3.1-8b-instant"


def groq_engine(
    api_key: str | None, *, model: str = GROQ_MODEL, base_url: str = GROQ_BASE_URL, max_tokens: int = 256
) -> OpenAICompatibleEngine:
    return OpenAICompatibleEngine("groq", base_url, model, api_key, max_tokens=max_tokens)
