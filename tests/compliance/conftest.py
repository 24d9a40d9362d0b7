"""Audit trail fixtures: a fresh trail on SQLite and, marked `postgres`, on a fresh PostgreSQL schema.

PostgreSQL tests SKIP when no server answers, except in CI (CI=true), where they FAIL: CI must run them.
Each PostgreSQL test gets its own randomly named schema, dropped afterwards, so parallel runs never collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from compliance.audit import AuditTrail, EngineAttempt, TurnRecord

AUDIT_KEY = b"test-audit-key-not-for-production"


@pytest.fixture
def postgres_url(postgres_schema_url: str) -> str:
    """A URL whose search_path is a brand-new schema of its own (skips, or fails in CI, without PostgreSQL)."""
    return postgres_schema_url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'audit.db'}"


class Clock:
    """A settable clock for the trail, so tests can write entries 'in the past'."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_trail(database_url: str) -> Iterator[Callable[..., AuditTrail]]:
    trails: list[AuditTrail] = []

    def make(**options) -> AuditTrail:
        trail = AuditTrail(database_url, AUDIT_KEY, **options)
        trail.create_schema()
        trails.append(trail)
        return trail

    yield make
    for trail in trails:
        trail.dispose()


@pytest.fixture
def trail(make_trail, clock) -> AuditTrail:
    return make_trail(checkpoint_every=10, clock=clock)


def turn(session_id: str = "s-1", n: int = 0, urgency: str = "ne", level: str = "consultation", **extra) -> TurnRecord:
    """A plausible turn record: redacted text and decisions only."""
    values = {
        "session_id": session_id,
        "message_id": f"m-{session_id}-{n}",
        "client_msg_id": f"c-{n}",
        "received_at": datetime(2026, 1, 1, tzinfo=UTC),
        "redacted_text": f"<PERSON_1> has a sore throat ({n})",
        "redaction_counts": {"PERSON": 1},
        "level": level,
        "urgency": urgency,
        "red_flags": ["rf.sample"] if urgency == "em" else [],
        "rationale": "rule matched",
        "protocol_version": "2026.1",
        "route": "engine_chain",
        "route_reason": "non-emergency",
        "engine": "local",
        "model": "templates",
        "output_redacted": "Rest and fluids.",
        "token_count": 4,
        "engines_tried": [
            EngineAttempt(engine="openai", model="m", outcome="failed", reason="timeout"),
            EngineAttempt(engine="local", model="templates", outcome="used", tokens=4),
        ],
        "first_token_ms": 12.5,
        "total_ms": 40.0,
        "node_ms": {"redact": 1.0},
        "status": "complete",
    }
    values.update(extra)
    return TurnRecord.from_flat(values)
