"""Production settings (issue 16, part 5), over the real app: no API docs or schema, and `/metrics` only for a
scraper with the metrics token (off without one). Production is `TRIAGE_ENVIRONMENT=production`, or, unset,
`TRIAGE_REQUIRE_KEYS=true` as the deploy manifests set it."""

from __future__ import annotations

import base64
import os
import secrets

import httpx
import pytest

from app.settings import Settings
from tests.security.helpers import bearer, denials
from tests.support.servers import running_app

pytestmark = pytest.mark.integration

DOCS = ("/docs", "/redoc", "/openapi.json")


def manifest_env(**extra: str) -> dict[str, str]:
    """What deploy/k8s and deploy/compose.yaml give a replica (no explicit environment)."""
    return {
        "TRIAGE_REQUIRE_KEYS": "true",
        "TRIAGE_AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "TRIAGE_VAULT_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "TRIAGE_TOKEN_KEY": secrets.token_urlsafe(32),
        **extra,
    }


def test_production_serves_no_docs_and_metrics_only_to_the_scraper(tmp_path):
    scrape = secrets.token_urlsafe(24)
    with running_app(tmp_path, manifest_env(TRIAGE_METRICS_TOKEN=scrape)) as app:
        for path in DOCS:
            assert httpx.get(app.http + path).status_code == 404, path
        before = len(denials(app.data_dir))
        assert httpx.get(app.http + "/metrics").status_code == 401
        assert httpx.get(app.http + "/metrics", headers=bearer("not-the-token")).status_code == 401
        metrics = httpx.get(app.http + "/metrics", headers=bearer(scrape))
        assert metrics.status_code == 200 and "# TYPE" in metrics.text
        assert [(e["target"], e["status"]) for e in denials(app.data_dir)[before:]] == [("/metrics", 401)] * 2
        assert httpx.get(app.http + "/healthz").status_code == 200


def test_production_without_a_metrics_token_has_no_metrics(tmp_path):
    with running_app(tmp_path, {"TRIAGE_ENVIRONMENT": "production"}) as app:
        for path in (*DOCS, "/metrics"):
            assert httpx.get(app.http + path).status_code == 404, path


def test_which_settings_are_production():
    assert not Settings().is_production and Settings().docs_enabled
    assert Settings(require_keys=True).is_production and not Settings(require_keys=True).docs_enabled
    assert not Settings(require_keys=True, environment="development").is_production
    assert Settings(environment="production", api_docs=True).docs_enabled  # an explicit choice wins
