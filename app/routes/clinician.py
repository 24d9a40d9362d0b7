"""Clinician front end: the queue page, the `/ws/clinician` live socket and the session actions.

REST (role clinician or admin; a bearer token, or the `triage_token` cookie with the page's `X-CSRF-Token` on
POSTs):
  GET  /api/clinician/sessions                      the queue, most urgent first, then longest waiting
  GET  /api/clinician/sessions/{id}                 one session: summary and redacted transcript
  POST /api/clinician/sessions/{id}/takeover        the agent pauses; replies go to the patient
  POST /api/clinician/sessions/{id}/release         hand the conversation back to the agent
  POST /api/clinician/sessions/{id}/reply           {"text"}: delivered to the patient, marked as a clinician's
  POST /api/clinician/sessions/{id}/reidentify      the patient's own words, recorded as an access audit event
  POST /api/clinician/sessions/{id}/assign          {"to"?: username, default the caller}: who handles it
  POST /api/clinician/sessions/{id}/unassign        back to open
  POST /api/clinician/sessions/{id}/resolve         done with it (hands it back first when the caller is in charge)
  POST /api/clinician/sessions/{id}/reopen          back in the queue (a new patient message also reopens it)
Every action above except reading is an access event in the audit trail (who, what, from where).
WebSocket `/ws/clinician` (bearer, cookie or `?token=`, read as everywhere: app/security/credentials.py):
`{"type": "snapshot", "sessions": [...]}` on connect, then every hub event (see app/hub.py). The account is
checked again every second while the socket is open (through the account cache, app/accounts.py): a revoked
or ended sign-in gets an `unauthorized` error frame (closing) and close 1008, audited. Client frame
`{"type": "consult", "session_id", "text"}` asks the agent about that case in clinical style; its answer streams
back as the chat protocol's frames with `"channel": "consult"`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, WebSocket, status
from fastapi.responses import HTMLResponse
from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel, StringConstraints
from starlette.websockets import WebSocketDisconnect

from agents.runner import ClientGone, TriageAgent
from app.auth import Principal, still_admitted
from app.deps import (
    AgentDep,
    CheckpointerDep,
    ClinicianPrincipal,
    HubDep,
    OpenSocketsDep,
    RedactorDep,
    SettingsDep,
    TrailDep,
)
from app.hub import Hub, HubConflict, HubUnavailable, SessionRecord, SessionSummary, UnknownSession
from app.hub_events import Delivered
from app.page_rendering import staff_page
from app.protocol import error_frame
from app.security.access import POLICY_VIOLATION, record_scope_denial, refuse_staff_socket, socket_principal
from app.settings import Settings
from app.shutdown import websocket_notifier
from app.staff_session import session_ends_at
from app.users import user_store
from compliance.audit import AccessAction, AccessEvent, AuditSink
from compliance.keys import KeyRing
from compliance.phi import PlaceholderVault, Redactor
from compliance.phi.errors import VaultError

router = APIRouter()
log = logging.getLogger(__name__)

CLINICIAN_ROLES = ("clinician", "admin")
PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")
CONSULT_HISTORY_TURNS = 6
ACCESS_CHECK_S = 1.0


class ReplyBody(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class AssignBody(BaseModel):
    to: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None


def live_session(hub: Hub, session_id: str) -> SessionRecord:
    """The session as this process holds it (its summary); 404 when there is none."""
    try:
        return hub.session(session_id)
    except UnknownSession:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no live session with that id") from None


async def live_record(hub: Hub, session_id: str) -> SessionRecord:
    """The session with its whole transcript (a worker asks its master); 404 when there is none."""
    try:
        return await hub.record(session_id)
    except UnknownSession:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no live session with that id") from None


@router.get("/clinician", response_class=HTMLResponse, include_in_schema=False)
async def clinician_page(request: Request) -> HTMLResponse:
    return await staff_page(
        request, "clinician.html", CLINICIAN_ROLES, {"title": "Triage queue", "active": "clinician"}
    )


@router.get("/api/clinician/sessions")
async def list_sessions(hub: HubDep, _: ClinicianPrincipal) -> dict[str, Any]:
    return {"sessions": [asdict(s) for s in hub.sessions()]}


@router.get("/api/clinician/sessions/{session_id}")
async def get_session(session_id: str, hub: HubDep, _: ClinicianPrincipal) -> dict[str, Any]:
    record = await live_record(hub, session_id)
    return {"session": asdict(record.summary), "transcript": record.transcript}


@router.post("/api/clinician/sessions/{session_id}/takeover")
async def take_over(
    session_id: str, request: Request, hub: HubDep, trail: TrailDep, principal: ClinicianPrincipal
) -> dict[str, Any]:
    live_session(hub, session_id)
    summary = await lifecycle(hub.takeover(session_id, principal.subject))
    await record_clinician_action(trail, request, principal, session_id, "takeover")
    return {"session": asdict(summary)}


@router.post("/api/clinician/sessions/{session_id}/release")
async def hand_back(
    session_id: str, request: Request, hub: HubDep, trail: TrailDep, principal: ClinicianPrincipal
) -> dict[str, Any]:
    live_session(hub, session_id)
    summary = await lifecycle(hub.release(session_id, principal.subject, force=principal.role == "admin"))
    await record_clinician_action(trail, request, principal, session_id, "release")
    return {"session": asdict(summary)}


@router.post("/api/clinician/sessions/{session_id}/assign")
async def assign(
    session_id: str,
    request: Request,
    settings: SettingsDep,
    hub: HubDep,
    trail: TrailDep,
    principal: ClinicianPrincipal,
    body: AssignBody | None = None,
) -> dict[str, Any]:
    live_session(hub, session_id)
    to = (body.to if body else None) or principal.subject
    if to != principal.subject and not await asyncio.to_thread(can_take_patients, settings, to):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"{to} is not an active clinician account")
    summary = await hub.assign(session_id, to, principal.subject)
    await record_clinician_action(trail, request, principal, session_id, "assign", {"assigned_to": to})
    return {"session": asdict(summary)}


def can_take_patients(settings: Settings, username: str) -> bool:
    user = user_store(settings.resolved_database_url).get(username)
    return user is not None and not user.disabled and user.role in CLINICIAN_ROLES


@router.post("/api/clinician/sessions/{session_id}/unassign")
async def unassign(
    session_id: str, request: Request, hub: HubDep, trail: TrailDep, principal: ClinicianPrincipal
) -> dict[str, Any]:
    previous = live_session(hub, session_id).summary.assigned_to
    summary = await lifecycle(hub.unassign(session_id, principal.subject))
    await record_clinician_action(trail, request, principal, session_id, "unassign", {"previous": previous})
    return {"session": asdict(summary)}


@router.post("/api/clinician/sessions/{session_id}/resolve")
async def resolve(
    session_id: str, request: Request, hub: HubDep, trail: TrailDep, principal: ClinicianPrincipal
) -> dict[str, Any]:
    in_charge = live_session(hub, session_id).summary.clinician
    if in_charge is not None and (in_charge == principal.subject or principal.role == "admin"):
        await lifecycle(hub.release(session_id, principal.subject, force=principal.role == "admin"))
        await record_clinician_action(trail, request, principal, session_id, "release")
    summary = await lifecycle(hub.resolve(session_id, principal.subject))
    await record_clinician_action(trail, request, principal, session_id, "resolve")
    return {"session": asdict(summary)}


@router.post("/api/clinician/sessions/{session_id}/reopen")
async def reopen(
    session_id: str, request: Request, hub: HubDep, trail: TrailDep, principal: ClinicianPrincipal
) -> dict[str, Any]:
    live_session(hub, session_id)
    summary = await lifecycle(hub.reopen(session_id, principal.subject))
    await record_clinician_action(trail, request, principal, session_id, "reopen")
    return {"session": asdict(summary)}


async def lifecycle(action: Awaitable[SessionSummary]) -> SessionSummary:
    """A hub action; a clash with the session's state is a 409."""
    try:
        return await action
    except HubConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.post("/api/clinician/sessions/{session_id}/reply")
