"""Japanese messages end to end through the real Redactor, its vault and the streaming guard (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.phi import PlaceholderVault, Redactor, StreamingRedactor
from compliance.phi.ja.nlp import SudachiNlpEngine
from compliance.phi.recognizers.ja import JA_RECOGNIZERS

BENCH = Path(__file__).resolve().parents[3] / "bench"

MESSAGE = (
    "夜分にすみません。中川と申します。３歳の娘莉子が21時頃から39.5度の発熱で、ぐったりしています。"
    "橋本病の母（９２歳）も同居です。自宅は〒332-0012 埼玉県川口市本町4-1-8、電話は０４８－２２２－３３３３、"
    "メールはnakagawa.r@example.ne.jpです。昭和55年3月2日生まれ、保険証の記号12-345番号6789。"
)


def test_a_japanese_message_end_to_end(redactor: Redactor) -> None:
    red = redactor.redact(MESSAGE)
    for secret in (
        "中川",
        "莉子",
        "９２歳",
        "332-0012",
        "川口市本町",
        "２２２－３３３３",
        "nakagawa",
        "昭和55年3月2日",
        "12-345",
        "6789",
    ):
        assert secret not in red.redacted, secret
    for kept in ("３歳", "21時頃", "39.5度", "ぐったり", "橋本病", "発熱"):
        assert kept in red.redacted, kept
    assert red.counts == {
        "PERSON": 2,
        "AGE": 1,
        "ZIP": 1,
        "ADDRESS": 1,
        "PHONE": 1,
        "EMAIL": 1,
        "DATE": 1,
        "HEALTH_PLAN": 2,
    }
    assert red.redacted.startswith("夜分にすみません。<PERSON_1>と申します。３歳の娘<PERSON_2>が")


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("橋本さんは橋本病です", "橋本さん", "橋本病"),
        ("川崎市に住む息子が川崎病でした", "川崎市", "川崎病"),
        ("高安さんは高安動脈炎ではありません", "高安さん", "高安動脈炎"),
        ("バセドウ病とパーキンソン病とクローン病の母の和子", "和子", "バセドウ病とパーキンソン病とクローン病"),
        ("菊池病と言われた菊池です。", "菊池です", "菊池病"),
    ],
)
def test_eponyms_survive_and_the_same_names_do_not(redactor: Redactor, text: str, secret: str, kept: str) -> None:
    red = redactor.redact(text).redacted
    assert kept in red
    assert secret not in red


@pytest.mark.parametrize(
    ("text", "secrets", "kept"),
    [
        # a name's reading in brackets, a hiragana given name after a space, a surname that is also a place
        ("次男の湊斗（みなと）は喘息です", ["湊斗", "みなと"], ["喘息"]),
        ("患者：石井 こはる、3歳。対象 長野 恵一 様", ["石井 こはる", "長野 恵一"], ["3歳"]),
        ("下の子（楓、5歳）が嘔吐", ["楓"], ["5歳", "嘔吐"]),
        # years named alone, a relative year with its month; counts of years stay
        (
            "祖母は大正15年生まれ、おととし3月に骨折、10年前から高血圧",
            ["大正15年", "おととし3月"],
            ["10年前", "高血圧"],
        ),
        # generic ID cues with hyphenated and lettered values; My Number earlier in the sentence
        ("ID 4471-902、予約番号はK-20931、カルテ#55120", ["4471-902", "K-20931", "55120"], []),
        ("マイナンバーの確認で、番号は123456789012です", ["123456789012"], []),
        # schools, branches, quoted facility names, kana-led names, legal entities, a company read whole
        (
            "市立さくら台中学校から連絡。ひまわり薬局 北口店と施設「こもれびの里」、えがお内科",
            ["さくら台中学校", "ひまわり薬局 北口店", "こもれびの里", "えがお内科"],
            [],
        ),
        ("勤務先は大和乃出工業株式会社、前は社会福祉法人 ゆずりは会", ["大和乃出工業株式会社", "ゆずりは会"], []),
        ("東京都港区芝5丁目3-1 ベイタワー芝1502に住んでいます", ["ベイタワー芝1502", "芝5丁目3-1"], []),
    ],
)
def test_names_ids_and_organisations_as_forms_and_chat_write_them(
    redactor: Redactor, text: str, secrets: list[str], kept: list[str]
) -> None:
    red = redactor.redact(text, language="ja")
    for secret in secrets:
        assert secret not in red.redacted, (secret, red.redacted)
    for word in kept:
        assert word in red.redacted, (word, red.redacted)


def test_spans_slice_the_original_text(redactor: Redactor) -> None:
    text = "ｶﾛﾅｰﾙを飲んだ娘の結菜、電話０９０－１２３４－５６７８"
    values = {text[s.start : s.end]: s.type for s in redactor.find(text)}
    assert values == {"結菜": "PERSON", "０９０－１２３４－５６７８": "PHONE"}


def test_language_hint_and_detection(redactor: Redactor) -> None:
    assert redactor.japanese is not None and isinstance(redactor.japanese.nlp, SudachiNlpEngine)
    # detected from the script, or given
    assert [s.type for s in redactor.find("母の和子が倒れました")] == ["PERSON"]
    assert [s.type for s in redactor.find("母の和子が倒れました", language="ja-JP")] == ["PERSON"]
    # English text stays English whatever a Japanese widget says; English inside Japanese goes to English
    assert [s.type for s in redactor.find("My daughter Emily has a fever.", language="ja")] == ["PERSON"]
    text = "My name is John Smith. お腹が痛いです"
    assert [text[s.start : s.end] for s in redactor.find(text)] == ["John Smith"]
    # a Japanese widget's message without any Japanese letter goes through both pipelines
    assert [s.type for s in redactor.find("TEL:0467-22-3333", language="ja")] == ["PHONE"]
    # Japanese words in a message read as English (mostly English, or an English widget's hint) are read too
    text = "My mother 山田花子さん has chest pain since this morning, her clinic is さくら内科."
    assert [text[s.start : s.end] for s in redactor.find(text)] == ["山田花子", "さくら内科"]
    text = "Hi, this is ヤマダ from the office; I have had a headache since yesterday."
    assert [text[s.start : s.end] for s in redactor.find(text, language="en")] == ["ヤマダ"]
    assert redactor.find("I have had 頭痛 since yesterday", language="en") == []
    text = "My mother 山田花子 has had chest pain since this morning."
    assert [text[s.start : s.end] for s in redactor.find(text, language="en")] == ["山田花子"]


def test_the_vault_gives_one_placeholder_per_original_across_forms(redactor: Redactor) -> None:
    vault = PlaceholderVault()
    first = redactor.redact("母の山田花子の電話は０９０－１２３４－５６７８です", vault).redacted
    second = redactor.redact("山田　花子さんに090-1234-5678へ電話するよう伝えてください", vault).redacted
    assert first == "母の<PERSON_1>の電話は<PHONE_1>です"
    assert second == "<PERSON_1>さんに<PHONE_1>へ電話するよう伝えてください"
    assert vault.reveal("<PERSON_1>") == "山田花子"


def test_the_japanese_registry_holds_only_japanese_recognizers(redactor: Redactor) -> None:
    names = sorted(r.name for r in redactor.japanese.analyzer.registry.recognizers)
    assert names == sorted(cls.__name__ for cls in JA_RECOGNIZERS)


def _stream(
    redactor: Redactor, tokens: list[str], vault: PlaceholderVault | None = None, language: str | None = None
) -> tuple[str, list[str]]:
    guard = StreamingRedactor(redactor, vault, language)
    pieces = [guard.feed(token) for token in tokens]
    pieces.append(guard.flush())
    return "".join(pieces), pieces


STREAMED = "息子のゆうとくんは昨日から熱があります。電話は090-1234-5678です。山田花子さんにも伝えてください。お大事に。"


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_streamed_japanese_output_is_redacted_like_the_whole(redactor: Redactor, size: int) -> None:
    tokens = [STREAMED[i : i + size] for i in range(0, len(STREAMED), size)]
    out, pieces = _stream(redactor, tokens)
    assert out == redactor.redact(STREAMED).redacted
    for secret in ("ゆうと", "ゆう", "090", "5678", "山田", "花子"):
        assert all(secret not in piece for piece in pieces), secret


def test_streamed_japanese_goes_out_clause_by_clause(redactor: Redactor) -> None:
    guard = StreamingRedactor(redactor, language="ja")
    assert guard.feed("熱が高い") == ""
    assert guard.feed("ときは、") == "熱が高いときは、"
    assert guard.feed("水分を") == ""
    assert guard.feed("とってください。") == "水分をとってください。"


def test_placeholders_split_across_tokens_pass_through_intact(redactor: Redactor) -> None:
    vault = PlaceholderVault()
    redactor.redact("母の山田花子です", vault)
    tokens = ["<PER", "SON_", "1>", "さん", "は", "お大事", "に。", "山", "田", "花", "子さんにも", "よろしく", "。"]
    out, _ = _stream(redactor, tokens, vault)
    assert out == "<PERSON_1>さんはお大事に。<PERSON_1>さんにもよろしく。"


def test_own_sets_are_well_formed_and_in_step_with_their_sources() -> None:
    from bench.make_phi_ja_set import parse

    for name, least in (("phi_ja_own", 120), ("phi_ja_fresh", 60)):
        rows = [
            json.loads(line) for line in (BENCH / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        assert len(rows) >= least
        assert sum(len(row["phi"]) for row in rows) >= least // 2
        for row in rows:
            for span in row["phi"] + row["keep"]:
                assert row["text"][span["start"] : span["end"]] == span["value"]
        source = (BENCH / "data" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        lines = [line for line in source if line.strip() and not line.startswith("#")]
        prefix = name.removeprefix("phi_").replace("_", "-")
        assert rows == [parse(line, number, prefix) for number, line in enumerate(lines)]
