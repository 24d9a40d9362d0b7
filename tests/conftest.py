"""Fixtures for the machine's PostgreSQL and Redis are shared by every test package."""

pytest_plugins = ["tests.support.services"]
