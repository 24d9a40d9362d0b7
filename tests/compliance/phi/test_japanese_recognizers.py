"""Each Japanese recognizer on its own: what it finds, and the look-alikes it leaves (issue 19)."""

from __future__ import annotations

from functools import cache

import pytest
from presidio_analyzer import EntityRecognizer

from compliance.phi import Redactor
from compliance.phi.ja.nlp import SudachiNlpEngine
from compliance.phi.ja.text import NormalisedText
from compliance.phi.recognizers.ja import (
    JA_RECOGNIZERS,
    JaAddressRecognizer,
    JaAgeRecognizer,
    JaBuildingRecognizer,
    JaDateRecognizer,
    JaEmailRecognizer,
    JaEmployerCueRecognizer,
    JaEmployerRecognizer,
    JaFacilityCueRecognizer,
    JaFacilityRecognizer,
    JaHealthPlanRecognizer,
    JaHonorificRecognizer,
    JaIpAddressRecognizer,
    JaLicenseRecognizer,
    JaLocationRecognizer,
    JaMrnRecognizer,
    JaMyNumberCheckDigitRecognizer,
    JaMyNumberRecognizer,
    JaPersonContextRecognizer,
    JaPersonCueRecognizer,
    JaPersonPosRecognizer,
    JaPhoneRecognizer,
    JaTableAgeRecognizer,
    JaTableIdRecognizer,
    JaTableNameRecognizer,
    JaUrlRecognizer,
    JaUsernameRecognizer,
    JaZipRecognizer,
)
from compliance.phi.recognizers.ja.numbered_id import my_number_is_valid


@pytest.fixture(scope="module")
def nlp(redactor: Redactor) -> SudachiNlpEngine:
    return redactor.japanese.nlp


@cache
def _instance(cls: type[EntityRecognizer]) -> EntityRecognizer:
    return cls()


def found(nlp: SudachiNlpEngine, cls: type[EntityRecognizer], text: str) -> list[str]:
    body = NormalisedText.of(text).text
    results = _instance(cls).analyze(body, [], nlp.process_text(body, "ja"))
    return sorted({body[r.start : r.end] for r in results})


