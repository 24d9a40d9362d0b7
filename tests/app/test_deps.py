"""app/deps.py: one dependency family for HTTP requests and WebSockets alike."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient

from app.deps import HubDep, SettingsDep
from app.hub import InProcessHub
from app.settings import Settings


def test_the_same_dependencies_serve_a_request_and_a_socket(tmp_path):
    app = FastAPI()
    app.state.settings = Settings(_env_file=None, data_dir=tmp_path, emergency_number="112")
    app.state.hub = InProcessHub()

    @app.get("/number")
    async def number(settings: SettingsDep, hub: HubDep) -> dict[str, object]:
        return {"number": settings.emergency_number, "sessions": len(hub.sessions())}

    @app.websocket("/ws")
    async def socket(websocket: WebSocket, settings: SettingsDep, hub: HubDep) -> None:
        await websocket.accept()
        await websocket.send_json({"number": settings.emergency_number, "sessions": len(hub.sessions())})
        await websocket.close()

    with TestClient(app) as client:
        assert client.get("/number").json() == {"number": "112", "sessions": 0}
        with client.websocket_connect("/ws") as ws:
            assert ws.receive_json() == {"number": "112", "sessions": 0}