async def reply(
    session_id: str,
    body: ReplyBody,
    request: Request,
    hub: HubDep,
    trail: TrailDep,
    redactor: RedactorDep,
    principal: ClinicianPrincipal,
) -> dict[str, Any]:
    record = live_session(hub, session_id)
    if record.summary.clinician != principal.subject:
        raise HTTPException(status.HTTP_409_CONFLICT, "take the conversation over before replying")
    message_id = str(uuid.uuid4())
    # The patient gets the clinician's words; the hub (and so every other clinician screen) a redacted copy.
    delivered = await hub.deliver_to_patient(
        session_id, {"type": "clinician", "message_id": message_id, "text": body.text, "from": "clinician"}
    )
    redacted = await asyncio.to_thread(redact_free_text, redactor, body.text)
    await record_clinician_action(
        trail,
        request,
        principal,
        session_id,
        "reply",
        {"message_id": message_id, "redacted_text": redacted, "delivered": delivered},
    )
    await hub.publish(
        {
            "type": "clinician_message",
            "session_id": session_id,
            "message_id": message_id,
            "text": redacted,
            "clinician": principal.subject,
        }
    )
    return {"message_id": message_id, "delivered": delivered > 0}


def redact_free_text(redactor: Redactor, text: str) -> str:
    return redactor.redact(text, PlaceholderVault()).redacted


