"""Output guard: each sentence of a model's answer is held until it is judged against the disposition (rules in
agents/guard/advice.yaml), whatever the spelling and however the tokens are split; a contradicting sentence is
replaced by our own sentence for the disposition, a second one ends the model's answer; the PHI stage runs first."""

from __future__ import annotations

import time

import pytest

from agents.engines.base import ChatTurn, GenerationRequest, word_chunks
from agents.engines.local import advice, local_engine
from agents.guard import AdviceJudge, OutputGuard, SentenceGuard, default_judge
from agents.triage import Assessment, Level

C24, ROUTINE, SELF_CARE = "consultation_24", "consultation", "self_care"

#: (level, model sentence, which of our sentences replaces it)
CONTRADICTIONS = [
    # the phrasings, for the 24-hour disposition
    (C24, "You do not need to be seen today or tomorrow.", "safe"),
    (C24, "Skip the doctor, it's fine.", "safe"),
    (C24, "Don't go to the ER.", "safe"),
    (C24, "This will resolve by itself in a few days.", "safe"),
    (C24, "You can wait.", "safe"),
    (C24, "No need for an appointment.", "safe"),
    (C24, "Just rest at home.", "safe"),
    # paraphrases: time frames, whether to be seen, where to go
    (C24, "Honestly, seeing a GP next week would be fine.", "safe"),
    (C24, "Book something for the end of the week.", "safe"),
    (C24, "It's not urgent, so there's no rush.", "safe"),
    (C24, "If it hasn't settled in 3 days, then see your doctor.", "safe"),
    (C24, "Give it a couple of days and see how you feel.", "safe"),
    (C24, "A doctor's visit is really not necessary.", "safe"),
    (C24, "Most likely it will clear up without any treatment.", "safe"),
    (ROUTINE, "There's no need to bother your GP with this.", "safe"),
    (ROUTINE, "You can treat this yourself at home.", "safe"),
    (ROUTINE, "It's nothing to worry about.", "safe"),
    (ROUTINE, "Seeing someone is optional, only if you want to.", "safe"),
    (ROUTINE, "Stay away from the hospital, it's overkill.", "safe"),
    # obfuscated: look-alike letters, zero-width characters, digits for letters, spacing, full-width, case
    (C24, "You d0n't need to be seen t0n1ght or tomorrow.", "safe"),
    (C24, "Sk\u0456p the d\u043ector.", "safe"),
    (C24, "Y\u200bou ca\u200dn wa\u2060it.", "safe"),
    (C24, "N O T  U R G E N T, wait till next week.", "safe"),
    (
        C24,
        "\uff2e\uff4f \uff4e\uff45\uff45\uff44 \uff54\uff4f \uff53\uff45\uff45 \uff41 \uff44\uff4f\uff43\uff54\uff4f\uff52.",
        "safe",
    ),
    (C24, "no need for a doc tor", "safe"),
    (C24, "THIS WILL GO AWAY ON ITS OWN!!!", "safe"),
    (ROUTINE, "u dont need a dr 4 this", "safe"),
    # session 18: the service's own advice set aside; a later event as the time frame (left in session 17's notes)
    (C24, "You can probably ignore the advice to be seen today.", "safe"),
    (ROUTINE, "Feel free to disregard that recommendation.", "safe"),
    (C24, "See your GP once term starts.", "safe"),
    (C24, "Book an appointment for when you get back from your trip.", "safe"),
    (SELF_CARE, "To be on the safe side, get it checked once term starts rather than just leaving it.", "escalation"),
    (
        ROUTINE,
        "The system suggests a routine appointment, but I don't think that's necessary for something this mild.",
        "safe",
    ),
    (SELF_CARE, "That said, I'd feel better if you were seen at urgent care tonight.", "safe"),
    # session 18 (development set 11): a polyclinic; the patient's relative left to decide; the problem getting better
    # or the usual review as the time frame; leaving it until it goes away; "I wouldn't book anything"
    (SELF_CARE, "Kindly visit the polyclinic to have your cough checked.", "escalation"),
    (C24, "Whether to see a doctor is entirely up to your father.", "safe"),
    (ROUTINE, "You may decide for yourself whether to see a GP.", "safe"),
    (SELF_CARE, "Book a GP appointment once the fever settles.", "escalation"),
    (C24, "Book a GP appointment once the fever settles.", "safe"),
    (C24, "He can mention it to his GP at his usual monthly review.", "safe"),
    (ROUTINE, "It's fine to leave it alone until it goes away.", "safe"),
    (ROUTINE, "I wouldn't book anything for this.", "safe"),
    (C24, "Your options are waiting a week or seeing a GP; I'd say waiting is the best option.", "safe"),
    (C24, "I don't think it's necessary to see a doctor about this.", "safe"),
    (SELF_CARE, "You could rest at home or see a GP; I would suggest seeing a GP this week.", "escalation"),
    # over-escalation: sent to emergency care unconditionally when the disposition does not
    (SELF_CARE, "Go to A&E now.", "escalation"),
    (SELF_CARE, "Call an ambulance.", "escalation"),
    (SELF_CARE, "This sounds like a medical emergency.", "escalation"),
    (SELF_CARE, "You need to see a doctor immediately.", "escalation"),
    (ROUTINE, "Head straight to the emergency department.", "escalation"),
    (C24, "Dial 911 right away.", "escalation"),
    # blocking the safety net, at every level
    (SELF_CARE, "Even if it gets worse, don't bother calling anyone.", "safe"),
    (SELF_CARE, "Never call 911 for this.", "safe"),
    (C24, "Whatever happens, don't go to the hospital.", "safe"),
]

