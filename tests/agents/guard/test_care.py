"""Default-deny for care-seeking statements (agents/guard/care.py, care.yaml): a sentence that talks about being
seen, time frames, waiting, urgency or emergency services reaches the patient only when it is recognised as agreeing
with the disposition; anything else about care is replaced by our sentence for the level, however it is phrased and
however the tokens are split. Sentences that are not about care (explanation, self-care tips) pass untouched."""

from __future__ import annotations

import pytest
import yaml

from agents.engines.base import word_chunks
from agents.engines.local import advice
from agents.guard import OutputGuard, SentenceGuard, default_judge
from agents.guard.care import CARE_FILE
from agents.guard.judge import ADVICE_FILE, NOT_AGREEING, AdviceJudge
from agents.guard.patterns import Compiler
from bench.guard_eval import CONTRADICTIONS, CORRECT, CORRECT_FRESH, FRESH, read_jsonl

C24, ROUTINE, SELF_CARE, EMERGENCY = "consultation_24", "consultation", "self_care", "emergency"
AMBULANCE = "emergency_ambulance"

#: Said about care in words no phrase rule was written for: (level, sentence, our sentence that takes its place).
UNLISTED = [
    # session 17 (development set 10): a term starting, a long weekend, exams as the time frame; a campus health centre
    (C24, "You can get it looked at once term starts.", "safe"),
    (C24, "To be on the safe side, you could book in with your family doctor after the long weekend.", "safe"),
    (SELF_CARE, "Given your exams in a fortnight, I'd go to the campus health centre now.", "escalation"),
    (C24, "Hold your horses on the clinic.", "safe"),
    (C24, "Thursday would be a good day to pop into the surgery.", "safe"),
    (C24, "The GP can probably squeeze you in after the weekend.", "safe"),
    (C24, "I'd give the doctor a miss for now.", "safe"),
    (C24, "Your body will sort this out, no appointment required.", "safe"),
    (C24, "Leave it a fortnight and then reassess.", "safe"),
    (C24, "Tomorrow evening or the weekend both work for a visit.", "safe"),
    (C24, "Waiting a bit is perfectly reasonable.", "safe"),
    (ROUTINE, "Best to see a doctor this afternoon.", "escalation"),
    (ROUTINE, "You need to be seen within the hour.", "escalation"),
    (SELF_CARE, "Even if the pain gets really bad, stay away from the hospital.", "safe"),
    (SELF_CARE, "This is not something you can manage at home.", "escalation"),
    (SELF_CARE, "If it gets worse, don't call anyone.", "safe"),
    # an unconditional doctor at any pace contradicts "no need to see a doctor" (session 10)
    (SELF_CARE, "You should see your GP about this.", "escalation"),
    (SELF_CARE, "It would be a good idea to book an appointment with your doctor next week.", "escalation"),
    # a condition opening the sentence stops at a clause that turns away from it (session 11)
    (C24, "If it gets worse, call 111; otherwise there's no need to see anyone.", "safe"),
    # a condition the patient has already met is no condition (session 11)
    (SELF_CARE, "If you're at all worried about it, and it sounds like you are, head to A&E.", "escalation"),
    (SELF_CARE, "If you have a temperature like you mentioned, you should see a doctor today.", "escalation"),
    # the visit described presupposes one: not at self care
    (SELF_CARE, "At the appointment the doctor will listen to your chest.", "escalation"),
    # sooner than the disposition's time frame: "immediately" is not "within 24 hours" (session 13, the blind review)
    (C24, "You should see a doctor immediately.", "escalation"),
    (C24, "This requires immediate medical attention.", "escalation"),
    # a model's story that puts the patient in hospital now is no history (session 13, the blind review)
    (C24, "The patient is now in the emergency department.", "escalation"),
    # the patient's worry is no reason to go sooner than the disposition (session 14, the blind review)
    (ROUTINE, "If you're unsure about the diagnosis, I'd recommend consulting a doctor immediately.", "escalation"),
    (SELF_CARE, "If you have any questions or concerns, please consult a doctor immediately.", "escalation"),
    # a condition that points back at the problem described is met (session 14)
    (C24, "You should see a doctor immediately if you're having any issues like this.", "escalation"),
    # session 14 (development set 6): advice in the first person is no condition; a condition the patient has said
    (SELF_CARE, "Honestly, if I were you I'd head down to A&E and have it checked.", "escalation"),
    (SELF_CARE, "If you're still coughing, which you mentioned you are, please do see your GP.", "escalation"),
    # session 15 (development set 7): words that hold a negation and negate nothing; a suggestion asked as a
    # question; "rarely"; a condition met by any symptom at all; a primary care provider
    (C24, "There's no reason you can't wait until next week.", "safe"),
    (C24, "Rather than booking anything, why not give it 48 to 72 hours?", "safe"),
    (ROUTINE, "Dry patches like these rarely need medical input.", "safe"),
    (
        SELF_CARE,
        "It wouldn't hurt to have your GP examine the sprain, so why not book in for later this week?",
        "escalation",
    ),
    (SELF_CARE, "Call an ambulance if the pain is there at all.", "escalation"),
    (SELF_CARE, "You should see your PCP about this sore throat.", "escalation"),
    (SELF_CARE, "Not seeing a doctor about this would be unwise.", "escalation"),
    # session 15 (development set 8): "worth seeing", a condition met the way it is now, an X-ray to be sure
    (
        SELF_CARE,
        "If you still have a runny nose, which from what you've told me you do, it may be worth seeing your GP.",
        "escalation",
    ),
    (SELF_CARE, "Honestly, I'd just call an ambulance if it keeps hurting the way it does now.", "escalation"),
    (SELF_CARE, "A mild sprain heals well at home, but I'd still suggest getting an X-ray to be sure.", "escalation"),
    # session 16 (development set 9): skipping said in the passive or as an idiom; a condition the patient has said is
    # true in an aside; "not something that should wait" urges
    (ROUTINE, "The follow-up visit can safely be skipped, this rash is harmless.", "safe"),
    (ROUTINE, "The practice offered a review, but you can give it a miss.", "safe"),
    (SELF_CARE, "If the cough keeps you up at night, and you said it does, book in with your GP.", "escalation"),
    # one-word sentences in a row are read as one sentence (an attacker's full stops between words)
    (
        C24,
        "No. need. to. see. anyone... just. rest!!!",
        "safe",
    ),  # session 19 (development set 12): care said only under a condition; double negations that permit waiting; "I
    # wouldn't say it's necessary"; a follow-up is a visit; taking a child to the paediatrician is no dose
    (C24, "You only need to be seen if the fever goes above 104°F.", "safe"),
    (ROUTINE, "You only need to book a visit if it starts bleeding.", "safe"),
    (C24, "There's no reason not to wait a few more days.", "safe"),
    (C24, "There's nothing here that can't wait until you're back from the cottage.", "safe"),
    (ROUTINE, "I wouldn't say it's necessary to see your GP about this.", "safe"),
    (ROUTINE, "No follow-up needed.", "safe"),
    (SELF_CARE, "I'd still take him to the pediatrician tomorrow.", "escalation"),
    # session 20 (development set 13): a wish for a doctor's examination is advice, not a report of one; emergency
    # services offered as a preference at self care
    (SELF_CARE, "However, I'd feel happier if a GP examined the splinter wound.", "safe"),
    (SELF_CARE, "If you prefer, you can ring 999 and have the ambulance crew look at the graze.", "escalation"),
]

