"""Triage of Japanese messages: the same concepts, conditions and physiology decide (issue 19)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agents.triage import Assessment, Level, assess, follow_up_question, knowledge
from agents.triage.engine import forget_messages
from agents.triage.knowledge import problems, read
from bench.triage_eval import evaluate, load_cases

OWN_SET = Path(__file__).parents[3] / "bench" / "data" / "triage_ja_own.jsonl"


def test_chest_pain_with_sweating_is_an_ambulance_with_a_japanese_rationale() -> None:
    result = assess("胸が締め付けられるように痛くて、冷や汗が止まりません", lang="ja")
    assert result.level is Level.emergency_ambulance
    assert "acute_coronary_syndrome" in {c.id for c in result.conditions}
    assert "胸" in result.rationale and "救急車" in result.rationale
    assert not result.needs_clinician


def test_the_same_words_in_english_mode_go_to_a_clinician() -> None:
    """Without lang="ja" the English layers cannot read Japanese: a clinician reads it (the behaviour before 19)."""
    result = assess("胸が締め付けられるように痛くて、冷や汗が止まりません")
    assert result.needs_clinician and "language" in result.missing_info


def test_a_message_nothing_places_goes_to_a_clinician_never_to_a_routine_default() -> None:
    result = assess("よろしくお願いします", lang="ja")
    assert result.level is Level.consultation_24 and result.needs_clinician
    assert result.missing_info == ("complaint",)
    assert "医療者" in result.rationale
    assert "症状" in follow_up_question("complaint", "ja")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("SpO2 85%です", Level.emergency_ambulance),
        ("72歳男性、血圧80/50、脈拍120、意識もうろう", Level.emergency_ambulance),
        ("生後２ヶ月の赤ちゃんが３８度の熱を出しています", Level.emergency),
    ],
)
def test_japanese_numbers_reach_the_physiology_layer(text: str, level: Level) -> None:
    assert assess(text, lang="ja").level.rank <= level.rank


def test_negated_and_hypothetical_red_flags_do_not_count() -> None:
    assert not assess("胸の痛みや息苦しさはありません。鼻水が出ます。", lang="ja").is_emergency
    assert not assess("胸が痛くなったら、どうすればいいですか？鼻水が出ます。", lang="ja").is_emergency


def test_a_named_condition_counts_even_when_only_suspected() -> None:
    result = assess("母が脳梗塞かもしれません", lang="ja")
    assert result.is_emergency and "stroke" in {c.id for c in result.conditions}


def read_level(result: Assessment) -> Level:
    """What the Japanese reading placed, before the clinician-review floor (``layers['read']``)."""
    return Level(result.layers.get("read", result.level.value))


def test_below_an_emergency_a_japanese_message_goes_to_a_clinician_unless_self_care_is_read_and_agreed() -> None:
    cold = assess("鼻水とくしゃみが出て、喉が少しイガイガします。熱はありません。", lang="ja")
    assert read_level(cold) is Level.self_care
    assert cold.level is Level.self_care and not cold.needs_clinician
    assert cold.layers["released"] == "self_care" and cold.layers["model"].startswith("self_care ")
    result = assess("腰痛が2ヶ月くらい続いています", lang="ja")
    assert read_level(result) is Level.consultation
    assert result.level is Level.consultation_24 and result.needs_clinician
    assert "医療者が内容を確認します" in result.rationale
    emergency = assess("父が急に胸が痛いと言って冷や汗をかいています", lang="ja")
    assert emergency.is_emergency and "read" not in emergency.layers


def test_a_complaint_level_stands_aside_for_a_condition_that_explains_it() -> None:
    result = assess("足首を軽くひねりました。少し腫れていますが、普通に歩けます。", lang="ja")
    assert read_level(result) is Level.self_care
    assert "ankle_sprain" in {c.id for c in result.conditions}


def test_a_long_lasting_self_care_complaint_needs_an_appointment() -> None:
    assert read_level(assess("腰痛があります", lang="ja")) is Level.self_care
    assert read_level(assess("腰痛が2ヶ月くらい続いています", lang="ja")) is Level.consultation


def test_bleeding_counts_as_vaginal_bleeding_with_a_pregnancy_said_earlier() -> None:
    alone = assess("少量の出血があります", lang="ja")
    assert "vaginal_bleeding" not in alone.findings
    later = assess("少量の出血があります", lang="ja", history=["妊娠10週です。"])
    assert {"pregnant", "vaginal_bleeding"} <= set(later.findings)
    assert later.level.rank <= Level.consultation_24.rank


def test_a_conversation_never_goes_down_when_the_language_changes() -> None:
    history = ["父が急に胸が痛いと言って冷や汗をかいています"]
    assert assess("ok, what now?", history=history).is_emergency  # English follow-up, Japanese history
    assert assess("はい", lang="ja", history=["crushing chest pain and sweating"]).is_emergency


def test_the_own_set_meets_the_targets() -> None:
    """bench/data/triage_ja_own.jsonl (written for this engine, so not held out): every emergency caught and
    under-triage <= 2% (accuracy is lower by design while the clinician-review floor holds non-emergencies at
    24 hours); the honest figures are the blind set's."""
    report = evaluate(load_cases(OWN_SET), lang="auto")
    assert report.n >= 100
    missed = {
        m["id"]
        for m in report.misses
        if Level(str(m["want"])).urgency.value == "em" and Level(str(m["got"])).urgency.value != "em"
    }
    # every emergency caught: the one the reader leaves unread (jf5-012, a testicle named 15 characters before its
    # pain, past the reader's gap) is raised by the Japanese learned layer, which trains on this set
    assert not missed
    assert report.under_triage <= 0.02


