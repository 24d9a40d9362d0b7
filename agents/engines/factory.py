"""Builds the router from plain configuration values (agents import nothing from app/)."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from pydantic import SecretStr

from agents.engines.base import Engine
from agents.engines.breaker import CircuitBreaker
from agents.engines.groq import groq_engine
from agents.engines.local import emergency_script, local_engine
from agents.engines.metrics import EngineMetrics
from agents.engines.openai_compat import OpenAICompatibleEngine
from agents.engines.router import Router


class EngineSettings(Protocol):
    @property
    def engine_chain(self) -> list[str]: ...  # read-only: a field or a property both do

    emergency_number: str
    first_token_timeout_s: float
    total_timeout_s: float
    openai_base_url: str
    openai_model: str
    openai_api_key: SecretStr | None
    groq_base_url: str
    groq_model: str
    groq_api_key: SecretStr | None
    engine_max_tokens: int
    breaker_failure_threshold: int
    breaker_cooldown_s: float
    breaker_max_cooldown_s: float


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


def emergency_numbers(settings: EngineSettings) -> dict[str, str]:
    """The number each answer language names: English answers the deployment's, Japanese answers Japan's (119)."""
    return {"en": settings.emergency_number, "ja": getattr(settings, "emergency_number_ja", "119")}


def build_engine(name: str, settings: EngineSettings) -> Engine:
    max_tokens = getattr(settings, "engine_max_tokens", 256)
    if name == "local":
        return local_engine(settings.emergency_number, emergency_numbers(settings))
    if name == "openai":
        return OpenAICompatibleEngine(
            "openai",
            settings.openai_base_url,
            settings.openai_model,
            _secret(settings.openai_api_key),
            max_tokens=max_tokens,
        )
    if name == "groq":
        return groq_engine(
            _secret(settings.groq_api_key),
            model=settings.groq_model,
            base_url=settings.groq_base_url,
            max_tokens=max_tokens,
        )
    if name == "zero":
        from agents.engines.zero import ZeroEngine  # benchmarks only: no model, no delay

        return ZeroEngine()
    raise ValueError(f"unknown engine {name!r}; expected local, openai, groq or zero")


def build_router(settings: EngineSettings, metrics: EngineMetrics | None = None) -> Router:
    breaker = partial(
        CircuitBreaker,
        failure_threshold=getattr(settings, "breaker_failure_threshold", 3),
        cooldown_s=getattr(settings, "breaker_cooldown_s", 15.0),
        max_cooldown_s=getattr(settings, "breaker_max_cooldown_s", 300.0),
    )
    return Router(
        [build_engine(name, settings) for name in settings.engine_chain],
        emergency_script(settings.emergency_number, emergency_numbers(settings)),
        first_token_timeout_s=settings.first_token_timeout_s,
        total_timeout_s=settings.total_timeout_s,
        breaker_factory=breaker,
        metrics=metrics,
        emergency_number=settings.emergency_number,
        emergency_numbers=emergency_numbers(settings),
    )
