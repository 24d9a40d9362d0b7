"""Cities, wards, towns and districts named alone (川崎市, 世田谷区, 博多, 渋谷駅の渋谷): geographic units smaller
than a prefecture. Prefectures, regions and countries are kept, as US states and countries are."""

from __future__ import annotations

from compliance.phi.entities import LOCATION
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer
from compliance.phi.recognizers.ja.places import address_end, place_runs


class JaLocationRecognizer(JaTokenRecognizer):
    ENTITY = LOCATION
    SCORE = 0.6

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        return [
            (run.start, run.end, self.SCORE)
            for run in place_runs(text, tokens, engine)
            if not run.kept and address_end(text, run) is None and run.end - run.start >= 2
        ]
