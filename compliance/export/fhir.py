"""A FHIR R4 Bundle (type `collection`) of AuditEvent resources, one per audit entry, written as a stream.

Each AuditEvent: `type` (DICOM audit event code), `subtype` (our entry kind), `action`, `recorded`, `outcome`,
`agent` (who asked, `requestor` true; for a turn also the triage service), `source.observer` (this service),
`entity` (the session, the message with its decision, and the audit record with its chain MACs).
Decisions only: message text stays out of the FHIR form (CSV and JSONL carry the redacted text).
Checked against the `fhir.resources` R4B models (AuditEvent did not change between R4 and R4B).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from compliance.audit import StoredEntry, TurnRecord
from compliance.audit.chain import timestamp
from compliance.audit.fastjson import dumps

BASE = "urn:triage"
KIND_SYSTEM = f"{BASE}:audit-kind"
SESSION_SYSTEM = f"{BASE}:session"
MESSAGE_SYSTEM = f"{BASE}:message"
AUDIT_SYSTEM = f"{BASE}:audit-entry"
USER_SYSTEM = f"{BASE}:user"
TARGET_SYSTEM = f"{BASE}:target"
ENGINE_SYSTEM = f"{BASE}:engine"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
ROLE_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
CHUNK = 200

PATIENT_RECORD = {"system": DCM, "code": "110110", "display": "Patient Record"}
EXPORT = {"system": DCM, "code": "110106", "display": "Export"}
APPLICATION = {"system": DCM, "code": "110100", "display": "Application Activity"}
SYSTEM_OBJECT = {"system": ENTITY_TYPE, "code": "2", "display": "System Object"}
OUTCOME = {"complete": "0", "interrupted": "4", "timeout": "8", "error": "8"}
SOURCE = {
    "site": "triage",
    "observer": {"display": "triage service", "identifier": {"system": f"{BASE}:service", "value": "triage"}},
    "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
}
#: FHIR's AuditEvent.action for an access event: reads are "R".
ACCESS_ACTION_CODE = {
    "purge": "D",
    "account_create": "C",
    "account_disable": "U",
    "account_enable": "U",
    "account_password": "U",
    "account_role": "U",
}
# System-initiated events (errors, checkpoints): the service is the requestor.
SERVICE_AGENT = {"who": {"display": "triage service"}, "requestor": True}


def audit_event(entry: StoredEntry) -> dict[str, Any]:
    content = entry.content
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": entry.audit_id,
        "subtype": [{"system": KIND_SYSTEM, "code": entry.kind}],
        "recorded": timestamp(entry.recorded_at),
        "source": SOURCE,
    }
    build = {
        "turn": _turn,
        "access": _access,
        "export": _access,
        "error": _error,
        "access_denied": _denied,
        "checkpoint": _checkpoint,
    }.get(entry.kind, _other)
    event.update(build(entry, content))
    event["entity"] = [*event.get("entity", ()), _record_entity(entry)]
    return event


def _turn(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    turn = TurnRecord.from_content(content)
    status = turn.response.status
    decision = {
        "level": turn.assessment.level,
        "urgency": turn.assessment.urgency,
        "red_flags": ";".join(turn.assessment.red_flags) or None,
        "protocol_version": turn.assessment.protocol_version,
        "route": turn.routing.route,
        "engine": turn.routing.engine,
        "model": turn.routing.model,
        "failovers": turn.routing.failovers,
        "status": status,
        "token_count": turn.response.token_count,
        "redactions": ",".join(f"{k}={v}" for k, v in sorted(turn.message.redaction_counts.items())),
    }
    engine = turn.routing.engine or "none"
    asker = (  # a consult: the clinician who asked about the patient's session
        {
            "who": {"identifier": {"system": USER_SYSTEM, "value": entry.actor}, "display": entry.actor},
            "requestor": True,
        }
        if entry.actor
        else {
            "type": {"coding": [{"system": ROLE_CLASS, "code": "PAT", "display": "patient"}]},
            "who": {"identifier": {"system": SESSION_SYSTEM, "value": entry.session_id}},
            "requestor": True,
        }
    )
    return {
        "type": PATIENT_RECORD,
        "action": "C",
        "outcome": OUTCOME.get(status, "8"),
        "outcomeDesc": status,
        "agent": [
            asker,
            {
                "who": {"display": "triage service", "identifier": {"system": ENGINE_SYSTEM, "value": engine}},
                "requestor": False,
            },
        ],
        "entity": [
            _entity(SESSION_SYSTEM, entry.session_id),
            _entity(MESSAGE_SYSTEM, entry.message_id, decision),
        ],
    }


def _access(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    access = content["access"]
    agent: dict[str, Any] = {
        "who": {"identifier": {"system": USER_SYSTEM, "value": access["actor"]}, "display": access["actor"]},
        "role": [{"text": access["role"]}],
        "requestor": True,
    }
    if access.get("source"):
        agent["network"] = {"address": access["source"], "type": "2" if _is_ip(access["source"]) else "1"}
    entities = [_entity(TARGET_SYSTEM, access["target"], {"action": access["action"], **(access.get("detail") or {})})]
    if entry.session_id:
        entities.insert(0, _entity(SESSION_SYSTEM, entry.session_id))
    return {
        "type": EXPORT
        if access["action"] == "export"
        else (PATIENT_RECORD if access["action"] in ("view", "list", "reidentify") else APPLICATION),
        "action": ACCESS_ACTION_CODE.get(access["action"], "R"),
        "outcome": "0",
        "agent": [agent],
        "entity": entities,
    }


def _error(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    error = content["error_event"]
    entities = [_entity(SESSION_SYSTEM, entry.session_id)] if entry.session_id else []
    if entry.message_id:
        entities.append(_entity(MESSAGE_SYSTEM, entry.message_id))
    return {
        "type": APPLICATION,
        "action": "E",
        "outcome": "8",
        "outcomeDesc": f"{error['where']}: {error['error_type']}",
        "agent": [SERVICE_AGENT],
        "entity": entities,
    }


def _denied(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    denied = content["access_denied"]
    agent: dict[str, Any] = {
        "who": {"identifier": {"system": USER_SYSTEM, "value": denied["actor"]}, "display": denied["actor"]},
        "requestor": True,
    }
    if denied.get("role"):
        agent["role"] = [{"text": denied["role"]}]
    if denied.get("source"):
        agent["network"] = {"address": denied["source"], "type": "2" if _is_ip(denied["source"]) else "1"}
    detail = {
        "channel": denied.get("channel"),
        "method": denied.get("method"),
        "status": denied.get("status"),
        "reason": denied.get("reason"),
    }
    return {
        "type": PATIENT_RECORD if entry.session_id else APPLICATION,
        "action": "R",
        "outcome": "4",
        "outcomeDesc": f"refused: {denied.get('reason')}",
        "agent": [agent],
        "entity": [_entity(TARGET_SYSTEM, denied.get("target"), detail)],
    }


def _other(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    """A kind this exporter does not know yet: still one valid AuditEvent, naming the kind in `subtype`."""
    return {"type": APPLICATION, "action": "E", "outcome": "0", "agent": [SERVICE_AGENT]}


def _checkpoint(entry: StoredEntry, content: dict[str, Any]) -> dict[str, Any]:
    body = content.get("checkpoint") or {}
    detail = {
        "through_seq": body.get("through_seq"),
        "reason": body.get("reason"),
        "key_id": body.get("key_id"),
        "signature": body.get("signature"),
    }
    return {
        "type": APPLICATION,
        "action": "E",
        "outcome": "0",
        "agent": [SERVICE_AGENT],
        "entity": [_entity(AUDIT_SYSTEM, f"checkpoint:{body.get('through_seq')}", detail)],
    }


def _record_entity(entry: StoredEntry) -> dict[str, Any]:
    return _entity(AUDIT_SYSTEM, entry.audit_id, {"seq": entry.seq, "prev_mac": entry.prev_mac, "mac": entry.mac})


def _entity(system: str, value: str | None, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "what": {"identifier": {"system": system, "value": value or "unknown"}},
        "type": SYSTEM_OBJECT,
    }
    pairs = [{"type": name, "valueString": str(v)} for name, v in (detail or {}).items() if v not in (None, "")]
    if pairs:
        entity["detail"] = pairs
    return entity


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def write(entries: Iterable[StoredEntry]) -> Iterator[str]:
    header = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": timestamp(datetime.now(UTC)),
    }
    yield dumps(header)[:-1] + ',"entry":['
    buffer: list[str] = []
    first = True
    for entry in entries:
        resource = dumps(audit_event(entry))
        buffer.append(("" if first else ",") + f'{{"fullUrl":"urn:uuid:{entry.audit_id}","resource":{resource}}}')
        first = False
        if len(buffer) >= CHUNK:
            yield "".join(buffer)
            buffer.clear()
    buffer.append("]}")
    yield "".join(buffer)
