"""Cities and towns: after residence cues ("I live in", "moved to", "from"), or before ", ST"."""

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.entities import LOCATION
from compliance.phi.lexicon import common_words, lower_set, word_list
from compliance.phi.recognizers.base import NAME_WORD, DataPatternRecognizer, alternation
from compliance.phi.recognizers.cues import cue

STATES = alternation(word_list("us_states"))
PLACE = rf"(?:(?:St\.|Saint|Fort|Ft\.|Mount|Mt\.|Port|New|North|South|East|West|Lake|Glen|San|Santa|Los|Las|El|La)\s+)?{NAME_WORD}(?:[\s-]{NAME_WORD}){{0,2}}"
CUE = rf"(?i:\b{cue('location')}(?:\s+{cue('location_tail')})?(?:\s+of)?\s+)"


class PhiLocationRecognizer(DataPatternRecognizer):
    ENTITY = LOCATION
    PATTERNS = (
        Pattern("place after residence cue", rf"{CUE}\K{PLACE}", 0.7),
        Pattern("place before state", rf"\b{PLACE}(?=,\s*(?:{STATES})\b)", 0.85),
        Pattern(
            "lower-case place after live in",
            r"(?i:\b(?:live|lives|living|reside|resides|based|located|moved\s+to|i'm\s+in|im\s+in)\s+(?:in\s+)?)\K(?!(?:with|alone|together|on|at|by|near|for|here|there|now|nearby)\b)[a-z]{3,}(?:\s[a-z]{3,})?\b",
            0.5,
        ),
    )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        not_places = lower_set("not_phi_places")
        common = common_words()
        kept: list[RecognizerResult] = []
        for result in results:
            value = text[result.start : result.end].lower()
            words = value.split()
            if value in not_places or all(word in common for word in words):
                continue
            kept.append(result)
        return kept
