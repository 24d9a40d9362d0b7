"""The Japanese reader: vocabulary on characters, longest match first, and Japanese context as data (issue 19)."""

from __future__ import annotations

import pytest

from agents.triage import knowledge
from agents.triage.context import Assertion
from agents.triage.japanese.matcher import Matcher
from agents.triage.japanese.reader import JapaneseReader, particles_dropped
from agents.triage.japanese.readings import term_reading, text_reading
from agents.triage.japanese.text import has_japanese, normalise


@pytest.fixture(scope="module")
def reader() -> JapaneseReader:
    return JapaneseReader(knowledge.load())


def read(reader: JapaneseReader, text: str) -> dict[str, Assertion]:
    """Concept id (or 'c:' + condition id) -> assertion, for the mentions of one message."""
    return {("c:" if m.named else "") + m.id: m.assertion for m in reader.read(text).mentions}


def test_normalisation_reads_full_width_and_half_width_katakana_and_folds_kana() -> None:
    assert normalise("ＳｐＯ２　９２％、ｽﾞｷｽﾞｷ") == "spo292%、ずきずき"
    assert normalise("ズキズキ") == normalise("ずきずき")
    assert has_japanese("胸が痛い") and has_japanese("ｽﾞｷｽﾞｷ") and not has_japanese("chest pain 38.5")


def test_longest_match_wins_and_a_gap_term_holds_only_its_first_part() -> None:
    m = Matcher(
        [
            ("下腹部痛", "f:lower"),
            ("右下腹部痛", "f:right"),
            ("熱", "f:fever"),
            ("熱中症", "x"),
            ("胸...痛", "f:chest"),
            ("頭...痛", "f:head"),
        ],
        boundaries="。、",
    )
    assert [x.keys for x in m.find("右下腹部痛があります")] == [("f:right",)]
    assert [x.keys for x in m.find("熱中症かも")] == [("x",)]  # an ignore word keeps 熱 from reading as fever
    assert {x.keys for x in m.find("胸と頭が痛い")} == {("f:chest",), ("f:head",)}
    assert m.find("胸、頭") == []  # a gap never crosses a boundary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("頭がずきずきします", "headache"),
        ("頭がガンガンする", "headache"),
        ("胸がぎゅーっと痛い", "crushing_chest_pain"),
        ("胸がちくちくする", "chest_pain"),
        ("喉がイガイガします", "sore_throat_symptom"),
        ("ゼーゼーしています", "wheeze"),
        ("お腹がきりきり痛い", "abdominal_pain"),
        ("足がしびれる", "limb_numbness"),
    ],
)
def test_colloquial_onomatopoeia_name_the_same_concepts(reader: JapaneseReader, text: str, expected: str) -> None:
    assert read(reader, text).get(expected) is Assertion.present


@pytest.mark.parametrize(
    ("said", "dropped", "concept"),
    [
        ("ボタン電池を飲んだかも", "ボタン電池飲んだかも", "button_battery"),
        ("胎動を感じない", "胎動感じない", "reduced_fetal_movements"),
        ("首が曲げられない", "首曲げられない", "neck_stiffness"),
    ],
)
def test_chat_that_drops_the_particle_reads_as_the_term_that_has_it(
    reader: JapaneseReader, said: str, dropped: str, concept: str
) -> None:
    assert concept in read(reader, said)
    assert read(reader, dropped).get(concept) is read(reader, said)[concept]


def test_only_a_particle_after_a_kanji_or_katakana_noun_is_dropped() -> None:
    assert particles_dropped("ボタン電池を飲") == "ボタン電池飲"
    assert particles_dropped("ガスが漏れ") == "ガス漏れ"
    # after hiragana it may be part of a word (がたがた, ながら) or a kana noun the chat keeps whole
    assert particles_dropped("がたがた震え") == "がたがた震え"
    assert particles_dropped("ろれつが回らな") == "ろれつが回らな"
    # never the last character, nor before a gap
    assert particles_dropped("胸が") == "胸が"
    assert particles_dropped("胸が...痛") == "胸が...痛"


