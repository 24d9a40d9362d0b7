"""What the runner's tests share: the real redactor (loaded once per module) and a real SQLite audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from compliance.audit import AuditTrail
from compliance.phi import Redactor

AUDIT_KEY = b"test-audit-key-not-for-production"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.fixture
def trail(tmp_path: Path) -> Iterator[AuditTrail]:
    trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", AUDIT_KEY)
    trail.create_schema()
    yield trail
    trail.dispose()
