"""Engine pool benchmark (issue 20): two real llama.cpp servers (SmolLM2), one made 5x slower by a delaying TCP proxy.

Target: the pool's first-token p50 within 10% of the fast server's alone. Phases, each through the router (the
pool, its breakers and its selection policy; not the whole app): the fast server alone, which gives its p50 F;
the proxy's delay is 4F (the slow endpoint answers in about 5F; F is updated as the run goes), measured alone; and
the pool of both, the slow one listed first, after it has measured each (three requests each, not counted).
Every request asks a new question (no prompt cache between requests), one at a time, the phases interleaved.
Writes bench/results/pool.md.

    .venv/bin/python -m bench.pool_bench [--requests 40]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import CollectorRegistry

from agents.engines.base import ChatTurn, GenerationRequest
from agents.engines.local import emergency_script, local_engine
from agents.engines.metrics import EngineMetrics
from agents.engines.openai_compat import OpenAICompatibleEngine
from agents.engines.pool import EnginePool
from agents.engines.router import Attempt, Router
from agents.triage import Assessment, Level
from bench.stats import percentile

RESULTS = Path(__file__).resolve().parent / "results" / "pool.md"
MODEL = "smollm2-135m-instruct"
OFFSETS = {"fast": 100_000, "pool": 200_000, "slow": 300_000}


def question(i: int) -> GenerationRequest:
    assessment = Assessment(level=Level("consultation"), rationale="Cough without red flags.", protocol_version="b")
    text = f"Question {i}: I have had a dry cough for {i % 13 + 2} days and feel tired (case {i * 7919 % 1000})."
    return GenerationRequest(assessment=assessment, conversation=(ChatTurn(role="user", content=text),))


def router_over(urls: list[str]) -> Router:
    metrics = EngineMetrics(CollectorRegistry())
    engines = [OpenAICompatibleEngine("openai", url, MODEL, max_tokens=24) for url in urls]
    return Router(
        [EnginePool("openai", engines, metrics=metrics), local_engine()],
        emergency_script(),
        first_token_timeout_s=120.0,
        total_timeout_s=300.0,
        metrics=metrics,
    )


async def first_token(router: Router, i: int) -> tuple[float, str]:
    """One request: its first-token seconds and the endpoint that answered it."""
    request = question(i)
    attempts: list[Attempt] = []
    async for _ in router.stream(request, router.plan(request.assessment), attempts):
        pass
    used = next(a for a in attempts if a.outcome == "used")
    assert used.engine == "openai" and used.first_token_ms is not None, attempts
    return used.first_token_ms / 1000, used.endpoint or "?"


def p50(values: list[float]) -> float:
    value = percentile(values, 50)
    assert value is not None
    return value


async def bench(fast_url: str, slow_url: str, proxy, requests: int) -> dict:
    """Calibrate the delay on the fast server alone, then interleave the phases request by request: a shared,
    busy machine drifts by more than the effect measured, and interleaving gives every phase the same drift."""
    routers = {
        "fast": router_over([fast_url]),
        "slow": router_over([slow_url]),
        "pool": router_over([slow_url, fast_url]),
    }
    for i in range(2):  # warm-up of both servers: model pages, the system prompt
        await first_token(routers["fast"], 90_000 + i)
        await first_token(routers["slow"], 91_000 + i)
    calibration = [(await first_token(routers["fast"], 80_000 + i))[0] for i in range(8)]
    proxy.delay_s = 4 * p50(calibration)
    seeding = [await first_token(routers["pool"], 70_000 + i) for i in range(6)]  # 3 each: the first estimates
    firsts: dict[str, list[float]] = {"fast": [], "slow": [], "pool": []}
    answered: Counter[str] = Counter()
    for i in range(requests):
        for phase in ("fast", "pool") if i % 5 else ("fast", "pool", "slow"):
            seconds, endpoint = await first_token(routers[phase], OFFSETS[phase] + i)  # never the same question
            firsts[phase].append(seconds)
            if phase == "fast":  # the machine drifts: keep the slow one 5x the fast one's pace so far
                proxy.delay_s = 4 * p50(calibration + firsts["fast"])
            if phase == "pool":
                answered[endpoint] += 1
    for router in routers.values():
        await router.aclose()
    return {
        **firsts,
        "delay_s": proxy.delay_s,
        "seeding": Counter("slow" if endpoint == slow_url else "fast" for _, endpoint in seeding),
        "answered": {"fast": answered[fast_url], "slow": answered[slow_url]},
    }


def report(result: dict, requests: int, seconds: float) -> str:
    fast, slow, pool = (p50(result[k]) for k in ("fast", "slow", "pool"))
    paired = statistics.median(b - a for a, b in zip(result["fast"], result["pool"], strict=True))
    ratio = pool / fast
    rows = [
        f"| fast server alone | {len(result['fast'])} | {fast * 1000:.1f} | "
        f"{percentile(result['fast'], 95) * 1000:.1f} | all |",
        f"| slow server alone (delay at the end {result['delay_s'] * 1000:.0f} ms) | {len(result['slow'])} | {slow * 1000:.1f} | "
        f"{percentile(result['slow'], 95) * 1000:.1f} | all |",
        f"| pool of both (slow listed first) | {len(result['pool'])} | {pool * 1000:.1f} | "
        f"{percentile(result['pool'], 95) * 1000:.1f} | fast {result['answered']['fast']}, "
        f"slow {result['answered']['slow']} |",
    ]
    verdict = "yes" if ratio <= 1.10 else "**no**"
    return "\n".join(
        [
            "# Engine pool: two llama.cpp servers, one 5x slower",
            "",
            f"Recorded {datetime.now(UTC).isoformat(timespec='seconds')} on {platform.node()} "
            f"({platform.processor() or platform.machine()}, {_cores()} cores), `python -m bench.pool_bench "
            f"--requests {requests}` ({seconds:.0f} s). SmolLM2-135M-Instruct Q8 in "
            "llama-cpp-python's server, one thread each, max_tokens 24; each request a new question (no prompt "
            "cache between requests), one at a time, the phases interleaved request by request (fast alone, pool, and "
            "every fifth round slow alone); first token measured by the router (request sent -> first text chunk).",
            "",
            "| phase | requests | first token p50 (ms) | p95 (ms) | answered by |",
            "|---|---:|---:|---:|---|",
            *rows,
            "",
            f"Before the pool's phase it measured each endpoint (its first estimates: {result['seeding']['slow']} "
            f"requests to the slow one, {result['seeding']['fast']} to the fast one, not counted above; once per "
            "process start). After that it re-measures the slow one at most once a minute and once in 20 requests.",
            "",
            f"Slow / fast p50: {slow / fast:.1f}x. Pool / fast alone p50: {ratio:.3f} "
            f"(target <= 1.10: {verdict}). Spread of the fast phase: "
            f"{statistics.pstdev(result['fast']) * 1000:.1f} ms standard deviation, so the standard error of a p50 of "
            f"{len(result['fast'])} is about {1.2533 * statistics.pstdev(result['fast']) / len(result['fast']) ** 0.5 * 1000:.0f} ms. "
            "Paired by round (each pool request right after a fast-alone one, the same moment of a drifting "
            f"machine), the median of pool - fast alone is {paired * 1000:+.1f} ms.",
            "",
        ]
    )


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    from tests.support.delay_proxy import DelayingProxy  # the test suite's real-server helpers
    from tests.support.llama import llama_servers

    started = time.monotonic()
    with (
        llama_servers(Path(tempfile.mkdtemp(prefix="pool-bench-")), 2) as (slow_server, fast_server),
        DelayingProxy(("127.0.0.1", slow_server.port), delay_s=0.0) as proxy,
    ):
        slow_url = f"http://127.0.0.1:{proxy.port}/v1"
        result = asyncio.run(bench(fast_server.url, slow_url, proxy, args.requests))
    text = report(result, args.requests, time.monotonic() - started)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
