"""Word lists under data/, loaded once and shared by recognizers and the allow-list."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

DATA_DIR = Path(__file__).parent / "data"

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
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


@cache
def everyday_words() -> frozenset[str]:
    """The 8,000 most frequent English words that are not listed names: "found", "breathe", "has"."""
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", 8000)) - first_names() - last_names() - lower_set("ambiguous_names")


@cache
def typo_keys() -> frozenset[str]:
    """Sorted letters of frequent English words and clinical terms (4+ letters). An unknown word with the same
    letters is a transposition typo ("deneis", "hvaing", "Plaese", "Insuiln"), not a name."""
    words = sentence_start_words() | {term for term in clinical_terms() if " " not in term}
    return frozenset("".join(sorted(word)) for word in words if len(word) >= 4 and word.isalpha())


@cache
def _dictionary() -> frozenset[str]:
    return sentence_start_words() | {term for term in clinical_terms() if " " not in term}


@cache
def _deletions() -> frozenset[str]:
    """Each frequent word (5+ letters) with one letter dropped: "diarhea" is "diarrhea" less an r."""
    return frozenset(w[:i] + w[i + 1 :] for w in _dictionary() if len(w) >= 5 and w.isalpha() for i in range(len(w)))


def looks_like_typo(word: str) -> bool:
    """A transposition, a dropped letter or an extra letter away from a frequent word or clinical term."""
    word = word.lower()
    if len(word) < 4 or word in first_names() or word in last_names() or word in _dictionary():
        return False  # a listed name or a real word is not a misspelling
    if "".join(sorted(word)) in typo_keys() or word in _deletions():
        return True
    dictionary = _dictionary()
    return len(word) >= 5 and any(word[:i] + word[i + 1 :] in dictionary for i in range(len(word)))


# Words that make a neighbour identifying: residence cues ("live in boston"), number words of ages over 89.
_CUE_WORDS = frozenset(
    {
        "live",
        "lives",
        "living",
        "lived",
        "reside",
        "resides",
        "residing",
        "based",
        "located",
        "moved",
        "move",
        "from",
        "near",
        "im",
        "i'm",
        "called",
        "named",
        "name",
        "ninety",
        "nineties",
        "hundred",
        "centenarian",
    }
)


@cache
def plain_words() -> frozenset[str]:
    """Frequent English words that cannot be, or point to, an identifier: no listed names, months, weekday-free,
    no cue words. Text made only of these (lower case, no digits) needs no analysis at all."""
    from wordfreq import top_n_list

    cues = _CUE_WORDS | lower_set("kinship_cues") | lower_set("title_cues")
    # A surname that is also one of the commonest words ("the", "long", "water") is prose in lower case; given
    # names never count as plain.
    very_common = frozenset(top_n_list("en", 3000))
    names = first_names() | (last_names() - very_common)
    vocabulary = frozenset(top_n_list("en", 30000))
    return vocabulary - names - lower_set("ambiguous_names") - set(MONTHS) - set(MONTH_ABBREVIATIONS) - cues


@cache
def name_prefixes() -> frozenset[str]:
    """Proper prefixes (three letters or more) of the listed names: a word among them may be a name that a token
    boundary cut short ("Emi" + "ly"), so the streaming guard does not release it early."""
    from wordfreq import top_n_list

    names = first_names() | last_names() | lower_set("ambiguous_names")
    # The commonest words ("the", "you", "this") start names too ("Theo"), but showing one reveals nothing:
    # they are not held (a model's answer often starts with one).
    commonest = frozenset(top_n_list("en", 500))
    return frozenset(name[:k] for name in names for k in range(3, len(name))) - commonest
