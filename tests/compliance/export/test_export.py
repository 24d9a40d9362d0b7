"""Exports: CSV, JSONL and a FHIR R4 Bundle of AuditEvent (checked against fhir.resources), filtered, streamed,
and each one recorded in the trail before its first byte."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle

from compliance.audit import AccessEvent, EntryFilter, ErrorEvent, InvalidFilter
from compliance.export import UnknownFormat, export_stream, media_type
from tests.compliance.conftest import turn

OFFICER = AccessEvent(actor="olga", role="compliance", action="export", target="audit_trail", source="10.1.2.3")


@pytest.fixture
def filled(trail, clock):
    trail.record_turn(turn("s-em", 0, urgency="em", level="emergency_ambulance"))
    trail.record_turn(turn("s-ne", 0, status="interrupted", redacted_text="=HYPERLINK(<URL_1>)"))
    trail.record_access(
        AccessEvent(
            actor="carol", role="clinician", action="reidentify", target="s-ne", source="192.168.1.9", session_id="s-ne"
        )
    )
    trail.record_error(ErrorEvent(where="ws.chat", error_type="FrameError", session_id="s-ne"))
    clock.now += timedelta(hours=1)
    trail.record_turn(turn("s-sc", 0, urgency="sc", level="self_care", status="error", error="EngineError"))
    return trail


def export_text(trail, fmt: str, **filters) -> str:
    _, chunks = export_stream(trail, fmt, EntryFilter(**filters), OFFICER)
    return "".join(chunks)


def test_fhir_bundle_validates_and_carries_the_required_elements(filled):
    text = export_text(filled, "fhir", kinds=("turn", "access", "error"))
    bundle = Bundle.model_validate_json(text)
    assert bundle.type == "collection" and len(bundle.entry) == 5
    raw = json.loads(text)
    events = [AuditEvent.model_validate(e["resource"]) for e in raw["entry"]]
    for event, entry in zip(events, raw["entry"], strict=True):
        assert entry["fullUrl"] == f"urn:uuid:{event.id}"
        assert event.type.code and event.recorded and event.outcome
        assert any(agent.requestor for agent in event.agent)
        assert event.source.observer.display == "triage service"
    first = events[0]
    assert first.outcome == "0" and first.action == "C"
    systems = {e.what.identifier.system: e for e in first.entity}
    assert systems["urn:triage:session"].what.identifier.value == "s-em"
    message = systems["urn:triage:message"]
    details = {d.type: d.valueString for d in message.detail}
    assert details["urgency"] == "em" and details["level"] == "emergency_ambulance"
    assert "urn:triage:audit-entry" in systems
    assert events[1].outcome == "4"  # interrupted
    access = events[2]
    assert access.agent[0].who.identifier.value == "carol" and access.agent[0].network.address == "192.168.1.9"
    assert events[3].outcome == "8" and events[4].outcome == "8"
    assert "HYPERLINK" not in text, "message text stays out of the FHIR form"


def test_csv_has_one_row_per_entry_and_defuses_formulas(filled):
    rows = list(csv.DictReader(io.StringIO(export_text(filled, "csv"))))
    assert [r["kind"] for r in rows] == ["turn", "turn", "access", "error", "turn", "export"]
    assert rows[0]["urgency"] == "em" and rows[0]["red_flags"] == "rf.sample"
    assert rows[1]["redacted_text"] == "'=HYPERLINK(<URL_1>)"
    assert rows[2]["action"] == "reidentify" and rows[2]["actor"] == "carol"
    assert rows[4]["error"] == "EngineError"
    stored = list(filled.entries())
    assert [r["mac"] for r in rows] == [e.mac for e in stored], "every row carries its entry's MAC"
    assert [r["seq"] for r in rows] == [str(e.seq) for e in stored]
    assert rows[0]["failovers"] == "1" and rows[0]["engine"] == "local" and rows[0]["status"] == "complete"


def test_jsonl_lines_hold_the_stored_content_and_chain_fields(filled):
    lines = [json.loads(line) for line in export_text(filled, "jsonl").splitlines()]
    stored = list(filled.entries())
    assert [line["audit_id"] for line in lines] == [e.audit_id for e in stored]
    assert lines[0]["content"] == stored[0].content
    assert lines[1]["prev_mac"] == lines[0]["mac"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "fhir"])
def test_filters_by_session_urgency_and_time(filled, clock, fmt):
    def sessions(**filters):
        text = export_text(filled, fmt, kinds=("turn",), **filters)
        if fmt == "csv":
            return [r["session_id"] for r in csv.DictReader(io.StringIO(text))]
        if fmt == "jsonl":
            return [json.loads(line)["session_id"] for line in text.splitlines()]
        return [
            next(
                e["what"]["identifier"]["value"]
                for e in item["resource"]["entity"]
                if e["what"]["identifier"]["system"] == "urn:triage:session"
            )
            for item in json.loads(text)["entry"]
        ]

    assert sessions(session_id="s-ne") == ["s-ne"]
    assert sessions(urgency="em") == ["s-em"]
    assert sessions(since=clock.now - timedelta(minutes=1)) == ["s-sc"]
    assert sessions(until=clock.now - timedelta(minutes=1)) == ["s-em", "s-ne"]


def test_every_export_is_itself_recorded_before_its_content(filled):
    audit_id, chunks = export_stream(filled, "jsonl", EntryFilter(urgency="em"), OFFICER)
    recorded = filled.get(audit_id)
    assert recorded.kind == "export" and recorded.actor == "olga"
    detail = recorded.content["access"]["detail"]
    assert detail["format"] == "jsonl" and detail["urgency"] == "em"
    list(chunks)
    assert filled.verify().ok


def test_bad_format_and_range_are_refused(filled):
    before = filled.count()
    with pytest.raises(UnknownFormat, match="xml"):
        export_stream(filled, "xml", EntryFilter(), OFFICER)
    with pytest.raises(InvalidFilter, match="inverted"):
        EntryFilter.parse(since="2026-03-01", until="2026-02-01")
    assert filled.count() == before, "a refused export records nothing"


def test_large_exports_stream_in_many_chunks(trail):
    for n in range(1200):
        trail.record_turn(turn("bulk", n))
    for fmt in ("csv", "jsonl", "fhir"):
        _, chunks = export_stream(trail, fmt, EntryFilter(kinds=("turn",)), OFFICER)
        pieces = list(chunks)
        assert len(pieces) >= 3, fmt
        assert max(len(p) for p in pieces) < len("".join(pieces)) / 2
    assert media_type("fhir") == "application/fhir+json"


def test_refused_access_and_unknown_kinds_still_export_as_valid_audit_events(trail):
    from compliance.audit.denials import AccessDenied, record_denial

    record_denial(
        trail,
        AccessDenied(
            actor="anonymous",
            channel="http",
            method="GET",
            target="/api/audit/export",
            status=401,
            reason="unauthenticated",
            source="203.0.113.5",
        ),
    )
    trail.append("future_kind", {"future_kind": {"x": 1}})
    raw = json.loads(export_text(trail, "fhir"))
    events = [AuditEvent.model_validate(e["resource"]) for e in raw["entry"]]
    assert [e.subtype[0].code for e in events[:2]] == ["access_denied", "future_kind"]
    assert events[0].outcome == "4" and events[0].agent[0].network.address == "203.0.113.5"
    rows = list(csv.DictReader(io.StringIO(export_text(trail, "csv", kinds=("access_denied",)))))
    assert rows[0]["target"] == "/api/audit/export"