def test_every_japanese_id_exists_in_the_shared_knowledge(tmp_path: Path) -> None:
    assert problems(knowledge.load()) == []
    root = Path(knowledge.__file__).parent
    for sub in ("findings", "conditions", "ja"):
        (tmp_path / sub).mkdir()
        for path in (root / sub).glob("*.yaml"):
            (tmp_path / sub / path.name).write_bytes(path.read_bytes())
    for name in ("context.yaml", "physiology.yaml", "VERSION"):
        (tmp_path / name).write_bytes((root / name).read_bytes())
    with (tmp_path / "ja" / "findings.yaml").open("a", encoding="utf-8") as extra:
        extra.write("  no_such_concept:\n    name: 架空\n    terms: [架空の症状]\n")
    found = problems(read(tmp_path))
    assert any("no_such_concept" in line for line in found)


def test_a_japanese_message_costs_no_more_than_1_5_times_an_english_one() -> None:
    english = [
        "I have had crushing chest pain for 20 minutes and I am sweating",
        "my 3 year old has a temperature of 38.5 and a runny nose but is drinking well",
        "I twisted my ankle, it is a bit swollen but I can walk on it",
    ]
    japanese = [
        "20分前から胸が締め付けられるように痛くて、冷や汗が出ています",
        "3歳の息子が38.5度の熱と鼻水がありますが、水分はとれています",
        "足首をひねりました。少し腫れていますが、歩けます",
    ]

    def median_ms(texts: list[str], lang: str) -> float:
        samples = []
        for _ in range(15):
            forget_messages()  # cold reads, as each new message is
            for text in texts:
                start = time.perf_counter()
                assess(text, lang=lang)
                samples.append(time.perf_counter() - start)
        samples.sort()
        return samples[len(samples) // 2] * 1000

    median_ms(english, "en"), median_ms(japanese, "ja")  # warm-up: data files, regex caches
    assert median_ms(japanese, "ja") <= 1.5 * median_ms(english, "en")


@pytest.mark.parametrize(
    "text",
    [
        "エビを食べたあと、全身にじんましんが出て、のどがつまる感じで息が苦しいです",  # allergen with throat tightness
        "黒いドロっとした便が出て、立ち上がったら目の前が真っ暗になって倒れました",  # melaena with collapse
        "祖父がトイレでうずくまっていて、呼んでも目をあけません",  # carers' words for unresponsive
        "2歳の子がおもちゃを喉に詰まらせて、声が出なくて顔が青くなってきました",  # choking: 声が出ない is silence here
        "3歳の娘が何回も吐いて、泣いても涙が出なくて、ぐったりしてます",  # dehydration signs in a child
        "8歳の息子の喘息発作で、吸入したけどまだゼーゼーしてます",  # reliever used, still wheezy
        "夫が熱湯をかぶって、太ももに手のひら2枚分くらいの水ぶくれができました",  # a scald (熱湯 is not a fever)
        "右目の視界の下半分に、カーテンが降りてきたみたいな暗い部分があります",  # a curtain over vision
        "4歳の子がおばあちゃんの血圧の薬を何錠か飲んだみたいです",  # a child took an adult's medicine
        "1歳半の子がけいれんして、5分以上たってもまだ手足がガクガクしてます",  # a seizure still going on
        "8ヶ月の娘が泣いては静かになるのを繰り返して、いちごジャムみたいな便が出ました",  # intussusception
        "ゆうべから首を前に曲げられません。熱が39度あって光がまぶしいです",  # meningism
        "死にたいです。薬を全部飲もうと思って手元に用意しました",  # a plan said after suicidal thoughts
        "5歳の息子が遊具から落ちて、肘が腫れてきて、腕を全然動かそうとしません",  # suspected fracture in a child
    ],
)
def test_emergency_families_read_in_words_the_vocabulary_first_missed(text: str) -> None:
    """Families of emergency wording the blind development set and the fresh batches showed (notes/issue-19.md)."""
    assert assess(text, lang="ja").is_emergency


@pytest.mark.parametrize(
    "text",
    [
        "インスリンを打っています。今日は特に問題ありません",  # an injection is not an injury
        "紙で指を切って血が出ましたが、押さえたらすぐ止まりました",  # a finger cut that stopped
        "とげが指に刺さったので抜きました",  # a splinter, not a penetrating wound
        "子どもの乳歯が抜けました",  # a baby tooth falling out
        # session 14: sleep apnoea, a shin's cellulitis, a nail's colour, a counter
        "夫52歳、いびきがすごくて、時々息が止まってる。昼間もすぐ寝ちゃう",
        "76歳男です。左のすねが赤く腫れて熱をもっています。歩くと少し痛い",
        "78歳の母、足の親指の爪が分厚く黄色くなって変形してきました",
        "生理2日目でおなか痛い。いつもの薬を飲んでいいですか",
    ],
)
def test_look_alike_words_do_not_raise_an_emergency(text: str) -> None:
    assert not assess(text, lang="ja").is_emergency


def test_a_babys_pauses_in_sleep_stay_an_emergency() -> None:
    assert assess("生後2か月の娘、寝てる時に息が止まってる", lang="ja").is_emergency
    assert assess("8か月の息子が寝ているとき時々息が止まっている", lang="ja").is_emergency


def test_a_japanese_fetal_heart_rate_is_the_babys_not_the_mothers_pulse() -> None:
    """Engine 2.8.4: 胎児心拍 150 was read as the mother's tachycardia, 胎児の心拍が90 as nothing."""
    normal = assess("妊娠30週です。健診で胎児心拍は150、血圧は112/70でした。", lang="ja")
    assert not normal.is_emergency and "tachycardia" not in normal.findings
    slow = assess("妊娠34週、胎児の心拍が90と言われました。", lang="ja")
    assert slow.is_emergency and "fetal_bradycardia" in slow.findings


# Round 14 (clinicians' notes): findings a Japanese clinician writes that the reader did not hold before 2.8.8,
# each read by the deterministic layers now (layers["findings"] or layers["complaints"] reach an emergency).
@pytest.mark.parametrize(
    "note",
    [
        "78歳男性。腹部大動脈瘤(5cm)で外来フォロー中。1時間前から突然の腹痛。",  # known AAA with abdominal pain
        "妊娠36週。朝から胎動をほとんど感じない。",  # a word between the fetal movements and the verb
        "妊娠10週。嘔吐が続き、ここ2日は水分も吐く。",  # unable to keep fluids down in a pregnancy
        "32歳男性。グラインダー作業中に右眼に何か入った。",  # a high-velocity mechanism and something in the eye
        "生後6週の男児。授乳のたびに噴水状嘔吐、体重減少あり。",  # projectile vomiting in a young infant
        "生後4か月。下痢が続き、大泉門が陥凹している。",  # a sunken fontanelle
        # 2.8.10: the puerperium (産褥), 1型DM, grouped vesicles on the forehead with a red eye
        "産褥6日目。昨夜から39.0℃、悪寒戦慄、悪露に悪臭あり。",
        "20歳男性、1型DM。嘔吐あり、血糖450。",
        "75歳男性。左前額部に小水疱が集簇、左眼の充血あり。",
    ],
)
def test_a_clinicians_emergency_findings_are_read_by_the_deterministic_layers(note: str) -> None:
    result = assess(note, lang="ja")
    assert result.is_emergency
    assert any(result.layers.get(layer, "").startswith("emergency") for layer in ("findings", "complaints"))


def test_a_facial_palsy_that_takes_in_the_forehead_is_no_stroke_but_a_drooping_mouth_alone_is() -> None:
    bell = assess("44歳女性。左額のしわ寄せ不能、左閉眼不全、左口角下垂。四肢麻痺なし。", lang="ja")
    assert "facial_weakness_forehead_involved" in bell.findings
    assert not bell.layers.get("findings", "").startswith("emergency")
    stroke = assess("70歳男性。30分前から左口角下垂。", lang="ja")
    assert stroke.layers.get("findings", "").startswith("emergency")


# Round 15 (dev15, 2.8.16): emergencies the Japanese reader missed for want of words; sentences written here.
@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a febrile child who limps and will not bear weight: septic arthritis (NICE CKS Acute childhood limp)
        ("5歳男児。昨夜から39.2℃、今朝から右脚をひきずり、立たせると泣く。転倒なし。", "limp"),
        ("3歳女児、38.8℃。体重をかけない。右股関節を動かすと啼泣。", "unable_to_weight_bear"),
        # a pulse a carer counted, with fainting in a teenager who is not eating (MEED: heart rate under 40-50)
        ("15歳の息子、最近ほとんど食べず痩せた。今日倒れた。脈を数えたら1分に38くらい。", "bradycardia"),
        # fever, rigors and jaundice with pain under the right ribs: ascending cholangitis (Charcot's triad)
        ("82歳の母、白目が黄色い。38.9℃の熱と震え。右のあばらの下を痛がる。", "right_upper_quadrant_pain"),
        # tablets missing from a grandparent's pill sheet a toddler played with (NPIS: assume ingestion)
        ("2歳男児。祖父の降圧薬のシートで遊んでいて、3錠不足。飲んだかは不明。", "swallowed_medicine_child"),
    ],
)
def test_emergencies_read_in_words_the_japanese_reader_first_missed(text: str, finding: str) -> None:
    result = assess(text, lang="ja")
    assert finding in result.findings
    assert result.is_emergency
    assert any(result.layers.get(layer, "").startswith("emergency") for layer in ("findings", "complaints"))


