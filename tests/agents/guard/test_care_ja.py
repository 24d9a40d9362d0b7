"""The output guard judges a model's Japanese advice against the disposition (agents/guard/japanese.py,
care_ja.yaml): a sentence about care that does not agree with the level is replaced by our own Japanese sentence
(templates/ja/advice.j2) before the patient sees any of it, however the tokens are split; agreeing advice and
explanation pass; an unconditional escalation in a self-care answer gets our escalation sentence."""

from __future__ import annotations

import random

import pytest

from agents.engines.local import advice
from agents.guard import OutputGuard, SentenceGuard
from agents.guard.judge import NOT_AGREEING
from agents.guard.judge_ja import default_japanese_judge
from agents.triage import assess
from agents.triage.levels import Level

C24, ROUTINE, SELF_CARE, EMERGENCY = "consultation_24", "consultation", "self_care", "emergency"
EMERGENCY_AMBULANCE = "emergency_ambulance"

#: (level, a sentence that says less than the disposition, or more, and which of our sentences replaces it).
CONTRADICTING = [
    (C24, "明日以降でも大丈夫です。", "safe"),
    (C24, "受診の必要はありません。", "safe"),
    (C24, "様子を見ていれば治ります。", "safe"),
    (C24, "心配いりません。", "safe"),
    (C24, "救急車を呼ぶ必要はありません。", "safe"),
    (C24, "自宅で様子を見てください。", "safe"),
    (C24, "明日まで待って大丈夫です。", "safe"),
    (C24, "病院に行かなくても大丈夫です。", "safe"),
    (C24, "受診してもかまいません。", "safe"),  # optional, where the disposition says "within 24 hours"
    (ROUTINE, "放っておいても治ります。", "safe"),
    (ROUTINE, "今日中に救急外来を受診してください。", "escalation"),
    (SELF_CARE, "今すぐ救急車を呼んでください。", "escalation"),
    (SELF_CARE, "すぐに救急外来へ。", "escalation"),
    (SELF_CARE, "悪化しても病院には行かないでください。", "safe"),  # the safety net taken away
    (C24, "今すぐ受診してください。", "escalation"),  # sooner than "within 24 hours", as in English
    # session 14 (development set 2): the patient decides, a double negative, the polite ございません, a condition
    # already true, "if possible" that is no condition, a polite request that is no question
    (C24, "受診するかどうかは、ご自身の判断で決めていただいて構いません。", "safe"),
    (C24, "受診しないといけない、というわけではありません。", "safe"),
    (C24, "今回の症状につきましては、様子見で問題ございません。", "safe"),
    (ROUTINE, "受診は任意ですので、気になるようでしたらどうぞ。", "safe"),
    (SELF_CARE, "症状があるなら、受診をおすすめします。", "escalation"),
    (ROUTINE, "できれば今日中に受診してください。", "escalation"),
    (SELF_CARE, "今日中に診療所を受診していただけますか。", "escalation"),
    # a hedge is advice, not permission; observation said to be enough is waiting
    (SELF_CARE, "一応、お医者さんに診てもらったほうがいいかもしれません。", "escalation"),
    (C24, "ご自宅での経過観察で十分かと存じます。", "safe"),
    # session 15 (development set 3): cancelling the appointment, "nothing to worry about" said politely, watching
    # the course at home where a routine appointment is due
    (ROUTINE, "受診のご予約はキャンセルしていただいても問題ありません。", "safe"),
    (C24, "今の段階で特に心配されることはないかと思います。", "safe"),
    (ROUTINE, "このままご自宅で経過をみていただければ結構です。", "safe"),
    # session 16 (development set 4): tests are care; "nothing better than going"; not being seen "is not
    # recommended"; a suggestion asked casually; "it is not that you must"; a claim in a clause that ends the sentence
    # as a condition would (受診の際)
    (SELF_CARE, "念のため、尿検査を受けておきましょう。", "escalation"),
    (SELF_CARE, "クリニックに行っておくに越したことはありません。", "escalation"),
    (SELF_CARE, "受診しないのは、おすすめできません。", "escalation"),
    (SELF_CARE, "念のため病院行っとこ？", "escalation"),
    (ROUTINE, "受診しないとだめ、というわけではありません。", "safe"),
    (C24, "受診は来月の定期受診の際にご相談いただければ十分です。", "safe"),
    # session 17 (development set 5): dialect; cancelling or skipping the appointment; a holiday as the time frame
    (C24, "病院は行かんでもええよ。", "safe"),
    (ROUTINE, "定期受診はキャンセルされても問題ありません。", "safe"),
    (ROUTINE, "次回の受診はスキップしていただいても差し支えございません。", "safe"),
    (C24, "お盆明けにクリニックを受診していただければ大丈夫です。", "safe"),
    # session 18 (left in session 17's notes): "you might get it checked just in case" advises the visit, as
    # English "just in case" does; "..., but not doing it is fine" takes the visit back
    (SELF_CARE, "念のため受診されてもいいかもしれません。", "escalation"),
    (C24, "念のため受診してもいいですが、しなくても問題ないと思います。", "safe"),
    # session 18 (development set 6): a rhetorical "isn't it fine"; waiting while going on with work; "whether or
    # not" left to the patient; over-the-counter drops alone; a low need; "it is not that you must"; a permission
    # after a later time frame; a suggestion ending in でしょうか; an offer to find a clinic today
    (C24, "たぶん数日で治ると思うので、今週は様子見でいいんじゃないかな。", "safe"),
    (C24, "しばらく仕事を続けながら様子を見ていただいて差し支えないかと存じます。", "safe"),
    (ROUTINE, "受診なさるか否かは、ご本人のご判断にお任せいたします。", "safe"),
    (ROUTINE, "市販の目薬だけでご対応いただければ十分でございます。", "safe"),
    (ROUTINE, "受診の必要性は低いかと存じます。", "safe"),
    (C24, "必ずしも受診しないといけない、というわけではございません。", "safe"),
    (C24, "明日受診いただくのが理想ですが、お忙しければ来週以降でも差し支えございません。", "safe"),
    (SELF_CARE, "健診を待たずに一度内科を受診されてはいかがでしょうか。", "escalation"),
    (SELF_CARE, "本日中に受診できる医療機関をお探しいたしましょうか。", "escalation"),
    (C24, "選択肢としては、本日の受診と来週の受診がございますが、来週の受診をおすすめいたします。", "safe"),
    (ROUTINE, "そのうち治るから、病院はいいんじゃないかな。", "safe"),
    (SELF_CARE, "一回お医者さんに診てもろたほうがええで。", "escalation"),
    # session 19 (dev7): care put off until work calms down or the fever has gone is a deferral
    (C24, "仕事が落ち着いたら、一度クリニックで診てもらってくださいね。", "safe"),
    (C24, "熱が下がってから、落ち着いたタイミングでかかりつけを受診していただければ大丈夫ですよ。", "safe"),
    # session 21 (left in session 20's notes): the visit named first, then deferred until it is worse
    (ROUTINE, "受診は、症状がもっとひどくなってからで間に合います。", "safe"),
    # session 21: driving oneself named with the destination is how to go only when it is refused; told to drive
    # oneself to an emergency department, the department is the claim
    (ROUTINE, "ご自分で運転して救急外来へ向かってください。", "escalation"),
    # session 21: home care before a visit that is itself too late is still replaced
    (C24, "自宅で様子を見て、1週間後に受診してください。", "safe"),
    # session 20 (dev8): "if it were me" recommends, no condition; "in most cases" is no condition; a chat's drawn-out
    # final particle ends a sentence
    (C24, "私なら、来週の月曜に小児科の予約を取って、それまでは家で様子を見ます。", "safe"),
    (SELF_CARE, "私なら今日受診します。", "escalation"),
    (SELF_CARE, "多くの場合、念のため明日受診していただくと安心です。", "escalation"),
]

