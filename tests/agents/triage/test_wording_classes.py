"""Classes of wording the corpus showed the engine misreading, each in more than one author's words.

Each case names the class; the level is the one a clinician gives (NICE CKS, NHS.uk, NICE NG143 for children).
The deterministic layers are tested (``assess_layers``): the learned layer on top of them is trained and tested apart.
"""

from __future__ import annotations

import pytest

from agents.triage import Level
from agents.triage.engine import assess_layers
from agents.triage.words import tokens

A, E, D, R, S = (Level.emergency_ambulance, Level.emergency, Level.consultation_24, Level.consultation, Level.self_care)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a carer's reassurance that names an alarming sign ("not breathing fast", "no breathing problems")
        (
            "my 4 yr old had a temp of 38.3 with a runny nose, now running round, drinking. no rash, no breathing problems",
            S,
        ),
        ("he is not breathing and his lips are blue", A),
        # a word in another sense
        (
            "ate a dodgy kebab last night (stroke of luck my mate didnt have one), been sick twice, keeping water down",
            S,
        ),
        # food poisoning is a stomach bug, not a poison swallowed (round 9); a poison swallowed stays an emergency
        ("I think I have food poisoning, I have been sick three times", S),
        ("my son drank some poison from under the sink", E),
        ("my 5 yr old only poos every 4 or 5 days, big hard ones that hurt him so he holds it in, some soiling", R),
        ("i want to hurt him", E),
        ("ache under my right ribs for 2 days and the whites of my eyes look a bit yellow, pee dark", D),
        # something pushed up a child's nose: A&E the same day; in the ear: a doctor within 24 hours
        ("My 4 year old pushed a small plastic bead up her right nostril an hour ago, I can't get it out", E),
        ("my toddler has shoved a pea up his nose", E),
        ("my 3 year old has put a bead in her ear and I can't get it out, she's fine otherwise", D),
        # a scald in a young child, in a parent's words
        ("my 3 yr old pulled a mug of tea off the table over his chest, its red and blistered", E),
        # a febrile child with a positive dipstick written the clinician's way
        ("2yo F, fever 4 days up to 38.9, alert, drinking. Clean-catch urine: nitrites +, leucocytes ++.", D),
        # sudden hearing loss said plainly
        ("Woke up this morning and my left ear is basically deaf, like it's full of cotton wool", D),
        # a growing, bleeding scaly spot in an older person: suspected skin cancer (NICE NG12)
        (
            "dad is 84 and has a scaly crusty patch on his bald head that bleeds when he scratches it, slowly getting bigger",
            R,
        ),
        # mastitis after birth ("feel like I've got flu") is not postpartum sepsis by itself
        (
            "had my baby 3 weeks ago, breastfeeding. now a red hot painful wedge shaped patch on my left boob, temp 38.3 "
            "and I feel like I've got flu",
            D,
        ),
        ("gave birth 5 days ago, fever 38.9, tummy pain and smelly discharge", E),
        # NICE NG143: a baby over 3 months feeding less is amber; refusing feeds or under 3 months is more
        ("my 5 month old has been off her feeds for 2 days, taking about half what she normally does, temp 38.0", D),
        ("my baby is 6 months and refusing all feeds", E),
        ("my 7 week old is off her feeds", E),
        # blood in a baby's nappy: bowel with colic signs, well baby, or a newborn girl's pseudomenses
        ("my 9 month old keeps screaming and drawing his legs up, and there was blood and mucus in his nappy", E),
        ("my 8 week old has had streaks of blood and mucus in his poo for 2 days, otherwise feeding and weeing ok", D),
        (
            "our baby girl is 5 days old and there's a little blood in her nappy from her front bottom, like a tiny period. "
            "she's feeding well",
            S,
        ),
        # non-major bleeding on an anticoagulant
        ("I'm 80, bright red blood in my pee with small clots, on rivaroxaban. still passing water fine, no pain", D),
        # one vomit with fluids kept down is not a kidney infection that needs a drip
        ("4F, dysuria and fever 38.5, vomited once, mild right loin discomfort. Alert, drinking.", D),
        ("burning when i pee, fever 39 and keep vomiting, pain in my side", E),
        # reassurance for common, benign things in children and pregnancy
        ("My son is 3 and his foreskin doesn't pull back at all. He wees in a normal stream, no pain or redness", S),
        ("30 wks pregnant and my tummy skin is so itchy where its stretching, no itch on my hands or feet", S),
        ("my 2 month old only poos every 3 or 4 days but it's soft and yellow, breastfed, feeding well", S),
        # heartburn in pregnancy with the pre-eclampsia symptoms listed as absent
        (
            "A 29-year-old at 28 weeks' gestation has a burning sensation behind the sternum after evening meals. "
            "There is no epigastric or right upper quadrant pain, headache or visual disturbance.",
            S,
        ),
        # a hypo in type 2 diabetes needs a review of the tablets; incontinence needs a GP assessment
        (
            "A 67-year-old with type 2 diabetes had a glucose of 3.6 mmol/L, treated with juice; now 6.8 and feels well.",
            R,
        ),
        ("I leak urine when I need to go and can't always make it to the toilet", R),
        # NICE NG112: recurrent UTIs need a GP review even when well now; NHS: a painful wart needs a GP
        (
            "A 28-year-old woman has had recurrent urine infections, three in the last 6 months; she is currently well.",
            R,
        ),
        ("my 9 year old has warts on his feet that hurt when he walks", R),
        # a bad smell is not a severe symptom
        (
            "mum 79 has had diarrhoea for 3 days since starting antibiotics, 6 or 7 times a day and smells awful, "
            "some tummy cramps. drinking ok",
            D,
        ),
        # a known type 1 diabetic with high sugars is not a new diagnosis (was read as new type 1 diabetes)
        ("im 15 and i have type 1. bad cold and my sugars have been 15-17 all day. ketones 0.8. not being sick", D),
        ("type 1, sugar 22, ketones 0.6, vomiting since this morning", E),
        # one forgotten dose of an ordinary medicine
        ("My father is 81 and takes levothyroxine. He forgot to take it yesterday. He feels completely normal.", S),
    ],
)
def test_wording_class(text: str, level: Level) -> None:
    assert assess_layers(text)[0].level is level