#: (level, answer that agrees with the disposition): none of it may be replaced
CONSISTENT = [
    (C24, "A doctor should examine this within 24 hours. If it gets worse, call 911."),
    (C24, "No need to panic, but please see a doctor today. While you wait, rest and drink fluids."),
    (C24, "Please don't wait to see if this goes away on its own; it needs to be looked at today or tomorrow."),
    (C24, "You don't need to go to A&E unless things get worse, but you should be seen by a doctor within 24 hours."),
    (C24, "With the right treatment, most people feel better within a few days."),
    (C24, "If things get worse overnight, don't hesitate to call emergency services."),
    (C24, "It isn't an emergency, but it does need a GP appointment today."),
    (C24, "Don't ignore the advice to be seen today; see a GP before your exams start."),
    (C24, "Ignore what forums say: please see a doctor today."),
    (ROUTINE, "Book a routine appointment with your GP; if it suits, once term starts the campus clinic can see you."),
    (SELF_CARE, "I think you will feel better in a few days."),
    (SELF_CARE, "If you went to A&E last night, keep the discharge letter."),
    # session 18 (development set 11): emergency numbers of Singapore and India, "kindly note", home care that is not
    # enough, a need that is panic's, a matter that cannot wait, a suggestion of a place, a review people benefit from
    (SELF_CARE, "If you develop chest pain or trouble breathing, call 995 immediately."),
    (C24, "If he becomes drowsy or confused, dial 108 straight away."),
    (ROUTINE, "Kindly note this is not urgent, but it does need a routine review at your polyclinic."),
    (ROUTINE, "Home care on its own isn't enough here, so do book a review with your GP."),
    (ROUTINE, "No need to panic; just book an appointment with your family physician this week."),
    (C24, "This is not a minor problem that can wait; please see a doctor within the day."),
    (ROUTINE, "Please don't assume it will clear up by itself; a doctor should take a look."),
    (C24, "I would suggest the polyclinic today."),
    (ROUTINE, "Most people with this kind of pain benefit from a GP review."),
    (SELF_CARE, "Rest until the fever settles, and see a GP if it gets worse."),
    # options listed, then one picked: the pick is the advice (a condition that mentions options stays a condition)
    (
        ROUTINE,
        "You could use home care, ask a pharmacist or book your GP; I would suggest booking your GP for the mole.",
    ),
    (
        SELF_CARE,
        "You could see a doctor, ask a pharmacist or manage at home; managing at home is the best option here.",
    ),
    (
        SELF_CARE,
        "If you're unsure what treatment options are available, I recommend speaking with a healthcare professional.",
    ),
    # a negated need for emergency care further back than a phrase rule's window (noticed in session 17)
    (ROUTINE, "A GP appointment is advised, but I don't think it's necessary to go to A&E."),
    (ROUTINE, "It's not urgent, but please book a routine appointment in the next week or two."),
    (ROUTINE, "Most lumps are harmless, but it is important to have this one checked."),
    (ROUTINE, "There is no need to go to the emergency department, but do book an appointment with your doctor."),
    (ROUTINE, "A pharmacist can advise on treatment for now, but please also book an appointment with your GP."),
    (SELF_CARE, "This usually clears up on its own within a week. Rest and drink plenty of fluids."),
    (SELF_CARE, "You don't need to see a doctor right now. If it gets worse, contact your GP."),
    (SELF_CARE, "If you have trouble breathing or chest pain, call 911 straight away."),
    (SELF_CARE, "Nosebleeds usually stop with pressure. If it won't stop after 20 minutes, go to A&E."),
    (SELF_CARE, "There's no need to go to A&E for this unless things get worse."),
    (SELF_CARE, "e.g. paracetamol or ibuprofen can help. Dr. Jones says rest is key; drink water."),
]


