"""Issue 16, part 1, over the real service: a model's answer that contradicts the disposition never reaches the
patient's socket, however it is spelled and however its tokens are split; our own sentence takes its place and the
audit record says what happened.

The model is an OpenAI-compatible peer on loopback streaming a scripted answer (`peer` and `model_app`:
tests/support/model_peer.py).
"""

from __future__ import annotations

import pytest

from agents.engines.local import advice
from agents.engines.router import GUARD_SEAM
from agents.guard import default_judge
from agents.triage import assess
from tests.support.chat_client import answer_text, ask, audit_turns, open_chat

pytestmark = pytest.mark.integration

WITHIN_24H = "I have a painful red swollen area on my leg that is spreading and hot"
SELF_CARE = "I have a runny nose and a mild sore throat since yesterday"


async def turn(app, peer, message: str, chunks: list[str]) -> tuple[list[dict], dict]:
    peer.chunks = chunks
    try:
        conn, session_id = await open_chat(app.ws)
        async with conn:
            frames = await ask(conn, message)
    finally:
        peer.chunks = None
    (record,) = [r for r in audit_turns(app.data_dir) if r["session_id"] == session_id]
    assert frames[-1]["type"] == "done" and record["output_redacted"] == answer_text(frames)
    return frames, record


def never_sent(frames: list[dict], phrase: str) -> bool:
    """Not in any frame, nor across frames, in any spelling the guard would read as the same words."""
    normalise = default_judge().normalise
    needle = normalise(phrase).strip()
    return all(needle not in normalise(f["text"]) for f in frames if f["type"] == "token") and needle not in normalise(
        answer_text(frames)
    )


@pytest.mark.parametrize(
    "contradiction",
    [
        "You do not need to be seen today or tomorrow.",
        "Skip the doctor, it's fine.",
        "This will resolve by itself in a few days.",
        "Y\u200bou can w\u0430it a week or so.",  # zero-width space, Cyrillic a
        "D0n't g0 to the ER.",
    ],
)
async def test_a_contradicting_sentence_is_replaced_before_it_reaches_the_socket(model_app, peer, contradiction):
    assert assess(WITHIN_24H).level.value == "consultation_24"
    answer = f"Red, spreading skin can be an infection. {contradiction} Keep the leg raised."
    chunks = [answer[i : i + 3] for i in range(0, len(answer), 3)]  # tokens that split words and the phrase
    frames, record = await turn(model_app, peer, WITHIN_24H, chunks)
    ours = advice("consultation_24")
    assert frames[0]["type"] == "triage" and frames[0]["level"] == "consultation_24"
    assert (
        answer_text(frames)
        == f"{ours.disposition} Red, spreading skin can be an infection. {ours.safe} Keep the leg raised."
    )
    assert never_sent(frames, contradiction)
    (event,) = [e for e in record["guard_events"] if e.startswith("contradiction:")]
    assert (
        event.startswith("contradiction:") and "consultation_24" in event and "replaced by our safe sentence" in event
    )
    assert [(a["engine"], a["outcome"], a["completed"]) for a in record["engines_tried"]] == [("openai", "used", True)]


async def test_a_model_that_keeps_contradicting_is_cut_off_and_our_template_follows(model_app, peer):
    answer = "It's nothing serious. You can wait until next week. Honestly, skip the doctor; it will settle on its own."
    frames, record = await turn(model_app, peer, WITHIN_24H, list(answer))  # one character per token
    text = answer_text(frames)
    for phrase in (
        "It's nothing serious.",
        "You can wait until next week.",
        "skip the doctor",
        "it will settle on its own",
    ):
        assert never_sent(frames, phrase), phrase
    assert text.startswith(advice("consultation_24").disposition) and GUARD_SEAM in text
    assert "within the next 24 hours" in text.split(GUARD_SEAM)[1] and frames[-1]["engine"] == "local"
    assert [(a["engine"], a["outcome"]) for a in record["engines_tried"]] == [("openai", "cut"), ("local", "used")]
    assert len([e for e in record["guard_events"] if e.startswith("contradiction:")]) == 2


async def test_an_unconditional_escalation_in_a_self_care_case_keeps_emergency_care_open(model_app, peer):
    assert assess(SELF_CARE).level.value == "self_care"
    answer = "A sore throat is usually viral. Call an ambulance now. If you struggle to breathe, call 911."
    frames, record = await turn(model_app, peer, SELF_CARE, [w + " " for w in answer.split(" ")])
    text = answer_text(frames)
    assert never_sent(frames, "Call an ambulance now.")
    assert advice("self_care").escalation in text, "our sentence keeps 'call emergency services' and the disposition"
    assert "If you struggle to breathe, call 911." in text, "conditional safety-net advice is never suppressed"
    assert any("over_escalation" in e for e in record["guard_events"])


@pytest.mark.parametrize(
    "unlisted",
    [
        "Hold your horses on the clinic.",  # about care, nothing in it recognised: replaced
        "Thursday would be a good day to pop into the surgery.",  # a time frame past the disposition's
        "Thursday would suit a trip to the pr\u0430ctice.",  # Cyrillic a
    ],
)
async def test_care_talk_no_phrase_rule_lists_is_replaced_unless_it_agrees(model_app, peer, unlisted):
    """Default-deny: what the model says about being seen reaches the patient only if it agrees with the disposition."""
    answer = f"Red, spreading skin can be an infection. {unlisted} Keep the leg raised."
    frames, record = await turn(model_app, peer, WITHIN_24H, [answer[i : i + 4] for i in range(0, len(answer), 4)])
    ours = advice("consultation_24")
    assert (
        answer_text(frames)
        == f"{ours.disposition} Red, spreading skin can be an infection. {ours.safe} Keep the leg raised."
    )
    assert never_sent(frames, unlisted)
    (event,) = [e for e in record["guard_events"] if e.startswith("contradiction:")]
    assert event.startswith("contradiction:not_agreeing:") and "not recognised as agreeing" in event


async def test_an_answer_that_agrees_about_care_reaches_the_patient_unchanged(model_app, peer):
    answer = (
        "Red, spreading skin can be an infection called cellulitis. Please see a doctor today or tomorrow; a doctor "
        "can check it and start antibiotics. While you wait, keep the leg raised. If you get a high fever or feel "
        "very unwell, call 911."
    )
    frames, record = await turn(model_app, peer, WITHIN_24H, [w + " " for w in answer.split(" ")])
    assert answer_text(frames).rstrip() == f"{advice('consultation_24').disposition} {answer}"
    assert not [e for e in record["guard_events"] if e.startswith("contradiction:")]
