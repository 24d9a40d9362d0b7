"""One copy of the fixtures for tests that run the app against a model peer on loopback (a pytest plugin,
registered in tests/conftest.py).

`peer` serves a `RecordingPeer()` (openai_peer.py) for the test module, and `model_app` runs the app (a
subprocess) that answers non-emergencies through it. A module serves another peer by overriding `make_peer`, and
gives the app more settings by overriding `model_settings` (module fixtures of those names):

    @pytest.fixture(scope="module")
    def make_peer():
        return lambda: RecordingPeer(answer=DOWNGRADE)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.openai_peer import RecordingPeer
from tests.support.servers import AppProcess, openai_engine_env, running_app, serving

#: The model name the app asks the peer for (stored in each turn's audit record).
MODEL = "peer"


@pytest.fixture(scope="module")
def make_peer() -> Callable[[], Any]:
    return RecordingPeer


@pytest.fixture(scope="module")
def model_settings() -> dict[str, str]:
    """Settings for the app besides the engine's, as `openai_engine_env` takes them (`first_token_timeout_s="1"`)."""
    return {}


@pytest.fixture(scope="module")
def peer(make_peer: Callable[[], Any]) -> Iterator[Any]:
    with serving(make_peer()) as served:
        yield served


@pytest.fixture(scope="module")
def model_app(
    tmp_path_factory: pytest.TempPathFactory, peer: Any, model_settings: dict[str, str]
) -> Iterator[AppProcess]:
    env = openai_engine_env(peer.url, MODEL, **model_settings)
    with running_app(tmp_path_factory.mktemp("model-app"), env) as app:
        yield app