#: (level, sentence): agrees with the disposition, is a safety net, or says nothing about care.
AGREEING = [
    # session 21 (left in session 20's notes): not driving oneself to hospital is how to go, not whether; a visit
    # deferred until worse is self care's safety net
    (EMERGENCY_AMBULANCE, "ご自分で車を運転して病院へ向かうのではなく、救急車を呼んでください。"),
    (SELF_CARE, "受診は、症状がもっとひどくなってからで間に合います。"),
    # session 21 (left in session 20's notes): where to rest at home is home care, not a time frame
    (SELF_CARE, "今日はエアコンの効いた部屋で過ごさせてください。"),
    # session 21: home care first and the visit after it, in one sentence, is what to do until the visit
    (C24, "今日は自宅で休んで、明日受診してください。"),
    (C24, "今日はエアコンの効いた部屋で過ごさせて、明日受診してください。"),
    (ROUTINE, "自宅で様子を見て、来週かかりつけ医を受診してください。"),
    # session 19 (dev7): a course that does not settle is still a safety net at self care; a time after the fever is
    # no visit at self care
    (SELF_CARE, "熱が下がらなければ、受診してください。"),
    (SELF_CARE, "熱が下がったら、普段どおりの生活に戻って大丈夫です。"),
    # session 20 (dev8): waiting called dangerous is refused waiting
    (EMERGENCY, "意識がないまま様子を見るのは危険ですので、ただちに救急外来を受診してください。"),
    # session 20 (dev8): "などの場合" stays a condition (a safety net)
    (SELF_CARE, "高熱が続く、水分がとれないなどの場合は、医療機関を受診してください。"),
    # session 17 (development set 5): the service's own limits; keeping the appointment; "not so serious as to call
    # an ambulance"; "if you would book, that is fine"; dialect that agrees
    (C24, "オンラインでは診察できませんので、今日か明日のうちに対面で受診してください。"),
    (SELF_CARE, "心配なら念のため受診してもいいでしょう。"),
    (SELF_CARE, "受診してもかまいません。"),
    # session 18 (development set 6): waiting for the routine visit refused; "rather than doing without a visit";
    # a task that is not care left for later; "no need to come in today, book a day that suits"; what a doctor may
    # do at the visit; going home to rest
    (C24, "次回の定期受診を待たずに、明日中にかかりつけ医を受診してください。"),
    (EMERGENCY, "明日の受診を待つのではなく、ただちに救急外来へ向かってください。"),
    (ROUTINE, "受診せずに済ませるのではなく、２週間以内を目安に予約をお取りください。"),
    (EMERGENCY, "お手続きは後日で構いませんので、まずは救急外来を受診なさってください。"),
    (ROUTINE, "本日中にお越しいただく必要はございません。ご都合のよい日にご予約ください。"),
    (SELF_CARE, "医師は鼻の中の腫れ具合を確認することがございます。"),
    (SELF_CARE, "今日は早めに帰宅して休むようお伝えください。"),
    # options listed, then one recommended; 近日中 is "in the next few days", not today
    (
        SELF_CARE,
        "選択肢としては、市販薬、冷やすこと、薬剤師への相談がございますが、まずは薬剤師にご相談いただくのがよろしいかと存じます。",
    ),
    (
        ROUTINE,
        "選択肢としては、次の健診で相談する方法と、近日中に予約を取る方法がございますが、近日中のご予約をおすすめいたします。",
    ),
    (ROUTINE, "ご予約はキャンセルなさらずに、予定どおり受診なさってください。"),
    (ROUTINE, "救急車を呼ぶほどの状況ではありませんが、受診はしていただきたい症状です。"),
    (ROUTINE, "お盆明けに予約を入れていただければ大丈夫です。"),
    (C24, "今日か明日には、ちゃんと病院で診てもろてくださいね。"),
    (C24, "24時間以内に医師の診察を受けてください。"),
    (C24, "待たずに、今日中にかかりつけ医に連絡してください。"),
    (C24, "救急車を呼ぶほどではありませんが、今日中に医師に診てもらってください。"),
    (C24, "息が苦しくなった場合は、すぐに救急車（119番）を呼んでください。"),
    (C24, "受診までの間は、水分をしっかりとってください。"),
    (C24, "早めに受診してください。"),
    (C24, "すぐに受診してください。"),
    (C24, "発熱は体の防御反応のひとつです。"),
    (ROUTINE, "急ぐ必要はありませんが、近いうちに医師に相談してください。"),
    (ROUTINE, "受診しなければなりません。"),  # a double negative says "must"
    (SELF_CARE, "たいていは自宅で様子を見ることができます。"),
    (SELF_CARE, "悪化した場合や、１週間たってもよくならない場合は、医師に相談してください。"),
    (SELF_CARE, "のどの痛みには、温かい飲み物やはちみつが役立ちます。"),
    # session 14: what happens at the visit, a double negative that sends the patient, a pharmacist's advice,
    # a safety net still conditional (今後 is no "now")
    (C24, "診察では、のどの奥を見たり、血液検査をしたりすることがあります。"),
    (C24, "受診の必要がないわけではありませんので、明日までに受診してください。"),
    (SELF_CARE, "薬局の薬剤師に相談して、症状に合った市販薬を選んでもらいましょう。"),
    (SELF_CARE, "今後、症状が悪化した場合は受診してください。"),
    (C24, "様子を見るのではなく、24時間以内に医師の診察を受けてください。"),  # のではなく rejects the wait
    (C24, "受診したほうがいいかもしれません。"),  # a hedged recommendation to be seen agrees at 24 hours
    (ROUTINE, "救急外来に行く必要はありませんが、かかりつけ医の予約は必ずとってください。"),
    # session 15 (development set 3): "it is not that you need not go", "one cannot say waiting is fine", not being
    # seen that soon at a routine level, online consultation the same day, general talk of a consultation, the way
    # to hospital and waiting for the ambulance, #7119 is no 119
    (C24, "受診しなくていい、というわけではないので、明日までに受診してください。"),
    (C24, "様子を見て大丈夫、とは言えない状況ですので、明日には受診してください。"),
    (ROUTINE, "今日すぐに受診する必要はありませんが、予約をとって1〜2週間以内には診てもらってください。"),
    (C24, "当日予約できるオンライン診療を利用してもよいでしょう。"),
    (SELF_CARE, "診察では喉の奥を見ることがありますが、今回は受診の必要はないでしょう。"),
    (EMERGENCY_AMBULANCE, "ご自身で病院に向かわず、救急車の到着を待ってください。"),
    (ROUTINE, "後日 かかりつけ医 の 予約 を お取り ください。"),
    # session 16 (development set 4): waiting while the ambulance comes; the doctor who would say the same; the visit
    # going smoothly; the appointment already booked stays as it is
    (EMERGENCY_AMBULANCE, "救急車を待つあいだ、横になって安静にしてください。"),
    (SELF_CARE, "主治医の先生も、軽い鼻かぜなら家で休むのが一番と言うと思います。"),
    (ROUTINE, "受診の日は、お薬手帳があると診察がスムーズです。"),
    (C24, "来月の定期受診の予約はそのままで構いませんが、明日までに一度受診してください。"),
]

