"""Fixtures shared by every test package: the machine's PostgreSQL and Redis, and an app answering through a model
peer (tests/support/model_peer.py)."""

pytest_plugins = ["tests.support.services", "tests.support.model_peer"]