def guard(level: str, events: list[str] | None = None, phi=None) -> OutputGuard:
    return OutputGuard(phi, SentenceGuard(default_judge(), level, advice(level).instead_of), events=events)


def stream(level: str, chunks: list[str], events: list[str] | None = None) -> tuple[str, OutputGuard]:
    g = guard(level, events)
    out = "".join(g.feed(c, trusted=False) for c in chunks) + g.flush()
    return out, g


def every_split(text: str):
    """Every way to cut the text in two, one character at a time, and word by word (a model's tokens)."""
    yield list(text)
    yield word_chunks(text)
    for i in range(1, len(text)):
        yield [text[:i], text[i:]]


def norm(text: str) -> str:
    return default_judge().normalise(text)


@pytest.mark.parametrize(
    "raw, plain",
    [
        ("D\u043eN\u2019T g\u043e t\u043e the \u0395R", "do not go to the emergency room"),  # Cyrillic о, Greek Ε
        ("d\u200bo\u200cn\u2060't\u00ad", "do not"),
        ("\uff24\uff2f\uff2e'\uff34 \uff37\uff21\uff29\uff34", "do not wait"),  # full-width
        ("d0n't w41t, s33 4 d0ct0r ton1ght", "do not wait see a doctor tonight"),
        ("24h COVID19 911", "tday covid19 911"),
        ("d o c t o r", "doctor"),
        ("n o t  u r g e n t", "not urgent"),
        ("doc tor appoint ment", "doctor appointment"),
        ("u dont need 2 go 2day", "you do not need to go today"),
        ("A&E, A & E, E.R.", "a and e a and e emergency room"),
        ("its not serious, on its own", "it is not serious on its own"),
        (
            "in a day or two; within 24 hours; over the next few days; next week; 1-2 days; 48hrs",
            "in tlater within tday over the next tlater next tlater tlater tlater",
        ),
    ],
)
def test_text_is_normalised_before_it_is_judged(raw, plain):
    assert norm(raw).split() == plain.split()


@pytest.mark.parametrize("level, text, replacement", CONTRADICTIONS)
def test_a_contradicting_sentence_never_reaches_the_patient_however_the_tokens_are_split(level, text, replacement):
    answer = f"Thanks for telling me. {text} Keep a note of your symptoms."
    ours = advice(level).instead_of(replacement)
    outputs = set()
    for chunks in every_split(answer):
        out, g = stream(level, chunks)
        assert g.verdicts and g.verdicts[0].replacement == replacement, (chunks, g.verdicts)
        assert norm(text).strip() not in norm(out), chunks
        outputs.add(out)
    assert outputs == {f"Thanks for telling me. {ours} Keep a note of your symptoms."}


@pytest.mark.parametrize("level, text", CONSISTENT)
def test_an_answer_that_agrees_with_the_disposition_passes_unchanged_however_split(level, text):
    for chunks in every_split(text):
        out, g = stream(level, chunks)
        assert out == text and not g.verdicts, (chunks, g.verdicts)


@pytest.mark.parametrize("level", [C24, ROUTINE, SELF_CARE])
def test_our_own_sentences_and_template_pass_the_judge_for_their_level(level):
    assessment = Assessment(level=Level(level), rationale="Symptoms without red flags.", protocol_version="t")
    request = GenerationRequest(assessment=assessment, conversation=(ChatTurn(role="user", content="x"),))
    ours = advice(level)
    for text in (ours.disposition, ours.safe, ours.escalation, local_engine().render(request)):
        out, g = stream(level, word_chunks(text))
        assert out == text and not g.verdicts, (text, g.verdicts)


def test_a_less_urgent_disposition_sentence_contradicts_a_more_urgent_one():
    judge = default_judge()
    assert judge.judge(C24, advice(SELF_CARE).disposition) is not None
    assert judge.judge(C24, advice(ROUTINE).disposition) is None  # booking is not less than "within 24 hours"
    assert judge.judge(ROUTINE, advice(SELF_CARE).disposition) is not None


def test_escalation_sentence_keeps_emergency_care_open_and_restates_the_disposition():
    for level in (C24, ROUTINE, SELF_CARE):
        sentence = advice(level, "999").escalation
        assert "call emergency services (999)" in sentence
        assert advice(level).disposition.removeprefix("Based on what you describe, ").rstrip(".")[-20:] in sentence


def test_text_is_held_until_its_sentence_is_judged():
    g = guard(C24)
    assert g.feed("Rest well", trusted=False) == ""
    assert g.feed(".", trusted=False) == ""  # a full stop ends a sentence only with the space after it
    assert g.feed(" You can", trusted=False) == "Rest well. "
    assert g.feed(" wait a few days.", trusted=False) == ""
    assert g.feed(" If", trusted=False) == advice(C24).safe + " "
    assert g.flush() == "If"


