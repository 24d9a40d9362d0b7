"""WebSocket chat frames (docs/contracts.md): typed, validated at the boundary."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

CLIENT_MSG_ID = r"^[A-Za-z0-9_-]{1,128}$"
LANG_TAG = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$"
"""A language tag (BCP 47 shape: ja, en-GB, ja-JP): a hint for the message's language, never free text."""
NOTICE_VERSION = r"^[A-Za-z0-9_-]{1,64}$"


class MessageFrame(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["message"]
    text: Annotated[str, StringConstraints(strip_whitespace=False, min_length=1)]
    client_msg_id: Annotated[str, StringConstraints(pattern=CLIENT_MSG_ID)] | None = None
    """The client's own id for the message, stored in the audit trail: letters, digits, `_` and `-` only (1-128),
    so that it can never carry free text (or PHI) into the trail."""
    lang: Annotated[str, StringConstraints(pattern=LANG_TAG)] | None = None
    """The client's language for the message (the widget's `data-lang`): a hint; the server detects the language
    and a supported hint (`en`, `ja`) wins (compliance/language.py)."""


class ConsentFrame(BaseModel):
    """The patient agreed to the privacy notice of the `session` frame (`notice`: its version); recorded in the
    audit trail (kind `consent`) and answered with `consent_recorded`."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["consent"]
    notice: Annotated[str, StringConstraints(pattern=NOTICE_VERSION)]


ClientFrame = Annotated[MessageFrame | ConsentFrame, Field(discriminator="type")]
_client_frame = TypeAdapter(ClientFrame)


class FrameError(Exception):
    """A client frame we cannot act on; `code` is stable for clients to switch on."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def parse_client_frame(raw: str, *, max_text_chars: int) -> MessageFrame | ConsentFrame:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise FrameError("invalid_json", "frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise FrameError("invalid_frame", "frame must be a JSON object")
    kind = data.get("type")
    if kind == "consent":
        return _consent(data)
    if kind != "message":
        raise FrameError("unknown_type", f"unknown frame type {str(kind)[:40]!r}; expected 'message' or 'consent'")
    text = data.get("text")
    if not isinstance(text, str):
        raise FrameError("invalid_frame", "'text' must be a string")
    if not text.strip():
        raise FrameError("empty_text", "'text' must not be empty")
    if len(text) > max_text_chars:
        raise FrameError("text_too_long", f"'text' exceeds {max_text_chars} characters")
    try:
        return _client_frame.validate_python(data)
    except ValidationError as exc:
        raise FrameError("invalid_frame", exc.errors()[0]["msg"]) from None


def _consent(data: dict) -> ConsentFrame:
    try:
        return ConsentFrame.model_validate(data)
    except ValidationError:
        raise FrameError(
            "invalid_frame", "'notice' must be the privacy notice's version from the session frame"
        ) from None


def error_frame(code: str, detail: str, *, closing: bool = False) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if closing:
        frame["closing"] = True
    return frame


def busy_frame(retry_after_s: float, *, message_id: str, client_msg_id: str | None) -> dict[str, Any]:
    """A message the service could not start in time (app/admission.py): send it again after `retry_after_s`.
    It was not answered and is not part of the conversation; its one audit record (under `message_id`) says it was
    refused."""
    return {
        **error_frame("busy", "the service is too busy to start this message now; send it again shortly"),
        "retry_after_s": retry_after_s,
        "message_id": message_id,
        "client_msg_id": client_msg_id,
    }
