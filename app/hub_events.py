"""The live hub's events, declared once: what a conversation publishes, what subscribers receive, and a transcript.

Every event has `type` (its tag) and `session_id`; `publish` stamps `at` (UTC, ISO 8601) when it is missing, and a
backend that carries events between processes (app/hub_workers.py, app/hub_redis.py) adds `origin`, the worker or
replica that published it. Payloads hold redacted text only. Events cross processes as JSON: a receiver trusts
its own service's peers (the worker link is local, Redis payloads come from replicas holding the same keys), so
they are typed, not re-validated, on arrival.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class _Event(TypedDict):
    session_id: str
    at: NotRequired[str]
    origin: NotRequired[str]


class PatientConnected(_Event):
    type: Literal["patient_connected"]


class PatientDisconnected(_Event):
    type: Literal["patient_disconnected"]
    holder: NotRequired[str]
    """The worker or replica whose socket closed: a later socket elsewhere keeps the patient connected."""


class PatientMessage(_Event):
    type: Literal["patient_message"]
    message_id: str
    text: str


class TriageDecided(_Event):
    type: Literal["triage"]
    message_id: str
    level: str | None
    urgency: str | None
    red_flags: list[str]
    rationale: str | None
    needs_clinician: bool
    conditions: list[dict[str, Any]]
    red_flag_labels: list[dict[str, Any]]
    findings: list[dict[str, Any]]


class TokenStreamed(_Event):
    type: Literal["token"]
    message_id: str
    text: str


class AnswerDone(_Event):
    type: Literal["done"]
    message_id: str
    engine: str | None
    audit_id: str | None
    text: NotRequired[str]
    """The whole answer, where a backend carries it (a process that missed tokens still shows it)."""


class ClinicianMessage(_Event):
    type: Literal["clinician_message"]
    message_id: str
    text: str
    clinician: str


class TakenOver(_Event):
    type: Literal["takeover"]
    clinician: str


class Released(_Event):
    type: Literal["release"]
    clinician: str


class Assigned(_Event):
    type: Literal["assign"]
    clinician: str
    by: str | None


class Unassigned(_Event):
    type: Literal["unassign"]
    by: str | None


class Resolved(_Event):
    type: Literal["resolve"]
    by: str | None


class Reopened(_Event):
    type: Literal["reopen"]
    by: str | None


HubEvent = (
    PatientConnected
    | PatientDisconnected
    | PatientMessage
    | TriageDecided
    | TokenStreamed
    | AnswerDone
    | ClinicianMessage
    | TakenOver
    | Released
    | Assigned
    | Unassigned
    | Resolved
    | Reopened
)


class SessionChanged(TypedDict):
    """Sent to subscribers after an event that changed a session's summary (`session`: the summary's fields)."""

    type: Literal["session"]
    session_id: str
    session: dict[str, Any]


#: What a subscriber (a clinician's socket) receives.
Delivered = HubEvent | SessionChanged
#: A frame of the patient protocol handed to a patient's socket (docs/protocol.md), e.g. a clinician's reply.
PatientFrame = dict[str, Any]


class TranscriptEntry(TypedDict, total=False):
    """One side of a turn in a session's transcript: `patient`, `assistant` or `clinician`."""

    kind: str
    message_id: str
    text: str
    at: str
    clinician: str | None
    triage: dict[str, Any]
    engine: str | None
    audit_id: str | None
    done: bool


def from_agent_frame(session_id: str, frame: dict[str, Any]) -> HubEvent | None:
    """The hub event of an agent frame the clinician queue sees (triage, token, done), or None for the others.

    Never raw text: tokens are guarded output, and a triage frame's own patient text is published separately."""
    kind = frame.get("type")
    if kind == "triage":
        return TriageDecided(
            type="triage",
            session_id=session_id,
            message_id=frame["message_id"],
            level=frame.get("level"),
            urgency=frame.get("urgency"),
            red_flags=frame.get("red_flags") or [],
            rationale=frame.get("rationale"),
            needs_clinician=bool(frame.get("needs_clinician")),
            conditions=frame.get("conditions") or [],
            red_flag_labels=frame.get("red_flag_labels") or [],
            findings=frame.get("findings") or [],
        )
    if kind == "token":
        return TokenStreamed(type="token", session_id=session_id, message_id=frame["message_id"], text=frame["text"])
    if kind == "done":
        return AnswerDone(
            type="done",
            session_id=session_id,
            message_id=frame["message_id"],
            engine=frame.get("engine"),
            audit_id=frame.get("audit_id"),
        )
    return None
