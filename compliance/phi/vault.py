"""Per-session mapping between originals and placeholders, kept in memory, persisted only encrypted."""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from typing import NoReturn

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from compliance.keys import KeyRing, key_id
from compliance.phi.errors import VaultError

_SPACE_IN_JAPANESE = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff]) (?=[\u3040-\u30ff\u3400-\u9fff])")
FORMAT_VERSION = 1
#: An encrypted vault is `k1.<key id>.<Fernet token>`: the id names the vault key it was encrypted with, so keys
#: can be rotated (compliance/keys.py). A bare Fernet token (before rotation existed) is tried with every key.
KEYED_PREFIX = b"k1."


def _normalise(value: str) -> str:
    # NFKC: ０９０ and 090, ｶﾅ and カナ name the same original; so do 山田 花子 and 山田花子 (Japanese writes a
    # name with or without a space between its parts)
    value = " ".join(unicodedata.normalize("NFKC", value).split()).casefold()
    return _SPACE_IN_JAPANESE.sub("", value)


class PlaceholderVault:
    """The same original (case and spacing aside) gets the same "<TYPE_n>" in every turn of a session.

    Nothing here is ever written in clear: repr() shows counts only, pickling is refused, and
    encrypt() is the one way out. The key is a Fernet key: 32 random bytes, url-safe base64
    encoded (44 characters), given as bytes or str, e.g. Fernet.generate_key().
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_original: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._counters: dict[str, int] = {}

    def placeholder(self, entity_type: str, original: str) -> str:
        key = (entity_type, _normalise(original))
        with self._lock:
            found = self._by_original.get(key)
            if found is None:
                number = self._counters.get(entity_type, 0) + 1
                self._counters[entity_type] = number
                found = f"<{entity_type}_{number}>"
                self._by_original[key] = found
                self._originals[found] = original
            return found

    def reveal(self, placeholder: str) -> str | None:
        """The original behind a placeholder, for an authorised and audited clinician view."""
        with self._lock:
            return self._originals.get(placeholder)

    def __len__(self) -> int:
        return len(self._originals)

    def __contains__(self, placeholder: object) -> bool:
        return placeholder in self._originals

    def __repr__(self) -> str:
        return f"PlaceholderVault({len(self)} placeholders)"

    def __reduce__(self) -> NoReturn:
        raise TypeError("PlaceholderVault holds PHI: persist it with encrypt(key), never by pickling")

    def encrypt(self, key: bytes | str | KeyRing) -> bytes:
        """Encrypted with the key (a ring's current key), named by its key id."""
        with self._lock:
            entries = [[placeholder, original] for placeholder, original in self._originals.items()]
        payload = json.dumps({"v": FORMAT_VERSION, "entries": entries}, ensure_ascii=False).encode("utf-8")
        current = KeyRing.of(key).current
        return KEYED_PREFIX + key_id(current).encode() + b"." + _fernet(current).encrypt(payload)

    @classmethod
    def decrypt(cls, blob: bytes | str, key: bytes | str | KeyRing) -> PlaceholderVault:
        """With the key its id names (any key of the ring, retired ones included)."""
        ring = KeyRing.of(key)
        blob = blob.encode() if isinstance(blob, str) else blob
        try:
            if blob.startswith(KEYED_PREFIX):
                kid, _, token = blob[len(KEYED_PREFIX) :].partition(b".")
                found = ring.get(kid.decode("ascii", "replace"))
                if found is None:
                    raise VaultError(
                        f"the vault was encrypted with key {kid.decode('ascii', 'replace')!r}, which this service does not hold"
                    )
                payload = json.loads(_fernet(found).decrypt(token))
            else:
                payload = json.loads(MultiFernet([_fernet(k) for k in ring.keys()]).decrypt(blob))
        except InvalidToken as exc:
            raise VaultError("wrong key or tampered vault") from exc
        if payload.get("v") != FORMAT_VERSION:
            raise VaultError(f"unknown vault format {payload.get('v')!r}")
        vault = cls()
        for placeholder, original in payload["entries"]:
            entity_type, _, number = placeholder[1:-1].rpartition("_")
            vault._by_original[(entity_type, _normalise(original))] = placeholder
            vault._originals[placeholder] = original
            vault._counters[entity_type] = max(vault._counters.get(entity_type, 0), int(number))
        return vault


def _fernet(key: bytes | str) -> Fernet:
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError) as exc:
        raise VaultError("vault key must be a Fernet key: 32 bytes, url-safe base64 encoded") from exc
