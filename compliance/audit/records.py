"""One user message's turn, as the audit trail records it: the one declaration of a turn.

`TurnRecord` is the envelope (session, message, the staff account that asked) and one typed section per concern
(sections.py). Storage keeps `sections()`; the exports and the views derive from the same sections: `flat()` is
every section field under one name, for tables and spreadsheets. Redacted text only: never raw PHI.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from compliance.audit.sections import Assessment, MessageReceived, Response, Routing, TurnError

SECTION_NAMES = ("message", "assessment", "routing", "response", "error")
SECTIONS: dict[str, type[BaseModel]] = {
    "message": MessageReceived,
    "assessment": Assessment,
    "routing": Routing,
    "response": Response,
    "error": TurnError,
}
#: Section fields whose flat name is not their own (a flat name is unique across the sections; the flat view's
#: names came first and tables, tests and saved spreadsheets use them).
FLAT_NAMES = {("routing", "reason"): "route_reason", ("error", "error_type"): "error"}


class TurnRecord(BaseModel):
    session_id: str
    message_id: str
    actor: str | None = None
    """The staff account that asked (a clinician's consult about a patient's session); None for a patient."""
    message: MessageReceived
    assessment: Assessment = Field(default_factory=Assessment)
    routing: Routing = Field(default_factory=Routing)
    response: Response = Field(default_factory=Response)
    error: TurnError | None = None
    """Why the turn did not complete; None when it did."""

    @property
    def level(self) -> str | None:
        return self.assessment.level

    @property
    def urgency(self) -> str | None:
        return self.assessment.urgency

    @property
    def status(self) -> str:
        return self.response.status

    def sections(self) -> dict[str, Any]:
        """The record as stored: one typed section per concern, JSON-ready."""
        return self.model_dump(mode="json", include=set(SECTION_NAMES))

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> TurnRecord:
        """Back from a stored turn entry's content (the envelope and the sections) to the record."""
        keys = ("session_id", "message_id", "actor", *SECTION_NAMES)
        return cls.model_validate({key: content[key] for key in keys if key in content})

    def flat(self) -> dict[str, Any]:
        """Every field of the record under one name: the envelope, then each section's fields."""
        flat: dict[str, Any] = {"session_id": self.session_id, "message_id": self.message_id, "actor": self.actor}
        for section in SECTION_NAMES:
            values = getattr(self, section)
            dumped = values.model_dump(mode="json") if values is not None else {}
            for name in SECTIONS[section].model_fields:
                flat.setdefault(FLAT_NAMES.get((section, name), name), dumped.get(name))
        if self.error is not None and self.error.error_type == self.error.status:
            flat["error"] = None  # a timeout's cause is its status: the flat view names extra causes only
        return flat

    @classmethod
    def from_flat(cls, values: dict[str, Any]) -> TurnRecord:
        """A record from its flat view (`flat()`'s names): test fixtures, and the spool's markers written before
        the record kept its sections."""
        sections: dict[str, Any] = {}
        for section in SECTION_NAMES:
            fields = {
                name: values[flat]
                for name in SECTIONS[section].model_fields
                if (flat := FLAT_NAMES.get((section, name), name)) in values and values[flat] is not None
            }
            sections[section] = fields
        status = values.get("status", "complete")
        sections["error"] = TurnError.of(status, values.get("error"))
        sections["routing"] = Routing.of(
            route=values.get("route"), reason=values.get("route_reason"), attempts=values.get("engines_tried") or []
        )
        return cls(
            session_id=values["session_id"], message_id=values["message_id"], actor=values.get("actor"), **sections
        )


def flat_turn(content: dict[str, Any]) -> dict[str, Any]:
    """A stored turn entry as one flat dict: the envelope (audit_id, kind, recorded_at, ...) plus every section field."""
    flat = {key: value for key, value in content.items() if key not in SECTION_NAMES}
    flat.update(TurnRecord.from_content(content).flat())
    return flat