BEFORE, AFTER = "ご相談ありがとうございます。", "水分をこまめにとってください。"


def stream(level: str, chunks: list[str], events: list[str] | None = None) -> tuple[str, OutputGuard]:
    guard = OutputGuard(
        None, SentenceGuard(default_japanese_judge(), level, advice(level, "119", "ja").instead_of), events=events
    )
    return "".join(guard.feed(c, trusted=False) for c in chunks) + guard.flush(), guard


def pieces(text: str, seed: int) -> list[str]:
    """Tokens of 1 to 3 characters, as a model's tokenizer cuts Japanese."""
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(text):
        step = rng.randint(1, 3)
        out.append(text[i : i + step])
        i += step
    return out


@pytest.mark.parametrize("level, sentence, replacement", CONTRADICTING)
def test_contradicting_japanese_is_replaced_before_the_patient_sees_it(level, sentence, replacement):
    answer = BEFORE + sentence + AFTER
    expected = getattr(advice(level, "119", "ja"), replacement)
    for seed in range(4):
        chunks = pieces(answer, seed)
        guard = OutputGuard(None, SentenceGuard(default_japanese_judge(), level, advice(level, "119", "ja").instead_of))
        released = ""
        for chunk in chunks:
            released += guard.feed(chunk, trusted=False)
            assert sentence[:-1] not in released  # never out, not even before the sentence ended
        released += guard.flush()
        assert released == BEFORE + expected + AFTER, (seed, released)
        assert [v.replacement for v in guard.verdicts] == [replacement]