def test_an_injury_episode_written_as_absent_is_no_injury() -> None:
    assert "after_injury" not in assess("4歳男児。発熱と咳。外傷エピソードなし。", lang="ja").findings


def test_a_colloquial_forehead_palsy_is_no_stroke_and_counted_injections_are_no_injury() -> None:
    bell = assess(
        "妻（40）が今朝から左の口角が下がっています。左のおでこのシワも寄せられません。手足は普通に動きます。",
        lang="ja",
    )
    assert "facial_weakness_forehead_involved" in bell.findings and not bell.is_emergency
    jabs = assess("生後2か月の娘、今日予防接種を3本打ちました。", lang="ja")
    assert "after_injury" not in jabs.findings


# Engine 2.8.19: each of these read before as the patient's emergency.
def test_a_relatives_condition_is_a_family_history_when_the_message_is_about_someone_else() -> None:
    note = "紹介状。45歳男性。職場健診で血圧 162/98。頭痛・胸痛・視覚異常なし。喫煙あり、父が脳梗塞。"
    result = assess(note, lang="ja")
    assert result.level.urgency.value != "em" and "stroke" not in {c.id for c in result.conditions}
    assert not assess("私は40歳です。父親が心筋梗塞をやってるので心配。胸は痛くないです", lang="ja").is_emergency


