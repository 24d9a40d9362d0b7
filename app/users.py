"""Staff accounts (clinician, compliance, admin) in the service's database, passwords hashed with argon2id.

There is no default account and no default password: `triage users create` makes them (the first one too).
Patients have no account: they get a token bound to their chat session.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import Field, Session, SQLModel, select

from compliance.audit.db import normalize_url, postgres_connect_args

StaffRole = Literal["clinician", "compliance", "admin"]
STAFF_ROLES: tuple[str, ...] = get_args(StaffRole)
MIN_PASSWORD_CHARS = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


class UserError(ValueError):
    """A request about accounts that cannot be honoured; the message says why."""


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    token_version: int = 0
    """Carried by every token issued to the account; bumped by disable, sign-out and a new password, which
    revokes every token issued before (app/accounts.py)."""


class UserStore:
    def __init__(self, database_url: str) -> None:
        url = normalize_url(database_url)
        args = {"check_same_thread": False, "timeout": 30} if url.startswith("sqlite") else postgres_connect_args()
        self.engine: Engine = create_engine(url, connect_args=args, pool_pre_ping=not url.startswith("sqlite"))
        self.hasher = PasswordHasher()
        # Verifying against this when the user does not exist keeps the timing of "no such user" and
        # "wrong password" alike.
        self._dummy_hash = self.hasher.hash("not a real password, only for constant timing")

    def create_schema(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=[SQLModel.metadata.tables["staff_user"]])
        columns = {c["name"] for c in inspect(self.engine).get_columns(StaffUser.__tablename__)}
        if "token_version" not in columns:  # an account table from before token versions
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE staff_user ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0"))

    def create(self, username: str, role: str, password: str) -> StaffUser:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise UserError("username: 2-64 characters, lower-case letters, digits and . _ @ -")
        if role not in STAFF_ROLES:
            raise UserError(f"role must be one of {', '.join(STAFF_ROLES)}")
        check_password(password, username)
        with Session(self.engine) as session:
            if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
                raise UserError(f"user {username!r} already exists")
            user = StaffUser(username=username, role=role, password_hash=self.hasher.hash(password))
            session.add(user)
            session.commit()
            session.refresh(user)
            return user

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """The account when the password is right and the account enabled; None otherwise (same timing)."""
        with Session(self.engine) as session:
            user = session.exec(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
            try:
                self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None or user.disabled:
                return None
            if self.hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self.hasher.hash(password)
                session.add(user)
                session.commit()
                session.refresh(user)
            return user

    def list(self) -> list[StaffUser]:
        with Session(self.engine) as session:
            return list(session.exec(select(StaffUser).order_by(StaffUser.username)))

    def get(self, username: str) -> StaffUser | None:
        with Session(self.engine) as session:
            return session.exec(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()

    def set_disabled(self, username: str, disabled: bool) -> StaffUser:
        """Disabling also revokes every token the account holds."""
        return self._update(username, lambda user: setattr(user, "disabled", disabled), revoke=disabled)

    def set_password(self, username: str, password: str) -> StaffUser:
        """A new password revokes every token issued before it."""
        check_password(password, username.strip().lower())
        hashed = self.hasher.hash(password)
        return self._update(username, lambda user: setattr(user, "password_hash", hashed), revoke=True)

    def set_role(self, username: str, role: str) -> StaffUser:
        """A new role revokes every token issued before it (they carry the old role)."""
        if role not in STAFF_ROLES:
            raise UserError(f"role must be one of {', '.join(STAFF_ROLES)}")
        return self._update(username, lambda user: setattr(user, "role", role), revoke=True)

    def revoke_tokens(self, username: str) -> StaffUser:
        """Every token issued to the account so far stops working (sign-out)."""
        return self._update(username, lambda user: None, revoke=True)

    def _update(self, username: str, change: Callable[[StaffUser], None], *, revoke: bool) -> StaffUser:
        with Session(self.engine) as session:
            user = session.exec(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
            if user is None:
                raise UserError(f"no user {username!r}")
            change(user)
            if revoke:  # in SQL (`token_version + 1`): two concurrent revocations both count
                user.token_version = StaffUser.token_version + 1
            session.add(user)
            session.commit()
            session.refresh(user)
            return user


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if username and username in password.lower():
        raise UserError("password must not contain the username")


_stores: dict[str, UserStore] = {}
_stores_lock = threading.Lock()


def user_store(database_url: str) -> UserStore:
    """One store (engine, schema created) per database URL in this process."""
    with _stores_lock:
        store = _stores.get(database_url)
        if store is None:
            store = _stores[database_url] = UserStore(database_url)
            store.create_schema()
        return store
