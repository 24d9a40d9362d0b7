"""Schemathesis against the running app's OpenAPI schema, signed in as an admin (who may call every route):
whatever it generates, no response is a server error, nothing hangs, and the app keeps serving."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 10


def test_no_server_errors_for_any_generated_request(secured_app):
    schema = schemathesis.openapi.from_url(secured_app.http + "/openapi.json")
    headers = {"Authorization": f"Bearer {secured_app.tokens['root']}"}
    # Sign-out would end the very token the fuzzer calls with (tests/security/test_revocation.py covers it).
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path != "/api/logout"]
    assert len(operations) >= 10
    seen: dict[str, set[int]] = {}
    failures: list[str] = []

    def fuzz(operation):
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call(headers=headers, timeout=30)
            seen.setdefault(operation.label, set()).add(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{operation.label} {case.path_parameters} {case.query}: {response.status_code}")

        call()

    for operation in operations:
        fuzz(operation)
    assert len(seen) == len(operations)
    assert failures == []
    assert httpx.get(secured_app.http + "/readyz", timeout=10).status_code == 200