def test_kanji_and_kana_variants_name_one_concept(reader: JapaneseReader) -> None:
    for text in ("吐き気がする", "はきけがする", "ムカムカする"):
        assert read(reader, text).get("nausea") is Assertion.present, text


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("熱はない", "fever"),
        ("熱はありません", "fever"),
        ("発熱なし", "fever"),
        ("胸の痛みはないです", "chest_pain"),
        ("咳は出ていません", "cough"),
        ("頭は痛くない", "headache"),
        ("嘔気(-)", "nausea"),
        # session 14: a stem's rest before the negation, the polite ございません, a history that is denied
        ("ふらつきなし", "unsteadiness"),
        ("熱はございません", "fever"),
        ("頭部打撲歴なし", "head_injury"),
        ("水疱・紫斑・壊死なし", "non_blanching_rash"),
    ],
)
def test_japanese_negation_after_the_finding(reader: JapaneseReader, text: str, concept: str) -> None:
    assert read(reader, text)[concept] is Assertion.negated


def test_negation_reaches_every_item_of_a_list_and_stops_at_a_clause(reader: JapaneseReader) -> None:
    found = read(reader, "熱も咳もありません")
    assert found["fever"] is Assertion.negated and found["cough"] is Assertion.negated
    found = read(reader, "動悸がします。胸の痛みやめまいはありません")
    assert found["palpitations"] is Assertion.present
    assert found["chest_pain"] is Assertion.negated and found["dizziness"] is Assertion.negated
    found = read(reader, "頭が痛くて、熱はない")
    assert found["headache"] is Assertion.present and found["fever"] is Assertion.negated


def test_a_negation_about_something_else_does_not_negate_the_finding(reader: JapaneseReader) -> None:
    # 寝ていない is about sleep: only particles, 出て/して/ある and adverbs may stand between a finding and its negation
    assert read(reader, "胸が痛くて夜も寝ていない")["chest_pain"] is Assertion.present


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("吐き気が止まらない", "nausea"),
        ("熱が下がらない", "fever"),
        ("頭痛が治らない", "headache"),
        ("腰が痛くて眠れない", "back_pain"),
    ],
)
def test_pseudo_negations_say_the_problem_is_there(reader: JapaneseReader, text: str, concept: str) -> None:
    assert read(reader, text)[concept] is Assertion.present


def test_a_finding_that_is_itself_an_absence_keeps_its_negation(reader: JapaneseReader) -> None:
    found = read(reader, "夫が倒れて、息をしていません")
    assert found["not_breathing"] is Assertion.present
    assert read(reader, "呼びかけても反応がありません")["unresponsive"] is Assertion.present


def test_uncertainty_hypothetical_and_history(reader: JapaneseReader) -> None:
    assert read(reader, "脳梗塞かもしれない")["c:stroke"] is Assertion.possible
    assert read(reader, "骨折しているかも")["c:fracture_suspected"] is Assertion.possible
    assert read(reader, "胸が痛くなったらどうすればいいですか")["chest_pain"] is Assertion.hypothetical
    assert read(reader, "もし息苦しくなったら")["breathlessness"] is Assertion.hypothetical
    history = read(reader, "3年前に心筋梗塞をやったことがあります")
    assert history["c:acute_coronary_syndrome"] is Assertion.historical


def test_words_that_only_look_like_a_term_read_as_nothing(reader: JapaneseReader) -> None:
    assert "fever" not in read(reader, "熱中症が心配です")
    assert "heat_exhaustion" in {m.id for m in reader.read("熱中症が心配です").mentions}
    assert "headache" not in read(reader, "咽頭痛があります")
    assert "fall" not in read(reader, "気分が落ち込みます")


@pytest.mark.parametrize(
    ("text", "not_read", "read_instead"),
    [
        # session 14, read on the Japanese train part: a counter, a compound, another body part's words
        ("生理2日目でおなか痛い", "eye_pain", "abdominal_pain"),
        ("授乳のたびに乳首が切れて痛い", "neck_pain", None),
        ("お腹がゴロゴロする", "gritty_eye", None),
        ("左のすねが赤く腫れて熱をもっています", "hot_swollen_joint", "skin_warm"),
        ("足の親指の爪が分厚く黄色くなって", "jaundice", None),
        ("おりものが灰色っぽくて", "cyanosis", "vaginal_discharge"),
        ("夫のいびき、たまに息止まってる", "not_breathing", "witnessed_apnoea"),
    ],
)
def test_a_word_read_in_the_sense_its_company_gives_it(
    reader: JapaneseReader, text: str, not_read: str, read_instead: str | None
) -> None:
    found = read(reader, text)
    assert not_read not in found
    assert read_instead is None or found[read_instead] is Assertion.present


def test_the_same_words_keep_their_sense_where_it_holds(reader: JapaneseReader) -> None:
    assert read(reader, "目がゴロゴロする")["gritty_eye"] is Assertion.present
    assert read(reader, "右膝が赤く腫れて熱をもっている")["hot_swollen_joint"] is Assertion.present
    assert read(reader, "白目が黄色くなってきた")["jaundice"] is Assertion.present
    assert read(reader, "息が止まってる、顔が紫")["not_breathing"] is Assertion.present