def test_a_question_answered_no_is_read_with_the_question():
    for chunks in every_split("Do you need to see a doctor? Not really. Rest."):
        out, _g = stream(C24, chunks)
        assert out == f"Do you need to see a doctor? {advice(C24).safe} Rest.", chunks


def test_a_one_word_answer_before_a_longer_sentence_is_still_read_with_the_question():
    # one-word sentences wait for the next one (a run of them is read together); a longer one after "No." does not
    # join it, so "No." is still read with the question before it
    for chunks in every_split("Do you need to see a doctor? No. Cuts like this are common in kitchens."):
        out, _g = stream(C24, chunks)
        assert out == f"Do you need to see a doctor? {advice(C24).safe} Cuts like this are common in kitchens.", chunks


def test_a_second_contradiction_ends_the_models_answer():
    events: list[str] = []
    out, g = stream(C24, word_chunks("It is nothing serious. See a GP. You can wait. Call 911 if worse."), events)
    assert out == advice(C24).safe + " See a GP. "
    assert (
        g.tripped is not None
        and g.tripped.rule == "can_wait"
        and [v.rule for v in g.verdicts] == ["dismisses_concern", "can_wait"]
    )
    assert [e.split(":")[1] for e in events] == ["dismisses_concern", "can_wait"]
    assert "replaced by our safe sentence" in events[0] and "the answer was cut" in events[1]
    assert g.feed("More text.", trusted=False) == "" and g.flush() == ""
    assert g.feed("Template.", trusted=True) == "Template."


def test_a_run_on_sentence_is_judged_at_the_hold_limit():
    g = OutputGuard(None, SentenceGuard(default_judge(), C24, advice(C24).instead_of, max_hold_chars=80))
    released = g.feed("word " * 30, trusted=False)
    assert 40 <= len(released) <= 150 and released.startswith("word")


class UpperPhi:
    """Stands in for compliance.phi.StreamingRedactor: holds the last word, replaces 'Alice'."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, token: str) -> str:
        self.pending += token
        cut = self.pending.rfind(" ") + 1
        out, self.pending = self.pending[:cut], self.pending[cut:]
        return out.replace("Alice", "<PERSON_1>")

    def flush(self) -> str:
        out, self.pending = self.pending.replace("Alice", "<PERSON_1>"), ""
        return out


def test_phi_is_redacted_before_judging_and_events_carry_no_phi():
    events: list[str] = []
    g = guard(C24, events, UpperPhi())
    out = (
        "".join(g.feed(t, trusted=False) for t in ["Hi ", "Alice. ", "It is ", "nothing ", "serious. ", "Bye."])
        + g.flush()
    )
    assert out == f"Hi <PERSON_1>. {advice(C24).safe} Bye."
    assert any(e.startswith("contradiction:dismisses_concern") for e in events)
    assert any(e.startswith("phi_redacted") for e in events)
    assert "Alice" not in " ".join(events)


def test_trusted_text_releases_held_model_text_first():
    g = guard(ROUTINE, phi=UpperPhi())
    assert g.feed("See a doc", trusted=False) == ""
    assert g.feed("[seam]", trusted=True) == "See a doc[seam]"


def test_rules_file_mistakes_are_errors():
    import yaml

    from agents.guard.judge import ADVICE_FILE

    data = yaml.safe_load(ADVICE_FILE.read_text())
    with pytest.raises(ValueError, match="unknown disposition"):
        AdviceJudge({**data, "rules": [{"id": "x", "contradicts": ["urgent-ish"], "patterns": ["a"]}]})
    with pytest.raises(ValueError, match="unknown lexicon class"):
        AdviceJudge({**data, "rules": [{"id": "x", "contradicts": ["all"], "patterns": ["{nope}"]}]})


def test_guard_cost_per_token_is_small():
    text = (
        "Cellulitis is a skin infection that usually needs antibiotics, so a doctor should look at it soon. "
        "Keep the area clean and mark the edge of the redness. If you get a fever, call 911. "
    ) * 10
    tokens = word_chunks(text)
    best = float("inf")
    for _ in range(5):  # the best of five, in CPU time: a shared, busy machine only ever makes a run slower
        g = guard(C24)
        started = time.process_time()
        for token in tokens:
            g.feed(token, trusted=False)
        g.flush()
        best = min(best, (time.process_time() - started) / len(tokens) * 1e6)
        assert not g.verdicts
    assert best < 300, f"{best:.1f} us per token"  # the budget is 1 ms per token for the whole guard
