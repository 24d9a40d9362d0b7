"""`/ws/chat`: the chat protocol of docs/contracts.md over one WebSocket per conversation.

Beyond the protocol's frames, a patient socket also:
- gets a `token` in its `session` frame: a patient token bound to the session, to resume it after a network
  drop with `/ws/chat?session_id=...&resume=<token>` (the `session` frame then says `"resumed": true`);
- publishes what happens (redacted text only) to the live session hub, for the clinician queue;
- receives `{"type": "handoff", "to": "clinician"|"agent"}` when a clinician takes over or hands back, and
  `{"type": "clinician", "message_id", "text", "from": "clinician", "redacted_text"}` for each clinician reply.
  While a clinician is in charge the agent still triages and records every message but answers only
  emergencies, and those turns' `triage` frames say `"clinician_in_charge": true`;
- learns in its `session` frame the emergency number, the longest message and the privacy notice, and records
  the patient's `consent` to that notice in the audit trail (`consent_recorded`);
- is subject to admission control (app/admission.py, issue 20): a message that gets no turn slot within the wait
  is read by the red-flag screen (agents/screen.py); an emergency runs all the same, anything else is refused at
  once with error frame `busy` (`retry_after_s`; its `message_id` names its one audit record, status `error`,
  error `busy`). While admitted turns wait for their `triage` frame, answers streaming wait for them
  before each chunk (app/triage_first.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from agents.runner import ClientGone, TriageAgent
from agents.screen import Screening
from agents.state import Emit
from app.admission import Admission, Ticket
from app.auth import TokenError, issue_token, read_token
from app.deps import AdmissionDep, AgentDep, HubDep, OpenSocketsDep, RedactorDep, SettingsDep, TrailDep
from app.hub import Hub
from app.hub_events import PatientMessage, from_agent_frame
from app.privacy import PrivacyNotice
from app.protocol import LANG_TAG, ConsentFrame, FrameError, MessageFrame, busy_frame, error_frame, parse_client_frame
from app.security.access import client_address, record_scope_denial
from app.settings import Settings
from app.shutdown import SERVICE_RESTART, SHUTDOWN_FRAME, websocket_notifier
from compliance.audit.consent import ConsentGiven, record_consent

router = APIRouter()
log = logging.getLogger(__name__)

_CLOSED = object()
#: One compact encoder for every frame (json.dumps with arguments builds a new encoder per call).
_encode = json.JSONEncoder(separators=(",", ":")).encode
PATIENT_TOKEN_TTL_S = 4 * 3600
#: Fields for clinicians only: a patient gets plain advice, never the conditions and findings the engine considered.
STAFF_ONLY = frozenset({"conditions", "red_flag_labels", "findings"})


def resumable_session(settings: Settings, session_id: str | None, resume: str | None) -> str | None:
    """The session id to continue, when `resume` is a valid patient token bound to it."""
    if not session_id or not resume:
        return None
    for key in settings.token_keyring.keys():  # a token issued before a key rotation still resumes (issue 16)
        try:
            principal = read_token(key, resume)
        except TokenError:
            continue
        return session_id if principal.role == "patient" and principal.session_id == session_id else None
    return None


def session_lang(value: str | None) -> str | None:
    """The socket's `lang` query parameter when it is a language tag (anything else is ignored)."""
    return value if value and re.fullmatch(LANG_TAG, value) else None