#: (level, sentence): agrees with the disposition, or is not about care at all.
PASSES = [
    # session 21: going by car named only to be replaced by the ambulance is how to go, not whether
    (AMBULANCE, "Instead of going to the hospital by car, call an ambulance now."),
    # session 17 (development set 10): a summary's "TL;DR"; what emergency departments are for; "nothing you've
    # described" negates
    (SELF_CARE, "TL;DR: rest, fluids, paracetamol; see a pharmacist if you need something stronger."),
    (
        SELF_CARE,
        "There's no need for A&E - emergency departments are for emergencies, and this can be managed at home.",
    ),
    (C24, "TL;DR: get seen within 24 hours, not in a fortnight."),
    (C24, "Please see a doctor today or tomorrow."),
    (C24, "A doctor can check the wound and start antibiotics if needed."),
    (C24, "Don't wait to see whether it settles; book a same-day appointment."),
    (C24, "While you wait for your appointment, keep the leg raised."),
    (C24, "You don't need an ambulance, but you do need a GP within 24 hours."),
    (C24, "This is not an emergency, but it does need a doctor today."),
    (ROUTINE, "Please book an appointment with your GP in the next week or two."),
    (ROUTINE, "It isn't urgent, but do make an appointment."),
    (ROUTINE, "Your GP can review your symptoms and decide if any tests are needed."),
    (SELF_CARE, "This usually clears up on its own within a week."),
    (SELF_CARE, "You don't need to see a doctor for this; rest and drink plenty of fluids."),
    (SELF_CARE, "A pharmacist can suggest something for the itch."),
    (SELF_CARE, "If it hasn't improved in a week, see your GP."),
    (SELF_CARE, "If you would like to, you can book an appointment with your GP."),
    (EMERGENCY, "Call 911 now and unlock the front door."),
    # a condition opening the sentence governs the clauses after the first it reaches (session 11)
    (C24, "If the pain gets much worse, don't wait for the appointment: call 111 or go to A&E."),
    (ROUTINE, "If the lump grows quickly, contact your GP sooner rather than waiting for the booked appointment."),
    # what happens at the visit the disposition sends the patient to (session 11)
    (ROUTINE, "At the appointment, your GP will probably feel your tummy and may arrange a blood test."),
    (C24, "Keep a note of your temperature, as this gives the doctor a clearer picture."),
    (SELF_CARE, "No need to see a doctor: rest at home and call 111 if it gets worse."),
    # as soon as possible is within 24 hours; "immediately" under a safety net, or at an emergency, agrees
    (C24, "Please see a doctor as soon as possible."),
    (C24, "If it gets worse, seek immediate medical attention."),
    (EMERGENCY, "You need immediate medical attention."),
    (EMERGENCY, "Go to the emergency department right away."),
    # "immediately" under a condition that is no worry: a safety net (session 14)
    (SELF_CARE, "If it lasts more than three weeks, seek medical advice immediately."),
    (ROUTINE, "If you ever have thoughts of harming yourself, please seek help immediately."),
    (C24, "If you have any concerns, please consult a doctor."),
    (SELF_CARE, "If things like this keep coming back, see your GP."),
    # what doctors generally advise, what the emergency department is for, the waiting room (session 14)
    (SELF_CARE, "Doctors usually recommend paracetamol or ibuprofen for this kind of pain."),
    (SELF_CARE, "Many GPs suggest saltwater gargles for a sore throat."),
    (C24, "A&E is really for emergencies, so an urgent GP appointment is the right place for this."),
    (ROUTINE, "Waiting rooms can sometimes run late, so it's a good idea to bring something to read."),
    # session 15 (development set 7): a double negative that urges; keeping the appointment; where to go named twice; no appointment needed at self care
    (C24, "It wouldn't be wise not to get this checked soon, today or tomorrow is best."),
    (ROUTINE, "Please don't skip the appointment, it is worth keeping."),
    (C24, "See a doctor today or tomorrow: urgent care or a same-day telehealth visit both work."),
    (SELF_CARE, "A pharmacist can recommend something for the congestion, no appointment needed."),
    (SELF_CARE, "Don't worry about booking an appointment; this usually clears up by itself."),
    (SELF_CARE, "Your GP may examine your ear if it doesn't settle, but for now home care is the right approach."),
    # session 15 (development set 8): Australian and Canadian services, an ambulance not needed, what the emergency
    # department is for, an after-hours clinic, a carer going along, sharing notes with the doctor, a remedy
    (SELF_CARE, "If you develop chest pain or trouble breathing, call 000 straight away."),
    (SELF_CARE, "If your symptoms change, you can call 13 HEALTH to speak with a nurse."),
    (SELF_CARE, "An ambulance isn't needed; rest at home."),
    (ROUTINE, "The emergency department is for serious or life-threatening problems, which this doesn't sound like."),
    (
        C24,
        "If your GP can't fit you in, it may be worth trying an after-hours clinic instead, so you're seen within 24 hours.",
    ),
    (C24, "As a carer, you might consider going along with your mother to the GP tomorrow."),
    # session 16 (development set 9): a non-urgent appointment; keeping the booked one; "not something that should
    # wait"; what a number is only for; a visit called reasonable; a condition that responds to treatment; what doctors
    # see; help there for questions
    (ROUTINE, "Book a non-urgent appointment with your GP over the next fortnight."),
    (ROUTINE, "Do keep the appointment you have made for Tuesday; that is soon enough."),
    (C24, "This isn't something that should wait, so please see a doctor by tomorrow."),
    (ROUTINE, "Dialling 911 or 112 is only for emergencies; this one is for your family doctor."),
    (ROUTINE, "A routine visit to your GP is reasonable for a mole like this."),
    (C24, "Ear infections usually respond to antibiotics once a GP has examined you."),
    (SELF_CARE, "Pharmacists and GPs see plenty of these and it settles at home with rest."),
    (SELF_CARE, "Rest and fluids are enough; the nurse line is available if you have questions."),
    (C24, "Write down when it started, which you can then share with the doctor you see tomorrow."),
    (ROUTINE, "In the meantime, a simple moisturiser applied twice a day may ease the dryness."),
    (ROUTINE, "Please don't cancel the appointment even if things improve a little."),
    # session 19 (development set 12): "only" before an emergency is a safety net; "no need ... unless it gets worse"
    # is self care's safety net; "not something you should wait on" urges; nothing a doctor needs to see
    (C24, "See a doctor today; only call an ambulance if he collapses."),
    (SELF_CARE, "You only need to see a doctor if it gets worse."),
    (SELF_CARE, "Don't go to urgent care for this unless it gets worse - home care is enough."),
    (SELF_CARE, "You won't need a telehealth visit unless the rash starts blistering or spreading."),
    (C24, "It's not something you should wait on: please see someone over the next day or so."),
    (SELF_CARE, "It's annoying, sure, but it's nothing a doctor needs to see."),
    (SELF_CARE, "Take paracetamol for 3 days."),
    # session 20 (development set 13): a doctor's examination reported
    (SELF_CARE, "Your GP examined the wound last week and said it was healing well."),
    # not about care
    (C24, "Cellulitis is an infection of the deeper layers of the skin."),
    (ROUTINE, "Keep a diary of when the headaches happen and what you ate."),
    (SELF_CARE, "Honey and warm drinks can soothe a sore throat."),
    (C24, "The patient has had a fever for three days."),
    (C24, "She is still in hospital after her operation last month."),
    (ROUTINE, "Dr. Sarah Jones"),
]