@pytest.mark.parametrize(
    "text",
    [
        "83歳の父が脳梗塞かもしれない、ろれつが回らない",  # the relative given the age is the patient
        "父が脳梗塞で倒れました。右手が動かない",  # no other patient: the relative may be the patient
        "私は50歳です。父が急に話せなくなった",  # a symptom after a relative is always read as it stands
        "私は50歳です。父が脳梗塞で倒れました",  # 2.8.23: the relative's event reported now is theirs, now
    ],
)
def test_a_relative_who_is_the_patient_keeps_the_emergency(text: str) -> None:
    result = assess(text, lang="ja")
    assert result.is_emergency and result.layers.get("findings") in ("emergency", "emergency_ambulance")


def test_asking_the_same_thing_again_is_amnesia_after_a_head_injury_and_a_memory_problem_over_months() -> None:
    assert assess("5歳の息子が公園で頭を打って、そのあと同じことを何度も聞いてきます", lang="ja").is_emergency
    assert assess("母が今朝から急に同じことを何度も聞く", lang="ja").is_emergency
    months = assess(
        "80歳の母、半年前から同じことを何度も聞くようになりました。急に悪くなったわけではありません", lang="ja"
    )
    assert not months.is_emergency and "memory_loss" in months.findings


# Session 27 (train18, readable): emergencies the Japanese reader missed for want of words; sentences written here.
@pytest.mark.parametrize(
    ("text", "condition"),
    [
        # Kawasaki disease's lips and hands in a parent's words (NICE NG143: fever for 5 days, consider Kawasaki)
        (
            "4歳の息子、熱が5日続いている。目が真っ赤で目やにはない。唇が赤くひび割れて、手足がパンパンにむくんでいる。",
            "kawasaki_disease",
        ),
        # a snake bite told plainly, and by the snake's name
        ("畑で草取りをしていたら手の甲を蛇にかまれた。牙のあとが2つあって腫れてきた。", "snake_bite"),
        ("ハブにかまれて足首が腫れてきた", "snake_bite"),
        # a one-sided sore throat with a mouth that will not open and a muffled voice, in dialect: quinsy
        ("高1です。のどの右側だけ痛くて、口が開かんし声がこもってる。熱38.5", "quinsy"),
        # an eye struck by a fragment at a grinder, a teardrop pupil: a penetrating eye injury
        ("40歳男性。研削盤作業中に右眼に何か当たった。右目がかすむ。瞳孔は涙滴状。", "penetrating_eye_injury"),
        # a graze whose redness hurts far more than it looks and turns dusky: necrotising fasciitis
        (
            "35歳男性。昨日の擦り傷の周りが赤く腫れて、見た目以上に痛い。一部が暗紫色。体温38.8℃、HR 110。",
            "necrotising_fasciitis",
        ),
        # one-sided 腰 pain with fever and dysuria in pregnancy: pyelonephritis (NICE NG111: admit in pregnancy)
        ("妊娠22週です。熱が39度で寒気。右の腰が痛くて、おしっこもしみる。", "pyelonephritis"),
    ],
)
def test_emergencies_the_japanese_reader_missed_for_want_of_words_are_read(text: str, condition: str) -> None:
    result = assess(text, lang="ja")
    assert condition in {c.id for c in result.conditions}
    assert result.is_emergency


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        # chapped lips in dry winter air, with no fever, are no Kawasaki disease
        ("唇がガサガサでひび割れている。空気が乾燥しているせい？熱はなし。", "kawasaki_disease"),
        # a snake seen, not a bite
        ("庭でマムシを見かけた。かまれてはいない。", "snake_bite"),
        # one-sided 腰 pain after lifting, no fever: back pain, read as before
        ("重い荷物を持って右の腰が痛い。熱はない。", "pyelonephritis"),
    ],
)
def test_their_look_alikes_are_not_read_as_those_conditions(text: str, condition: str) -> None:
    assert condition not in {c.id for c in assess(text, lang="ja").conditions}
