"""Output guard: PHI re-redaction and disposition-contradiction detection on streamed engine output."""

from agents.guard.contradiction import ContradictionRules, ContradictionScanner, Hit, PhraseSet, default_rules
from agents.guard.output import OutputGuard

__all__ = ["ContradictionRules", "ContradictionScanner", "Hit", "OutputGuard", "PhraseSet", "default_rules"]
