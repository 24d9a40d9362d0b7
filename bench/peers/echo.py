"""The floor: a bare FastAPI WebSocket that answers each message with a triage, one token and a done frame.

No redaction, no assessment, no graph, no storage: what FastAPI, uvicorn and the socket cost on their own.

    python -m bench.peers.echo --port 8001
"""

from __future__ import annotations

import json
import uuid

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from bench.peers import serve

app = FastAPI()


def dumps(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"))


@app.get("/readyz")
async def ready() -> dict:
    return {"status": "ready"}


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(dumps({"type": "session", "session_id": str(uuid.uuid4())}))
    try:
        while True:
            frame = json.loads(await websocket.receive_text())
            message_id = str(uuid.uuid4())
            await websocket.send_text(
                dumps(
                    {"type": "triage", "message_id": message_id, "level": "self_care", "urgency": "sc", "red_flags": []}
                )
            )
            await websocket.send_text(dumps({"type": "token", "message_id": message_id, "text": frame.get("text", "")}))
            await websocket.send_text(
                dumps({"type": "done", "message_id": message_id, "engine": "echo", "audit_id": None})
            )
    except WebSocketDisconnect:
        pass


if __name__ == "__main__":
    serve(app)
