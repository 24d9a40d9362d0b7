"""app/heap.py: once the service has started, the clinical engine is warm and what start-up built is out of the
cycle collector's walks; when the service stops, it is thawed (a stopped app's cycles can be collected)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from agents.triage import learned
from app import heap
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


def _full_collections_while_sockets_stay_open() -> int:
    """Full collections started by the collector itself while long-lived objects pile up (sockets staying open)."""
    full = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    held = []
    gc.callbacks.append(count)
    try:
        for _ in range(300):  # 300 "sockets" of 1,000 objects each, every one promoted to the old generation
            held.append([[] for _ in range(1000)])
    finally:
        gc.callbacks.remove(count)
    return len(full)


def test_a_serving_process_does_not_walk_its_long_lived_objects_again_and_again(tmp_path):
    gc.collect()
    assert _full_collections_while_sockets_stay_open() > 0  # Python's default: a full collection every 10 middle ones
    default = gc.get_threshold()
    with heap.quiet_collector():
        assert _full_collections_while_sockets_stay_open() == 0
    assert gc.get_threshold() == default
