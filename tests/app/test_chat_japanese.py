"""Japanese over the real service (issue 19): the message's language is detected (or hinted), triaged by the
Japanese reader, answered in Japanese with Japan's emergency number, and recorded in the audit entry."""

from __future__ import annotations

import pytest

from tests.support.chat_client import answer_text, ask, audit_turns, open_chat
from tests.support.servers import running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("japanese")) as app:
        yield app


async def test_japanese_chest_pain_gets_the_japanese_emergency_script_with_119(local_app):
    before = len(audit_turns(local_app.data_dir))
    conn, session_id = await open_chat(local_app.ws)
    async with conn:
        frames = await ask(conn, "父が急に胸がぎゅーっと痛いと言って、冷や汗をかいています。")
    triage = frames[0]
    assert triage["type"] == "triage" and triage["urgency"] == "em"
    assert triage["level"] == "emergency_ambulance"
    assert "胸" in triage["rationale"]  # the patient's rationale is in Japanese
    assert frames[-1]["type"] == "done" and frames[-1]["engine"] == "emergency_script"
    answer = answer_text(frames)
    assert "救急車（119番）" in answer
    assert "911" not in answer and "emergency" not in answer.lower()
    records = [r for r in audit_turns(local_app.data_dir)[before:] if r["session_id"] == session_id]
    assert len(records) == 1
    assert records[0]["language"] == "ja" and records[0]["level"] == "emergency_ambulance"
    assert records[0]["output_redacted"] == answer


async def test_the_widgets_language_hint_and_a_message_of_numbers_keep_the_conversation_in_japanese(local_app):
    conn, session_id = await open_chat(local_app.ws)
    async with conn:
        first = await ask(conn, "4歳の息子が熱を出しています。元気に遊んでいて、水分もとれています。", lang="ja")
        numbers = await ask(conn, "37.8")
    assert first[0]["urgency"] in ("sc", "ne")
    assert "#8000" in answer_text(first)  # a child: the children's night-time line, where the level fits
    # A well child with a fever the reader places at self care, which the Japanese learned layer agrees with: it is
    # not held for a clinician (engine 2.7.0); the conversation is read as one, in Japanese.
    assert numbers[0]["level"] == "self_care" and numbers[0]["needs_clinician"] is False
    assert "。" in answer_text(numbers)  # answered in Japanese, not English
    records = [r for r in audit_turns(local_app.data_dir) if r["session_id"] == session_id]
    assert [r["language"] for r in records] == ["ja", "ja"]


async def test_english_messages_are_recorded_as_english(local_app):
    conn, session_id = await open_chat(local_app.ws)
    async with conn:
        frames = await ask(conn, "I have a runny nose and a mild sore throat since yesterday")
    assert frames[-1]["type"] == "done"
    assert "119" not in answer_text(frames)
    records = [r for r in audit_turns(local_app.data_dir) if r["session_id"] == session_id]
    assert [r["language"] for r in records] == ["en"]


def test_a_message_frame_may_carry_a_language_tag_but_never_free_text():
    from app.protocol import FrameError, parse_client_frame

    frame = parse_client_frame('{"type": "message", "text": "頭が痛い", "lang": "ja-JP"}', max_text_chars=1000)
    assert frame.lang == "ja-JP"
    with pytest.raises(FrameError) as bad:
        parse_client_frame('{"type": "message", "text": "頭が痛い", "lang": "my name is Ken"}', max_text_chars=1000)
    assert bad.value.code == "invalid_frame"


def test_the_cli_detects_the_language_and_honours_the_lang_field():
    import json
    import subprocess
    import sys

    from tests.support.servers import REPO

    lines = [
        {"text": "胸がぎゅーっと痛くて冷や汗が出ています", "id": "ja"},
        {"text": "38.5", "lang": "ja", "id": "hint"},
        {"text": "I have a runny nose", "id": "en"},
    ]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "assess"],
        input="\n".join(map(json.dumps, lines)) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert out["ja"]["language"] == "ja" and out["ja"]["level"] == "emergency_ambulance"
    assert "胸" in out["ja"]["rationale"]
    assert out["hint"]["language"] == "ja" and out["hint"]["lang"] == "ja"
    assert out["en"]["language"] == "en"