CASES: list[tuple[type[EntityRecognizer], str, list[str]]] = [
    # part of speech: surname and given name in the dictionary, foreign names joined by a middle dot
    (JaPersonPosRecognizer, "母の山田花子が倒れました", ["山田花子"]),
    (JaPersonPosRecognizer, "同居しているチャン・ウェイが腹痛です", ["チャン・ウェイ"]),
    (JaPersonPosRecognizer, "あおいが鼻水と咳です", ["あおい"]),
    (JaPersonPosRecognizer, "ゆうべから熱があります", []),
    (JaPersonPosRecognizer, "陽が当たると頭痛がします", []),
    # a hiragana given name the tokenizer read as a name where it stands, before a particle or a copula
    (JaPersonPosRecognizer, "昨日まさとと喧嘩して過呼吸になった", ["まさと"]),
    (JaPersonPosRecognizer, "けいたじゃなくてゆうとやで", ["けいた"]),
    (JaPersonPosRecognizer, "けんしんの予約がとれない", []),
    # honorifics and titles
    (JaHonorificRecognizer, "林さんからうつりました", ["林"]),
    (JaHonorificRecognizer, "勅使河原先生の外来です", ["勅使河原"]),
    (JaHonorificRecognizer, "ゆうとくんがけいれんしました", ["ゆうと"]),
    (JaHonorificRecognizer, "娘のさくらちゃんが泣いています", ["さくら"]),
    (JaHonorificRecognizer, "四十物さんと話しました", ["四十物"]),
    (JaHonorificRecognizer, "孫のれんくんが熱を出しました", ["れん"]),
    (JaHonorificRecognizer, "グエン・ヴァン・ナムさんは同僚です", ["グエン・ヴァン・ナム"]),
    (JaHonorificRecognizer, "Johnさんが来ました", ["John"]),
    (JaHonorificRecognizer, "看護師さんと皆さんとお医者さんに聞きました", []),
    (JaHonorificRecognizer, "お母さんとおばあちゃんとお隣さん", []),
    (JaHonorificRecognizer, "担任の先生から様子を聞いて氏名を書きました", []),
    # a nickname on a short kana stem is the whole word; たん after a verb's past is no honorific
    (JaHonorificRecognizer, "介護のさっちゃんが言うてた、あっくんにも", ["あっくん", "さっちゃん"]),
    (JaHonorificRecognizer, "ちーちゃんに言うたら", ["ちーちゃん"]),
    (JaHonorificRecognizer, "昨日送ってくれたんは誰やったかな", []),
    (JaHonorificRecognizer, "安田せんせに伝えてほしい", ["安田"]),
    # cues: relations, naming, introductions, と申します
    (JaPersonCueRecognizer, "母の和子が倒れました", ["和子"]),
    (JaPersonCueRecognizer, "息子のケンタが吐いています", ["ケンタ"]),
    (JaPersonCueRecognizer, "夫隆、妻恵子、二人とも胃腸炎です", ["恵子", "隆"]),
    (JaPersonCueRecognizer, "名前は佐々木蒼です", ["佐々木蒼"]),
    (JaPersonCueRecognizer, "父の名前は木村正男で、93歳です", ["木村正男"]),
    (JaPersonCueRecognizer, "フリガナ：ヤマダ　タロウ、腰が痛いです", ["ヤマダ タロウ"]),
    (JaPersonCueRecognizer, "私は高橋美咲です。", ["高橋美咲"]),
    (JaPersonCueRecognizer, "私四十物と申します", ["四十物"]),
    (JaPersonCueRecognizer, "娘のこはるの熱が下がりません", ["こはる"]),
    (JaPersonCueRecognizer, "孫の颯がよく咳込みます", ["颯"]),
    (JaPersonCueRecognizer, "母の血圧が高く、娘のアトピーと息子のおなかが心配です", []),
    (JaPersonCueRecognizer, "私は看護師です。患者ID：A-20481。息子です。", []),
    # the shape of the message: an age in brackets, ママ, a sign-off, a handle, a Latin pair, Hangul
    (JaPersonContextRecognizer, "蒼（4歳）が咳をしています", ["蒼"]),
    (JaPersonContextRecognizer, "はるとママです。下痢が続きます", ["はると"]),
    (JaPersonContextRecognizer, "喉が痛いです。千尋", ["千尋"]),
    (JaPersonContextRecognizer, "@natsu_dance やってるなつです", ["なつ"]),
    (JaPersonContextRecognizer, "Hana Suzukiです。김민준の姉です", ["Hana Suzuki", "김민준"]),
    (JaPersonContextRecognizer, "息子（5歳）の熱。連絡先 090-1234-5678", []),
    # dates, Western and Japanese era, years named alone (a birth year identifies); counts of days are kept
    (JaDateRecognizer, "昭和55年3月2日生まれです", ["昭和55年3月2日"]),
    (JaDateRecognizer, "生年月日：Ｓ５５．３．２", ["S55.3.2"]),
    (JaDateRecognizer, "1980/03/02生まれ", ["1980/03/02"]),
    (JaDateRecognizer, "令和5年11月3日から飲んでいます", ["令和5年11月3日"]),
    (JaDateRecognizer, "３月１０日から咳が続きます", ["3月10日"]),
    (JaDateRecognizer, "12日（火）に予約したいです", ["12日"]),
    (JaDateRecognizer, "先月20日に手術しました", ["20日"]),
    (JaDateRecognizer, "3/5に受診しました", ["3/5"]),
    (JaDateRecognizer, "2019年から糖尿病、平成30年に手術", ["2019年", "平成30年"]),
    (JaDateRecognizer, "父は昭和8年生まれ、去年12月に手術、5年前から糖尿病、2年間インスリン", ["昭和8年", "去年12月"]),
    (JaDateRecognizer, "3日間、3日前から、1日3回、10日分、痛みは7/10、1/2錠", []),
    # phones, with full-width digits and dash look-alikes
    (JaPhoneRecognizer, "電話は０９０－１２３４－５６７８です", ["090-1234-5678"]),
    (JaPhoneRecognizer, "(06)6123-4567か03(1234)5678へ", ["(06)6123-4567", "03(1234)5678"]),
    (JaPhoneRecognizer, "携帯09012345678、国際+81-90-3333-4444", ["+81-90-3333-4444", "09012345678"]),
    (JaPhoneRecognizer, "０１２０ー９９９ー１１１にかけました", ["0120ー999ー111"]),
    (JaPhoneRecognizer, "119番と#7119に電話、番号は12345", []),
    (JaPhoneRecognizer, "ご不明点は0234-22-5510(内線12)まで", ["0234-22-5510(内線12)"]),
    # postal codes
    (JaZipRecognizer, "〒160-0023 東京都新宿区", ["160-0023"]),
    (JaZipRecognizer, "郵便番号530-0001です", ["530-0001"]),
    (JaZipRecognizer, "231-0023 神奈川県横浜市", ["231-0023"]),
    (JaZipRecognizer, "番号は123-4567です", []),
    # addresses and places
    (JaAddressRecognizer, "横浜市港北区日吉3丁目4番5号から", ["横浜市港北区日吉3丁目4番5号"]),
    (
        JaAddressRecognizer,
        "住所は大阪府堺市北区中百舌鳥町2-10-5 メゾン堺203号室です",
        ["大阪府堺市北区中百舌鳥町2-10-5 メゾン堺203号室"],
    ),
    (JaAddressRecognizer, "札幌市中央区北1条西2丁目の近く", ["札幌市中央区北1条西2丁目"]),
    (JaAddressRecognizer, "横浜市に住んでいます", []),
    # a block in kanji numerals, only before a unit that makes it one (一番 is "the most")
    (JaAddressRecognizer, "母は鶴岡市大山二丁目の家で転倒", ["鶴岡市大山二丁目"]),
    (JaAddressRecognizer, "新宿区西新宿二丁目十番五号です", ["新宿区西新宿二丁目十番五号"]),
    (JaAddressRecognizer, "大山一番の人気です", []),
    # a dwelling named in quotation brackets, or after a word for one
    (JaBuildingRecognizer, "若竹町の「ハイツ若竹」に住んでいます", ["ハイツ若竹"]),
    (JaBuildingRecognizer, "本町のアパート「コーポ・ヤマト」の1階", ["コーポ・ヤマト"]),
    (JaBuildingRecognizer, "「ロキソニン」をもらいました、「痛い」と言っています、「荘」", []),
    # a number's column in a table: its values with a digit are identifiers
    (JaTableIdRecognizer, "社員番号｜氏名｜項目\n30412｜藤本 翔｜肝機能異常\n－｜ハン・ミンジュン｜貧血", ["30412"]),
    (JaTableIdRecognizer, "項目｜結果｜判定\n30412｜88｜再検", []),
    (JaLocationRecognizer, "川崎市に住み、博多に出張、渋谷駅の近くにいます", ["博多", "川崎市", "渋谷"]),
    (JaLocationRecognizer, "北海道と東京と日本とアメリカ", []),
    # e-mail, URL, handles, IP addresses written without spaces around them
    (JaEmailRecognizer, "メールはtaro.yamada@example.co.jpまで", ["taro.yamada@example.co.jp"]),
    (JaUrlRecognizer, "ブログ(https://ameblo.jp/sakura-mama123)に書きました", ["https://ameblo.jp/sakura-mama123"]),
    (
        JaUrlRecognizer,
        "サイトwww.sakura-hp.jpとexample.co.jp/yoyakuを見ました",
        ["example.co.jp/yoyaku", "www.sakura-hp.jp"],
    ),
    (JaUsernameRecognizer, "インスタ（@yumi_0321）かLINEのIDはhanako1122です", ["hanako1122", "yumi_0321"]),
    (JaUsernameRecognizer, "LINE IDがsakura_no_ki77に変わりました", ["sakura_no_ki77"]),
    (JaIpAddressRecognizer, "192.168.0.12から接続", ["192.168.0.12"]),
    # ages over 89 only
    (JaAgeRecognizer, "93歳の父、九十五歳の祖父、百歳の祖母、90代の母", ["90代", "93歳", "九十五歳", "百歳"]),
    (JaAgeRecognizer, "卒寿を迎えました", ["卒寿"]),
    (JaAgeRecognizer, "89歳の父と45歳の私と9歳の息子", []),
    # a table whose header names a person's column and an age column
    (JaTableNameRecognizer, "氏名/年齢/担当\n井上トメ/94/東\n〃/88/ー", ["井上トメ", "東"]),
    (JaTableAgeRecognizer, "氏名/年齢/担当\n井上トメ/94/東\n森 進/88/西", ["94"]),
    (JaTableNameRecognizer, "血圧/脈拍/体温\n120/80/36.5", []),
    # numbered identifiers after their cues
    (JaMrnRecognizer, "診察券番号は00123456、カルテNo.K-558201", ["00123456", "No.K-558201"]),
    # the "No." written before a number is part of it (a card's 20418 alone would leave most of "No.20418" in view)
    (JaMrnRecognizer, "診察券No.20418 阿部", ["No.20418"]),
    (JaMrnRecognizer, "桜井（KS-118203）と関精のCR-3312、CA-125が高い", ["CR-3312", "KS-118203"]),
    (JaHealthPlanRecognizer, "保険証の記号12-345番号6789です", ["12-345", "6789"]),
    (JaHealthPlanRecognizer, "記号は ホ12、番号は3456", ["3456", "ホ12"]),
    (JaHealthPlanRecognizer, "被保険者番号：00112233", ["00112233"]),
    (JaLicenseRecognizer, "運転免許証の番号は301234567890、パスポート番号TK1234567", ["301234567890", "TK1234567"]),
    (JaLicenseRecognizer, "受付で運転経歴証明書（662004198310）でええか", ["662004198310"]),
    (JaMyNumberRecognizer, "マイナンバーは3016 6131 8600です", ["3016 6131 8600"]),
    (JaMyNumberCheckDigitRecognizer, "番号526018159084と526018159085", ["526018159084"]),
    # facilities: a name before the head word; generic names are no names
    (JaFacilityRecognizer, "山田クリニックと聖路加国際病院", ["山田クリニック", "聖路加国際病院"]),
    (JaFacilityRecognizer, "田中内科とひまわり小児科とにこにこ歯科", ["にこにこ歯科", "ひまわり小児科", "田中内科"]),
    (JaFacilityRecognizer, "川崎市立川崎病院を退院しました", ["川崎市立川崎病院"]),
    (JaFacilityRecognizer, "大学病院の循環器内科と近くの総合病院と心療内科", []),
    # the names care homes give themselves (…の里, …の丘, …の森), and heads shortened as people write them
    (JaFacilityRecognizer, "ひだまりの里ショートと千里の杜の相談員", ["ひだまりの里", "千里の杜"]),
    (JaFacilityRecognizer, "実家の森に行った、母の里帰り", []),
    (
        JaFacilityRecognizer,
        "さくら透析の先生、こすもす腎クリの予約、北摂救命センター",
        ["こすもす腎クリ", "さくら透析", "北摂救命センター"],
    ),
    (JaFacilityRecognizer, "人工透析を週3回、血液透析の後", []),
    # employers
    (JaEmployerRecognizer, "株式会社ミライ商事に勤めています", ["株式会社ミライ商事"]),
    (JaEmployerRecognizer, "会社（丸山建設株式会社）の健診", ["丸山建設株式会社"]),
    (JaEmployerRecognizer, "(株)ヤマト運輸に勤務", ["(株)ヤマト運輸"]),
    (JaEmployerRecognizer, "トヨタで働いています", ["トヨタ"]),
    (JaEmployerRecognizer, "勤務先はセブン-イレブンです", ["セブン-イレブン"]),
    (JaEmployerRecognizer, "関西精工に入社して半年です", ["関西精工"]),
    (JaEmployerRecognizer, "夫は九州電力に勤めています", ["九州電力"]),
    (JaEmployerRecognizer, "工場で働いています。病院で働いていてコンビニでバイトを", []),
    # organisations a cue announces: a kind of facility before its own name, a name after 勤め先 / 病院は
    (JaFacilityCueRecognizer, "グループホームこすもすに入居中", ["グループホームこすもす"]),
    (JaFacilityCueRecognizer, "ホテル月見坂に泊まっています", ["ホテル月見坂"]),
    (JaFacilityCueRecognizer, "前の病院はみなと母子クリニックでした", ["みなと母子クリニック"]),
    (JaFacilityCueRecognizer, "ホテルに泊まって、スーパーマーケットで倒れ、デイサービスお休み", []),
    # a name ends at a bracket of either width and at a chat's って too
    (JaFacilityCueRecognizer, "【キッズデンタル ぱんだ】次回は4月2日です", ["キッズデンタル ぱんだ"]),
    (JaFacilityCueRecognizer, "キッズクリニック いろはってLINEで予約できる？", ["キッズクリニック いろは"]),
    (JaEmployerCueRecognizer, "職場（マルフク物流 草加センター）で", ["マルフク物流 草加センター"]),
    (JaEmployerCueRecognizer, "職場（工場）で、会社（IT系）は、職場は忙しい", []),
]


@pytest.mark.parametrize(
    ("cls", "text", "expected"), CASES, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CASES)]
)
def test_recognizer(nlp: SudachiNlpEngine, cls: type[EntityRecognizer], text: str, expected: list[str]) -> None:
    assert found(nlp, cls, text) == sorted(expected)


def test_every_recognizer_is_covered_and_registered_for_japanese() -> None:
    assert {cls for cls, _, _ in CASES} == set(JA_RECOGNIZERS)
    assert all(_instance(cls).supported_language == "ja" for cls in JA_RECOGNIZERS)


@pytest.mark.parametrize(
    ("number", "valid"),
    [("526018159084", True), ("301661318600", True), ("526018159085", False), ("12345678901", False)],
)
def test_my_number_check_digit(number: str, valid: bool) -> None:
    assert my_number_is_valid(number) is valid