@router.post("/api/clinician/sessions/{session_id}/reidentify")
async def reidentify(
    session_id: str,
    request: Request,
    settings: SettingsDep,
    trail: TrailDep,
    checkpointer: CheckpointerDep,
    principal: ClinicianPrincipal,
) -> dict[str, Any]:
    """The patient's own words for this session, shown only once the access is recorded in the audit trail (the
    entry is durable, in the database or the spool, before a word is revealed)."""
    values = await checkpoint_values(checkpointer, session_id)
    if not values:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no stored conversation with that id")
    await asyncio.to_thread(trail.record_access, access_event(principal, session_id, request_source(request)))
    try:  # the ring: a vault last saved before `triage keys rotate --key vault` opens with the retired key
        turns = reveal_turns(values, settings.vault_keyring)
    except VaultError as exc:
        log.error("re-identification failed: the session's vault does not open", extra={"reason": str(exc)})
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "this conversation's vault was encrypted with a key "
            "this service no longer holds; re-identification is not possible",
        ) from None
    return {"session_id": session_id, "turns": turns}


def request_source(request: Request) -> str:
    return f"{request.client.host if request.client else ''} {request.headers.get('user-agent', '')[:80]}".strip()


def access_event(
    principal: Principal,
    session_id: str,
    source: str,
    action: AccessAction = "reidentify",
    detail: dict[str, Any] | None = None,
) -> AccessEvent:
    return AccessEvent(
        actor=principal.subject,
        role=principal.role,
        action=action,
        target=session_id,
        source=source,
        session_id=session_id,
        detail=detail or {},
    )


async def record_clinician_action(
    trail: AuditSink,
    request: Request,
    principal: Principal,
    session_id: str,
    action: AccessAction,
    detail: dict[str, Any] | None = None,
) -> None:
    """Takeovers, hand-backs and what a clinician told a patient (redacted) are part of the trail."""
    event = access_event(principal, session_id, request_source(request), action, detail)
    await asyncio.to_thread(trail.record_access, event)


async def checkpoint_values(checkpointer: BaseCheckpointSaver, session_id: str) -> dict[str, Any]:
    saved = await checkpointer.aget_tuple({"configurable": {"thread_id": session_id, "checkpoint_ns": ""}})
    return dict(saved.checkpoint.get("channel_values", {})) if saved else {}


def reveal_turns(values: dict[str, Any], vault_key: bytes | KeyRing) -> list[dict[str, str]]:
    blob = values.get("vault")
    vault = PlaceholderVault.decrypt(blob, vault_key) if blob else None

    def reveal(text: str) -> str:
        if vault is None:
            return text
        return PLACEHOLDER.sub(lambda m: vault.reveal(m.group(0)) or m.group(0), text)

    return [
        {"role": turn["role"], "text": reveal(turn["content"]) if turn["role"] == "user" else turn["content"]}
        for turn in values.get("conversation", [])
    ]


@router.websocket("/ws/clinician")
async def clinician_socket(
    websocket: WebSocket, hub: HubDep, agent: AgentDep, settings: SettingsDep, sockets: OpenSocketsDep
) -> None:
    # The access middleware has let this caller through; asking the same function again (the account state is
    # cached) only matters if the account was revoked in between, and is refused the same way.
    principal, refusal = await socket_principal(websocket.scope, CLINICIAN_ROLES)
    if refusal is not None or principal is None:
        await refuse_staff_socket(
            websocket.scope, websocket.receive, websocket.send, principal, refusal or "unauthenticated", CLINICIAN_ROLES
        )
        return
    await websocket.accept()
    connection = ClinicianConnection(websocket, hub, agent, settings, principal)
    with sockets.track(websocket_notifier(websocket, connection.send)):  # shutdown: reconnect
        await connection.serve()


