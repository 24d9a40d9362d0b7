"""Round 7b (issue 15): classes of messages the deterministic layers raised above a clinician's level, found on the
writers who joined last (burn first aid "under cool water for 20 minutes" and "under a minute" read as going under
water, a rash on the chest that "feels like sandpaper" read as chest pain, earwax where "nothing comes out" read as
the bladder's, "a few too many" drinks read as an overdose, a question about the risk of a stroke, a young baby's
evening colic, a wish not to wake up, piles bleeding in pregnancy, Bell's palsy with the forehead "on that side",
a parent who "found out today" about self-harm, painless tightenings, a school prom, a child who "ate all his lunch",
"no vision stuff", lying awake for hours, a rash's dusky centres, "nearly had a heart attack", a TIA weeks ago, a dose
taken twice when "muddled"), each with the emergencies beside it that the fix
must leave alone.

The sentences are written here (not the corpus's); the level is the one a clinician gives, with the guidance named.
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from tests.agents.triage.layers import EMERGENCY, A, D, E, R, S, level, raised


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a small scald cooled under the tap, as first aid says: a blister the size of a coin in a child, a doctor
        # within 24 hours; "under" a length of time is not going under water (NHS Burns and scalds; NICE CKS Burns)
        (
            "my 3 year old grabbed my coffee and it splashed his hand, I held it under cold running water for 20 minutes",
            D,
        ),
        ("burnt my finger on the oven, kept it under the cool tap for twenty minutes, it's red and stinging", S),
        ("my daughter's arm got splashed by the kettle, we ran it under the tap for 20 mins, a small blister", D),
        # stiffness or a tightening that lasts "under" a few minutes (NICE CKS Osteoarthritis; NHS Braxton Hicks)
        ("65, sore knees for a year, stiff in the mornings for under 20 minutes, worse on the stairs", R),
        ("my hip is stiff first thing for under half an hour, it's been like this for months", R),
        # a rough red rash on the chest with a sore throat and fever: scarlet fever, a GP the same day, not chest pain
        # (NICE CKS Scarlet fever; UKHSA scarlet fever guidance)
        ("my 5 year old has a sore throat and 38.5, and a red rash on her chest that feels like sandpaper", D),
        ("my son has a fever and a pink rash across his chest that feels rough like sandpaper, drinking well", D),
        # an ear that is blocked or ringing where "nothing comes out" is not urine retention (NICE CKS Earwax)
        ("my left ear is blocked, I've been putting olive oil in for the wax but nothing comes out", S),
        ("ear feels full and muffled, I've tried cotton buds for the wax and nothing is coming out", S),
        # "a few too many" drinks the night before, a hangover with nothing else: self-care (NHS Hangover cures)
        ("I had a few too many last night at a leaving do, headache and a bit sick this morning, drinking water", S),
        ("had a few too many at my brother's wedding yesterday, pounding head and thirsty today, otherwise fine", S),
        # a question about the risk of a stroke, with no sign of one: a routine check (NICE NG136 Hypertension)
        ("my bp was 138/88 at the chemist, I'm 50, am I at risk of a stroke?", R),
        ("what can I do to reduce my risk of stroke? my dad had one and I'm 55, I feel fine", R),
        # a young baby who cries for hours in the evenings and feeds and grows well: colic, self-care
        # (NICE CKS Colic - infantile)
        (
            "my 6 week old has bouts of inconsolable crying every evening for a couple of hours, feeding well, gaining",
            S,
        ),
        ("7 week old, inconsolable crying most evenings, draws his knees up, feeds well and settles by midnight", S),
        # a wish not to wake up, with no plan: a passive thought of death, a doctor the same day, not someone who
        # cannot be woken (NICE NG225 Self-harm; NICE CG90 Depression in adults)
        ("I've been really low for a month and sometimes I wish I wouldn't wake up, I have no plan to do anything", D),
        ("my mum says she hopes she won't wake up in the morning since dad died, no plans, she's eating", D),
        # piles that bleed in pregnancy with no tummy pain is the rectum's bleeding, not the womb's
        # (NHS Piles in pregnancy; NICE CKS Haemorrhoids)
        ("32 weeks pregnant, my piles are sore and there's a bit of bright red blood on the paper when I wipe", R),
        ("I'm 30 weeks pregnant and constipated, noticed fresh blood on my poo, I think it's piles, baby moving", R),
        # one side of the face weak with the forehead taken in ("can't wrinkle my forehead on that side", "eyebrow
        # won't lift"): Bell's palsy, a doctor within 24 hours for steroids; "on that side" is the face's side, not
        # the family's (NICE CKS Bell's palsy)
        ("my face has dropped on the left, my eye won't shut and I can't wrinkle my forehead on that side", D),
        ("the right side of my face is droopy since this morning and my eyebrow won't lift on that side, arms fine", D),
        ("woke with my mouth drooping on the right and my forehead doesn't move on that side, talking normally", D),
        # a parent who found out today that a teenager self-harms, with no plan: the same day, not an ambulance;
        # "today" is when it was found, not a plan (NICE NG225 Self-harm 1.2, under 18s)
        ("I found out today that my 15 year old has been cutting his legs, he says he isn't suicidal", D),
        ("noticed tonight my daughter has scratches on her wrists, she says she did it when stressed, no plan", D),
        # painless, irregular tightenings in pregnancy: Braxton Hicks, self-care (NHS Braxton Hicks; NICE NG25)
        ("29 weeks, I get painless tightenings of my bump a few times a day, they go off when I sit down", S),
        ("I'm 31 weeks and having braxton hicks contractions, painless and irregular, baby moving well", S),
        # "prom" the school dance, not ruptured membranes; skin "broken out" in spots is not a broken bone
        # (NICE CKS Acne vulgaris)
        ("I'm 16 and my face has broken out in spots, I need them gone before my prom next week", S),
        # a child who "ate all his lunch" has eaten, not taken an overdose (NICE CKS Common cold)
        ("my 6 year old has a runny nose and a cough, temp 37.6, but he ate all of his dinner and is playing", S),
        # "no vision stuff" is the absence of visual symptoms (NICE CKS Headache - tension-type)
        ("headaches at the end of the work day like a band, paracetamol helps, no vision stuff, no vomiting", S),
        # lying awake in bed for hours is insomnia, not a long lie after a fall (NICE CKS Insomnia)
        ("I've been on nights for a month and I can't sleep in the day, I lie there for hours awake, I'm 34", R),
        # the dusky centre of a target-like rash is the skin's colour, not a blue child: a doctor within 24 hours
        # (NICE CKS Urticaria; serum sickness-like reaction to an antibiotic)
        ("my 6 year old is on amoxicillin and now has round hives with dusky centres and puffy ankles, temp 37.9", D),
        # "nearly had a heart attack" when surprised is a figure of speech (NHS Vaccinations: flu and COVID-19 together)
        (
            "dad is 80 and nearly had a heart attack when he saw the price of his prescription, can he get a free one?",
            S,
        ),
        # a stroke sign that went away completely weeks ago: a TIA, a specialist within 7 days, not an ambulance
        # (NICE NG128 Stroke and TIA 1.1.4)
        ("I'm 66 and had a funny turn about a month ago, couldn't get my words out for 5 minutes, fine since", D),
        ("3 weeks ago for about 10 minutes she couldn't talk properly, then back to normal, 74", D),
        # an older person who "got muddled and took" a dose twice, feeling well: a pharmacist or doctor the same day,
        # not confusion (NICE CKS Anticoagulation - oral: missed or extra doses)
        ("mum is 86 and got muddled and took her morning tablets twice, she feels fine, no bleeding", D),
    ],
)
def test_not_raised_above_a_clinician(text: str, want: Level) -> None:
    why = raised(text, want)
    assert why is None, f"{text!r}: got {why}, a clinician gives {want.value}"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # someone who went under water, however short, or was pulled out of it (Resuscitation Council UK; RLSS)
        ("my son fell into the pool and was under for about a minute", E),
        ("she was under the water for 2 minutes before we pulled her out", E),
        ("we pulled him out of the river, he was under for a few seconds and is coughing", E),
        # chest pain or pressure described as a feeling (NICE CG95 Chest pain)
        ("my chest feels like an elephant is sitting on it", A),
        ("my chest feels like it is being squeezed and I'm sweating", A),
        # a bladder that cannot empty (NICE CKS LUTS in men: acute retention)
        ("trying to wee but nothing comes out and my tummy is swollen and sore", E),
        ("dad is 80, he's desperate to go to the toilet but nothing is coming out", E),
        # too many tablets is an overdose (NICE CKS Poisoning; TOXBASE)
        ("I took a few too many paracetamol this morning", E),
        ("I took too many at once, my sleeping tablets", E),
        ("my toddler had too many of his iron tablets", E),
        # stroke signs now, or a stroke named as happening (NICE NG128; NHS FAST)
        ("my face is drooping, I think I'm having a stroke", A),
        ("I think my husband is having a stroke, his arm is weak", A),
        # a young baby who is inconsolable and not feeding, or with a fever (NICE NG143)
        ("my 6 week old is inconsolable and won't feed", E),
        ("my 8 week old has a temperature of 38.2 and is inconsolable", E),
        # someone who cannot be woken (Resuscitation Council UK)
        ("my husband won't wake up", A),
        ("she took all her tablets and I can't wake her", A),
        # bleeding from the vagina after 20 weeks, or piles with tummy pain and bleeding (NICE CKS Antepartum
        # haemorrhage)
        ("30 weeks pregnant, bleeding from down below", E),
        ("28 weeks pregnant and I'm bleeding, bright red, soaking a pad", E),
        # a face that droops with the forehead spared, or with an arm or speech affected (NICE NG128; NHS FAST)
        ("my face is drooping on one side and my arm is weak", A),
        ("his face has dropped on the left and he can't lift his eyebrow, and his speech is slurred", A),
        ("mum's face has drooped on one side, the forehead still wrinkles", A),
        # self-harm with a plan or a time set (NICE NG225)
        ("I've been cutting myself and I'm going to do it properly tonight", A),
        ("my son has been cutting himself and has saved up his tablets", A),
        # regular or painful tightenings before 37 weeks, PROM written by a clinician (NICE NG25 Preterm labour)
        ("30 weeks, getting tightenings every 5 minutes", E),
        ("32 weeks, painful tightenings coming every 10 minutes", E),
        ("34/40, ?PROM, clear fluid leaking since this morning", E),
        # all of someone's tablets, loss of vision, a baby gone dusky, a heart attack now, a long lie after a fall
        ("I swallowed all of my tablets", E),
        ("I've suddenly lost the vision in my left eye", E),
        ("my baby went dusky and floppy", A),
        ("my dad has crushing chest pain, I think he is having a heart attack", A),
        ("mum is 88, she fell and has been lying there for hours, she can't get up", E),
        # a spell yesterday or today, or one that is back (NICE NG128: within 7 days, urgent; now, 999)
        (
            "yesterday he couldn't get his words out for 20 minutes, fully recovered, stopped his apixaban 2 months ago",
            A,
        ),
        ("a month ago I couldn't speak for 10 minutes, back to normal, now my speech is slurred again", A),
        ("mum can't talk properly since this morning", A),
        # new confusion (NICE CKS Delirium)
        ("mum is 86 and suddenly very muddled, doesn't know where she is", E),
    ],
)
def test_emergencies_beside_the_classes_stay(text: str, want: Level) -> None:
    got = level(text)
    assert got in EMERGENCY, f"{text!r}: got {got.value}, a clinician gives {want.value}"
