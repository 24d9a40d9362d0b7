"""A name right after a cue: "my name is", "my daughter Emily", "wife of", "this is", "Dr.", "Pt:", sign-offs.

Also a few cue shapes around the name: "Amber here", "Alpsu fell ...", "Balogh, Istvan -", "DOE, JANE".

Cue strength decides what may follow:
  introduction  ("my name is", "call me", "name:"): any word that is not an ordinary word, lower case too
  relation      ("my son", "her husband", "wife of"), title ("Dr.", "Mrs."): capitalised, or a listed name in lower case
  weak          ("this is", "I'm", "hi", "thanks", "pt"): capitalised and not an ordinary word, or a listed name
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from compliance.phi.entities import PERSON
from compliance.phi.lexicon import (
    MONTH_ABBREVIATIONS,
    MONTHS,
    everyday_words,
    looks_like_typo,
    lower_set,
    sentence_start_words,
    word_list,
)
from compliance.phi.names import (
    PARTICLES,
    base_form,
    is_capitalised,
    is_initial,
    strip_possessive,
    vocabulary,
    words_from,
)
from compliance.phi.recognizers.base import NAME_WORD, alternation
from compliance.phi.recognizers.cues import cue

MONTH_WORDS = frozenset(MONTHS) | frozenset(MONTH_ABBREVIATIONS)
# Endings of clinical words a list may not hold ("dysuria", "haematuria", "cholecystitis").
CLINICAL_SUFFIXES = (
    "itis",
    "osis",
    "uria",
    "emia",
    "aemia",
    "algia",
    "ectomy",
    "otomy",
    "ostomy",
    "pathy",
    "plasty",
    "scopy",
    "gram",
    "plegia",
    "paresis",
    "rrhea",
    "rrhoea",
    "oma",
    "cele",
    "penia",
    "cytosis",
    "trophy",
    "spasm",
    "lysis",
    "ase",
)

INTRODUCTION = "introduction"
RELATION = "relation"
TITLE = "title"
WEAK = "weak"

AGE_WORDS = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[\s-]*(?:years?|yrs?|months?|weeks?|days?|yr|mo)?[\s-]*old"
KIN_MODIFIERS = rf"(?:(?:{AGE_WORDS}|little|baby|big|older|younger|elder|eldest|youngest|oldest|middle|new|newborn|teenage|teen|adult|twin|late|dear|sweet|ex|ex-|step-?|other|first|second|third)\s*)*"


def _cue_regex(kind: str) -> str:
    kin = alternation(word_list("kinship_cues"))
    titles = alternation(word_list("title_cues"))
    patterns = {
        INTRODUCTION: (
            rf"\b(?:{cue('person_introduction')}|name\s*:|patient\s+name\s*:?|{cue('name_part')}\s*name\s*(?:is|:)?)"
            r"[\s,:-]+"
        ),
        RELATION: (
            rf"\b(?:(?:my|our|his|her|their|your|the\s+patient's|patient's|pt's)\s+{KIN_MODIFIERS}{kin}s?"
            r"(?:\s*,\s*|\s*:\s*|\s*\(\s*|\s+(?:named|called|is\s+named)\s+|\s+)"
            rf"|\b{kin}\s+(?:of|to)\s+(?:(?:the\s+)?(?:late\s+)?(?:mr|mrs|ms|dr)\.?\s+)?)"
        ),
        TITLE: rf"\b{titles}\.?[ \t]+",
        WEAK: (
            rf"(?:\b(?:{cue('person_weak')}|^from|{kin})"
            r"(?:\s*[,:-]\s*|\s+(?:is\s+)?)"
            r"|(?:^|[.!?])[ \t]*[-\u2013\u2014~][ \t]*)"
        ),
    }
    return patterns[kind]


class PhiPersonCueRecognizer(LocalRecognizer):
    """Names introduced by a cue; the cue itself is never part of the span."""

    ENTITY: ClassVar[str] = PERSON
    SCORES: ClassVar[dict[str, float]] = {INTRODUCTION: 0.95, RELATION: 0.9, TITLE: 0.9, WEAK: 0.8}
    MAX_WORDS: ClassVar[int] = 4

    # "Amber here, mom of ...": a name right before "here" at the start of a message or sentence.
    SIGNATURE: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?:^|[.!?]\s+|\b(?:hi|hello|hey)[!,.]?\s+)(?:it's\s+|its\s+)?\K(\p{L}[\p{L}\p{M}'-]*)(?=\s+here\b)",
        regex.IGNORECASE | regex.MULTILINE,
    )

    # "Alpsu fell at school", "Kwame has a fever": a capitalised word opening a sentence, then a verb people
    # take. Not "is"/"was" ("Sleep is poor"); nouns shaped like symptoms ("Redness has spread") are skipped.
    SUBJECT: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?:^|[.!?]\s+)\K(\p{Lu}[\p{L}\p{M}'-]*\p{Ll}[\p{L}\p{M}'-]*)(?=\s+(?:has|had|says|said|told|asked|called|texted|woke|fell|cried|"
        r"keeps|kept|threw|complains|complained|reports|reported|denies|denied|vomited|fainted|collapsed|can't|won't)\b)",
        regex.MULTILINE,
    )
    NOUN_ENDINGS: ClassVar[tuple[str, ...]] = (
        "ness",
        "ing",
        "tion",
        "sion",
        "ity",
        "ment",
        "ance",
        "ence",
        "ache",
        "itis",
        "osis",
        "emia",
        "algia",
        "age",
        "ure",
    )

    # "Balogh, Istvan - 104-year-old ...": "Last, First" opening a clinician's line.
    INVERTED: ClassVar[regex.Pattern[str]] = regex.compile(
        rf"^[ \t]*\K({NAME_WORD},[ \t]+{NAME_WORD})(?=[ \t]*[-\u2013\u2014:(])", regex.MULTILINE
    )
    # "Patient: DOE, JANE." — upper-case "LAST, FIRST" in clinical headers; one of the two must be a listed name.
    INVERTED_CAPS: ClassVar[regex.Pattern[str]] = regex.compile(
        r"\b(\p{Lu}{2,}(?:['-]\p{Lu}+)?),[ \t]*(\p{Lu}{2,}(?:['-]\p{Lu}+)?)(?:[ \t]+(\p{Lu}{2,}(?:['-]\p{Lu}+)?))?\b(?![ \t]*\d)"
    )
    # "Sunny my son has croup", "jordan my roommate passed out": a word right before "my <relation>".
    APPOSITIVE: ClassVar[regex.Pattern[str]] = regex.compile(
        rf"(?<![\p{{L}}'-])(\p{{L}}[\p{{L}}\p{{M}}'-]+),?[ \t]+(?=(?:my|our)[ \t]+{KIN_MODIFIERS}{alternation(word_list('kinship_cues'))}s?\b)",
        regex.IGNORECASE,
    )
    # "im with chidi and ebuka": two unknown lower-case words joined by "and" after a people verb or preposition.
    LOWER_PAIR: ClassVar[regex.Pattern[str]] = regex.compile(
        r"\b(?:with|me\s+and|tell|ask|call|told|and|both)\s+(\p{Ll}[\p{Ll}\p{M}'-]+)\s+(?:and|&)\s+(\p{Ll}[\p{Ll}\p{M}'-]+)\b"
    )
    # "halvard is 6 and has chickenpox": an unknown lower-case word opening the message, then a verb people take.
    LOWER_SUBJECT: ClassVar[regex.Pattern[str]] = regex.compile(
        r"^\s*(\p{Ll}[\p{Ll}\p{M}'-]+)(?=\s+(?:is|was|has|had|says|said|keeps|kept|fell|needs|wont|won't|cant|can't|just)\b)"
    )
    # "我叫王芳", "我是李娜": a Chinese self-introduction followed by two to four Han characters.
    HAN_INTRODUCTION: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?:我叫|我是|我的名字是|我的名字叫|名字[:：])\s*\K\p{Han}{2,4}"
    )

    name: str  # set by Presidio's __init__, which does not annotate it

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__)
        self._cues = [
            (kind, regex.compile(_cue_regex(kind), regex.IGNORECASE | regex.MULTILINE)) for kind in self.SCORES
        ]
        self._vocab = vocabulary()
        self._english = sentence_start_words()  # frequent English words that are not listed names
        self._everyday = everyday_words()
        self._cue_words = lower_set("kinship_cues") | lower_set("title_cues")
        looks_like_typo("warm")  # build the typo tables now, not on the first message that needs them

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        for kind, cue_pattern in self._cues:
            for match in cue_pattern.finditer(text):
                # a bare relation word ("baby is teething") introduces no lower-case name; "im", "it's" may
                bare_relation = (
                    kind == WEAK
                    and regex.sub(r"[\W\d_]+", " ", match.group()).split()[:1] != []
                    and regex.sub(r"[\W\d_]+", " ", match.group()).split()[0].lower() in self._cue_words
                )
                span = self._name_after(text, match.end(), kind, lower_case=not bare_relation)
                if span:
                    results.append(self._result(span, self.SCORES[kind]))
        for match in self.SIGNATURE.finditer(text):
            word = match.group(1)
            listed = self._vocab.is_listed(word) or word.lower() in MONTH_WORDS  # "Jun here", "May here"
            if (is_capitalised(word) and listed) or (
                not self._vocab.is_common(word) and (is_capitalised(word) or listed)
            ):
                results.append(self._result(match.span(1), self.SCORES[WEAK]))  # "Jun here", "May here" too
        for match in self.INVERTED.finditer(text):
            if not any(self._vocab.is_common(word.strip(",")) for word in match.group(1).split()):
                results.append(self._result(match.span(1), self.SCORES[WEAK]))
        for match in self.INVERTED_CAPS.finditer(text):
            last, first, middle = match.group(1), match.group(2), match.group(3)
            if middle and self._vocab.is_common(middle):
                continue
            if (self._vocab.is_listed(last) or self._vocab.is_listed(first)) and not self._vocab.is_common(first):
                results.append(self._result(match.span(), self.SCORES[WEAK]))
        for match in self.APPOSITIVE.finditer(text):
            word = match.group(1)
            if any(ch.isdigit() for ch in word) or base_form(word) in STOP_WORDS or base_form(word) in self._cue_words:
                continue
            if self._vocab.is_listed(word):  # "jordan my roommate": a listed name, even one that is also a place
                results.append(self._result(match.span(1), self.SCORES[WEAK]))
                continue
            if self._vocab.is_common(word):
                continue
            if is_capitalised(word) or base_form(word) not in self._english:
                results.append(self._result(match.span(1), self.SCORES[WEAK]))
        for match in self.LOWER_PAIR.finditer(text):
            pair = (match.group(1), match.group(2))
            if all(
                self._unknown_lower(word, shortest=3)
                or (self._vocab.is_listed(word) and not self._vocab.is_common(word))
                for word in pair
            ):
                results.append(self._result(match.span(1), 0.7))
                results.append(self._result(match.span(2), 0.7))
        for match in self.LOWER_SUBJECT.finditer(text):
            if self._unknown_lower(match.group(1)):
                results.append(self._result(match.span(1), 0.7))
        for match in self.HAN_INTRODUCTION.finditer(text):
            results.append(self._result(match.span(), self.SCORES[INTRODUCTION]))
        for match in self.SUBJECT.finditer(text):
            word = match.group(1)
            if not self._vocab.is_common(word) and not word.lower().endswith(self.NOUN_ENDINGS):
                results.append(self._result(match.span(1), 0.75))
        return results

    def _unknown_lower(self, word: str, shortest: int = 4) -> bool:
        """A lower-case word that is no English word, no clinical term, no typo of either: in chat, a name."""
        form = base_form(word)
        return (
            len(form) >= shortest
            and form not in self._english
            and not self._vocab.is_common(word)
            and not form.endswith(CLINICAL_SUFFIXES)
            and not looks_like_typo(form)
        )

    def _result(self, span: tuple[int, int], score: float) -> RecognizerResult:
        return RecognizerResult(
            self.ENTITY,
            span[0],
            span[1],
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )

    def _name_after(self, text: str, pos: int, kind: str, lower_case: bool = True) -> tuple[int, int] | None:
        words = words_from(text, pos, self.MAX_WORDS + 2)
        taken: list[regex.Match[str]] = []
        for index, word in enumerate(words):
            value = word.group()
            if (
                taken
                and base_form(value) in PARTICLES
                and index + 1 < len(words)
                and is_capitalised(words[index + 1].group())
            ):
                taken.append(word)
                continue
            if not self._accepts(value, kind, previous=taken[-1].group() if taken else None):
                break
            taken.append(word)
            if len(taken) >= self.MAX_WORDS:
                break
        if not taken and kind == WEAK:
            taken = self._introduced_lower_case(text, words, unclosed=lower_case)
        while taken and (base_form(taken[-1].group()) in PARTICLES or is_initial(taken[-1].group())):
            taken.pop()
        if not taken:
            return None
        start, end = taken[0].start(), taken[-1].end()
        return start, strip_possessive(text, start, end)

    def _introduced_lower_case(
        self, text: str, words: list[regex.Match[str]], unclosed: bool = True
    ) -> list[regex.Match[str]]:
        """ "this is cakrabuana, my son ...": one or two unknown lower-case words closed by a comma.

        Not closed by punctuation ("im lerato and i think", "it's mo again"): words that are not English
        words, or one short word closed by "again"/"here"/the end of the text.
        """
        taken: list[regex.Match[str]] = []
        for word in words[:2]:
            value = word.group()
            cased_ok = value.islower() or (taken and is_capitalised(value))
            if not value.isalpha() or not cased_ok or len(value) < 2 or self._vocab.is_common(value):
                break
            taken.append(word)
            if len(value) > 2 and text[word.end() : word.end() + 2].strip() in (",", "(", "."):
                return taken
        if not unclosed:
            return []
        out: list[regex.Match[str]] = []
        for word in taken:
            value = word.group()
            english = base_form(value) in self._english
            after = text[word.end() :].lstrip()
            closed = not after or regex.match(r"(?i:again|here|btw|from)\b", after) is not None
            unknown = len(value) > 3 and not english and not looks_like_typo(value)
            if unknown or (not out and closed and (not english or len(value) <= 3)):
                out.append(word)
            else:
                break
        return out

    def _accepts(self, word: str, kind: str, previous: str | None) -> bool:
        """Whether `word` continues the name; lower case needs more evidence the weaker the cue."""
        vocab = self._vocab
        if is_initial(word):
            return True
        if kind != WEAK and previous is None and is_capitalised(word) and base_form(word) in vocab.ambiguous:
            return True  # "mom of Georgia", "my daughter April"
        if vocab.is_common(word) or any(ch.isdigit() for ch in word):
            return False
        if is_capitalised(word) or vocab.is_compound_name(word, after_name=previous is not None):  # "Priya ahmed-khan"
            return True
        if word.isupper():
            return len(word) > 1 and word.isalpha() and vocab.is_listed(word)
        if kind == INTRODUCTION:
            return len(word) > 1
        if previous is not None and previous.islower():  # "julián larsson", but not "fidel adetokunbo found"
            return len(word) > 1 and base_form(word) not in self._everyday
        if previous is not None and is_capitalised(previous):  # "Luca cant breathe": case changed, name ended
            return False
        if base_form(word) in self._english:  # "my mother hasnt eaten": a lower-case English word is no name
            return False
        if vocab.is_listed(word) or not word.isascii():
            return True
        return previous is None and kind in (RELATION, TITLE) and len(word) > 2
