"""Japanese PHI redaction (issue 19): Presidio recognizers for "ja" over SudachiPy morphemes.

    from compliance.phi.ja import JapaneseFinder
    JapaneseFinder().find("母の山田花子が昨日から熱です")   # -> [PhiSpan(start=2, end=6, type="PERSON")]

The Redactor uses it for every message whose language (compliance.language.detect, or the caller's hint) is
Japanese; the types and placeholders are the English ones (compliance.phi.entities).
"""

from compliance.phi.ja.finder import JapaneseFinder
from compliance.phi.ja.nlp import DEFAULT_DICTIONARY

__all__ = ["DEFAULT_DICTIONARY", "JapaneseFinder"]
