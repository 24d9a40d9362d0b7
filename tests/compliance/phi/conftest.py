"""One Redactor for the whole PHI test session: building it loads spaCy."""

from __future__ import annotations

import pytest

from compliance.phi import Redactor


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return Redactor()


def redacted_values(redactor: Redactor, text: str) -> list[str]:
    return [text[span.start : span.end] for span in redactor.find(text)]
