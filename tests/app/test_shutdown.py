"""Graceful shutdown (app/shutdown.py): on SIGTERM every open chat and clinician socket is told to reconnect
(error frame `server_shutdown`, close 1012), and the turn it cut short still reaches the audit trail before
the exit."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.security.helpers import make_staff, sign_in
from tests.support.chat_client import audit_turns, next_frame, open_chat
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import running_app, serve_in_thread

pytestmark = pytest.mark.integration


async def test_sigterm_tells_clients_to_reconnect_and_records_the_interrupted_turn(tmp_path) -> None:
    peer = RecordingPeer(answer=" ".join(["word"] * 40), delay_s=0.25)  # ten seconds of answer
    with serve_in_thread(peer.app) as peer_url:
        token_key = secrets.token_urlsafe(32)
        env = {
            "TRIAGE_ENGINE": "openai",
            "TRIAGE_OPENAI_BASE_URL": peer_url + "/v1",
            "TRIAGE_OPENAI_MODEL": "peer",
            "TRIAGE_TOKEN_KEY": token_key,
        }
        make_staff(tmp_path, {"dr.a": "clinician"})
        with running_app(tmp_path, env) as app:
            conn, session_id = await open_chat(app.ws)
            idle, _ = await open_chat(app.ws)
            staff = await connect(f"{app.ws}/ws/clinician?token={sign_in(app.http, 'dr.a')}")
            assert (await next_frame(staff))["type"] == "snapshot"
            await conn.send(json.dumps({"type": "message", "text": "I have a mild headache since this morning"}))
            while (await next_frame(conn))["type"] != "token":
                pass
            app.proc.send_signal(signal.SIGTERM)
            for socket in (conn, idle, staff):
                frames = []
                with pytest.raises(ConnectionClosed) as closed:  # noqa: PT012 - reads until the server closes
                    while True:
                        frames.append(await asyncio.wait_for(next_frame(socket), 15))
                errors = [f for f in frames if f["type"] == "error"]
                assert errors and errors[-1]["code"] == "server_shutdown" and errors[-1]["closing"] is True
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
            # uvicorn re-raises the signal once its shutdown is complete: the exit status says SIGTERM.
            assert await asyncio.to_thread(app.proc.wait, 30) in (0, -signal.SIGTERM)
            assert "Application shutdown complete" in app.log_text()
    turns = [t for t in audit_turns(tmp_path) if t["session_id"] == session_id]
    assert len(turns) == 1 and turns[0]["status"] == "interrupted"