@pytest.mark.parametrize("level, sentence", AGREEING)
def test_agreeing_japanese_advice_passes_unchanged(level, sentence):
    answer = BEFORE + sentence + AFTER
    for seed in range(3):
        out, guard = stream(level, pieces(answer, seed))
        assert out == answer
        assert guard.verdicts == []


def test_an_emergency_in_a_self_care_answer_gets_our_escalation_sentence_and_an_event():
    events: list[str] = []
    out, guard = stream(SELF_CARE, pieces("鼻水が続いていますね。今すぐ救急車を呼んでください。", 7), events)
    assert out == "鼻水が続いていますね。" + advice(SELF_CARE, "119", "ja").escalation
    assert "救急車" in out  # the way to emergency care stays open, as our sentence words it
    (verdict,) = guard.verdicts
    assert verdict.rule == NOT_AGREEING and verdict.claim == "emergency.immediately"
    assert events and events[0].startswith("contradiction:not_agreeing") and "escalation" in events[0]


def test_the_same_words_agree_at_one_level_and_are_replaced_at_another():
    judge = default_japanese_judge()
    assert judge.judge(SELF_CARE, "自宅で様子を見てください。") is None
    assert judge.judge(C24, "自宅で様子を見てください。") is not None
    assert judge.judge(C24, "今日中に受診してください。") is None
    assert judge.judge(SELF_CARE, "今日中に受診してください。") is not None


