"""The router built from settings: chain order, engine presets, breaker parameters."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from agents.engines.factory import build_router
from agents.engines.metrics import EngineMetrics
from app.settings import Settings
from tests.agents.engines.fakes import request_for


def test_router_from_settings(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        engine="groq, openai",
        openai_model="m",
        breaker_failure_threshold=5,
        breaker_cooldown_s=2.0,
        engine_max_tokens=99,
    )
    router = build_router(settings, EngineMetrics(CollectorRegistry()))
    assert router.plan(request_for().assessment).engines == ("groq", "openai", "local")
    assert set(router.breakers) == {"groq", "openai"}, "our own templates need no breaker"
    assert router.breakers["openai"].failure_threshold == 5 and router.breakers["openai"].cooldown_s == 2.0
    assert router.engine("openai")._max_tokens == 99  # noqa: SLF001 - the setting reaches the engine
    assert router.engine("groq").model == "llama-3.1-8b-instant"
    assert router.engine("emergency_script").trusted
