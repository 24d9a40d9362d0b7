"""One real app for the security tests (starting one costs tens of seconds on a small machine), with staff
accounts, a configured widget origin and limits low enough to reach in a test."""

from __future__ import annotations

import pytest

from tests.security.helpers import make_staff, sign_in
from tests.support.servers import running_app

WIDGET_ORIGIN = "https://clinic.example"
LIMITS = {
    "TRIAGE_ALLOWED_ORIGINS": WIDGET_ORIGIN,
    "TRIAGE_MAX_FRAME_BYTES": "4096",
    "TRIAGE_CONN_MSGS_PER_S": "0.5",
    "TRIAGE_CONN_MSGS_BURST": "3",
    "TRIAGE_MAX_CONNECTIONS_PER_ADDR": "8",
    "TRIAGE_IDLE_TIMEOUT_S": "6",
    "TRIAGE_HTTP_PER_S": "20",
    "TRIAGE_HTTP_BURST": "300",
    "TRIAGE_MAX_BODY_BYTES": "65536",
    # The tokens signed in once for the session outlive a slow run (the 10-minute default has its own tests).
    "TRIAGE_STAFF_TOKEN_TTL_S": "3600",
}


@pytest.fixture(scope="session")
def secured_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("secured")
    make_staff(data_dir)
    with running_app(data_dir, LIMITS) as app:
        app.tokens = {name: sign_in(app.http, name) for name in ("clin", "comp", "root")}
        yield app
