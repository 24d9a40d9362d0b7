"""Does a message speak to the assistant about how to triage or answer it? (`addressed.yaml`; issue 16)

Such words are not findings: a message that holds them is read again without the sentences that do, and the more
urgent reading stands (engine.assess), so they can never make a level less urgent. Pure, data-driven."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from agents.triage import yaml_text

DATA = Path(__file__).with_name("addressed.yaml")
_SENTENCES = re.compile(r"[^.!?\n]+[.!?\n]*")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = yaml_text.parse(DATA.read_text(encoding="utf-8"))
    return tuple((str(p["id"]), re.compile(str(p["pattern"]))) for p in data["patterns"])


def instructions(text: str) -> tuple[str, ...]:
    """The ids of the instructions to the assistant that `text` holds (none for ordinary messages)."""
    lowered = text.lower()
    return tuple(ident for ident, pattern in _patterns() if pattern.search(lowered))


def without_instructions(text: str) -> str:
    """`text` without its sentences (up to a full stop, a question or exclamation mark, or a line end) that hold an
    instruction to the assistant."""
    return "".join(sentence for sentence in _SENTENCES.findall(text) if not instructions(sentence)).strip()
