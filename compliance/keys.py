"""Key rings: the key in use plus the retired keys still accepted for checking and decrypting (issue 16).

Every secret the service holds (the audit HMAC key, the vault key, the token key) can be rotated: new writes
use the current key and say which one (a key id); older records, vaults and tokens keep verifying against the
retired keys the ring still holds. A key id names a key without revealing it: the first 16 hex digits of
SHA-256 over a fixed label and the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


def key_id(key: bytes) -> str:
    """A stable, non-secret name for a key."""
    return hashlib.sha256(b"triage-key-id|" + key).hexdigest()[:16]


@dataclass(frozen=True)
class KeyRing:
    current: bytes
    retired: tuple[bytes, ...] = ()
    _by_id: dict[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.current:
            raise ValueError("a key ring needs a current key")
        by_id = {key_id(key): key for key in (*self.retired, self.current)}
        object.__setattr__(self, "retired", tuple(k for k in dict.fromkeys(self.retired) if k != self.current))
        object.__setattr__(self, "_by_id", by_id)

    @classmethod
    def of(cls, value: bytes | str | KeyRing, retired: Iterable[bytes | str] = ()) -> KeyRing:
        """A ring from a ring, or from one key (bytes or str) and any retired ones."""
        if isinstance(value, KeyRing):
            return value
        raw = value.encode() if isinstance(value, str) else value
        return cls(raw, tuple(k.encode() if isinstance(k, str) else k for k in retired))

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def get(self, kid: str | None) -> bytes | None:
        """The key with this id, current or retired; None when the ring does not hold it."""
        return self._by_id.get(kid) if kid else None

    def keys(self) -> Iterator[bytes]:
        """Every key, the current one first, then the retired ones, newest first."""
        yield self.current
        yield from reversed(self.retired)

    def ids(self) -> list[str]:
        return [key_id(key) for key in self.keys()]

    def rotated(self, new: bytes) -> KeyRing:
        """The ring after a rotation: `new` in use, the current key retired (kept for checking)."""
        return KeyRing(new, (*self.retired, self.current))

    def __repr__(self) -> str:  # never the keys themselves
        return f"KeyRing(current={self.current_id}, retired={len(self.retired)})"