def test_a_negation_reaches_every_item_of_its_list():
    found = assess_layers(
        "He has no dysphagia, vomiting, weight loss, melaena, jaundice, abdominal mass or family history."
    )[0].findings
    assert not {"vomiting", "weight_loss", "melaena", "jaundice"} & set(found)
    assert (
        "vomiting" in assess_layers("no fever. vomiting since this morning")[0].findings
    )  # a list ends with its sentence


def test_a_dipstick_grade_apart_from_its_word_reads_with_it():
    assert [t.stem for t in tokens("nitrites +, leucocytes ++.")] == ["nitrites+", "leucocytes++"]
    assert [t.stem for t in tokens("paracetamol + ibuprofen")] == ["paracetamol", "ibuprofen"]


def test_not_breathing_fast_is_a_reassurance():
    found = assess_layers("my 3 month old is snuffly, no temp, feeding ok, plenty of wet nappies, not breathing fast")[
        0
    ]
    assert found.level.rank > Level.consultation_24.rank
    assert not {"not_breathing", "tachypnoea"} & set(found.findings)


def _assert_read(text: str, read: str | tuple[str, ...], held: bool) -> None:
    """``read``: the rules, findings or conditions (ids) the deterministic layers must hold for ``text`` (``held``)
    or must not."""
    assessment, _ = assess_layers(text)
    found = set(assessment.matched_rules) | set(assessment.findings) | {c.id for c in assessment.conditions}
    for ident in (read,) if isinstance(read, str) else read:
        assert (ident in found) is held, ident


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # a button battery in a child's mouth, or gone missing from a toy; a phone's flat battery is none
        (
            "11-month-old seen putting a small round flat battery from a toy in her mouth; the battery is now missing",
            ("button_battery", "button_battery_ingestion"),
            True,
        ),
        ("my phone has a flat battery so I am typing on my laptop, sore throat for 2 days", "button_battery", False),
        # a child who opened a parent's tablets
        ("my son 3 years open my iron tablets, maybe ate 10 of them, 30 minutes ago", "swallowed_medicine_child", True),
        # fewer fetal movements counted, and waters described in plain or non-native words
        ("30+4 weeks, only 2-3 small movements since yesterday evening", "reduced_fetal_movements", True),
        ("32 weeks pregnant, since 1 hour water is coming from down, not pee, clear colour", "waters_broken", True),
        ("32 wks pregnant, keep getting wet knickers, clear watery fluid, soaked a pantyliner", "waters_broken", True),
        # a named cytotoxic is chemotherapy: a fever on it is neutropenic sepsis until shown otherwise
        ("72F, day 10 after cycle 2 of docetaxel, oral temp 100.9F twice", "neutropenic_sepsis", True),
        # back pain with numb or weak legs in someone treated for cancer before is spinal cord compression
        (
            "I had breast cancer 3 years ago. For 3 weeks pain in the middle of my back, worse at night, legs heavy and numb",
            "metastatic_spinal_cord_compression",
            True,
        ),
        (
            "I had breast cancer 3 years ago, now a sore throat for two days",
            "metastatic_spinal_cord_compression",
            False,
        ),
        # a fist that met teeth is a human bite; a fist that met a wall is not
        ("punched a guy in the mouth and theres a small cut on my knuckle from his teeth", "animal_bite", True),
        ("I punched the wall and my knuckle is sore", "animal_bite", False),
        # a stoma turning dark
        ("my stoma has gone a dark purple, almost black colour, it is usually bright red", "stoma_ischaemia", True),
        ("my stoma is a healthy red and the bag is working fine", "stoma_ischaemia", False),
        # a ketone meter's reading is a blood ketone level
        ("type 2 on dapagliflozin, nausea, ketone meter: 3.6 mmol/L", "significant_ketosis", True),
        # vomiting everything, even water, in pregnancy
        ("12 weeks pregnant, for 3 days I vomit everything even water, pee very little", "unable_to_keep_fluids", True),
        # a faint during a sprint or at training is a faint on exertion; after practice, at a bus stop, is not
        ("15M, I fainted during a sprint at soccer practice yesterday, feel fine now", "exertional_syncope", True),
        (
            "I fainted at the bus stop after football practice, it was hot and I hadn't eaten",
            "exertional_syncope",
            False,
        ),
    ],
)
def test_an_emergency_told_in_words_the_knowledge_did_not_hold_is_read(
    text: str, read: str | tuple[str, ...], held: bool
) -> None:
    """Round 29's batches (`train29`, readable): emergencies the deterministic layers missed, each read now in
    general form (session 26); and a look-alike each that must stay unread."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # burn first aid is no drowning, whatever the verb; going under water still is
        (
            "burnt my palm on the bbq, had it under cold running water for 20 mins",
            ("environmental.drowning", "submersion_event"),
            False,
        ),
        (
            "toddler was under water for a few seconds in the bath before we pulled him out",
            "environmental.drowning",
            True,
        ),
        # a burning that rises behind the breastbone is reflux, not a fever; "burning up" alone still is
        ("heartburn for 2 months, burning up behind my breastbone after dinner", "fever", False),
        ("acid burning up into my throat at night", "burn_significant", False),
        ("my son is burning up and wont eat", "fever", True),
        # a negative pregnancy test rules an ectopic out; a period seven weeks ago with pain and spotting does not
        ("29F dysuria and right loin ache, LMP 2 weeks ago, urine beta-hCG negative", "abdominal.ectopic", False),
        ("lower abdominal pain and spotting, LMP 7 weeks ago", "abdominal.ectopic", True),
        # petechiae on the palate are a sign of a sore throat, not a non-blanching rash
        (
            "9M sore throat and fever, tonsillar exudate, palatal petechiae, sandpapery rash",
            ("non_blanching_rash", "skin.non_blanching"),
            False,
        ),
        ("fever and a petechial rash on his legs", "skin.non_blanching", True),
        # a recurrent cold sore at the lip's border is no shingles; grouped blisters on one side of the chest are
        (
            "cluster of blisters at the edge of the lip, she gets the same cold sore 3 times a year",
            "skin.shingles",
            False,
        ),
        ("cluster of blisters on one side of my chest with burning pain", "skin.shingles", True),
        # a non-smoker has no smoking risk factor
        ("45M chest pain on and off for a day, non-smoker", "cardiac.chest_pain_risk_factors", False),
        ("45M chest pain on and off for a day, smoker", "cardiac.chest_pain_risk_factors", True),
        # a haemorrhage seen under the conjunctiva is a sign, not bleeding that will not stop
        ("O/E: flat haemorrhage under the temporal bulbar conjunctiva, VA 6/6", "uncontrolled_bleeding", False),
        ("he is haemorrhaging from the leg wound", "uncontrolled_bleeding", True),
        # the worst hangover ever is a hangover
        ("worst hangover ever, head pounding, threw up once, keeping water down", "safety.worst_ever_high_risk", False),
        ("worst headache ever, came on suddenly", "safety.worst_ever_high_risk", True),
        # vomiting that stopped does not go on
        ("2 days of diarrhoea, vomited once on day 1, none since", "gastro.vomiting_prolonged", False),
        ("vomiting for 3 days and still being sick", "gastro.vomiting_prolonged", True),
        # going under in a pool, the sea or a bath is a submersion however the water is named; under an anaesthetic
        # is none (session 26)
        (
            "my daughter went under at the swimming pool and swallowed a lot of water, now she keeps coughing",
            ("submersion_event", "drowning"),
            True,
        ),
        ("my son was pulled under the water by a wave, he has been vomiting since", "drowning", True),
        (
            "I went under general anaesthetic for my knee last week and now I have a cough",
            ("environmental.drowning", "submersion_event"),
            False,
        ),
        # the glass test told at length, and spots of two colours joined: a non-blanching rash (dev17, session 26)
        (
            "10 month old, fever, tiny purple-red dots on his tummy, i pressed a glass on them like i saw on facebook "
            "and they didnt fade. probably a heat rash?",
            ("skin.non_blanching", "non_blanching_rash", "meningococcal_disease"),
            True,
        ),
        (
            "pressed a glass on the rash on her arm and it faded completely so not worried, she has a cold",
            ("skin.non_blanching", "non_blanching_rash"),
            False,
        ),
    ],
)
def test_a_word_in_another_sense_or_a_ruled_out_cause_holds_no_rule(
    text: str, read: str | tuple[str, ...], held: bool
) -> None:
    """Round 25's readable batch (dev25): each wording sent a benign case to a doctor or an emergency department."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # fingers drawn into the palm that can no longer lie flat: Dupuytren's (a routine referral)
        (
            "79M, two years of the ring and little fingers curling into the palm, can no longer lay his hand flat on "
            "the table, painless cords in the palm",
            "dupuytrens_contracture",
            True,
        ),
        ("I jammed my finger and can't straighten it fully today", "dupuytrens_contracture", False),
        # a moist pink nodule in a baby's umbilicus after the cord fell off: an umbilical granuloma
        (
            "3 week old, a small moist pink nodule at the base of the umbilicus, skin around it not red",
            "umbilical_granuloma",
            True,
        ),
        ("my 30 year old belly button piercing has a pink lump", "umbilical_granuloma", False),
        # brown, itchy skin of the lower legs over varicose veins: varicose eczema
        (
            "dad is 79, the skin on his lower legs has gone brownish, itchy and dry, he has varicose veins",
            "varicose_eczema",
            True,
        ),
        ("brown patch on my arm since the summer, not itchy", "varicose_eczema", False),
        # a foot that slaps down and toes that catch: foot drop
        (
            "since the long flight my right foot slaps down when I walk and I keep catching my toes",
            "foot_drop_new",
            True,
        ),
        ("stubbed my toes on the bed, bruised", "foot_drop_new", False),
        # a coil's threads longer or its plastic felt: a displaced IUD
        ("checked my coil strings and they feel longer, I can feel plastic poking out", "iud_expulsion", True),
        ("had my coil fitted last year, strings feel normal, period pain", "iud_expulsion", False),
        # a tooth loosened or pushed back by a blow: a dentist the same day; a child's loose milk tooth is none
        ("hit in the mouth by a football, my front tooth is wobbly and pushed back", "dental_luxation", True),
        ("my 6 year old has a wobbly tooth, is it ok to pull it", "dental_luxation", False),
        # golden scabs in a parent's words are impetigo's crusts; a bulge along an old scar is a hernia
        ("crusty golden yellow scabs round his nose and mouth", "yellow_crusts", True),
        (
            "85, soft bulge along the scar from my bowel operation when I cough, flat when I lie down",
            "hernia_lump",
            True,
        ),
    ],
)
def test_a_routine_complaint_no_layer_read_is_read(text: str, read: str | tuple[str, ...], held: bool) -> None:
    """Round 29 (`train29`), readable: routine complaints that went to self care because no layer read them (session
    27), each with a look-alike that must stay unread."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # peritonism is a tummy that hurts on moving; a verruca, a corn or a knee that hurts when walking is not
        (
            "hard rough spot on the bottom of my foot with little black dots, hurts a bit when I walk",
            "abdominal.peritonitis",
            False,
        ),
        ("my tummy really hurts when i walk or cough, worst on the right", "abdominal.peritonitis", True),
        ("rolled my ankle landing from a rebound at netball, swollen outside", "abdominal.peritonitis", False),
        ("abdomen tender with guarding and rebound in the RIF", "abdominal.peritonitis", True),
        # a big blister from new boots is no burn; large blisters after a scald still make it severe
        ("new football boots have given me a massive blister on my heel, clear fluid", "trauma.burn_severe", False),
        ("pulled a kettle of boiling water over her arm, big blisters already", "trauma.burn_severe", True),
        # stroke the verb, and a stroke in the past, are not a stroke now
        (
            "neighbours dog bit my hand this morning when i went to stroke it, 2 puncture marks",
            "neuro.stroke_named",
            False,
        ),
        ("83F, largely chair-bound after stroke. 3 cm blanching redness over the heel", "neuro.stroke_named", False),
        ("I think mum is having a stroke", "neuro.stroke_named", True),
        ("he has been confused since his stroke yesterday", "neuro.stroke_named", True),
        # a cough that comes in fits is a coughing fit; a child who had a fit is not
        ("my 8 year old has a cough that comes in big fits and he is sick after", "neuro.seizure", False),
        ("my 3 year old had a big fit and is drowsy now", "neuro.seizure", True),
        # aching in cold weather is no cold exposure; an older person left out on a freezing night is
        ("83-year-old man, osteoarthritic knees ache worse in the cold weather", "environmental.cold_exposure", False),
        ("my 80 year old mum was found outside on a freezing night", "environmental.cold_exposure", True),
        # the eye's torsional nystagmus (BPPV) is no torsion of a testicle
        (
            "76M brief spinning on rolling over, Dix-Hallpike positive with torsional nystagmus",
            "testicular_torsion",
            False,
        ),
        ("14M sudden pain in his left testicle, suspected torsion", "testicular_torsion", True),
        # an arm stretched out is no presenting part; a baby's foot at the vagina is
        ("27M chest hurts when i press on the muscle or stretch my arm out", "pregnancy.labour_critical", False),
        (
            "84, fallen, cant get up, his leg looks shorter and his foot is turned out",
            "pregnancy.labour_critical",
            False,
        ),
        ("i can see the babys foot coming out", "pregnancy.labour_critical", True),
        # pelvic floor muscles contract; a postnatal catheter was put in during labour; a show alone at term waits
        ("5 weeks postnatal, leaks urine on coughing, pelvic floor contraction weak", "pregnancy.labour", False),
        ("postnatal day 11, catheterised in labour, now dysuria and frequency", "pregnancy.labour", False),
        ("39 weeks, lost a blob of jelly-like mucus this morning, I think it's the show", "pregnancy.labour", False),
        ("32 weeks pregnant and had a show this morning", "pregnancy.show_preterm", True),
        ("39 weeks, had a show and now contractions every 5 minutes", "pregnancy.labour", True),
        # piles told as sore lumps at the bottom bleed from the back passage, not the womb
        (
            "30 weeks pregnant, sore lumps at her bottom and bright red blood on the toilet paper when she goes",
            "pregnancy.bleeding_later",
            False,
        ),
        ("30 weeks pregnant and bleeding from down below", "pregnancy.bleeding_later", True),
        # a bruise gone purple is no cyanosis; a baby turning purple is
        ("knocked my shin, bruise has gone purple-black, not painful", "breathing.severe_distress", False),
        ("my baby turned purple and went floppy", "breathing.severe_distress", True),
    ],
)
def test_a_benign_case_read_as_an_emergency_by_one_word(text: str, read: str | tuple[str, ...], held: bool) -> None:
    """Round 29 (`train29`) and round 31 (`dev31`), readable: wordings that sent benign cases to an emergency
    department (session 27), each with a look-alike that must still hold."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # "several" is no "severed" and no "severe" (Porter2 gives them one stem)
        (
            "90-year-old woman with hard bony swellings at the end joints of several fingers",
            "traumatic_amputation",
            False,
        ),
        ("table saw accident, a severed finger, bleeding", "traumatic_amputation", True),
        ("sore throat for several days", "severe", False),
        ("severe sore throat", "severe", True),
        # PE at school is a lesson; a suspected PE is a pulmonary embolism
        ("I'm 14, a volleyball hit my finger at PE yesterday, a bit swollen", "pulmonary_embolism", False),
        ("suspected PE, sudden breathlessness and a swollen calf", "pulmonary_embolism", True),
        # irregular tightenings that settle with rest are Braxton Hicks; timed or growing ones are labour
        (
            "34 weeks, I get tightenings a few times an evening, they don't hurt, aren't regular, and they stop "
            "when I sit down with a drink",
            ("pregnancy.labour", "pregnancy.waters_or_labour_preterm", "labour", "preterm_labour"),
            False,
        ),
        (
            "29 weeks, getting tightenings a few times a day that dont hurt and go away when i change position",
            ("pregnancy.labour", "labour", "preterm_labour"),
            False,
        ),
        (
            "33 weeks, tightenings every 10 minutes, irregular at first but now getting stronger",
            ("pregnancy.labour", "pregnancy.waters_or_labour_preterm", "labour", "preterm_labour"),
            True,
        ),
        ("32 weeks pregnant, having contractions", ("pregnancy.labour", "preterm_labour"), True),
        # urine leaked on coughing is incontinence (a routine appointment), in words apart
        (
            "5 weeks postnatal, leaks small amounts of urine on coughing and sneezing",
            "urinary_incontinence_condition",
            True,
        ),
        # an older person's joint pain with brief morning stiffness is osteoarthritis (NICE NG226); a young
        # runner's knee is not
        (
            "both my knees pain when I walk long or on stairs, morning stiff 15 minutes then better. I am 76",
            "osteoarthritis_flare",
            True,
        ),
        ("I'm 25, my knee hurts after running, a bit stiff in the morning", "osteoarthritis_flare", False),
        # boiling water pulled over oneself is a scald of the body
        ("my 2 year old pulled boiling water over himself", "trauma.burn_severe", True),
        ("spilt some hot tea on my hand, red, no blisters", "trauma.burn_severe", False),
    ],
)
def test_a_reading_that_a_false_emergency_hid(text: str, read: str | tuple[str, ...], held: bool) -> None:
    """Rounds 29 and 31 (`train29`, `dev31`) and the short part, readable (session 28): false emergencies by a
    word's stem, a school lesson or Braxton Hicks tightenings, and the routine complaints and scalds that the
    false readings hid; each with a look-alike that must still hold."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # an older person who fell, may have broken a hip and is still on the floor: an ambulance (NHS)
        ("gran 86 fell in the kitchen, cant get up, her right leg looks shorter and the foot is turned out", A),
        ("I'm 88, fell yesterday, got myself up eventually, my hip is sore and that leg looks shorter", E),
    ],
)
def test_an_older_person_on_the_floor_after_a_fall(text: str, level: Level) -> None:
    assert assess_layers(text)[0].level is level


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # suicidal thoughts with the means in front of the writer: an ambulance (NICE NG225)
        ("dont want to be here anymore, pills are in front of me", "mental_health.suicidal_plan", True),
        ("i dont want to go on, no plan, my sister is with me", "mental_health.suicidal_plan", False),
        # bleeding "a lot" in pregnancy is heavy bleeding
        ("pregnant and bleeding a lot", "pregnancy.bleeding_heavy", True),
        ("8 weeks pregnant, a little brown spotting when I wipe", "pregnancy.bleeding_heavy", False),
        # breathless even at rest is an emergency; breathless on exertion with a saturation measured at rest is not
        ("grandad 88, breathless even sitting down", "breathing.breathless_at_rest", True),
        (
            "77, 3 months of breathlessness on exertion and a dry cough, SpO2 95% at rest",
            "breathing.breathless_at_rest",
            False,
        ),
        (
            "i have copd and get breathless walking to the shops, fine sitting down",
            "breathing.breathless_at_rest",
            False,
        ),
        # an exposure to HIV needs post-exposure prophylaxis within 72 hours (BASHH PEPSE)
        (
            "had unprotected sex 2 days ago with someone who just told me they have hiv",
            "urinary.hiv_exposure",
            True,
        ),
        ("my partner is hiv positive and undetectable, we use condoms", "urinary.hiv_exposure", False),
        # a car crash or a blow to the bump from 20 weeks: the maternity unit today (RCOG)
        (
            "30 weeks pregnant, someone went into the back of my car at the lights, seatbelt across my bump, feel fine",
            "pregnancy.trauma",
            True,
        ),
        ("30 weeks pregnant and stubbed my toe on the bed", "pregnancy.trauma", False),
        # period-like cramps coming every 10 minutes at 23 weeks are contractions
        (
            "23 weeks pregnant, period type cramps since this morning coming and going every 10 minutes or so",
            "pregnancy.waters_or_labour_preterm",
            True,
        ),
        # a perineal repair that smells, discharges or opens after a birth: the same day (NICE NG194)
        (
            "5 days since I had my baby, tear with stitches, now more painful not less and a nasty smell from down there",
            "perineal_wound_infection",
            True,
        ),
        ("day 5 after the birth, stitches a bit sore but healing well", "perineal_wound_infection", False),
        # low mood in pregnancy is antenatal depression until assessed (NICE CG192); stress about a move is not
        ("14 weeks pregnant and feeling really low", "postnatal_depression", True),
        ("pregnant and a bit stressed about moving house", "postnatal_depression", False),
        # a diabetic foot ulcer with purulent, malodorous discharge is a dangerous foot
        (
            "type 2 diabetes, plantar ulcer for 6 weeks, foot now hot and red with purulent malodorous discharge",
            "diabetes.foot_danger",
            True,
        ),
    ],
)
def test_an_emergency_or_a_same_day_need_the_layers_did_not_read(text: str, read: str, held: bool) -> None:
    """Rounds 29 and 31 and the short part, readable (session 28, engine 2.8.39): cases under-triaged because no
    layer read the means at hand, heavy bleeding said as "a lot", breathlessness at rest, an HIV exposure, a crash in
    pregnancy, cramps every ten minutes, an infected perineal repair, antenatal low mood or a clinician's "purulent";
    each with a look-alike that must stay unread."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # a chest told as the heart, a weight sitting on it (a second-language message); a heavy heart is grief
        (
            "i am man 58 years. my heart is tight like big stone is sitting on it since 30 minute, the pain go to my "
            "left arm and my jaw. i am sweating cold",
            "cardiac.chest_pain",
            True,
        ),
        ("my heart feels heavy since my mum died", "cardiac.chest_pain", False),
        # a child's eyes going up while shaking is a seizure
        ("my son 2 years is shaking his whole body, eyes going up, 7 minutes now", "neuro.seizure", True),
        ("my 2 year old rolled her eyes at me when I said bedtime", "neuro.seizure", False),
        # "hardly felt anything since yesterday" at 28 weeks is reduced movements
        ("28 weeks pregnant, ive hardly felt anything since yesterday evening", "pregnancy.reduced_movements", True),
        ("28 weeks pregnant, baby kicking loads, hardly slept though", "pregnancy.reduced_movements", False),
        # sight going dark like a blind being pulled down is a detachment's curtain
        (
            "the vision in my right eye went dark from the top down like a blind being pulled, no pain",
            "eye.vision_loss",
            True,
        ),
        # a missed dialysis session
        ("im 49 and on dialysis mon wed fri, didnt go friday, legs feel weak", "urinary.missed_dialysis", True),
        ("dialysis went fine today but im tired", "urinary.missed_dialysis", False),
        # a neck swelling after thyroid surgery threatens the airway
        (
            "had my thyroid taken out yesterday. the front of my neck keeps swelling up and feels tight",
            "breathing.neck_swelling_after_surgery",
            True,
        ),
        ("swollen glands in my neck with a cold", "breathing.neck_swelling_after_surgery", False),
        # magnets swallowed, however many words stand between
        ("My 4 year old just told me he swallowed two of the little shiny ball magnets", "poisoning.magnets", True),
        # red currant jelly in a baby's nappy; jelly for pudding is none
        (
            "8 month old with screaming fits, pulls his legs up, last diaper had some red jelly",
            "gastro.jelly_stool_child",
            True,
        ),
        ("strawberry jelly for pudding, she's 3 and had a tummy ache after", "gastro.jelly_stool_child", False),
        # a handlebar in the tummy with shoulder-tip pain or dizziness
        (
            "came off my bike and the handlebar went into the left side of my tummy, now my left shoulder hurts too",
            "trauma.abdominal_blow_red_flags",
            True,
        ),
        (
            "the handlebar went into his tummy an hour ago and he has gone pale",
            "trauma.abdominal_blow_shock",
            True,
        ),
        ("came off my bike, grazed knee, tummy fine", "trauma.abdominal_blow_red_flags", False),
    ],
)
def test_an_emergency_only_the_learned_layer_caught(text: str, read: str, held: bool) -> None:
    """Rounds 29 and 31, readable (session 28, engine 2.8.41): emergencies the deterministic layers missed and only
    the learned layer raised; a red flag should not wait for a model. Each with a look-alike."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "held"),
    [
        # a time of day dates a relative's event to now, as "this morning" does
        ("my dad had a heart attack at 8pm and is grey and sweaty", True),
        ("my mum had a heart attack at 7am and is clammy and pale", True),
        # without one, beside the writer's own complaint, it stays a family history
        ("my dad had a heart attack in his sixties, now I have had a cough for a week", False),
    ],
)
def test_a_relatives_event_at_a_time_of_day_is_now(text: str, held: bool) -> None:
    """Found while reading `train29` (session 28, engine 2.8.42): "at 8pm" left a relative's heart attack a family
    history, a consultation."""
    _assert_read(text, "acute_coronary_syndrome", held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # a leg a baby will not stand on (the levels under and over 3 years: below)
        ("my 11 month old won't put any weight on her right leg when we stand her up", "child_limp", True),
        # a cut hand with a finger that will not bend, a white structure showing, or a numb fingertip
        (
            "cut my hand on a broken glass, deep, can see something white in it n cant bend my finger properly now",
            "hand_tendon_or_nerve_cut",
            True,
        ),
        (
            "cut his palm on a broken glass an hour ago, he can't bend the tip of his middle finger",
            "hand_tendon_or_nerve_cut",
            True,
        ),
        ("small cut on my finger from a knife, bleeding stopped, can bend it fine", "hand_tendon_or_nerve_cut", False),
        # Kanavel's signs: a finger swollen like a sausage that hurts to straighten
        (
            "cut my finger 3 days ago, now the whole finger is swollen like a sausage and it really hurts to straighten it",
            "flexor_tenosynovitis",
            True,
        ),
        ("my knuckles are a bit stiff in the mornings", "flexor_tenosynovitis", False),
        # a baby's head swelling told as squishy or by its size
        (
            "9-month-old rolled off the changing mat onto the floor and landed on her head, now a soft squishy swelling "
            "above her ear about the size of a plum",
            "head_injury_significant",
            True,
        ),
        # fetal movements counted in other words
        (
            "33 weeks, baby has been much quieter today, only felt maybe 3 kicks since breakfast",
            "reduced_fetal_movements",
            True,
        ),
        ("30 weeks, baby kicking away as usual, just heartburn", "reduced_fetal_movements", False),
        # green said apart from the vomit in a baby; a green nappy is none
        (
            "My 3 week old threw up twice this evening and it was bright green, like the colour of grass",
            "malrotation_volvulus",
            True,
        ),
        ("my 3 week old was sick once after a feed and his poo is dark green", "malrotation_volvulus", False),
        # a choking baby told as silent, the object not out after back blows
        (
            "11-month-old choking on a grape, completely silent, no cough coming out, 5 back blows done, nothing has come "
            "out yet",
            "choking",
            True,
        ),
        ("he choked on a grape, i did back blows and it came out, he is fine now and playing", "choking", False),
        # a dialysis fistula without its buzz
        (
            "i have a fistula in my arm for dialysis and since i woke up i cant feel the buzz in it",
            "dialysis_fistula_clotted",
            True,
        ),
        ("my phone stopped buzzing, i think i need a new one, also a sore throat", "dialysis_fistula_clotted", False),
        # ketones on a meter are ketones, not a glucose of 3.2
        (
            "Type 1 diabetic, vomiting since last night, cant keep water down, ketones on my meter 3.2 and sugar 19",
            "diabetic_ketoacidosis",
            True,
        ),
        ("type 1 diabetic, sugar is 22 and i feel sick", "diabetic_ketoacidosis", True),
        ("type 1 diabetic, sugar 8.4 this morning, feel fine", "diabetic_ketoacidosis", False),
        # pain low on one side early in pregnancy; the top of the belly through to the back with vomiting
        ("6 weeks pregnant with sharp pain low on one side", "ectopic_pregnancy", True),
        ("really bad pain top of my belly going through to my back and keep being sick", "acute_pancreatitis", True),
        # a limb's bend told in lay words; a tooth or a mechanism is none
        ("fell off the top bunk onto my arm, its bent funny between my wrist and elbow", "limb_deformity", True),
        ("my teeth look crooked", "limb_deformity", False),
        # a cold foot like marble; chest pain with sweating and a numb arm; a neck hurt in a tackle with tingling arms
        (
            "Dad's 79. his left foot felt funny and now it's gone really pale and cold, like marble",
            "acute_limb_ischaemia",
            True,
        ),
        (
            "55M, tight heavy feeling in the middle of my chest for half an hour, sweating heaps and my left arm is numb",
            "acute_coronary_syndrome",
            True,
        ),
        (
            "got tackled really hard at rugby, now both my arms are tingly and weak and my neck hurts in the middle",
            "neck_spinal_injury",
            True,
        ),
    ],
)
def test_more_emergencies_only_the_learned_layer_caught(text: str, read: str, held: bool) -> None:
    """Rounds 13-31 and the short part, readable (session 29, engine 2.8.43): emergencies the deterministic layers
    missed (the learned layer alone raised them, or nothing did); each with a look-alike that must stay unread."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "tearful"),
    [
        ("I have been tearful and low for weeks", True),
        ("had a second-degree tear after delivery, stitches sore", False),
    ],
)
def test_a_tear_is_not_tearfulness(text: str, tearful: bool) -> None:
    """Porter2 gives "tearful" the stem of "tear" (session 28's notes): a perineal tear was read as tearfulness."""
    _assert_read(text, "tearfulness", tearful)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # NICE CKS Limp in children: under 3 years the same day in hospital; older, a doctor within 24 hours
        ("2-year-old boy not walking properly since this morning; limping on the right, no known injury", E),
        ("my 6 year old is limping after football, no fever", D),
        # NICE NG141: cellulitis under one year is referred to hospital; at five, a doctor within 24 hours
        ("my 5 month old has a red patch on her leg that is hot to touch and swollen", E),
        ("my 5 year old has a red patch on her leg that is hot to touch and swollen", D),
    ],
)
def test_a_limp_or_cellulitis_under_the_age_that_sends_a_child_to_hospital(text: str, level: Level) -> None:
    """Readable `train29` (session 29, engine 2.8.43): read, but at a doctor's level, under the ages NICE names."""
    assert assess_layers(text)[0].level is level


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # a snake bite with the bite's place between; a dog bite is none
        ("9-year-old bitten on the right ankle by a snake while walking to the farm", "snake_bite", True),
        ("bitten on the ankle by a dog yesterday, small puncture", "snake_bite", False),
        # priapism in lay words
        (
            "since 3am my manhood has been standing and painful and its not going down, now over 5 hours",
            "priapism",
            True,
        ),
        # a crushed foot whose toes cannot be moved for pain
        (
            "dropped a weight plate on my foot, foot swelling and tight, even someone moving my toes is agony",
            "pain_on_passive_stretch",
            True,
        ),
        ("my sister dropped her phone on my foot, bit sore", "pain_on_passive_stretch", False),
        # bleeding on an anticoagulant that pressure does not stop
        (
            "76 on warfarin. gums have been bleeding since 3 hours ago and wont stop even pressing with a flannel",
            "anticoagulant_bleeding_minor",
            True,
        ),
        ("on apixaban, pressure on a gash for 30 min and it's soaked through 2 towels", "uncontrolled_bleeding", True),
        # coffee-ground vomit told plainly; black stools after iron are not vomit
        ("my 90 yr old mother is vomiting black stuff and very pale", "vomiting_blood", True),
        ("my poo has been black since starting iron tablets", "vomiting_blood", False),
    ],
)
def test_emergencies_only_the_learned_layer_caught_in_plain_words(text: str, read: str, held: bool) -> None:
    """`train29` and the short part, readable (session 29, engine 2.8.46): emergencies only the learned layer
    reached, told in plain words; each with a look-alike."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # fainting while exercising is the faint's red flag however the exercise is told
        (
            "I fainted while jogging this morning, came round straight away and feel fine now",
            "cardiac.syncope_red_flags",
            True,
        ),
        ("she collapsed during PE, came round quickly", "cardiac.syncope_red_flags", True),
        ("he fainted on his run this morning, came round straight away", "cardiac.syncope_red_flags", True),
        (
            "fainted in a hot crowded church after standing a long time, came round straight away",
            "cardiac.syncope_red_flags",
            False,
        ),
        # a fluctuant swelling at the anus: an abscess for drainage the same day; piles are none
        (
            "3 days of throbbing pain beside the anus, now a tender red fluctuant swelling 1 cm from the anal verge",
            "perianal_abscess",
            True,
        ),
        ("sore bottom when pooing and a lump, piles I think", "perianal_abscess", False),
    ],
)
def test_emergencies_the_readable_parts_showed_unread(text: str, read: str, held: bool) -> None:
    """Readable parts (session 30, engine 2.8.46): fainting while jogging or in PE was not read as exertional, a
    fluctuant perianal swelling was not read at all; each with a look-alike."""
    _assert_read(text, read, held)


def test_a_fluctuant_perianal_swelling_is_an_emergency() -> None:
    text = "3 days of throbbing pain beside the anus, now a tender red fluctuant swelling 1 cm from the anal verge"
    assert assess_layers(text)[0].level is E


@pytest.mark.parametrize(
    ("text", "read", "held"),
    [
        # a slipped upper femoral epiphysis: a teenager's knee or hip pain and limp with the hip's internal rotation
        # lost; the same sign in an adult, or a sore knee with a full hip, is none
        (
            "14-year-old boy, 4 weeks of left knee ache and a limp. Knee normal. Hip: internal rotation is markedly "
            "restricted and the thigh rolls outward when the hip is flexed.",
            "slipped_capital_femoral_epiphysis",
            True,
        ),
        (
            "my 12 year old has had a sore hip and a limp for a fortnight, the doctor said loss of internal rotation",
            "slipped_capital_femoral_epiphysis",
            True,
        ),
        (
            "65-year-old with groin pain and reduced internal rotation of the hip, worse on stairs",
            "slipped_capital_femoral_epiphysis",
            False,
        ),
        ("13-year-old, sore knee after football, hip moves fully, no limp", "slipped_capital_femoral_epiphysis", False),
        # a kidney transplant losing function or tender over the graft; a transplant without either is none
        (
            "Renal transplant 6 months ago. Creatinine rising on this week's bloods, graft tender, feels otherwise ok",
            "kidney_transplant_dysfunction",
            True,
        ),
        (
            "had a kidney transplant in 2019, all stable, asking about a travel vaccine",
            "kidney_transplant_dysfunction",
            False,
        ),
        # a PEG tube named in one sentence and its coming out told in the next
        ("My mum is fed through a PEG tube. It fell out completely this afternoon.", "gastrostomy_tube_out", True),
        ("my mum has a PEG tube and the skin around it is a bit red", "gastrostomy_tube_out", False),
        ("a splinter in my finger, it came out when I squeezed it", "gastrostomy_tube_out", False),
        # protein in the urine as a numeric dipstick grade; after the birth, with a headache, pre-eclampsia
        ("Day 4 after delivery, headache since this morning, urine dip protein 3+", "pre_eclampsia", True),
        ("urine dipstick: protein 2+", "proteinuria", True),
        ("day 4 after delivery, headache since this morning, urine dip clear", "pre_eclampsia", False),
    ],
)
def test_emergencies_the_readable_parts_showed_unread_session_31(text: str, read: str, held: bool) -> None:
    """Readable parts (session 31, engine 2.8.48): each emergency below one in every layer, read in general form,
    with a look-alike that must stay unread."""
    _assert_read(text, read, held)


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("a 3-week history of knee pain and a limp", True),
        ("55M, 2-day history of central chest pain", True),
        ("history of knee pain, none now", False),
        ("previous history of chest pain in 2019", False),
    ],
)
def test_a_durations_history_is_the_complaint_now(text: str, present: bool) -> None:
    """ "A 3-week history of X" is X for three weeks, now; "history of X" alone stays the past (ConText)."""
    findings = assess_layers(text)[0].findings
    assert ({"knee_pain", "chest_pain"} & set(findings) != set()) is present


@pytest.mark.parametrize(
    ("text", "held"),
    [
        # vomiting in early pregnancy with fluids kept down (RCOG GTG69, NICE CKS: home care) and fluids not kept down
        (
            "10 weeks pregnant, nausea most of the day and vomiting once most mornings. Keeping fluids and small "
            "meals down, passing urine normally.",
            False,
        ),
        ("8 weeks pregnant, throw up once a day but keeping water and crackers down, peeing normal", False),
        ("8 weeks pregnant and I can't keep any fluids down, vomiting all day", True),
        ("12 weeks pregnant, vomiting every time I eat or drink, not keeping water down, weeing very little", True),
        # an older person's loose stools while drinking well, and the same without fluids staying down
        ("Mum is 80, two loose poos today after a takeaway. She is drinking plenty and weeing fine.", False),
        ("Mum is 80, diarrhoea 3 times today and she isn't drinking, can't keep anything down", True),
        # diabetes keeps its sick-day rule whatever the fluids do
        ("type 1 diabetic, vomited twice this morning, keeping water down", True),
        # a fever after the baby's jabs (NHS.uk: expected for two days) and one with no jabs to explain it
        ("5 month old had his shots this morning, now fussy and temp 38.0, red hard lump where the needle went", False),
        ("4-month-old, had her 16-week immunisations this morning, temp 38.1 this evening, feeding well", False),
        ("5 month old with a temp of 38.0 and no cold, fussy, off his milk", True),
    ],
)
def test_fluids_kept_down_and_a_jabs_fever_are_cared_for_at_home(text: str, held: bool) -> None:
    """Readable parts (session 32, `train46`): vomiting in pregnancy or an older person's diarrhoea with fluids kept
    down, and a baby's fever and red lump after vaccines, were held at a doctor within 24 hours by a rule for those
    at risk; the look-alikes (fluids not kept down, diabetes, a fever with nothing to explain it) stay held."""
    flags = assess_layers(text)[0].red_flags
    at_24h = {"gastro.vulnerable", "pregnancy.hyperemesis", "fever.infant_3_to_12_months", "musculoskeletal.dvt"}
    assert bool(at_24h & set(flags)) is held


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("had her 16-week immunisations this morning", None),
        ("came for the 6-week check, cough for 2 days", 2.0),
        ("a 3-day cough", 3.0),
    ],
)
def test_a_visit_named_by_its_week_is_no_duration(text: str, days: float | None) -> None:
    """ "Her 16-week immunisations" names a visit; read as 16 weeks of fever it held a baby's jab fever as
    prolonged (session 32)."""
    from agents.triage.facts import parse_duration

    assert parse_duration(text.lower()) == days


def test_shots_of_a_drink_are_no_vaccine() -> None:
    """ "Shots" is a vaccine only as someone's shots (his, the 6-month, flu shots), not shots of a drink."""
    text = "5 month old with a temp of 38.2 and no cold, fussy. His dad had three shots of espresso to stay up with him"
    assert "fever.infant_3_to_12_months" in assess_layers(text)[0].red_flags


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a fall onto the abdomen from 20 weeks (RCOG: maternity assessment whatever the symptoms); a fall onto the knees
        (
            "28 weeks pregnant, tripped on a kerb an hour ago and landed on her knees and abdomen. No pain, baby moving.",
            E,
        ),
        ("28 weeks pregnant, tripped on a kerb an hour ago and landed on her knees, grazed, no pain, baby moving.", S),
        # a groin lump named with its side that will not go back; one that goes back in is a routine hernia
        ("my 8 month old has a lump in his right groin, it wont go back and he was sick", E),
        ("lump in my left groin that pops out when I cough, goes back in when I lie down", R),
        # a method of suicide already thought of is a plan (NICE NG225); a walk thought of is not
        (
            "Tearful, says the family would be better off without her and she has thought about walking in front of "
            "traffic on the main road; has not tried.",
            A,
        ),
        ("feeling low since the move, I sometimes think about walking to the shop but my knee hurts", R),
    ],
)
def test_emergencies_train46_showed_unread(text: str, level: Level) -> None:
    """Readable `train46` (session 32, engine 2.8.51): emergencies below one in every layer, read in general form,
    each with a look-alike that stays where it was."""
    got = assess_layers(text)[0].level
    assert (got.rank <= E.rank) is (level.rank <= E.rank), got
