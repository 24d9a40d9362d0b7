"""spaCy NER as the fallback for proper nouns no list knows: people, cities, facilities.

The Redactor calls it after the registry's recognizers, with what they (and the clinical
allow-list) already explain. The model runs only when a capitalised word is left unexplained
(not an ordinary word, not a listed name, not inside another detection or a clinical term), and
then only over a window of tokens around those words; most messages skip it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.tokens import Doc, Span, Token

from compliance.phi.entities import FACILITY, LOCATION, PERSON
from compliance.phi.lexicon import looks_like_typo, lower_set, sentence_start_words
from compliance.phi.names import PARTICLES, base_form, is_capitalised, is_initial, vocabulary

SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", "\n"})


def _starts_sentence(doc: Doc, i: int) -> bool:
    while i > 0 and doc[i - 1].is_space:
        i -= 1
    return i == 0 or doc[i - 1].text in SENTENCE_ENDS or "\n" in doc[i - 1].text


DRUG_STEMS = (
    "mab",
    "nib",
    "pril",
    "sartan",
    "olol",
    "statin",
    "azole",
    "cillin",
    "mycin",
    "cycline",
    "floxacin",
    "prazole",
    "dipine",
    "tidine",
    "vir",
    "parin",
    "gliptin",
    "gliflozin",
    "lukast",
    "triptan",
    "semide",
    "thiazide",
    "zepam",
    "zolam",
    "oxetine",
    "pramine",
    "codone",
    "morphone",
    "caine",
    "profen",
    "formin",
    "tropin",
    "glutide",
    "xaban",
)
DRUG_SLOT_BEFORE = frozenset(
    {
        "take",
        "takes",
        "taking",
        "took",
        "started",
        "starting",
        "stopped",
        "stopping",
        "prescribed",
        "on",
        "mg",
        "dose",
        "rx",
        "using",
        "used",
        "bought",
        "buy",
        "tried",
        "mixing",
        "mix",
        "inhaled",
        "injected",
        "of",
        "some",
        "use",
        "uses",
        "try",
        "trying",
        "give",
        "gave",
        "giving",
        "any",
        "more",
        "no",
        "extra",
        # a determiner or possessive opens a noun phrase: "my Fitbit", "the Libre sensor" (names come after cues)
        "my",
        "the",
        "a",
        "an",
        "your",
        "his",
        "her",
        "our",
        "their",
        "this",
        "these",
        "those",
    }
)
DRUG_SLOT_AFTER = frozenset(
    {
        "mg",
        "mcg",
        "ml",
        "tablet",
        "tablets",
        "tabs",
        "pill",
        "pills",
        "dose",
        "doses",
        "cream",
        "gel",
        "spray",
        "drops",
        "inhaler",
        "injection",
        "injections",
        "patch",
        "syrup",
        "xr",
        "er",
        "sr",
        "xl",
        "capsule",
        "capsules",
        "shot",
        "sensor",
        "reading",
        "readings",
        "pump",
        "monitor",
        "meter",
        "app",
        "device",
        "watch",
        "machine",
        "pen",
        "pens",
    }
)


class PhiNerRecognizer(LocalRecognizer):
    LABELS: ClassVar[dict[str, str]] = {
        "PERSON": PERSON,
        "PER": PERSON,
        "GPE": LOCATION,
        "LOC": LOCATION,
        "FAC": FACILITY,
    }
    SCORE: ClassVar[float] = 0.85
    UNKNOWN_SCORE: ClassVar[float] = 0.6  # an unknown capitalised word the model left unlabelled
    WINDOW_TOKENS: ClassVar[int] = 8  # context kept on each side of the unexplained words
    name: str  # set by Presidio's __init__, which does not annotate it

    def __init__(self) -> None:
        super().__init__(supported_entities=sorted(set(self.LABELS.values())), name=type(self).__name__)
        self._vocab = vocabulary()
        self._not_places = lower_set("not_phi_places")
        self._sentence_start_words = sentence_start_words()
        self.runs = 0

    def load(self) -> None:
        pass

    def unexplained(self, doc: Doc, covered: Sequence[tuple[int, int]] = ()) -> list[int]:
        """Indices of capitalised tokens that no list and no earlier detection explains."""
        vocab = self._vocab
        out: list[int] = []
        for token in doc:
            text = token.text
            if len(text) < 2 or not is_capitalised(text):
                continue
            if not token.is_alpha and "'" not in text and "-" not in text:
                continue
            if vocab.is_common(text) or vocab.is_plain_name(text):
                continue
            if _starts_sentence(doc, token.i) and base_form(text) in self._sentence_start_words:
                continue
            start = token.idx
            if any(s <= start < e for s, e in covered):
                continue
            out.append(token.i)
        return out

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        covered: Sequence[tuple[int, int]] = (),
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None:
            return []
        doc = nlp_artifacts.tokens
        triggers = self.unexplained(doc, covered)
        if not triggers:
            return []
        self.runs += 1
        first = max(0, triggers[0] - self.WINDOW_TOKENS)
        last = min(len(doc), triggers[-1] + self.WINDOW_TOKENS + 1)
        window = doc if (first == 0 and last == len(doc)) else doc[first:last].as_doc()
        offset = 0 if window is doc else doc[first].idx
        window = nlp_artifacts.nlp_engine.run_ner(window)
        results: list[RecognizerResult] = []
        found: list[tuple[int, int]] = []
        for ent in window.ents:
            entity = self.LABELS.get(ent.label_)
            span = self._clean(ent, entity) if entity else None
            if entity is None or span is None:
                continue
            found.append((ent.start_char + offset, ent.end_char + offset))
            results.append(self._result(entity, span[0] + offset, span[1] + offset, self.SCORE))
        for start, end in self._unknown_words(doc, triggers, found):
            results.append(self._result(PERSON, start, end, self.UNKNOWN_SCORE))
        return results

    def _result(self, entity: str, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    def _unknown_words(self, doc: Doc, triggers: list[int], found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Unexplained capitalised words the model labelled as nothing, and that are not English words either:
        "I'm worried about Oluwaseun tonight", "Can Ifeoma have ...". The small model misses lone unknown names
        mid-sentence; an unknown proper noun in a chat is a person or a place far more often than anything else.
        Drug-shaped words (stems like -olol, -mab) and words in a drug slot ("take X", "X 20 mg") are skipped; the
        low score lets any clinical span win."""
        out: list[tuple[int, int]] = []
        flagged: set[int] = set()
        for i in reversed(triggers):  # right to left: a sentence-initial word may lean on the flagged word after it
            token = doc[i]
            start, end = token.idx, token.idx + len(token.text)
            if any(s < end and start < e for s, e in found):
                continue
            form = base_form(token.text)
            if (
                form in self._sentence_start_words
                or form.endswith(DRUG_STEMS)
                or len(form) < 3
                or looks_like_typo(form)
            ):
                continue
            if _starts_sentence(doc, i) and i + 1 not in flagged:
                continue  # a sentence-initial capital says nothing ("Telehealth with"), unless a name follows it
            previous = doc[i - 1].lower_ if i > 0 else ""
            following = doc[i + 1] if i + 1 < len(doc) else None
            if following is not None and following.text == ":":  # "Handover:", "Plan:" headers
                continue
            if previous in DRUG_SLOT_BEFORE or (
                following is not None and (following.like_num or following.lower_ in DRUG_SLOT_AFTER)
            ):
                continue
            flagged.add(i)
            out.append((start, end))
        return out

    def _clean(self, ent: Span, entity: str) -> tuple[int, int] | None:
        """Keep the leading run of name-like tokens; drop states, countries and ordinary words."""
        tokens = list(ent)
        if entity == PERSON:
            while tokens and (self._vocab.is_common(tokens[0].text) or tokens[0].text in {".", ","}):
                tokens = tokens[1:]
            kept: list[Token] = []
            for token in tokens:
                word = token.text
                if word in {"'s", "\u2019s", "'", "\u2019"} and kept:
                    break
                name_like = (
                    is_capitalised(word)
                    or is_initial(word)
                    or word in {".", "-"}
                    or base_form(word) in PARTICLES
                    or "'" in word
                )
                if not name_like or self._vocab.is_common(word):
                    break
                kept.append(token)
            while kept and (kept[-1].text in {".", "-"} or base_form(kept[-1].text) in PARTICLES):
                kept.pop()
            if not kept:
                return None
            return kept[0].idx, kept[-1].idx + len(kept[-1].text)
        value = ent.text.lower().strip()
        if value in self._not_places or any(ch.isdigit() for ch in value):
            return None
        if all(self._vocab.is_common(token.text) for token in tokens if token.is_alpha):
            return None
        return ent.start_char, ent.end_char
