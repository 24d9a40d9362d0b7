"""spaCy NER as the fallback for proper nouns no list knows: people, cities, facilities.

The Redactor calls it after the registry's recognizers, with what they (and the clinical
allow-list) already explain. The model runs only when a capitalised word is left unexplained
(not an ordinary word, not a listed name, not inside another detection or a clinical term), and
then only over a window of tokens around those words; most messages skip it.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import LocalRecognizer, RecognizerResult

from compliance.phi.entities import FACILITY, LOCATION, PERSON
from compliance.phi.lexicon import lower_set, sentence_start_words
from compliance.phi.names import PARTICLES, base_form, is_capitalised, is_initial, vocabulary


SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", "\n"})


def _starts_sentence(doc, i: int) -> bool:
    while i > 0 and doc[i - 1].is_space:
        i -= 1
    return i == 0 or doc[i - 1].text in SENTENCE_ENDS or "\n" in doc[i - 1].text


class PhiNerRecognizer(LocalRecognizer):
    LABELS: ClassVar[dict[str, str]] = {"PERSON": PERSON, "PER": PERSON, "GPE": LOCATION, "LOC": LOCATION, "FAC": FACILITY}
    SCORE: ClassVar[float] = 0.85
    WINDOW_TOKENS: ClassVar[int] = 8  # context kept on each side of the unexplained words

    def __init__(self) -> None:
        super().__init__(supported_entities=sorted(set(self.LABELS.values())), name=type(self).__name__)
        self._vocab = vocabulary()
        self._not_places = lower_set("not_phi_places")
        self._sentence_start_words = sentence_start_words()
        self.runs = 0

    def load(self) -> None:
        pass

    def unexplained(self, doc, covered: list[tuple[int, int]] = ()) -> list[int]:
        """Indices of capitalised tokens that no list and no earlier detection explains."""
        vocab = self._vocab
        out = []
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

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None, covered: list[tuple[int, int]] = ()) -> list[RecognizerResult]:
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
        results = []
        for ent in window.ents:
            entity = self.LABELS.get(ent.label_)
            span = self._clean(ent, entity) if entity else None
            if span is None:
                continue
            results.append(RecognizerResult(entity, span[0] + offset, span[1] + offset, self.SCORE, recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            }))
        return results

    def _clean(self, ent, entity: str) -> tuple[int, int] | None:
        """Keep the leading run of name-like tokens; drop states, countries and ordinary words."""
        tokens = list(ent)
        if entity == PERSON:
            while tokens and (self._vocab.is_common(tokens[0].text) or tokens[0].text in {".", ","}):
                tokens = tokens[1:]
            kept = []
            for token in tokens:
                word = token.text
                if word in {"'s", "\u2019s", "'", "\u2019"} and kept:
                    break
                name_like = is_capitalised(word) or is_initial(word) or word in {".", "-"} or base_form(word) in PARTICLES or "'" in word
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