class ChatConnection:
    """One socket: a reader task queues frames (and notices disconnects at once); turns run one at a time."""

    def __init__(
        self,
        websocket: WebSocket,
        agent: TriageAgent,
        max_text_chars: int,
        *,
        hub: Hub | None = None,
        session_id: str | None = None,
        token_key: bytes | None = None,
        resume_rejected: bool = False,
        emergency_number: str = "911",
        privacy: PrivacyNotice | None = None,
        emergency_numbers: dict[str, str] | None = None,
        lang: str | None = None,
        trail: Any = None,
        redactor: Any = None,
        admission: Admission | None = None,
    ) -> None:
        self.websocket = websocket
        self.agent = agent
        self.max_text_chars = max_text_chars
        self.hub = hub
        self.resumed = session_id is not None
        self.session_id = session_id or str(uuid.uuid4())
        self.token_key = token_key
        self.resume_rejected = resume_rejected
        self.emergency_number = emergency_number
        self.emergency_numbers = emergency_numbers or {"en": emergency_number}
        self.lang = lang
        """The socket's language hint (`/ws/chat?lang=ja`, the widget's `data-lang`); a frame's own `lang` wins."""
        self.privacy = privacy
        self.trail = trail
        self.redactor = redactor
        self.admission = admission
        """Turn slots shared by the process's sockets; None admits every message at once."""
        self.inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.turn: asyncio.Task | None = None
        """The turn being answered now (cancelled when the client goes)."""
        self.finishing: set[asyncio.Task] = set()
        """Answered turns still waiting for their record before their `done` frame."""
        self.published: set[str] = set()
        """Message ids whose `patient_message` the hub already has."""
        self._send_lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        if self.websocket.application_state is not WebSocketState.CONNECTED:
            raise ClientGone()
        try:
            async with self._send_lock:
                await self.websocket.send_text(_encode(frame))
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise ClientGone() from exc

    async def emit(self, frame: dict[str, Any]) -> None:
        """Agent frames go to the patient, and their redacted essentials to the hub."""
        if self.hub is not None:
            if frame.get("type") == "triage" and frame.get("redacted_text") is not None:
                await self.publish_patient_message(frame["message_id"], frame["redacted_text"])  # before the answer
            if (event := from_agent_frame(self.session_id, frame)) is not None:
                await self.hub.publish(event)
        await self.send(
            {k: v for k, v in frame.items() if k not in STAFF_ONLY} if STAFF_ONLY.intersection(frame) else frame
        )

    async def read(self) -> None:
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("text") is not None:
                    await self.inbox.put(message["text"])
                else:
                    await self.inbox.put(b"")
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            if self.turn is not None and not self.turn.done():
                self.turn.cancel()
            await self.inbox.put(_CLOSED)

    def session_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "session",
            "session_id": self.session_id,
            "emergency_number": self.emergency_number,
            "emergency_numbers": self.emergency_numbers,
            "max_message_chars": self.max_text_chars,
        }
        if self.privacy is not None:
            frame["privacy"] = self.privacy.frame()
        if self.token_key is not None:
            frame["token"] = issue_token(
                self.token_key,
                f"patient:{self.session_id}",
                "patient",
                ttl_s=PATIENT_TOKEN_TTL_S,
                session_id=self.session_id,
            )
            frame["resumed"] = self.resumed
        if self.hub is not None and self.hub.in_charge(self.session_id):
            frame["clinician_in_charge"] = True
        return frame

    async def serve(self) -> None:
        await self.send(self.session_frame())
        if self.resume_rejected:
            await self.send(error_frame("resume_rejected", "that conversation cannot be resumed; this is a new one"))
        if self.hub is None:
            await self._serve_frames()
            return
        async with self.hub.patient_inbox(self.session_id) as deliveries:
            await self.hub.publish({"type": "patient_connected", "session_id": self.session_id})
            forward = asyncio.create_task(self._forward(deliveries))
            try:
                await self._serve_frames()
            finally:
                forward.cancel()
                await self.hub.publish({"type": "patient_disconnected", "session_id": self.session_id})

    async def _serve_frames(self) -> None:
        reader = asyncio.create_task(self.read())
        try:
            while (raw := await self.inbox.get()) is not _CLOSED:
                await self.handle(raw)
        except ClientGone:
            pass
        finally:
            reader.cancel()

    async def _forward(self, deliveries: asyncio.Queue[dict[str, Any]]) -> None:
        """Clinician replies and handoff notices, sent to the patient as they come."""
        try:
            while True:
                frame = await deliveries.get()
                if frame.get("type") == "clinician":
                    frame = await self._with_redacted_copy(frame)
                await self.send(frame)
        except ClientGone:
            pass

    async def _with_redacted_copy(self, frame: dict[str, Any]) -> dict[str, Any]:
        """A clinician's reply with a redacted copy: what the widget may keep on the patient's device."""
        if self.redactor is None:
            return frame
        from compliance.phi import PlaceholderVault

        try:
            redacted = await asyncio.to_thread(lambda: self.redactor.redact(frame["text"], PlaceholderVault()).redacted)
        except Exception:  # the reply goes out all the same, with nothing for the device to keep
            log.exception("could not redact a clinician reply for the patient's device")
            return frame
        return {**frame, "redacted_text": redacted}

    async def consent(self, frame: ConsentFrame) -> None:
        """Record the patient's agreement to the privacy notice it was shown (kind `consent`), then confirm it."""
        if self.privacy is None or self.trail is None or frame.notice != self.privacy.version:
            error = error_frame("notice_changed", "the privacy notice has changed; please read it again")
            if self.privacy is not None:
                error["privacy"] = self.privacy.frame()
            await self.send(error)
            return
        event = ConsentGiven(
            actor=f"patient:{self.session_id}",
            session_id=self.session_id,
            notice_version=self.privacy.version,
            notice_url=self.privacy.url,
            source=client_address(self.websocket.scope),
        )
        try:
            audit_id = await asyncio.to_thread(record_consent, self.trail, event)
        except Exception:
            log.exception("could not record a consent")
            await self.send(error_frame("internal_error", "your agreement could not be recorded; please try again"))
            return
        await self.send({"type": "consent_recorded", "notice": self.privacy.version, "audit_id": audit_id})

    async def _emit_in_charge(self, frame: dict[str, Any]) -> None:
        """While a clinician is in charge the patient's `triage` frame says so: no automatic answer follows it
        unless it is an emergency."""
        await self.emit({**frame, "clinician_in_charge": True} if frame.get("type") == "triage" else frame)

    async def handle(self, raw: str | bytes) -> None:
        if isinstance(raw, bytes):
            await self.send(error_frame("binary_frame", "binary frames are not supported; send JSON text frames"))
            return
        try:
            frame = parse_client_frame(raw, max_text_chars=self.max_text_chars)
        except FrameError as exc:
            await self.send(error_frame(exc.code, exc.detail))
            return
        if isinstance(frame, ConsentFrame):
            await self.consent(frame)
            return
        if self.admission is None:
            await self._run_turn(frame, None)
            return
        admitted = await self._admit(frame)
        if admitted is not None:
            ticket, screened = admitted
            with ticket:
                await self._run_turn(frame, ticket, screened)

    async def _admit(self, frame: MessageFrame) -> tuple[Ticket, Screening | None] | None:
        """A turn slot for the message; without one in time, the red-flag screen: an emergency is admitted over the
        bound (with the screen's reading, which its turn keeps), anything else refused with `busy` (and recorded).
        None when refused. Streaming yields to the screen and the refusal as it does to a triage frame: the patient
        hears at once either way."""
        admission = self.admission
        assert admission is not None  # noqa: S101 - handle() checked
        ticket = await admission.admit()
        if ticket is not None:
            return ticket, None
        admission.triage_first.begin()
        try:
            return await self._screen_or_refuse(frame, admission)
        finally:
            admission.triage_first.end()

    async def _screen_or_refuse(
        self, frame: MessageFrame, admission: Admission
    ) -> tuple[Ticket, Screening | None] | None:
        try:
            screening = await self.agent.screen(
                self.session_id, frame.text, client_msg_id=frame.client_msg_id, lang=frame.lang or self.lang
            )
        except Exception:  # a screen that cannot tell must not refuse what may be an emergency
            log.exception("red-flag screen failed: message admitted over the bound")
            return admission.admit_over_bound(), None
        if screening.repeats_emergency:
            admission.repeat_emergency()
            await self._repeat_emergency(screening, f"{_no_slot(admission)}; {REPEATED}")
            return None
        if screening.is_emergency:
            return admission.admit_over_bound(), screening
        retry_after_s = admission.refuse()
        reason = f"{_no_slot(admission)}; screened: {screening.assessment.level.value}"
        try:
            await self.agent.refuse(screening, reason)
        except Exception:  # the patient still hears it was refused; the log says the record failed
            log.exception("could not record a busy refusal", extra={"message_id": screening.trace.message_id})
        await self.send(
            busy_frame(retry_after_s, message_id=screening.trace.message_id, client_msg_id=frame.client_msg_id)
        )
        return None

    async def _repeat_emergency(self, screening: Screening, reason: str) -> None:
        """A follow-up to the emergency this conversation was told of, answered from the screen with the fixed
        script (agents/runner.py `repeat_emergency`): no turn slot, no model, nothing saved."""
        in_charge = self.hub is not None and self.hub.in_charge(self.session_id) is not None
        try:
            await self.agent.repeat_emergency(screening, reason, self._emit_in_charge if in_charge else self.emit)
        except ClientGone:
            raise
        except Exception:  # noqa: BLE001 - the runner logged it and recorded the message as an error
            await self.send(error_frame("internal_error", "the message could not be processed; please try again"))

    async def _run_turn(self, frame: MessageFrame, ticket: Ticket | None, screened: Screening | None = None) -> None:
        in_charge = self.hub is not None and self.hub.in_charge(self.session_id) is not None
        emit: Emit = self._emit_in_charge if in_charge else self.emit
        if ticket is not None:
            emit = _marking_triaged(emit, ticket)
        answered = asyncio.Event()
        turn = asyncio.create_task(
            self.agent.handle_message(
                self.session_id,
                frame.text,
                emit,
                client_msg_id=frame.client_msg_id,
                clinician_in_charge=in_charge,
                on_answered=lambda _trace: answered.set(),
                lang=frame.lang or self.lang,
                pace=self.admission.triage_first.yield_to_triage if self.admission is not None else None,
                screened=screened,
            )
        )
        self.turn = turn
        waiter = asyncio.create_task(answered.wait())
        try:
            await asyncio.wait((turn, waiter), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            turn.cancel()
            raise
        finally:
            waiter.cancel()
            self.turn = None
        if turn.done():
            await self._finish(turn)
            return
        # Answered and saved; its record (and then its `done` frame) may still wait for the audit database: the
        # conversation's next message goes ahead meanwhile (issue 16). The record is written whatever happens.
        finishing = asyncio.create_task(self._finish_quietly(turn))
        self.finishing.add(finishing)
        finishing.add_done_callback(self.finishing.discard)

    async def _finish(self, turn: asyncio.Task) -> None:
        try:
            trace = await turn
        except (asyncio.CancelledError, ClientGone):
            raise ClientGone() from None
        except Exception:
            log.exception("turn failed")
            await self.send(error_frame("internal_error", "the message could not be processed; please try again"))
        else:
            if self.hub is not None and trace.message_id not in self.published:
                await self.publish_patient_message(trace.message_id, trace.message.redacted_text)

    async def publish_patient_message(self, message_id: str, redacted_text: str) -> None:
        """The patient's words (redacted) reach the clinician queue when they arrive, while the answer streams."""
        self.published.add(message_id)
        await self.hub.publish(  # type: ignore[union-attr]
            PatientMessage(
                type="patient_message", session_id=self.session_id, message_id=message_id, text=redacted_text
            )
        )

    async def _finish_quietly(self, turn: asyncio.Task) -> None:
        with contextlib.suppress(ClientGone):
            await self._finish(turn)


#: The reason recorded for an emergency follow-up answered from the admission screen.
REPEATED = (
    "a follow-up to the emergency this conversation was already told of, with no new reason: the fixed script again,"
    " from the screen (no model; not saved in the conversation)"
)


def _no_slot(admission: Admission) -> str:
    state = admission.state()
    return (
        f"no turn slot within {admission.wait_s * 1000:g} ms ({state.active_turns} active, limit "
        f"{state.turn_limit} of {state.max_active_turns}, {state.waiting} waiting)"
    )


def _marking_triaged(emit: Emit, ticket: Ticket) -> Emit:
    """`emit` that tells the turn's ticket once its `triage` frame is out (streaming then stops yielding to it)."""

    async def marked(frame: dict[str, Any]) -> None:
        await emit(frame)
        if frame.get("type") == "triage":
            ticket.triaged()

    return marked


@router.websocket("/ws/chat")
async def chat(
    websocket: WebSocket,
    agent: AgentDep,
    settings: SettingsDep,
    hub: HubDep,
    trail: TrailDep,
    redactor: RedactorDep,
    admission: AdmissionDep,
    sockets: OpenSocketsDep,
) -> None:
    await websocket.accept()
    if sockets.closing:  # this replica is stopping: go to another one (app/shutdown.py)
        await websocket.send_text(json.dumps(SHUTDOWN_FRAME))
        await websocket.close(code=SERVICE_RESTART)
        return
    params = websocket.query_params
    resumed = resumable_session(settings, params.get("session_id"), params.get("resume"))
    connection = ChatConnection(
        websocket,
        agent,
        settings.max_message_chars,
        hub=hub,
        session_id=resumed,
        token_key=settings.token_key_bytes,
        resume_rejected=bool(params.get("resume")) and resumed is None,
        emergency_number=settings.emergency_number,
        privacy=PrivacyNotice.of(settings, session_lang(params.get("lang"))),
        emergency_numbers={"en": settings.emergency_number, "ja": settings.emergency_number_ja},
        lang=session_lang(params.get("lang")),
        trail=trail,
        redactor=redactor,
        admission=admission,
    )
    if connection.resume_rejected:  # someone else's (or a stale) session: an audited denial (issue 8)
        await record_scope_denial(
            websocket.scope, 1008, "resume_rejected", session_id=params.get("session_id", "")[:64]
        )
    with sockets.track(websocket_notifier(websocket, connection.send)):
        await connection.serve()
