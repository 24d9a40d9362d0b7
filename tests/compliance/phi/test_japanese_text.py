"""The Japanese text layer: NFKC with offsets kept, the clinical allow-list, where streamed text may be cut."""

from __future__ import annotations

import pytest

from compliance.phi.ja.allowlist import JapaneseClinicalAllowList
from compliance.phi.ja.boundaries import TAIL_CHARS, japanese_hold_point
from compliance.phi.ja.text import NormalisedText


@pytest.mark.parametrize(
    ("original", "normalised", "piece", "original_piece"),
    [
        ("電話は０９０－１２３４", "電話は090-1234", "090-1234", "０９０－１２３４"),
        (
            "ｶﾞﾛﾅｰﾙを飲んだ",
            "ガロナールを飲んだ",
            "ガロナール",
            "ｶﾞﾛﾅｰﾙ",
        ),  # a half-width kana and its dakuten: one character
        ("㈱ミライ", "(株)ミライ", "(株)", "㈱"),  # one character becomes three
        ("山田　花子", "山田 花子", "山田 花子", "山田　花子"),
        ("plain ascii", "plain ascii", "ascii", "ascii"),
    ],
)
def test_offsets_map_back_to_the_original(original: str, normalised: str, piece: str, original_piece: str) -> None:
    text = NormalisedText.of(original)
    assert text.text == normalised
    start = text.text.index(piece)
    begin, end = text.to_original(start, start + len(piece))
    assert original[begin:end] == original_piece


def test_part_of_an_expanded_character_maps_to_the_whole_character() -> None:
    text = NormalisedText.of("㈱")
    assert text.to_original(1, 2) == (0, 1)


@pytest.fixture(scope="module")
def allowlist() -> JapaneseClinicalAllowList:
    return JapaneseClinicalAllowList()


def kept(allowlist: JapaneseClinicalAllowList, text: str) -> set[str]:
    return {text[span.start : span.end] for span in allowlist.spans(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("橋本病と川崎病と高安動脈炎", {"橋本病", "川崎病", "高安動脈炎"}),
        ("バセドウ病、パーキンソン病、クローン病", {"バセドウ病", "パーキンソン病", "クローン病"}),
        ("ロキソニン60mgを1錠", {"ロキソニン", "60mg", "1錠"}),
        ("イブを2錠", {"イブ", "2錠"}),
        ("3日前から38.5度", {"3日前", "38.5度"}),
        ("1日3回、10日分", {"1日3回", "10日分"}),
        ("血圧180/110、SpO2 92%", {"血圧180/110", "SpO2 92%"}),
        ("#7119と119番", {"#7119", "119番"}),
        ("<PERSON_1>さん", {"<PERSON_1>"}),
    ],
)
def test_clinical_spans(allowlist: JapaneseClinicalAllowList, text: str, expected: set[str]) -> None:
    assert expected <= kept(allowlist, text)


def test_katakana_terms_match_whole_words_only(allowlist: JapaneseClinicalAllowList) -> None:
    assert kept(allowlist, "ドライブに行きました") == set()  # イブ is a drug, ドライブ is not
    assert kept(allowlist, "平成30年5月") == set()  # a date
    assert kept(allowlist, "2019年から") == set()  # a year named alone is a date too (recognizers/ja/date.py)


def test_placeholders_win_over_everything(allowlist: JapaneseClinicalAllowList) -> None:
    assert all(span.absolute for span in allowlist.spans("<PHONE_2>") if span.kind == "placeholder")


@pytest.mark.parametrize(
    ("pending", "cut"),
    [
        ("息子のゆうと", 0),  # no clause end yet: hold everything
        ("熱があります。息子のゆう", len("熱があります。")),
        ("熱があり、咳も", len("熱があり、")),
        ("電話は090-1234-5678、山", 0),  # a comma after a digit: a list of numbers may go on
        ("「大丈夫」と", len("「大丈夫」")),
    ],
)
def test_hold_point(pending: str, cut: int) -> None:
    assert japanese_hold_point(pending, 80) == cut


def test_a_long_clause_goes_out_but_for_its_tail() -> None:
    pending = "あ" * 100
    assert japanese_hold_point(pending, 80) == 100 - TAIL_CHARS
