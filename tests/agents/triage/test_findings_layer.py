"""The findings layer: words, phrases, ConText, physiology and conditions, each on its own."""

from __future__ import annotations

import pytest

from agents.triage import Level, assess
from agents.triage.context import Assertion, ContextRules
from agents.triage.facts import extract
from agents.triage.knowledge import DERIVED_IDS, load, problems
from agents.triage.phrases import PhraseIndex
from agents.triage.physiology import Person, signs
from agents.triage.reading import Reader
from agents.triage.words import term_stems, tokens


def test_terms_and_text_meet_on_stems_with_fillers_skipped():
    index = PhraseIndex([(term_stems("pain in chest"), "chest_pain"), (term_stems("chest ... tight"), "tight")])
    assert [h.key for h in index.find(tokens("sharp pains in my chest"))] == ["chest_pain"]
    assert [h.key for h in index.find(tokens("my chest feels so tight"))] == ["tight"]
    assert index.find(tokens("my chest. it is tight")) == []  # a gap never crosses a sentence


def test_a_clinicians_query_mark_stays_with_its_word():
    toks = tokens("?appendicitis")
    assert [t.word for t in toks] == ["?", "appendicitis"]
    assert toks[0].sentence == toks[1].sentence


def _assertion(text: str, term: str) -> Assertion:
    rules = ContextRules(load().context)
    toks = tokens(text)
    hit = next(h for h in PhraseIndex([(term_stems(term), "x")]).find(toks))
    triggers, stops = rules.triggers(toks)
    return rules.assert_hit(hit, toks, triggers, stops)


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("no fever or cough", "cough", Assertion.negated),
        ("no fever but a bad cough", "cough", Assertion.present),
        ("denies chest pain", "chest pain", Assertion.negated),
        ("chest pain ruled out", "chest pain", Assertion.negated),
        ("he is not breathing", "not breathing", Assertion.present),  # the trigger is the finding's own word
        ("history of asthma, now wheezy", "asthma", Assertion.historical),
        ("family history of bowel cancer", "bowel cancer", Assertion.family),
        ("?appendicitis", "appendicitis", Assertion.possible),
        ("what should i do if she has a seizure", "seizure", Assertion.hypothetical),
        ("no change in the rash", "rash", Assertion.present),  # a pseudo-trigger is no trigger
    ],
)
def test_context(text, term, expected):
    assert _assertion(text, term) is expected


def test_a_trigger_that_leads_into_a_findings_first_words_reaches_it():
    # engine 2.8.22: "father had" ends inside "had a stroke"; before, any overlap left the finding present
    assert _assertion("smoker; his father had a stroke.", "had a stroke") is Assertion.family
    assert _assertion("no new lump", "new lump") is Assertion.negated
    assert _assertion("he is not breathing", "not breathing") is Assertion.present  # wholly inside: no trigger


@pytest.mark.parametrize(
    "text",
    [
        "my mother had a heart attack this morning",  # dated to now: the relative's event, now
        "my dad had a stroke an hour ago",
        "I think my dad had a stroke",  # nothing said of anyone else: the relative is the patient
        "Dad had a stroke yesterday, what do I do",
    ],
)
def test_a_relatives_event_reported_now_stays_an_emergency(text):
    # engine 2.8.22: "my mother had a heart attack this morning" went to a doctor within 24 hours as a family history
    assert assess(text).is_emergency


def test_a_relatives_event_beside_the_patients_own_findings_is_a_family_history():
    vignette = (
        "A 45-year-old man has BP 162/98 at a work screening. No headache, chest pain or visual change. "
        "Smoker; his father had a stroke."
    )
    result = assess(vignette)
    assert not result.is_emergency and "stroke" not in {c.id for c in result.conditions}


def test_news2_and_qsofa_from_stated_numbers():
    kb = load()
    facts = extract("rr 26, sats 90%, bp 88/50, hr 125, temp 38.9")
    found = {s.id: s for s in signs(facts, Person(age=60, sex="male", pregnant=False), confused=False, kb=kb)}
    assert found["news2_high"].level is Level.emergency_ambulance
    assert found["qsofa_positive"].level is Level.emergency
    assert found["hypotension"].level is Level.emergency