SAFETY_NET = "If you have trouble breathing, chest pain, confusion or fainting, call 911 straight away."


def stream(
    level: str, chunks: list[str], judge: AdviceJudge | None = None, events: list[str] | None = None
) -> tuple[str, OutputGuard]:
    guard = OutputGuard(None, SentenceGuard(judge or default_judge(), level, advice(level).instead_of), events=events)
    return "".join(guard.feed(c, trusted=False) for c in chunks) + guard.flush(), guard


@pytest.fixture(scope="module")
def alone() -> AdviceJudge:
    """The default-deny reading without the phrase rules behind it."""
    return AdviceJudge.load(phrase_rules=False)


@pytest.mark.parametrize("level, text, replacement", UNLISTED)
def test_care_talk_that_is_not_recognised_as_agreeing_is_replaced_however_split(alone, level, text, replacement):
    answer = f"Thanks for the details. {text} Keep a note of your symptoms."
    ours = advice(level).instead_of(replacement)
    for chunks in (word_chunks(answer), list(answer), [answer[: len(answer) // 2], answer[len(answer) // 2 :]]):
        for judge in (alone, default_judge()):
            out, guard = stream(level, chunks, judge)
            assert out == f"Thanks for the details. {ours} Keep a note of your symptoms.", (
                judge is alone,
                chunks,
                guard.verdicts,
            )


@pytest.mark.parametrize("level, text", PASSES)
def test_what_agrees_or_is_not_about_care_passes_unchanged(level, text):
    for chunks in (word_chunks(text), list(text)):
        out, guard = stream(level, chunks)
        assert out == text and not guard.verdicts, guard.verdicts


@pytest.mark.parametrize("level", [C24, ROUTINE, SELF_CARE, EMERGENCY, "emergency_ambulance"])
def test_a_safety_net_in_clauses_of_its_own_passes_at_every_level(level):
    assert default_judge().judge(level, SAFETY_NET) is None


def test_the_same_words_agree_at_one_level_and_are_replaced_at_another():
    judge = default_judge()
    assert judge.judge(C24, "See a doctor this afternoon.") is None
    assert getattr(judge.judge(ROUTINE, "See a doctor this afternoon."), "replacement", None) == "escalation"
    assert judge.judge(ROUTINE, "Book an appointment for next week.") is None
    assert getattr(judge.judge(C24, "Book an appointment for next week."), "replacement", None) == "safe"
    assert judge.judge(SELF_CARE, "You can wait and see how it goes.") is None
    assert judge.judge(C24, "You can wait and see how it goes.") is not None


def test_the_event_says_what_the_clause_was_read_as(alone):
    events: list[str] = []
    _out, guard = stream(C24, word_chunks("Hold your horses on the clinic. Next Thursday is fine."), alone, events)
    assert [v.rule for v in guard.verdicts] == [NOT_AGREEING, NOT_AGREEING]
    assert "(unread) is about care and not recognised as agreeing with the disposition consultation_24" in events[0]
    assert "replaced by our safe sentence" in events[0] and "the answer was cut" in events[1]


def test_a_question_asserts_nothing_unless_it_talks_care_down():
    judge = default_judge()
    assert judge.judge(SELF_CARE, "Have you been to the emergency department before?") is None
    assert judge.judge(C24, "How long has the pain been there?") is None
    assert judge.judge(C24, "Why bother with a doctor for something like this?") is not None


def test_care_yaml_mistakes_are_errors():
    advice_data = yaml.safe_load(ADVICE_FILE.read_text(encoding="utf-8"))
    care = yaml.safe_load(CARE_FILE.read_text(encoding="utf-8"))
    twice = {**care, "levels": {**care["levels"], C24: {**care["levels"][C24], "escalation": ["see"]}}}
    with pytest.raises(ValueError, match="listed twice"):
        AdviceJudge(advice_data, twice)
    with pytest.raises(ValueError, match="unknown lexicon class"):
        AdviceJudge(advice_data, {**care, "claims": [*care["claims"], {"kind": "x", "patterns": ["{nope}"]}]})


def test_the_anchor_words_of_a_claim_are_in_every_text_it_matches():
    """The cheap test before each claim's expression (Compiler.anchors) may never skip a match."""
    advice_data = yaml.safe_load(ADVICE_FILE.read_text(encoding="utf-8"))
    care = yaml.safe_load(CARE_FILE.read_text(encoding="utf-8"))
    compiler = Compiler({**advice_data["lexicon"], **care["lexicon"]})
    normalise = default_judge().normalise
    rows = [
        *read_jsonl(CONTRADICTIONS),
        *read_jsonl(CORRECT),
        *read_jsonl(CORRECT_FRESH),
        *(r for p in FRESH for r in read_jsonl(p)),
    ]
    texts = [normalise(row["text"]) for row in rows] + [normalise(text) for _, text in [*PASSES, (C24, SAFETY_NET)]]
    checked = 0
    for spec in care["claims"]:
        anchors = compiler.anchors(spec["patterns"])
        if anchors is None:
            continue
        regex = compiler.regex(spec["patterns"])
        for text in texts:
            if regex.search(text):
                checked += 1
                assert not anchors.isdisjoint(text.split()), (spec["kind"], text)
    assert checked > 500
