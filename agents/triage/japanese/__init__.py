"""Japanese for the same engine: a reader of Japanese words for the shared concepts and conditions.

    from agents.triage import assess
    assess("胸がぎゅーっと痛くて冷や汗が出ています", lang="ja").level   # Level.emergency_ambulance

Modules, one job each: ``text`` (NFKC, kana folding), ``matcher`` (terms on characters, longest first),
``readings`` (kana readings of a text and of the vocabulary's terms, so kana and kanji spellings meet),
``context`` (negation, doubt, hypothetical and history as data), ``reader`` (mentions of concepts and condition
names), ``facts`` (Japanese numbers, ages and labels read by the shared facts extractor) and ``assess`` (the
findings layer decides; the patient's rationale in Japanese). The vocabulary is data: ``knowledge/ja/``.
"""

from __future__ import annotations

from agents.triage.japanese.assess import Part, assess, forget_messages, raised, read_message, released
from agents.triage.japanese.text import has_japanese

__all__ = ["Part", "assess", "forget_messages", "has_japanese", "raised", "read_message", "released"]
