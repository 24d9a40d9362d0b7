"""Cue words of the English recognizers, read once from cues.yaml beside this module.

A cue list is data (an id, a one-line note, plain words); cue() turns one into a regex alternation that tries
the words in file order, each escaped, a space matching any run of whitespace. The recognizers add the grammar
around it (what may join the cue to the value) and their own case rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import regex

from compliance import yaml_text
from compliance.phi.errors import PhiError

CUES_FILE: Final = Path(__file__).with_name("cues.yaml")


class CueFileError(PhiError, ValueError):
    """cues.yaml is malformed: a list without a note or words, a word that is not text, a repeated word."""


@dataclass(frozen=True)
class CueList:
    id: str
    note: str
    words: tuple[str, ...]


def load_cue_lists(path: Path) -> dict[str, CueList]:
    """Every list in a cue file, by id; raises CueFileError on anything but id -> {note, words}."""
    data = yaml_text.parse(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CueFileError(f"{path.name} must map list ids to lists")
    lists: dict[str, CueList] = {}
    for list_id, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != {"note", "words"}:
            raise CueFileError(f"{path.name}: list {list_id!r} must have exactly a note and words")
        note, words = entry["note"], entry["words"]
        if not isinstance(note, str) or not note.strip():
            raise CueFileError(f"{path.name}: list {list_id!r} needs a one-line note")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise CueFileError(f"{path.name}: list {list_id!r} needs words, each a quoted string if YAML would not")
        if len(set(words)) != len(words):
            raise CueFileError(f"{path.name}: list {list_id!r} repeats a word")
        lists[str(list_id)] = CueList(str(list_id), note, tuple(words))
    return lists


CUE_LISTS: Final = load_cue_lists(CUES_FILE)


def cue(list_id: str) -> str:
    """The list's words as a regex alternation, tried in file order; a space in a phrase matches any whitespace."""
    words = CUE_LISTS[list_id].words
    return "(?:" + "|".join(regex.escape(word).replace(r"\ ", r"\s+") for word in words) + ")"