def test_bleeding_alone_is_vaginal_bleeding_only_in_a_pregnancy(reader: JapaneseReader) -> None:
    conditional = reader.read("少量の出血があります").conditional
    assert [c.mention.id for c in conditional] == ["vaginal_bleeding"]
    assert "pregnant" in conditional[0].with_any


def test_a_lost_sense_keeps_its_negative_as_part_of_the_finding(reader: JapaneseReader) -> None:
    found = read(reader, "今朝起きたら急に右耳が聞こえなくなってました")
    assert found["sudden_hearing_loss"] is Assertion.present


def test_months_after_birth_are_an_age_not_a_duration(reader: JapaneseReader) -> None:
    found = read(reader, "生後2か月の息子が38度あります")
    assert "infant" in found
    assert "lasting_over_3_weeks" not in found


def test_words_that_mean_a_finding_only_in_company(reader: JapaneseReader) -> None:
    """声が出ない is hoarseness alone and silence when choking; 顔が青い is pallor alone and cyanosis when choking."""
    choking = {
        c.mention.id for c in reader.read("ミニトマトを喉に詰まらせて声が出なくて顔が青くなってきた").conditional
    }
    assert {"unable_to_speak_or_cough", "cyanosis"} <= choking
    alone = {c.mention.id for c in reader.read("声が出なくて顔が青くなってきた").conditional}
    assert alone <= {"unable_to_speak_or_cough", "cyanosis"}  # held, and counted only with a choking episode
    assert "pallor" in read(reader, "顔が青くなってきた")  # read alone, it is still pallor


@pytest.mark.parametrize(
    ("kana", "kanji", "concept"),
    [
        ("右手にちからがはいらない", "右手に力が入らない", "one_sided_weakness"),
        ("ろれつがまわらない", "呂律が回らない", "slurred_speech"),
        ("喘息の吸入がきかない", "喘息の吸入が効かない", "reliever_not_helping"),
        ("はちにさされた", "蜂に刺された", "allergen_exposure"),
        ("きのうからいきがくるしい", "昨日から息が苦しい", "breathlessness"),
    ],
)
def test_a_word_written_in_kana_reads_as_the_vocabularys_kanji(
    reader: JapaneseReader, kana: str, kanji: str, concept: str
) -> None:
    assert read(reader, kanji).get(concept) is Assertion.present
    assert read(reader, kana).get(concept) is Assertion.present


def test_context_judges_what_was_read_on_its_reading(reader: JapaneseReader) -> None:
    assert read(reader, "いきぐるしくはないです").get("breathlessness") is Assertion.negated
    assert read(reader, "ろれつがまわらないことはないです").get("slurred_speech") is Assertion.negated


@pytest.mark.parametrize(
    ("text", "not_read"),
    [
        (
            "市販の薬を飲んだ",
            "rash",
        ),  # 市販 sounds like 紫斑: a word written in kanji is matched on its characters only
        ("紙で指切った、血はもう止まってる", "vomiting_blood"),  # 血は (a particle) does not start 吐く
        ("4歳の息子が転んで膝をすりむいた。砂は水道で洗い流した", "waters_broken"),  # は水 is not 破水
    ],
)
def test_a_reading_is_not_taken_across_kanji_homophones_or_particles(
    reader: JapaneseReader, text: str, not_read: str
) -> None:
    assert not_read not in read(reader, text)


def test_a_terms_reading_completes_a_cut_stem_before_it_is_read() -> None:
    assert term_reading(normalise("胸が痛")) == "むねがいた"  # 痛 alone would read つう
    assert term_reading(normalise("動かな")) == "うごかな"  # 動 alone would read どう
    assert term_reading(normalise("血を吐")) == "ちをは"
    assert term_reading(normalise("熱")) == "ねつ"
    assert term_reading(normalise("ずきずき")) is None  # no kanji: its own reading


def test_a_text_reading_maps_back_to_the_words_it_came_from() -> None:
    reading = text_reading(normalise("右手にちからがはいらない"))
    assert reading.kana == "みぎてにちからがはいらない"
    assert reading.span(4, len(reading.kana)) == (3, 12)  # ちからがはいらない
    assert reading.span(3, 7) is None  # に is a particle: no term starts there
    assert reading.span(0, 3) is None  # 右手 is written in kanji: its characters were matched already


