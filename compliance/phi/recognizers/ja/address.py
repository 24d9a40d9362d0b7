"""Street addresses: a place name with its block number, building and room (東京都新宿区西新宿3-2-1 パークハイツ
702号室, 横浜市港北区日吉3丁目4番5号, 札幌市中央区北1条西2丁目). The prefecture is part of the address when
written, though alone it is kept."""

from __future__ import annotations

from compliance.phi.entities import ADDRESS
from compliance.phi.ja.nlp import JaToken, SudachiNlpEngine
from compliance.phi.recognizers.ja.base import JaTokenRecognizer
from compliance.phi.recognizers.ja.places import address_end, place_runs


class JaAddressRecognizer(JaTokenRecognizer):
    ENTITY = ADDRESS
    SCORE = 0.9

    def spans(self, text: str, tokens: tuple[JaToken, ...], engine: SudachiNlpEngine) -> list[tuple[int, int, float]]:
        out = []
        for run in place_runs(text, tokens, engine):
            end = address_end(text, run)
            if end is not None:
                out.append((run.start, end, self.SCORE))
        return out
