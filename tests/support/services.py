"""The machine's PostgreSQL and Redis for tests: fixtures that SKIP when a server does not answer, except in
CI (CI=true), where they FAIL, since CI must run those tests. Each test gets fresh state: a new PostgreSQL
schema (dropped afterwards) and a new Redis key/channel prefix (its keys deleted afterwards).

Registered for every test package by tests/conftest.py (pytest_plugins).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_ADMIN_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TRIAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


#: Marks a skip's reason with the one command that provides what the machine lacked; the run's closing lines
#: collect them from the skip reports (which reach the controller from every pytest-xdist worker too).
FIX_MARK = " -- fix: "


def unavailable(message: str, fix: str | None = None) -> None:
    """Fail in CI; elsewhere skip, and name the missing part and its fix in the run's closing lines."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(f"{message}{FIX_MARK}{fix}" if fix else message)


def missing_parts(skipped: list[pytest.TestReport]) -> dict[str, tuple[str, int]]:
    """What each skip for a missing part lacked: its fix and how many tests it skipped."""
    found: dict[str, tuple[str, int]] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        message, mark, fix = reason.removeprefix("Skipped: ").partition(FIX_MARK)
        if mark:
            found[message] = (fix, found.get(message, (fix, 0))[1] + 1)
    return found


def pytest_terminal_summary(terminalreporter) -> None:
    for message, (fix, count) in missing_parts(terminalreporter.stats.get("skipped", [])).items():
        terminalreporter.write_line(
            f"NOT THE WHOLE SUITE: {count} tests skipped because {message}. Fix: {fix} (then make test again)",
            yellow=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - ImportError or OperationalError: no PostgreSQL to test against
        unavailable(
            f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}", fix="bash .ci/run (starts PostgreSQL and Redis)"
        )
    return PG_ADMIN_URL


@pytest.fixture
def postgres_schema(postgres_server_url: str) -> Iterator[str]:
    """The name of a brand-new schema of this test's own, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_schema_url(postgres_server_url: str, postgres_schema: str) -> str:
    """A libpq URL whose search_path is a brand-new schema (works for SQLAlchemy and LangGraph alike)."""
    separator = "&" if "?" in postgres_server_url else "?"
    return f"{postgres_server_url}{separator}options=-csearch_path%3D{postgres_schema}"


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - ImportError or a connection error: no Redis to test against
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}", fix="bash .ci/run (starts PostgreSQL and Redis)")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_server_url: str) -> Iterator[str]:
    """A key and channel prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"test:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_server_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
