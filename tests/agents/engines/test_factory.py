"""The router built from settings: chain order, engine presets, breaker parameters."""

from __future__ import annotations

import pytest
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


def test_one_base_url_per_engine_is_a_pool_of_one_as_before(tmp_path):
    router = build_router(Settings(data_dir=tmp_path, engine="openai"), EngineMetrics(CollectorRegistry()))
    (endpoint,) = router.pools["openai"].endpoints
    assert endpoint.engine.endpoint == "http://127.0.0.1:8080/v1"
    assert router.breakers["openai"] is endpoint.breaker


def test_several_base_urls_make_a_pool_with_a_breaker_per_endpoint(tmp_path):
    settings = Settings(
        data_dir=tmp_path,
        engine="openai",
        openai_base_url="http://vllm-a:8000/v1, http://user:secret@vllm-b:8000/v1/",
        breaker_failure_threshold=4,
        engine_latency_stale_s=30.0,
    )
    router = build_router(settings, EngineMetrics(CollectorRegistry()))
    assert router.plan(request_for().assessment).engines == ("openai", "local")
    pool = router.pools["openai"]
    assert [e.label for e in pool.endpoints] == ["http://vllm-a:8000/v1", "http://vllm-b:8000/v1"], "no secrets"
    breakers = [e.breaker for e in pool.endpoints]
    assert breakers[0] is not breakers[1] and all(b is not None and b.failure_threshold == 4 for b in breakers)
    assert pool.policy.stale_after_s == 30.0
    assert "openai" not in router.breakers, "a larger pool's breakers are its endpoints'"


def test_engines_joined_by_plus_share_one_pool(tmp_path):
    settings = Settings(data_dir=tmp_path, engine="openai + groq, local", openai_base_url="http://a/v1,http://b/v1")
    router = build_router(settings, EngineMetrics(CollectorRegistry()))
    assert router.plan(request_for().assessment).engines == ("openai+groq", "local")
    members = [(e.engine.name, e.label) for e in router.pools["openai+groq"].endpoints]
    assert members == [("openai", "http://a/v1"), ("openai", "http://b/v1"), ("groq", "https://api.groq.com/openai/v1")]


def test_the_local_engine_cannot_join_a_pool(tmp_path):
    with pytest.raises(ValueError, match="not a pool member"):
        build_router(Settings(data_dir=tmp_path, engine="openai+local"), EngineMetrics(CollectorRegistry()))