def test_full_width_and_zero_width_characters_do_not_hide_a_contradiction():
    judge = default_japanese_judge()
    assert judge.judge(SELF_CARE, "今すぐ\u200b救急車（１１９）を\u200d呼んで\ufeffください。") is not None
    assert judge.judge(C24, "２日ほど様子を見て\u200bください。") is not None
    assert judge.judge(C24, "クリニックに行く必要はありません。") is not None
    assert judge.judge(C24, "ｸﾘﾆｯｸに行く必要はありません。") is not None


def test_a_long_sentence_without_an_end_is_judged_at_a_clause_end():
    text = "鼻水や咳、" * 50 + "受診の必要はありません"
    out, guard = stream(C24, pieces(text, 3))
    assert "受診の必要はありません" not in out and guard.verdicts


def test_a_sentence_in_english_in_a_japanese_answer_is_judged_in_english():
    out, guard = stream(C24, ["鼻水ですね。", "You can wait a week. ", "水分をとってください。"])
    assert "You can wait a week" not in out and guard.verdicts


@pytest.fixture(scope="module")
def redactor():
    from compliance.phi import Redactor

    return Redactor()


def test_the_turn_language_picks_the_japanese_judge_behind_the_phi_stage(redactor):
    assessment = assess("2日前から鼻水が出ています", lang="ja")
    assessment = assessment.model_copy(update={"level": Level(C24)})
    events: list[str] = []
    japanese = OutputGuard.for_turn(redactor, None, assessment, advice(C24, "119", "ja"), events, language="ja")
    english = OutputGuard.for_turn(redactor, None, assessment, advice(C24), [], language="en")
    answer = "山田さん、鼻水ですね。明日以降でも大丈夫です。水分をとってください。"
    outs = []
    for guard in (japanese, english):
        outs.append("".join(guard.feed(c, trusted=False) for c in pieces(answer, 1)) + guard.flush())
    assert "明日以降でも大丈夫です" not in outs[0] and advice(C24, "119", "ja").safe in outs[0]
    assert "明日以降でも大丈夫です" in outs[1]  # the English judge cannot read it: why the language matters
    assert any(e.startswith("contradiction:not_agreeing") for e in events)


def test_every_japanese_claim_is_one_the_shared_levels_table_knows():
    """care_ja.yaml reads claims into care.yaml's kinds: a kind of its own would be replaced at every level."""
    import yaml

    from agents.guard.care import CARE_FILE
    from agents.guard.japanese import CARE_JA_FILE

    english = {c["kind"] for c in yaml.safe_load(CARE_FILE.read_text(encoding="utf-8"))["claims"]}
    japanese = {c["kind"] for c in yaml.safe_load(CARE_JA_FILE.read_text(encoding="utf-8"))["claims"]}
    assert japanese <= english, japanese - english
