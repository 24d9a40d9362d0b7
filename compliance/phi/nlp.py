"""The spaCy side of the analyzer: tokenise every message, run NER only when a recognizer asks.

spaCy's small English model keeps a private tok2vec inside its NER, so the NER component alone
is loaded; tagger, parser, lemmatizer and friends are excluded (not merely disabled). A model whose
NER listens to a shared tok2vec/transformer keeps that one component too.
"""

from __future__ import annotations

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

UNUSED_COMPONENTS = (
    "tagger",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
    "morphologizer",
    "trainable_lemmatizer",
    "textcat",
    "textcat_multilabel",
    "entity_linker",
    "spancat",
)
SHARED_ENCODERS = ("tok2vec", "transformer")


class OnDemandNerNlpEngine(SpacyNlpEngine):
    """A SpacyNlpEngine whose process_text only tokenises; run_ner adds entities when needed."""

    # Presidio's __init__ sets it to None (so mypy reads its type as None); load() fills it.
    nlp: dict[str, Language] | None  # type: ignore[assignment]

    def __init__(self, model_name: str) -> None:
        super().__init__(
            models=[{"lang_code": "en", "model_name": model_name}],
            ner_model_configuration=NerModelConfiguration(labels_to_ignore=[], low_score_entity_names=[]),
        )

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            nlp = spacy.load(model["model_name"], exclude=list(UNUSED_COMPONENTS))
            for name in SHARED_ENCODERS:
                if name in nlp.pipe_names and not getattr(nlp.get_pipe(name), "listening_components", []):
                    nlp.remove_pipe(name)
            self.nlp[model["lang_code"]] = nlp

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        if not self.nlp:
            raise ValueError("NLP engine is not loaded")
        doc = self.nlp[language].make_doc(text)
        return NlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            lemmas=[token.lower_ for token in doc],
            nlp_engine=self,
            language=language,
            scores=[],
        )

    def run_ner(self, doc: Doc, language: str = "en") -> Doc:
        """Run the loaded pipeline (NER, and a shared encoder if it needs one) over a tokenised doc."""
        if not self.nlp:
            raise ValueError("NLP engine is not loaded")
        for _, component in self.nlp[language].pipeline:
            doc = component(doc)
        return doc

    @property
    def pipe_names(self) -> list[str]:
        return list(self.nlp["en"].pipe_names) if self.nlp else []