# Round 14 (clinicians' notes): each of these read the finding as present before engine 2.8.8.
@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("下腿の腫脹・発赤・左右差なし。", "skin_redness"),  # a list runs through an item nothing reads
        ("頭痛・胸痛・動悸・視覚異常なし。", "chest_pain"),  # ... also back from the item before the trigger
        ("嚥下困難・体重減少・黒色便・吐血いずれもなし。", "melaena"),  # いずれも between the list and なし
        ("出血・破水感なし。", "waters_broken"),  # 破水感: the finding said as a feeling
        ("首を痛がる様子なし。", "neck_stiffness"),
        ("胸がへこむような呼吸なし。", "chest_recession"),  # the finding describes the noun that is absent
        ("カーテンが下りてくるような視野欠損はない。", "visual_field_curtain"),
        ("希死念慮・児を傷つける考えは否定。", "suicidal_ideation"),  # 傷つける is to hurt, not a wound
        ("突然発症ではない。", "sudden_onset"),
        ("びらん・水疱の多発なし。", "blisters"),  # how a finding is spread (多発, 散在, 集簇)
        ("紫斑の散在なし。", "non_blanching_rash"),
        ("びらん・小水疱の集簇なし。", "dermatomal_rash"),  # 2.8.10: grouped vesicles are shingles' rash
    ],
)
def test_a_clinicians_negated_list_and_description(reader: JapaneseReader, text: str, concept: str) -> None:
    assert read(reader, text)[concept] == Assertion.negated


# Engine 2.8.19: a modifier (急な) takes the negation of the noun it modifies, read or not; before it, "no sudden loss
# of vision" left a sudden onset standing (a cataract referral went to an emergency department).
@pytest.mark.parametrize(
    "text",
    [
        "急な視力低下なし。",
        "急な視力低下・視野欠損なし。",
        "眼痛・充血なし、急な視力低下・視野欠損なし、頭痛なし。",
        "急な変化はありません。",
    ],
)
def test_a_modifier_is_negated_with_the_noun_it_modifies(reader: JapaneseReader, text: str) -> None:
    assert read(reader, text)["sudden_onset"] == Assertion.negated


def test_a_modifier_of_a_noun_that_is_there_stays_present(reader: JapaneseReader) -> None:
    assert read(reader, "急な視力低下があり、頭痛はない。")["sudden_onset"] == Assertion.present
    assert read(reader, "急な視力低下・視野欠損あり。")["sudden_onset"] == Assertion.present
    assert read(reader, "急な視力低下。")["blurred_vision"] == Assertion.present  # the clinical term for reduced vision


def test_an_item_that_says_it_is_there_stops_the_lists_negation(reader: JapaneseReader) -> None:
    found = read(reader, "胸痛・動悸あり・呼吸苦なし。")
    assert found["chest_pain"] == Assertion.present
    assert found["breathlessness"] == Assertion.negated


def test_no_possibility_of_pregnancy_is_a_negation_not_a_doubt(reader: JapaneseReader) -> None:
    assert read(reader, "妊娠の可能性なし。")["pregnant"] == Assertion.negated
    assert read(reader, "妊娠の可能性あり。")["pregnant"] == Assertion.possible


def test_snoring_with_pauses_is_sleep_apnoea_but_a_sleeper_who_is_not_breathing_is_not(
    reader: JapaneseReader,
) -> None:
    apnoea = read(reader, "いびきと睡眠中の呼吸停止を指摘された。")
    assert "witnessed_apnoea" in apnoea and "not_breathing" not in apnoea
    assert "not_breathing" not in read(reader, "睡眠中に数秒の呼吸停止を目撃。")
    assert "not_breathing" in read(reader, "寝ている父の息が止まっている。")
    assert "not_breathing" in read(reader, "睡眠中に呼吸停止しているのを家族が発見。")
    # 2.8.9: the words that say it comes and goes may stand anywhere in the sentence; a sleeper whose breathing
    # has stopped, with none of them, is read as not breathing (the 2.7.6 terms held those words whole)
    snoring = read(reader, "夫のいびきがひどくて、寝てるときに息が止まってる時があります。")
    assert "witnessed_apnoea" in snoring and "not_breathing" not in snoring
    assert "not_breathing" in read(reader, "父が寝ている時に息が止まっている。")
    assert "not_breathing" not in read(reader, "夫は睡眠中に呼吸が止まる。")


def test_body_weight_and_a_well_baby_check_are_no_findings(reader: JapaneseReader) -> None:
    found = read(reader, "1か月健診から体重は順調に増加。")
    assert "general_weakness" not in found and "lasting_over_3_weeks" not in found
