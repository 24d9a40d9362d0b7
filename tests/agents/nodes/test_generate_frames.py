"""Our own template text goes out in a few pieces (issue 9); a model's answer after our disposition sentence, a
sentence at a time as the output guard judges each (issue 16)."""

from __future__ import annotations

from types import SimpleNamespace

from agents.audit_record import message_received
from agents.engines.base import word_chunks
from agents.engines.factory import build_router
from agents.engines.local import FRAME_CHARS, advice
from agents.engines.zero import ZERO_ANSWER
from agents.nodes.generate import generate
from agents.state import TurnContext, TurnTrace
from agents.triage import assess

TEXT = "I have had a runny nose and a mild sore throat since yesterday"


def settings(engine: str) -> SimpleNamespace:
    return SimpleNamespace(
        engine_chain=[engine],
        emergency_number="911",
        first_token_timeout_s=2.0,
        total_timeout_s=30.0,
    )


async def run_generate(engine: str) -> tuple[list[dict], TurnTrace]:
    router = build_router(settings(engine))
    assessment = assess(TEXT)
    trace = TurnTrace(session_id="s", message_id="m", message=message_received(None, "patient", "en"))
    deps = SimpleNamespace(router=router, redactor=None, history_turns=12)
    frames: list[dict] = []

    async def collect(frame: dict) -> None:
        frames.append(frame)

    context = TurnContext(
        deps=deps,  # type: ignore[arg-type]
        raw_text=TEXT,
        trace=trace,
        emit=collect,
        assessment=assessment,
        plan=router.plan(assessment),
    )
    runtime = SimpleNamespace(context=context)
    state = {"conversation": [{"role": "user", "content": TEXT}]}
    if engine != "local":  # a model's output passes the PHI stage: give it a redactor that finds nothing
        deps.redactor = SimpleNamespace(find=lambda text: [])
    await generate(state, runtime)  # type: ignore[arg-type]
    return frames, trace


async def test_template_text_goes_out_in_a_few_frames_first_word_at_once():
    frames, trace = await run_generate("local")
    texts = [f["text"] for f in frames]
    answer = "".join(texts)
    assert all(f["type"] == "token" and f["message_id"] == "m" for f in frames)
    assert answer == "".join(trace.output)  # what went out is what the trace (and the audit record) holds
    words = word_chunks(answer)
    assert len(words) > 20
    assert 1 < len(frames) < len(words) / 3
    assert texts[0] == words[0]  # the first word is not held for company
    assert all(len(t) >= FRAME_CHARS for t in texts[1:-1])
    assert trace.response.first_token_ms is not None


async def test_our_disposition_sentence_comes_first_then_the_model_sentence_by_sentence():
    frames, trace = await run_generate("zero")
    texts = [f["text"] for f in frames]
    lead = advice(assess(TEXT).level.value).disposition + " "
    assert texts[0] == lead, "our own sentence for the disposition goes out with the model's first token"
    assert "".join(texts) == lead + "".join(ZERO_ANSWER)
    assert texts[1:] == ["Thank you. ", "Please follow the advice above."], "each model sentence once it is judged"
    assert "".join(trace.output) == "".join(texts)