class ClinicianConnection:
    """Hub events out; consult questions in (one at a time, each streamed back)."""

    def __init__(
        self, websocket: WebSocket, hub: Hub, agent: TriageAgent, settings: Settings, principal: Principal
    ) -> None:
        self.websocket = websocket
        self.hub = hub
        self.agent = agent
        self.settings = settings
        self.principal = principal
        self.consult_threads: dict[str, str] = {}
        self._send_lock = asyncio.Lock()

    async def send(self, frame: Mapping[str, object]) -> None:
        try:
            async with self._send_lock:
                await self.websocket.send_text(json.dumps(frame, separators=(",", ":")))
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise ClientGone() from exc

    async def serve(self) -> None:
        async with self.hub.subscribe() as events:
            await self.send({"type": "snapshot", "sessions": [asdict(s) for s in self.hub.sessions()]})
            relay = asyncio.create_task(self._relay(events))
            watch = asyncio.create_task(self._watch_access())
            try:
                await self._read()
            finally:
                relay.cancel()
                watch.cancel()

    async def _watch_access(self) -> None:
        """Close the socket once the sign-in is revoked (disable, sign-out, new password) or has ended."""
        ends_at = session_ends_at(self.settings, self.principal)
        try:
            # ASYNC110: a periodic check of the account database, not a wait on a flag an Event could signal
            while time.time() < ends_at and await self._admitted():  # noqa: ASYNC110
                await asyncio.sleep(ACCESS_CHECK_S)
            await record_scope_denial(self.websocket.scope, POLICY_VIOLATION, "unauthenticated", self.principal)
            await self.send(
                error_frame("unauthorized", "your sign-in was revoked or has ended; sign in again", closing=True)
            )
            await self.websocket.close(code=POLICY_VIOLATION)
        except (ClientGone, RuntimeError, OSError):
            pass

    async def _admitted(self) -> bool:
        try:
            return await still_admitted(self.settings, self.principal)
        except Exception:  # the account database is down: keep the socket, ask again next time
            log.warning("could not check a staff account; its socket stays open meanwhile", exc_info=True)
            return True

    async def _relay(self, events: AsyncIterator[Delivered]) -> None:
        try:
            async for event in events:
                await self.send(event)
            await self.send(error_frame("lagging", "too far behind; reconnect for a fresh snapshot", closing=True))
            await self.websocket.close(code=4408)
        except ClientGone:
            pass

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.websocket.receive_text()
                await self.handle(raw)
        except (WebSocketDisconnect, RuntimeError, ClientGone):
            pass

    async def handle(self, raw: str) -> None:
        try:
            frame = json.loads(raw)
            if not isinstance(frame, dict) or frame.get("type") != "consult":
                raise ValueError("not a consult frame")
            session_id, text = str(frame["session_id"]), str(frame["text"]).strip()
            if not text or len(text) > 4000:
                raise ValueError("empty or too long")
        except (ValueError, KeyError):
            await self.send(error_frame("invalid_frame", "expected {type: consult, session_id, text}"))
            return
        try:
            record = await self.hub.record(session_id)
        except UnknownSession:
            await self.send(error_frame("unknown_session", "no live session with that id"))
            return
        except HubUnavailable:
            await self.send(error_frame("unavailable", "the live sessions cannot be reached for a moment; ask again"))
            return
        await self.consult(record, text)

    async def consult(self, record: SessionRecord, text: str) -> None:
        """Ask the agent about a case: its own conversation (not the patient's), opened with the redacted case."""
        session_id = record.summary.session_id
        thread = self.consult_threads.get(session_id)
        if thread is None:
            thread = self.consult_threads[session_id] = f"consult:{session_id}:{uuid.uuid4()}"
            text = case_brief(record) + "\n\nQuestion: " + text

        async def emit(frame: dict[str, Any]) -> None:
            await self.send({**frame, "channel": "consult", "session_id": session_id})

        try:
            # Filed under the patient's session, in the name of the clinician who asked; its own thread.
            await self.agent.handle_message(
                session_id, text, emit, audience="clinician", thread_id=thread, actor=self.principal.subject
            )
        except (asyncio.CancelledError, ClientGone):
            raise
        except Exception:
            log.exception("consult failed")
            await self.send(error_frame("internal_error", "the agent could not answer; please try again"))


def case_brief(record: SessionRecord) -> str:
    patient = [e["text"] for e in record.transcript if e["kind"] == "patient" and e["text"]]
    return f"Case: the patient reports: {' / '.join(patient[-CONSULT_HISTORY_TURNS:]) or 'nothing yet'}."
