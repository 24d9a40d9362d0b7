"""app/japanese_dictionary.py: the started service keeps one Sudachi dictionary, the redactor's, and the clinical
engine's Japanese reader reads with it exactly as it read with its own copy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from agents.triage import assess
from agents.triage.engine import forget_messages
from agents.triage.japanese import readings
from app.main import create_app
from app.settings import Settings

MESSAGES = (
    "胸がぎゅーっと痛くて冷や汗が出ています",
    "右手にちからがはいらない、ろれつもまわらない",
    "子どもが38度の熱で咳をしています",
)


def test_the_service_shares_the_redactors_dictionary_and_the_readings_do_not_change(tmp_path):
    readings.share_dictionary(readings.Dictionary(dict=readings.DICTIONARY_NAME))  # a copy of its own, as before
    forget_messages()
    own = [(readings.text_reading(m).kana, assess(m, lang="ja").level) for m in MESSAGES]
    with TestClient(create_app(Settings(_env_file=None, data_dir=tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
        _, dictionary = client.app.state.redactor.japanese_dictionary
        assert readings.dictionary() is dictionary
        forget_messages()  # read the messages again, with the shared dictionary
        assert [(readings.text_reading(m).kana, assess(m, lang="ja").level) for m in MESSAGES] == own
