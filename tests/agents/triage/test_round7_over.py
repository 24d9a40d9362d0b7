"""Round 7 (issue 15): classes of messages the deterministic layers raised above a clinician's level (lip swelling on
an ACE inhibitor or after a food that has settled or keeps recurring, "can't breathe" in known panic attacks, a TIA
that resolved days ago, an older person's arm injured in a fall, teething drool, a known child's febrile seizure now
well, first odd beliefs without risk, a wish not to wake up, heart failure worse on effort only, a scratched eye sore
in light), each with the emergencies beside it that the fix must leave alone.

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
        # lip swelling on an ACE inhibitor that has settled, or that keeps coming back, with no tongue, throat or
        # breathing sign: a doctor the same day to stop the medicine, not the emergency department (NICE CKS
        # Angio-oedema and anaphylaxis: ACE inhibitor angio-oedema; BSACI 2015 guideline for angioedema)
        (
            "I'm 68 and on lisinopril, my bottom lip swelled up on Sunday and has gone down now, tongue and throat fine",
            D,
        ),
        ("on ramipril, woke up with a swollen upper lip again, second episode this year, no tongue swelling", D),
        (
            "72F taking perindopril, lower lip swelling for a few hours yesterday then settled, breathing and voice normal",
            D,
        ),
        # a lip that swelled after a food and settled within the hour, nothing else: an allergy referral, not 999
        # (NICE CG116 Food allergy in under 19s; NICE CKS Angio-oedema and anaphylaxis)
        ("my lip swelled after eating prawns last week, settled within an hour with an antihistamine, no wheeze", R),
        ("my son's lip went puffy after a cashew, swelling went down with piriton in half an hour, never wheezy", R),
        # someone known to have panic attacks who "can't breathe" in one that passes, with no other red flag: a GP
        # (NICE CG113 Generalised anxiety disorder and panic disorder; NHS Panic disorder)
        (
            "I get panic attacks a few times a month, my heart races and I feel like I can't breathe, it passes in 10 minutes",
            D,
        ),
        (
            "my 16 year old daughter has had 3 panic attacks this week, she shakes and says she can't breathe, then it settles",
            D,
        ),
        ("I have panic disorder, had one on the train, felt like I couldn't breathe for 5 minutes, fine now", D),
        (
            "had a panic attack in the supermarket yesterday, thought i was dying, heart pounding and couldn't breathe, "
            "passed after 15 mins. that's 3 this week",
            D,
        ),
        # a stroke sign that went away completely days ago: a TIA, aspirin and a specialist within 24 hours, not an
        # ambulance (NICE NG128 Stroke and TIA 1.1.3); one within the last day stays an emergency (below)
        ("I'm 70, three days ago my speech went slurred for about 10 minutes, fully recovered, normal today", D),
        ("dad is 81, 4 days ago his words came out jumbled for a quarter of an hour, back to normal since", D),
        # an older person's fall onto the arm, able to stand and walk: an X-ray within 24 hours, not the emergency
        # department for a hip (NICE NG38 Fractures (non-complex); NICE CG124 Hip fracture is the leg)
        ("I'm 79 and fell in the garden yesterday onto my outstretched hand, my wrist is swollen and bruised", D),
        (
            "mum is 84, tripped on the rug and hurt her shoulder, she can't lift her arm above her head, walking about fine",
            D,
        ),
        # a baby drooling while a tooth comes through, no fever, feeding: teething, self-care (NHS Baby teething)
        ("my 7 month old is drooling loads and chewing his fists, no temperature, feeding fine", S),
        ("9 month old, drooling, a bottom incisor is coming through, grumpy at night, temp 37.3", S),
        # a short febrile seizure in a child known to have them, back to normal: a doctor within 24 hours for the
        # fever, not an ambulance (NICE CKS Febrile seizure: recurrent, fully recovered)
        ("my 20 month old had another febrile fit tonight, lasted a minute, temp 38.8, back to his normal self now", D),
        ("our daughter is 2 and gets febrile convulsions, had one for 1 minute with a temp of 39, now playing", D),
        # first odd beliefs or voices with no risk to self or others stated: the early intervention or crisis team
        # within 24 hours, not the emergency department (NICE CG178 Psychosis and schizophrenia in adults 1.2.1)
        (
            "my son is 19 and has been hearing voices for a week, he has no thoughts of hurting himself or anyone, "
            "calm and cooperative",
            D,
        ),
        (
            "24F, 2 weeks believing her phone is being read by the police, denies any thoughts of harm, eating and sleeping",
            D,
        ),
        # a wish not to wake up is a passive thought of death, not someone who cannot be woken: a doctor the same day
        # (NICE NG225 Self-harm; NHS Help for suicidal thoughts)
        (
            "I'm 80 and since my husband died I can't sleep and sometimes I'd rather not wake up in the morning, no plans",
            D,
        ),
        ("dad says he wouldn't mind not waking up, he has no plan and his daughter is with him", D),
        # known heart failure with more swelling, more pillows and breathless on effort, comfortable at rest: the heart
        # failure team or GP within 24 hours (NICE NG106 Chronic heart failure; NICE CKS Heart failure - chronic)
        (
            "dad, 82, has heart failure, his ankles are more swollen this week and he's on 3 pillows now, breathless on "
            "the stairs, fine sitting down",
            D,
        ),
        (
            "my wife has heart failure, more breathless walking than last week and needs an extra pillow, okay at rest",
            D,
        ),
        # a scratch to the eye that only waters, feels gritty and is sore in light, vision normal: a corneal abrasion,
        # a doctor within 24 hours (NICE CKS Corneal superficial injury)
        ("my son scratched his eye on a twig, it's watering and sensitive to light, he can see fine", D),
        ("my baby caught my eye with her fingernail, feels like there's something stuck in it, sight is fine", D),
    ],
)
def test_not_raised_above_a_clinician(text: str, want: Level) -> None:
    why = raised(text, want)
    assert why is None, f"{text!r}: got {why}, a clinician gives {want.value}"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the tongue or throat swelling, the voice or swallowing changed, a lip still swelling, or a fresh reaction
        # to a food stays an emergency (Resuscitation Council UK anaphylaxis 2021; NICE CKS Angio-oedema)
        ("I take ramipril and my lips are swollen and my tongue is swelling up", A),
        ("on lisinopril, my lip is swollen and it keeps getting bigger, 70", E),
        ("on perindopril, my lips are swollen and my voice has gone hoarse and I can't swallow", A),
        ("just ate peanuts and my lips are swollen", E),
        ("my lip swelled up on ramipril last week and went down, now my tongue is swelling", A),
        # a panic attack with blue lips, unable to speak, or chest pain; "can't breathe" with no panic known
        ("I get panic attacks but now my lips have gone blue and I can't speak", A),
        ("I have panic attacks and I'm 58, crushing chest pain and can't breathe", A),
        ("I can't breathe and my chest is so tight", A),
        ("I get panic attacks but this time my heart is racing and I fainted", E),
        ("my heart is racing at 180 and I feel breathless and dizzy", E),
        # stroke signs now, within the last hours, since yesterday, or back again after a TIA (NICE NG128; NHS FAST)
        ("my dad's speech was slurred for a few minutes an hour ago, now back to normal", A),
        ("my speech has been slurred since yesterday", A),
        ("2 days ago my arm was weak for 10 minutes and back to normal, now my speech is slurred again", A),
        ("my face has drooped on one side since this morning", A),
        # an older person who cannot bear weight or get up after a fall, or a deformed wrist (NICE CG124; NICE NG38)
        ("my dad is 80, he fell and now can't put any weight on his left leg", E),
        ("grandma is 86, fell this morning and can't get up off the floor", E),
        ("I'm 77, fell on my wrist and it looks bent like a fork", E),
        # drooling with a fever and unable to swallow, or with stridor (NICE CKS Sore throat: epiglottitis)
        ("my 3 year old is drooling, can't swallow and has a high temperature, sitting forward", E),
        ("my 10 month old is drooling and making a high pitched noise when breathing in", A),
        # a first febrile seizure, one not recovered, or one over five minutes (NICE CKS Febrile seizure)
        ("my 18 month old just had a fit with a temperature of 39, first time, he's back to normal now", E),
        (
            "my 2 year old has had febrile convulsions before, he had another one 10 minutes ago and is still very drowsy",
            E,
        ),
        ("my son gets febrile fits, he's been fitting for 6 minutes now", A),
        # voices telling someone what to do, a weapon, thoughts of harming others (NICE CG178; NICE CG136)
        ("my son is 19 and hearing voices telling him to hurt people, no thoughts of harming himself", E),
        ("he hears voices telling him to deal with the neighbour, denies any intent to act, calm", E),
        ("my brother hears voices and is convinced the neighbours are poisoning him, he has a knife by the door", E),
        ("my daughter hears voices and thinks she is being followed", E),
        ("I want to hurt her, my wife, I keep thinking about it", E),
        # someone who cannot be woken (Resuscitation Council UK; NHS When to call 999)
        ("my husband is not waking up, I've been shaking him", A),
        ("she took all her tablets and now she's not waking up", A),
        # heart failure breathless at rest, unable to lie flat, waking up gasping, or unable to finish a sentence
        # (NICE NG106; NICE CKS Heart failure - acute)
        ("mum has heart failure and she's breathless at rest and can't lie flat", E),
        (
            "heart failure, woke up in the night gasping for breath and had to sit on the edge of the bed, still breathless",
            A,
        ),
        ("I have heart failure and I'm so breathless I can't finish a sentence", A),
        # an eye injury with blurred vision, from a hard object, or with severe pain or an odd pupil; a foreign body
        # stuck in a wound (NICE CKS Corneal superficial injury; Eye injuries - red flags)
        ("scratched my eye with a fingernail and now my vision is blurry", E),
        ("got hit in the eye with a squash ball, sensitive to light", E),
        ("twig scratched my eye, severe pain and the pupil looks odd", E),
        ("cut my hand on a broken glass, there's glass stuck in it", E),
    ],
)
def test_emergencies_beside_the_classes_stay(text: str, want: Level) -> None:
    got = level(text)
    assert got in EMERGENCY, f"{text!r}: got {got.value}, a clinician gives {want.value}"
