"""Word lists under data/, loaded once and shared by recognizers and the allow-list."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

DATA_DIR = Path(__file__).parent / "data"

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Lines of data/<name>.txt, comments and blanks dropped, in file order."""
    lines = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


@cache
def lower_set(name: str) -> frozenset[str]:
    return frozenset(word.lower() for word in word_list(name))


@lru_cache(maxsize=65536)
def normalize_term(term: str) -> str:
    """Lower case, curly apostrophes straightened, possessive marks dropped: "Crohn's" -> "crohn"."""
    term = term.lower().replace("\u2019", "'")
    words = []
    for word in term.split():
        if word.endswith("'s"):
            word = word[:-2]
        word = word.rstrip("'")
        words.append(word)
    return " ".join(words)


@cache
def clinical_terms() -> frozenset[str]:
    """Eponyms, drugs, body parts and symptoms, normalised with normalize_term."""
    terms: set[str] = set()
    for name in ("eponyms", "drugs", "body_parts", "symptoms"):
        terms.update(normalize_term(word) for word in word_list(name))
    return frozenset(terms)


@cache
def first_names() -> frozenset[str]:
    return lower_set("first_names")


@cache
def last_names() -> frozenset[str]:
    return lower_set("last_names")


@cache
def common_words() -> frozenset[str]:
    """Words that are never a name on their own: stop words, chat words, months, weekdays, clinical terms."""
    words = set(STOP_WORDS) | lower_set("non_names") | set(MONTHS) | set(MONTH_ABBREVIATIONS) | set(WEEKDAYS)
    words |= {term for term in clinical_terms() if " " not in term}
    words |= lower_set("kinship_cues") | lower_set("title_cues") | lower_set("not_phi_places")
    return frozenset(words)


@cache
def ambiguous_names() -> frozenset[str]:
    return lower_set("ambiguous_names") | (common_words() & (first_names() | last_names()))


@cache
def plain_names() -> frozenset[str]:
    """Given names and surnames that are not also ordinary words: a name wherever they appear capitalised."""
    return (first_names() | last_names()) - ambiguous_names() - common_words()


@cache
def sentence_start_words() -> frozenset[str]:
    """Frequent English words that are not listed names: a capital at the start of a sentence explains them.

    Model output starts sentences with "Based", "Drink", "Rest"; without this each would wake the NER model
    on every streamed token. Only used for sentence-initial words, so an unknown name mid-sentence still counts.
    """
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", 30000)) - first_names() - last_names() - lower_set("ambiguous_names")
