"""Builds the router from plain configuration values (agents import nothing from app/).

An engine chain entry names one engine (`openai`), or several joined by `+` (`openai+groq`) to form one pool;
`openai_base_url` and `groq_base_url` may each list several base URLs, comma separated: one endpoint each.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from pydantic import SecretStr

from agents.engines.base import Engine
from agents.engines.breaker import CircuitBreaker
from agents.engines.groq import groq_engine
from agents.engines.health import HealthProber
from agents.engines.local import emergency_script, local_engine
from agents.engines.metrics import EngineMetrics, default_metrics
from agents.engines.openai_compat import OpenAICompatibleEngine
from agents.engines.pool import EnginePool
from agents.engines.router import Router
from agents.engines.selection import SelectionPolicy


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
    engine_health_timeout_s: float
    engine_latency_stale_s: float


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


def emergency_numbers(settings: EngineSettings) -> dict[str, str]:
    """The number each answer language names: English answers the deployment's, Japanese answers Japan's (119)."""
    return {"en": settings.emergency_number, "ja": getattr(settings, "emergency_number_ja", "119")}


def base_urls(value: str) -> list[str]:
    """The base URLs of a setting that lists one or several, comma separated."""
    urls = [url.strip() for url in value.split(",") if url.strip()]
    if not urls:
        raise ValueError("an engine needs at least one base URL")
    return urls


def build_endpoints(name: str, settings: EngineSettings) -> list[Engine]:
    """One engine per endpoint of the engine called `name` (one per base URL of `openai` and `groq`)."""
    max_tokens = getattr(settings, "engine_max_tokens", 256)
    if name == "local":
        return [local_engine(settings.emergency_number, emergency_numbers(settings))]
    if name == "openai":
        return [
            OpenAICompatibleEngine(
                "openai", url, settings.openai_model, _secret(settings.openai_api_key), max_tokens=max_tokens
            )
            for url in base_urls(settings.openai_base_url)
        ]
    if name == "groq":
        return [
            groq_engine(_secret(settings.groq_api_key), model=settings.groq_model, base_url=url, max_tokens=max_tokens)
            for url in base_urls(settings.groq_base_url)
        ]
    if name == "zero":
        from agents.engines.zero import ZeroEngine  # benchmarks only: no model, no delay

        return [ZeroEngine()]
    raise ValueError(f"unknown engine {name!r}; expected local, openai, groq or zero")


def build_engine(name: str, settings: EngineSettings) -> Engine:
    """The engine called `name` at its first endpoint."""
    return build_endpoints(name, settings)[0]


def build_pool(
    entry: str, settings: EngineSettings, metrics: EngineMetrics, breaker: Callable[[], CircuitBreaker]
) -> EnginePool:
    """The pool for one chain entry: `openai`, or several engines joined by `+` (`openai+groq`)."""
    members = [member.strip() for member in entry.split("+")]
    if len(members) > 1 and "local" in members:
        raise ValueError(f"{entry!r}: the local engine is the chain's last entry, not a pool member")
    health_timeout_s = getattr(settings, "engine_health_timeout_s", 1.0)
    return EnginePool(
        entry,
        [engine for member in members for engine in build_endpoints(member, settings)],
        metrics=metrics,
        breaker_factory=breaker,
        policy=SelectionPolicy(stale_after_s=getattr(settings, "engine_latency_stale_s", 60.0)),
        prober=HealthProber(timeout_s=health_timeout_s) if health_timeout_s > 0 else None,
    )


def build_router(settings: EngineSettings, metrics: EngineMetrics | None = None) -> Router:
    metrics = metrics or default_metrics()
    breaker = partial(
        CircuitBreaker,
        failure_threshold=getattr(settings, "breaker_failure_threshold", 3),
        cooldown_s=getattr(settings, "breaker_cooldown_s", 15.0),
        max_cooldown_s=getattr(settings, "breaker_max_cooldown_s", 300.0),
    )
    return Router(
        [build_pool(entry, settings, metrics, breaker) for entry in settings.engine_chain],
        emergency_script(settings.emergency_number, emergency_numbers(settings)),
        first_token_timeout_s=settings.first_token_timeout_s,
        total_timeout_s=settings.total_timeout_s,
        breaker_factory=breaker,
        metrics=metrics,
        emergency_number=settings.emergency_number,
        emergency_numbers=emergency_numbers(settings),
    )
