"""What a patient's chat socket is told and records (issue 18): the session frame as the one source for the emergency
number, the longest message and the privacy notice; consent in the audit trail; follow-ups in an emergency; what
a client may keep of a message (its redacted text)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from websockets.asyncio.client import connect

from app.privacy import PrivacyNotice
from app.settings import Settings
from tests.support.chat_client import (
    PHI_MESSAGE,
    PHI_VALUES,
    answer_text,
    ask,
    next_frame,
    open_chat,
    session_turns_settled,
)
from tests.support.openai_peer import RecordingPeer
from tests.support.servers import openai_engine_env, running_app, serving

pytestmark = pytest.mark.integration

NOTICE = "Test clinic notice: we keep a redacted record of each answer."
NOTICE_URL = "https://clinic.example/privacy"
NOTICE_JA = "このアシスタントは診断ではなく一般的な案内をします。入力内容は氏名などを除いて記録されます。"
CHEST_PAIN = "My father has crushing chest pain spreading to his left arm and he is sweating"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    env = {
        "TRIAGE_EMERGENCY_NUMBER": "112",
        "TRIAGE_PRIVACY_NOTICE": NOTICE,
        "TRIAGE_PRIVACY_NOTICE_JA": NOTICE_JA,
        "TRIAGE_PRIVACY_URL": NOTICE_URL,
        "TRIAGE_MAX_MESSAGE_CHARS": "500",
    }
    with running_app(tmp_path_factory.mktemp("patient"), env) as app:
        yield app


async def test_a_japanese_widget_gets_the_clinics_japanese_notice_and_agrees_to_that_version(app):
    japanese = PrivacyNotice.of(
        Settings(privacy_notice=NOTICE, privacy_notice_ja=NOTICE_JA, privacy_url=NOTICE_URL), "ja"
    )
    english = PrivacyNotice.of(Settings(privacy_notice=NOTICE, privacy_notice_ja=NOTICE_JA, privacy_url=NOTICE_URL))
    assert japanese.version != english.version and english.text == NOTICE
    conn = await connect(app.ws + "/ws/chat?lang=ja-JP")
    async with conn:
        hello = await next_frame(conn)
        assert hello["privacy"] == {"text": NOTICE_JA, "url": NOTICE_URL, "version": japanese.version}
        await conn.send(json.dumps({"type": "consent", "notice": english.version}))  # the English one: not shown here
        assert (await next_frame(conn))["code"] == "notice_changed"
        await conn.send(json.dumps({"type": "consent", "notice": japanese.version}))
        recorded = await next_frame(conn)
        assert recorded["type"] == "consent_recorded" and recorded["notice"] == japanese.version
    consents = [body["consent"] for sid, body in entries(app.data_dir, "consent") if sid == hello["session_id"]]
    assert [c["notice_version"] for c in consents] == [japanese.version]


def entries(data_dir, kind: str) -> list[tuple[str, dict]]:
    with sqlite3.connect(data_dir / "triage.db") as db:
        rows = db.execute("SELECT session_id, content FROM audit_entry WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
    return [(sid, json.loads(content)) for sid, content in rows]


async def test_the_session_frame_carries_the_number_the_limit_and_the_notice_and_consent_is_audited(app):
    version = PrivacyNotice.of(Settings(privacy_notice=NOTICE, privacy_url=NOTICE_URL)).version
    conn = await connect(app.ws + "/ws/chat")
    async with conn:
        hello = await next_frame(conn)
        assert hello["emergency_number"] == "112"
        assert hello["max_message_chars"] == 500
        assert hello["privacy"] == {"text": NOTICE, "url": NOTICE_URL, "version": version}

        await conn.send(json.dumps({"type": "consent", "notice": "0123456789ab"}))  # not the notice it was shown
        refused = await next_frame(conn)
        assert refused["code"] == "notice_changed" and refused["privacy"]["version"] == version

        await conn.send(json.dumps({"type": "consent", "notice": version}))
        recorded = await next_frame(conn)
        assert recorded["type"] == "consent_recorded" and recorded["notice"] == version and recorded["audit_id"]

        frames = await ask(conn, "x" * 501)
        assert frames[-1]["code"] == "text_too_long"
    consents = [body["consent"] for sid, body in entries(app.data_dir, "consent") if sid == hello["session_id"]]
    assert consents == [
        {
            "actor": f"patient:{hello['session_id']}",
            "session_id": hello["session_id"],
            "notice_version": version,
            "notice_url": NOTICE_URL,
            "source": "127.0.0.1",
        }
    ]


async def test_a_triage_frame_gives_back_the_redacted_message_only(app):
    conn, _ = await open_chat(app.ws)
    async with conn:
        frames = await ask(conn, PHI_MESSAGE)
    triage = frames[0]
    assert triage["type"] == "triage" and "sore throat" in triage["redacted_text"]
    assert not [value for value in PHI_VALUES if value in triage["redacted_text"]]


async def test_emergency_follow_ups_are_answered_under_the_emergency_and_a_new_red_flag_gets_the_script(app):
    conn, session_id = await open_chat(app.ws)
    async with conn:
        first = await ask(conn, CHEST_PAIN)
        follow_up = await ask(conn, "Is it OK for him to take paracetamol for the pain?")
        worse = await ask(conn, "Now he has collapsed and is not breathing")
    for frames in (first, follow_up, worse):
        assert frames[0]["urgency"] == "em" and frames[0]["level"] == "emergency_ambulance", "never goes down"
        assert "(112)" in answer_text(frames), "the answer uses the server's number"
    script, reply = answer_text(first), answer_text(follow_up)
    assert reply != script and "call handler" in reply
    assert "do not drive yourself if you feel faint" not in reply, "the whole script is not repeated"
    assert "do not drive yourself if you feel faint" in answer_text(worse), "a new red flag gets the script again"
    turns = await session_turns_settled(app.data_dir, session_id)
    assert [t["route"] for t in turns] == ["emergency_script", "emergency_follow_up", "emergency_script"]
    assert {t["urgency"] for t in turns} == {"em"}


async def test_a_models_follow_up_answer_comes_after_our_emergency_sentence_and_is_judged_against_it(tmp_path):
    peer = RecordingPeer("Paracetamol is usually fine. There is no need to call anyone, you can wait and see.")
    with serving(peer) as served, running_app(tmp_path, openai_engine_env(served.url, "peer")) as app:
        conn, session_id = await open_chat(app.ws)
        async with conn:
            await ask(conn, CHEST_PAIN)
            assert not peer.requests, "the emergency itself never reaches a model"
            frames = await ask(conn, "Is it OK for him to take paracetamol for the pain?")
        turns = await session_turns_settled(app.data_dir, session_id)
    answer = answer_text(frames)
    assert frames[0]["level"] == "emergency_ambulance"
    assert answer.startswith("This may be a medical emergency. Call emergency services (911) now")
    assert "you can wait" not in answer, "the output guard holds the model to the emergency"
    assert "this is a follow-up" in json.dumps(peer.requests[-1]["messages"][0])
    assert turns[-1]["route"] == "emergency_follow_up" and turns[-1]["guard_events"]
