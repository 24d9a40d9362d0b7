"""The edge pieces on their own: origin matching, the CSP, token buckets."""

from __future__ import annotations

import pytest

from app.security.buckets import KeyedBuckets, TokenBucket
from app.security.headers import content_security_policy
from app.security.origins import normalize_origin, origin_allowed


def _scope(origin: str | None, host: str = "triage.example", scheme: str = "wss") -> dict:
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin is not None else [])
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://triage.example", True),  # same origin
        ("https://TRIAGE.example:443", True),  # case and default port
        ("https://clinic.example", True),  # configured
        ("https://clinic.example.evil.test", False),
        ("http://clinic.example", False),  # scheme matters
        ("https://clinic.example:8443", False),  # port matters
        ("null", False),  # sandboxed frames, file:// pages
        ("", False),
        ("javascript:alert(1)", False),
        (None, True),  # not a browser: no Origin to check
    ],
)
def test_origin_allow_list(origin, allowed):
    assert origin_allowed(_scope(origin), ["https://clinic.example/"]) is allowed


def test_same_origin_follows_the_scheme_seen_through_tls():
    assert origin_allowed(_scope("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"), [])
    assert not origin_allowed(_scope("http://127.0.0.1:8000", "127.0.0.1:8000", "wss"), [])
    assert normalize_origin("https://[::1]:443") == "https://[::1]"


def test_csp_is_strict_and_frames_only_configured_sites():
    policy = content_security_policy(["https://clinic.example", "not an origin"])
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert policy.endswith("frame-ancestors 'self' https://clinic.example")
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy


def test_token_bucket_allows_the_burst_then_the_rate():
    bucket = TokenBucket(rate_per_s=2, burst=3)
    now = bucket.stamp
    assert [bucket.take(now) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(now + 0.5) and not bucket.take(now + 0.5)
    assert 0 < bucket.retry_after() <= 0.5


def test_keyed_buckets_stay_bounded():
    buckets = KeyedBuckets(1, 1, max_keys=100)
    for n in range(1000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    assert len(buckets._buckets) == 100  # noqa: SLF001 - what is held, not what a caller sees
