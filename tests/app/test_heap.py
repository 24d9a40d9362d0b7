"""app/heap.py: once the service has started, the clinical engine is warm and what start-up built is out of the
cycle collector's walks; when the service stops, it is thawed (a stopped app's cycles can be collected)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from agents.triage import learned
from app.main import create_app
from app.settings import Settings


def test_the_started_service_has_a_warm_engine_and_a_frozen_heap_and_thaws_it_when_it_stops(tmp_path):
    gc.unfreeze()
    learned.model.cache_clear()
    learned.model_ja.cache_clear()
    with TestClient(create_app(Settings(_env_file=None, data_dir=tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
        # both readers' learned layers were loaded before the first patient, and frozen with the rest
        assert learned.model.cache_info().currsize == 1
        assert learned.model_ja.cache_info().currsize == 1
        assert gc.get_freeze_count() > 100_000
    assert gc.get_freeze_count() == 0
