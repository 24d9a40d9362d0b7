"""Redact model output as it streams, holding back at most about one word."""

from __future__ import annotations

from compliance.language import detect
from compliance.phi.ja.boundaries import japanese_hold_point
from compliance.phi.lexicon import name_prefixes, plain_words
from compliance.phi.recognizers.address import OPEN_ADDRESS
from compliance.phi.redactor import Redactor, apply_placeholders
from compliance.phi.types import PhiSpan
from compliance.phi.vault import PlaceholderVault

CONTEXT_CHARS = 160  # already-emitted text kept as left context for detection ("my daughter" ...)
PLAIN_CONTEXT_CHARS = 48  # left context a cue must fall within to matter ("live in", "my son", "Dr.")
EDGE_PUNCTUATION = ".,;!?\"'()[]"
SENTENCE_ENDS = ".!?"
MAX_HOLD_CHARS = 80  # never hold more than this, even inside a long identifier


class StreamingRedactor:
    """feed(token) returns what is safe to show now; flush() returns the rest.

    The last, possibly unfinished word is held back, unless it and the text near it are plain prose (see
    `is_plain_prose`), which no recognizer could take for an identifier. A detection that reaches into it holds back
    from its start, so an identifier split across tokens ("555-12" + "3-4567", "Emi" + "ly") is
    caught whole; a number-like word just before the held word is held too, so "(555) " + "123-4567"
    is not let out piecewise. Japanese output (the `language` given, or detected from the text near) has no
    spaces: it is held back to the last clause end instead (compliance/phi/ja/boundaries.py).
    """

    def __init__(self, redactor: Redactor, vault: PlaceholderVault | None = None, language: str | None = None) -> None:
        self.redactor = redactor
        self.vault = vault if vault is not None else PlaceholderVault()
        self.language = language
        self._context = ""  # original text already emitted (tail only)
        self._pending = ""  # original text not yet emitted

    def feed(self, token: str) -> str:
        if not token:
            return ""
        self._pending += token
        pending = self._pending
        if detect(self._context[-PLAIN_CONTEXT_CHARS:] + pending, self.language) == "ja":
            cut = japanese_hold_point(pending, MAX_HOLD_CHARS)
            return self._emit(cut, plain=False) if cut > 0 else ""
        cut = self._hold_point(pending)
        if cut < len(pending) and not could_be_cut_short(pending[cut:]) and self._plain(pending):
            # Everything near is everyday prose and the last word cannot be the start of a listed name: no
            # recognizer could find an identifier here, so the word goes now instead of one model token later
            # (issue 5's first-token target). Should the next token still continue it into an identifier, that
            # is caught as usual, and only the part not yet shown is replaced.
            return self._emit(len(pending), plain=True)
        if cut <= 0:
            return ""
        return self._emit(cut)

    def _plain(self, pending: str) -> bool:
        return is_plain_prose(self._context[-PLAIN_CONTEXT_CHARS:] + pending)

    def flush(self) -> str:
        if not self._pending:
            return ""
        return self._emit(len(self._pending), final=True)

    @staticmethod
    def _hold_point(pending: str) -> int:
        """Index in pending before which text may go: the start of the last word, or of a number-like word before it,
        or of a street address that the next tokens may still complete ("12 Elm " before "Street")."""
        tail = pending[-MAX_HOLD_CHARS:]
        street = OPEN_ADDRESS.search(tail)
        if street is not None:
            return len(pending) - len(tail) + street.start()
        cut = len(pending)
        while cut > 0 and not pending[cut - 1].isspace():
            cut -= 1
        if cut == 0:
            return 0 if len(pending) <= MAX_HOLD_CHARS else len(pending)
        previous = cut
        while previous > 0 and pending[previous - 1].isspace():
            previous -= 1
        word_start = previous
        while word_start > 0 and not pending[word_start - 1].isspace():
            word_start -= 1
        word = pending[word_start:previous]
        if word and sum(ch.isdigit() for ch in word) >= 2 and len(pending) - word_start <= MAX_HOLD_CHARS:
            return word_start
        return cut

    def _emit(self, cut: int, final: bool = False, plain: bool | None = None) -> str:
        window = self._context + self._pending
        offset = len(self._context)
        # Most of a model's answer is everyday prose: skip the analyzer when nothing near could be identifying.
        if plain is None:
            plain = self._plain(self._pending)
        spans = [] if plain else self.redactor.find(window, self.language)
        if not final:
            cut = self._respect_spans(spans, offset, cut)
            if cut <= 0:
                return ""
        limit = offset + cut
        local: list[PhiSpan] = []
        for span in spans:
            if span.end <= offset or span.start >= limit:
                continue
            local.append(
                PhiSpan(start=max(span.start, offset) - offset, end=min(span.end, limit) - offset, type=span.type)
            )
        piece = self._pending[:cut]
        out = apply_placeholders(piece, local, self.vault)
        self._context = (self._context + piece)[-CONTEXT_CHARS:]
        self._pending = self._pending[cut:]
        return out

    def _respect_spans(self, spans: list[PhiSpan], offset: int, cut: int) -> int:
        """Move the cut back to the start of any detection that would straddle it."""
        moved = True
        while moved:
            moved = False
            for span in spans:
                if span.start < offset + cut < span.end and span.start >= offset:
                    if len(self._pending) - (span.start - offset) > MAX_HOLD_CHARS:
                        continue
                    cut = span.start - offset
                    moved = True
        return cut


def could_be_cut_short(word: str) -> bool:
    """True when a held word of three letters or more, with no punctuation after it, is how a listed name
    begins (a shorter one would reveal no more than an initial)."""
    core = word.strip()
    if not core or core[-1] in EDGE_PUNCTUATION:
        return False
    return len(core) >= 3 and core.lower() in name_prefixes()


def is_plain_prose(text: str) -> bool:
    """True when every word is a frequent English word that is no name, month or identifying cue, written in
    lower case (a capital only to start a sentence, or "I"), with no digit and no @ / : # inside: such text
    contains no identifier any recognizer could find. Anything else goes to the analyzer."""
    words = plain_words()
    sentence_start = True
    for raw in text.split():
        core = raw.strip(EDGE_PUNCTUATION)
        ends_sentence = raw[-1] in SENTENCE_ENDS
        if not core:
            sentence_start = sentence_start or ends_sentence
            continue
        if not core.replace("'", "").replace("\u2019", "").replace("-", "").isalpha():
            return False
        lower = core.lower()
        if core != lower and not ((sentence_start or core == "I") and core[1:] == lower[1:]):
            return False
        if lower != "i" and lower not in words:
            return False
        sentence_start = ends_sentence
    return True
