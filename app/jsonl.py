"""JSON Lines in and out for the CLI: typed input lines, clear errors naming the line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import TextIO, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

In = TypeVar("In", bound=BaseModel)


class TextLine(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str


class AssessLine(TextLine):
    age: float | None = None
    sex: str | None = None
    lang: str | None = None
    """A language hint (`en`, `ja`): a supported one wins over detection (compliance/language.py)."""

    @field_validator("age")
    @classmethod
    def _plausible_age(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= 130:
            raise ValueError("age must be between 0 and 130 years")
        return value


#: Characters that JSON leaves raw but that Python's str.splitlines (and other readers) take as line breaks.
_LINE_BREAKS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _one_line(encoded: str) -> str:
    """One JSON Lines record is one line for every reader: escape the Unicode line breaks JSON allows raw."""
    return encoded.translate(_LINE_BREAKS)


def process_lines(
    lines: Iterable[str],
    model: type[In],
    handle: Callable[[In], dict],
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Each good line gets one output line; each bad line one stderr message. Exit status 1 if any line was bad."""
    status = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            item = model.model_validate(data)
        except (ValueError, ValidationError) as exc:
            reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            if isinstance(exc, ValidationError):
                loc = ".".join(str(p) for p in exc.errors()[0]["loc"])
                reason = f"{loc}: {reason}" if loc else reason
            print(f"line {number}: {reason}", file=err)
            status = 1
            continue
        result = handle(item)
        out.write(_one_line(json.dumps({**data, **result}, ensure_ascii=False)) + "\n")
        out.flush()
    return status