def test_child_limits_are_age_specific():
    kb = load()
    facts = extract("heart rate 150, resp rate 45")
    baby = {s.id for s in signs(facts, Person(age=0.5, sex=None, pregnant=False), confused=False, kb=kb)}
    school = {s.id for s in signs(facts, Person(age=8, sex=None, pregnant=False), confused=False, kb=kb)}
    assert "tachycardia" not in baby and "tachypnoea" not in baby  # 150 and 45 are within an infant's limits
    assert {"tachycardia", "severe_tachypnoea"} <= school


def test_pregnancy_blood_pressure_limits():
    result = assess("34 weeks pregnant, BP 162/112, headache")
    assert result.urgency.value == "em"
    assert "physiology.severe_hypertension" in result.red_flags


def test_critical_labs_are_read():
    assert assess("K+ 6.9 on bloods, feels fine").level.rank <= Level.emergency.rank
    assert assess("lactate 4.6").level.rank <= Level.emergency.rank


def test_the_assessment_records_versions_findings_and_conditions():
    result = assess("A 30-year-old woman, 7 weeks pregnant, has left iliac fossa pain and is hypotensive, BP 85/50")
    assert result.engine_version and result.knowledge_version.startswith(load().version.split("+")[0])
    assert "hypotension" in result.findings
    assert result.urgency.value == "em"


def test_the_knowledge_version_names_the_dictionary_and_stemmer_it_reads_with(monkeypatch):
    """The same knowledge files read with another Sudachi dictionary are another engine: the audit record shows it."""
    from importlib import metadata

    from agents.triage import knowledge

    shipped = knowledge.read().version
    installed = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "19990101" if name == "sudachidict-core" else installed(name))
    assert knowledge.read().version != shipped
    assert knowledge.read().version.split("+")[0] == shipped.split("+")[0]


def test_the_knowledge_base_is_whole():
    kb = load()
    assert problems(kb) == []
    assert len(kb.conditions) >= 250
    assert set(kb.concepts) >= DERIVED_IDS
    for condition in kb.conditions.values():
        assert condition.source, condition.id


def test_capillary_refill_is_a_number_with_a_direction():
    assert "prolonged_capillary_refill" in assess("2 year old, crt >3s, temp 38.5").findings
    assert "prolonged_capillary_refill" not in assess("2 year old, crt <2s, temp 38.5").findings


def test_a_slow_pulse_in_plain_words_is_read():
    result = assess("mum is 88, I checked her pulse and its about 40 and she is woozy")
    assert "bradycardia" in result.findings
    assert result.urgency.value == "em"


def test_a_clause_with_its_own_negation_is_not_negated_by_the_one_before():
    assert _assertion("it wont break, cant keep the tablets down", "cant keep ... down") is Assertion.present
    assert _assertion("no fever, cough or rash", "rash") is Assertion.negated


def test_a_condition_name_can_be_cancelled_by_an_exclusion():
    from agents.triage.knowledge import Condition, Knowledge
    from agents.triage.reading import Reader

    kb = load()
    stroke = Condition(
        id="stroke_test",
        name="Stroke",
        level=Level.emergency_ambulance,
        named=("stroke",),
        exclude=("stroke of luck", "heat stroke"),
        source="test",
    )
    reader = Reader(Knowledge.model_validate({**kb.model_dump(), "conditions": {"stroke_test": stroke}}))
    assert not [m for m in reader.read("what a stroke of luck") if m.named]
    assert [m.id for m in reader.read("i think he had a stroke") if m.named] == ["stroke_test"]


def test_a_negation_inside_brackets_stays_there():
    assert "valproate" in assess("pregnant (not planned) and I take sodium valproate").findings


def test_obstetric_shorthand_is_weeks_of_pregnancy_not_a_blood_pressure():
    assert extract("28/40, headache and swollen ankles").gest_weeks == 28
    assert extract("bp 80/40").gest_weeks is None


def test_a_negating_term_is_read_word_for_word():
    assert "not_breathing" not in assess("no change in breathing or colour, a few hives").findings


