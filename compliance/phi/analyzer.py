"""Build the one Presidio AnalyzerEngine this package uses."""

from __future__ import annotations

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

from compliance.phi.nlp import OnDemandNerNlpEngine
from compliance.phi.recognizers import RECOGNIZERS


class CuesInPatterns(ContextAwareEnhancer):
    """No post-hoc context boost: every recognizer writes its cues into its own patterns.

    A look-behind cue ("MRN", "my daughter") is more precise than Presidio's five-token window,
    and skipping the window saves a deep copy of every result on every message.
    """

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


def build_analyzer(model_name: str) -> AnalyzerEngine:
    nlp_engine = OnDemandNerNlpEngine(model_name)
    nlp_engine.load()
    registry = RecognizerRegistry(recognizers=[cls() for cls in RECOGNIZERS], supported_languages=["en"])
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=["en"],
        context_aware_enhancer=CuesInPatterns(),
        default_score_threshold=0.3,
    )
