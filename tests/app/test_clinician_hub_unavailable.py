"""A clinician's view of one live session on a worker whose link to its master is reconnecting: a clear 503 with
`Retry-After` (`hub_unavailable`), as staff requests get while the accounts database is down, never a bare 500."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth import issue_token
from app.hub_workers import WorkerHub
from app.routes import clinician
from app.security import unavailable
from app.settings import Settings
from app.users import UserStore
from app.worker_link import WorkerLink
from compliance.audit import AuditTrail
from tests.compliance.conftest import AUDIT_KEY

TOKEN_KEY = "token-key-for-tests"
SESSION = "s-1"


def test_a_session_view_and_a_takeover_answer_503_while_the_master_does_not_answer(tmp_path):
    app = FastAPI()
    app.state.settings = Settings(data_dir=tmp_path, token_key=TOKEN_KEY)
    users = UserStore(app.state.settings.resolved_database_url)
    users.create_schema()
    users.create("clin", "clinician", "a long enough passphrase")
    users.engine.dispose()
    hub = WorkerHub(WorkerLink(str(tmp_path / "nobody-listens.sock"), worker="0"))  # never connected
    asyncio.run(hub.publish({"type": "patient_connected", "session_id": SESSION}))
    app.state.hub = hub
    app.state.trail = AuditTrail(f"sqlite:///{tmp_path / 'audit.db'}", AUDIT_KEY, checkpoint_every=0)
    app.state.trail.create_schema()
    app.include_router(clinician.router)
    unavailable.install(app)
    staff = {"Authorization": f"Bearer {issue_token(TOKEN_KEY.encode(), 'clin', 'clinician', version=0)}"}

    with TestClient(app) as client:
        assert client.get("/api/clinician/sessions", headers=staff).status_code == 200  # the queue: this copy
        for response in (
            client.get(f"/api/clinician/sessions/{SESSION}", headers=staff),
            client.post(f"/api/clinician/sessions/{SESSION}/takeover", headers=staff),
        ):
            assert response.status_code == 503, response.text
            assert response.json()["error"] == "hub_unavailable"
            assert "Patient chat is not affected" in response.json()["detail"]
            assert int(response.headers["retry-after"]) > 0
        # a person reads the refusal in the page's language; a program keeps the English detail
        japanese = client.get(f"/api/clinician/sessions/{SESSION}", headers={**staff, "Accept-Language": "ja"}).json()
        assert japanese["detail"] == response.json()["detail"]
        assert japanese["message"] != japanese["detail"] and "患者" in japanese["message"]
        assert response.json()["message"] == response.json()["detail"]  # English: the same sentence
    app.state.trail.dispose()