def test_a_negated_verb_reaches_only_its_own_clause():
    assert _assertion("screaming and wont settle, a weird high pitched cry", "high pitched cry") is Assertion.present
    assert _assertion("he doesnt have a rash", "rash") is Assertion.negated


def test_a_term_may_hold_its_own_negation_inside():
    assert "reduced_fetal_movements" in assess("32 weeks, the baby has not moved since this morning").findings


def test_a_negated_list_runs_through_items_the_knowledge_does_not_hold():
    # round 13's clinician vignettes (engine 2.8.7): "no A, B or C" where B is no known term still negates C ("no chest
    # pain, palpitations, exertional symptoms or family history of sudden death"); a new statement does not
    reader = Reader(load())
    read = {m.id: m.assertion for m in reader.read("she has no cough, back arching or fever. the abdomen is soft.")}
    assert read["fever"] is Assertion.negated
    read = {m.id: m.assertion for m in reader.read("no cough, her wee smells strong and she has a fever")}
    assert read["fever"] is Assertion.present
    vignette = "no chest pain, palpitations, exertional symptoms or family history of sudden death"
    assert "family_history_sudden_death" not in assess(vignette).findings


def test_an_absence_said_with_its_duration_ends_a_negation() -> None:
    """2.8.12: "no poo for a week" is said in full; the swelling and the vomiting after it are the patient's now
    (before, "no" reached them and the 87-year-old's bowel obstruction read as nothing but her age)."""
    from agents.triage import assess

    for text in (
        "nan 87 no poo for a week tummy swollen being sick",
        "nan 87 no poo for a week, tummy swollen, being sick",
    ):
        result = assess(text)
        assert {"abdominal_distension", "vomiting", "constipation"} <= set(result.findings)
        assert result.is_emergency
    # a list with no duration stays negated as a whole
    assert not {"fever", "cough", "rash"} & set(assess("no fever, cough or rash, just a runny nose").findings)


@pytest.mark.parametrize(
    ("text", "self_harm"),
    [
        # an accident: the object, the task or "a cut on" says so (2.8.13; before, each read as self-harm)
        ("A 35-year-old man burned his forearm on an oven rack 1 hour ago.", False),
        ("cut my leg on a garden fork 2 days ago and it is sore", False),
        ("my partner cut his arm with an angle grinder", False),
        ("cut my wrist on a broken glass washing up", False),
        ("my 10 month old grabbed my tea and burnt his forearm", False),
        ("cut on my leg is red and sore", False),
        ("he keeps scratching his legs, the eczema is bad", False),
        ("she burned herself on the kettle", False),
        # the act itself: still read
        ("I've been cutting my arms again to cope", True),
        ("she cut her arms with a razor last night", True),
        ("my brother has cut his wrists and there's a lot of blood", True),
        ("burning myself with cigarettes when it gets too much", True),
        ("there are cuts on his forearms he won't explain", True),
    ],
)
def test_an_accidental_cut_or_burn_is_no_self_harm(text: str, self_harm: bool) -> None:
    """The phrase rules' self-harm words (mental_health.yaml ``self_harm``) read an injured arm or leg as
    self-harm unless the sentence says how an accident happened: a kitchen burn went to an ambulance."""
    assert ("mental_health.suicidal_thoughts" in assess(text).matched_rules) is self_harm


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # 2.8.27: emergencies the learned layer had caught alone, now read by the knowledge itself
        (
            "55-year-old man, back pain for years, now shooting pain down both legs and numbness around the seat "
            "area when he wipes. HR 80, BP 130/80.",
            "saddle_anaesthesia",
        ),
        (
            "Exam: reduced pinprick sensation over the perineum, absent ankle jerks. Bladder scan 500 mL.",
            "saddle_anaesthesia",
        ),
        (
            "63-year-old woman with type 2 diabetes, 40 minutes of indigestion with aching in her jaw and left "
            "shoulder, feels sick and clammy. HR 84, BP 136/82.",
            "indigestion",
        ),
    ],
)
def test_the_deterministic_layers_read_these_emergencies_without_the_learned_layer(text: str, finding: str) -> None:
    from agents.triage.engine import assess_layers

    base, _ = assess_layers(text)
    assert base.is_emergency and finding in base.findings, (base.level, base.findings)
