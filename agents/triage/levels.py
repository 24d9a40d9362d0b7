"""Dispositions and their three-level summary (see docs/contracts.md)."""

from __future__ import annotations

from enum import Enum


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

    def at_least(self, other: Level) -> Level:
        """The more urgent of the two: nothing may lower a disposition."""
        return self if self.rank <= other.rank else other


class Urgency(str, Enum):
    em = "em"
    ne = "ne"
    sc = "sc"


_ORDER = list(Level)
_URGENCY = {
    Level.emergency_ambulance: Urgency.em,
    Level.emergency: Urgency.em,
    Level.consultation_24: Urgency.ne,
    Level.consultation: Urgency.ne,
    Level.self_care: Urgency.sc,
}
