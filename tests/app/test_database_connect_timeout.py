"""A PostgreSQL host that accepts the connection but never answers (a dead host behind a load balancer, a firewall
that drops packets) costs a caller at most the connect timeout, not the operating system's TCP timeout: the staff
accounts' store and the audit trail's engine both give up, so their fallbacks (a 503, the audit spool) can begin."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from app.users import UserStore
from compliance.audit.db import POSTGRES_CONNECT_TIMEOUT_S, make_engine


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP listener that completes the handshake (the kernel's backlog) and then never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"postgresql://triage@127.0.0.1:{listener.getsockname()[1]}/test"
    finally:
        listener.close()


def _fails_within(call: Callable[[], object], limit_s: float) -> float:
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the driver's error type is not the point, the time is
            outcome["error"] = exc
        outcome["took"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit_s)
    assert not worker.is_alive(), f"still waiting for the silent database after {limit_s} s"
    assert "error" in outcome, "a database that never answers cannot have served the call"
    return float(outcome["took"])  # type: ignore[arg-type]


def test_the_staff_accounts_store_gives_up_on_a_silent_database(silent_server: str) -> None:
    store = UserStore(silent_server)
    took = _fails_within(lambda: store.get("nurse"), POSTGRES_CONNECT_TIMEOUT_S + 10)
    assert took >= POSTGRES_CONNECT_TIMEOUT_S - 0.5


def test_the_audit_engine_gives_up_on_a_silent_database(silent_server: str) -> None:
    engine = make_engine(silent_server)

    def query() -> None:
        with engine.connect() as conn:
            conn.execute(text("select 1"))

    took = _fails_within(query, POSTGRES_CONNECT_TIMEOUT_S + 10)
    assert took >= POSTGRES_CONNECT_TIMEOUT_S - 0.5
