"""Dispositions and their three-level summary (see docs/contracts.md): the one declaration of each level.

Everything that shows or says a level (the staff views' names and colours, the prompt's instruction, the
guard's groups, the hub's ordering) reads it from here. Names are English msgids: the front ends translate
them (frontend/babel.cfg extracts this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Marks an English msgid for the front ends' catalogue; the text is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Disposition:
    """What a level means to each reader."""

    label: str
    """A staff view's short name (an English msgid)."""
    instruction: str
    """What the patient must do, as the model's prompt and our own sentences phrase it."""
    colour: str
    """The level's colour in charts and badges (contrast checked against white in the compliance views)."""


@dataclass(frozen=True)
class UrgencyInfo:
    label: str
    """A staff view's name for the three-level summary (an English msgid)."""


class Level(str, Enum):
    """Five dispositions, most urgent first."""

    emergency_ambulance = "emergency_ambulance"
    emergency = "emergency"
    consultation_24 = "consultation_24"
    consultation = "consultation"
    self_care = "self_care"

    @property
    def rank(self) -> int:
        """0 is the most urgent."""
        return _ORDER.index(self)

    @property
    def urgency(self) -> Urgency:
        return _URGENCY[self]

    @property
    def info(self) -> Disposition:
        return DISPOSITIONS[self]

    def at_least(self, other: Level) -> Level:
        """The more urgent of the two: nothing may lower a disposition."""
        return self if self.rank <= other.rank else other

    @classmethod
    def rank_of(cls, value: str | None) -> int:
        """A stored level's rank; after every level for a missing or unknown one (sorting records)."""
        try:
            return cls(value).rank
        except ValueError:
            return len(_ORDER)


class Urgency(str, Enum):
    """The three-level summary: emergency, needs a doctor, self-care."""

    em = "em"
    ne = "ne"
    sc = "sc"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)

    @property
    def info(self) -> UrgencyInfo:
        return URGENCIES[self]

    @property
    def levels(self) -> tuple[Level, ...]:
        return tuple(level for level in Level if level.urgency is self)

    @classmethod
    def rank_of(cls, value: str | None) -> int:
        try:
            return cls(value).rank
        except ValueError:
            return len(Urgency)


_ORDER = list(Level)
_URGENCY = {
    Level.emergency_ambulance: Urgency.em,
    Level.emergency: Urgency.em,
    Level.consultation_24: Urgency.ne,
    Level.consultation: Urgency.ne,
    Level.self_care: Urgency.sc,
}
DISPOSITIONS: dict[Level, Disposition] = {
    Level.emergency_ambulance: Disposition(N_("Ambulance"), "call an ambulance now", "#7a0016"),
    Level.emergency: Disposition(N_("Emergency dept."), "go to the emergency department now", "#b00020"),
    Level.consultation_24: Disposition(N_("Doctor within 24 h"), "see a doctor within 24 hours", "#8a5a00"),
    Level.consultation: Disposition(N_("Doctor (routine)"), "book a routine appointment with a doctor", "#0b5cad"),
    Level.self_care: Disposition(N_("Self-care"), "self-care at home, with safety-net advice", "#1e6b34"),
}
URGENCIES: dict[Urgency, UrgencyInfo] = {
    Urgency.em: UrgencyInfo(N_("Emergency")),
    Urgency.ne: UrgencyInfo(N_("Needs a doctor")),
    Urgency.sc: UrgencyInfo(N_("Self-care")),
}
