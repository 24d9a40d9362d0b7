"""Settings: list settings from one comma-separated value, and keys generated only by the start-up step."""

from __future__ import annotations

import json
import stat

import pytest

from app.settings import SECRETS_FILE, MissingKeys, Settings, ensure_local_keys


def test_list_settings_take_the_comma_separated_values_the_readme_describes(monkeypatch):
    monkeypatch.setenv("TRIAGE_ALLOWED_ORIGINS", "https://a.example/, https://b.example,,")
    monkeypatch.setenv("TRIAGE_ENGINE", "local, openai + groq,groq")
    monkeypatch.setenv("TRIAGE_TOKEN_RETIRED_KEYS", "old-1, old-2")
    settings = Settings(_env_file=None, token_key="new")
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.engine == ["local", "openai+groq", "groq"]
    assert settings.engine_chain == ["openai+groq", "groq", "local"]
    assert [k.get_secret_value() for k in settings.token_retired_keys] == ["old-1", "old-2"]
    assert len(settings.token_keyring.ids()) == 3


def test_list_settings_default_and_accept_a_list_or_a_string_in_code():
    assert Settings(_env_file=None).allowed_origins == []
    assert Settings(_env_file=None).engine_chain == ["local"]
    assert Settings(_env_file=None, engine="").engine_chain == ["local"]
    assert Settings(_env_file=None, allowed_origins=["https://c.example/"]).allowed_origins == ["https://c.example"]
    assert Settings(_env_file=None, allowed_origins="https://c.example").allowed_origins == ["https://c.example"]


def test_reading_the_keys_writes_nothing_and_start_up_makes_them_once(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    with pytest.raises(MissingKeys):
        _ = settings.token_key_bytes
    assert not (tmp_path / "var").exists()

    ensure_local_keys(settings)
    path = tmp_path / "var" / SECRETS_FILE
    made = json.loads(path.read_text())
    assert set(made) == {"audit_hmac_key", "vault_key", "token_key"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.token_key_bytes == made["token_key"].encode()

    ensure_local_keys(Settings(_env_file=None, data_dir=tmp_path / "var"))  # a second start keeps them
    assert json.loads(path.read_text()) == made


def test_keys_given_in_the_environment_leave_the_data_directory_alone(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, audit_hmac_key="a", vault_key="v", token_key="t")
    ensure_local_keys(settings)
    assert not (tmp_path / SECRETS_FILE).exists()
    with pytest.raises(MissingKeys):
        ensure_local_keys(Settings(_env_file=None, data_dir=tmp_path, require_keys=True, token_key="t"))
    assert not (tmp_path / SECRETS_FILE).exists()
