"""Key rotation (compliance/keys.py): entries name their HMAC key, retired keys still verify older entries and
checkpoints, vaults name their key and open with a retired one (issue 16)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from compliance.audit import AuditTrail
from compliance.keys import KeyRing, key_id
from compliance.phi import PlaceholderVault, VaultError
from tests.compliance.conftest import AUDIT_KEY, turn

NEW_KEY = b"the-audit-key-after-rotation"


def test_entries_name_their_key_and_old_ones_verify_after_rotation(database_url):
    old = AuditTrail(database_url, AUDIT_KEY, checkpoint_every=5)
    old.create_schema()
    for n in range(7):
        old.record_turn(turn(n=n))
    old.dispose()
    ring = KeyRing(NEW_KEY, (AUDIT_KEY,))
    rotated = AuditTrail(database_url, ring, checkpoint_every=5)
    for n in range(7, 14):
        rotated.record_turn(turn(n=n))
    with rotated.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT key_id FROM audit_entry ORDER BY seq"))]
    assert set(ids[:7]) == {key_id(AUDIT_KEY)} and set(ids[8:]) == {key_id(NEW_KEY)}
    report = rotated.verify()
    assert report.ok, report.problem
    assert report.checkpoints == 3  # signed by the old key's and by the new key's signing key
    rotated.dispose()
    forgetful = AuditTrail(database_url, NEW_KEY)  # the retired key dropped: older entries cannot be checked
    problem = forgetful.verify().problem
    forgetful.dispose()
    assert (problem.seq, problem.kind) == (1, "edited")


def test_entries_from_before_key_ids_existed_still_verify(database_url):
    trail = AuditTrail(database_url, AUDIT_KEY)
    trail.create_schema()
    for n in range(3):
        trail.record_turn(turn(n=n))
    with trail.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET key_id = NULL"))  # as migration 0002 leaves older rows
    trail.dispose()
    rotated = AuditTrail(database_url, KeyRing(NEW_KEY, (AUDIT_KEY,)))
    rotated.record_turn(turn(n=3))
    assert rotated.verify().ok
    rotated.dispose()


def test_a_vault_names_its_key_and_opens_with_a_retired_one():
    first, second = Fernet.generate_key(), Fernet.generate_key()
    vault = PlaceholderVault()
    vault.placeholder("PERSON", "Emily")
    blob = vault.encrypt(first)
    assert blob.startswith(b"k1." + key_id(first).encode() + b".")
    ring = KeyRing(second, (first,))
    restored = PlaceholderVault.decrypt(blob, ring)
    assert restored.reveal("<PERSON_1>") == "Emily"
    again = restored.encrypt(ring)
    assert again.startswith(b"k1." + key_id(second).encode() + b".")
    with pytest.raises(VaultError, match="does not hold"):
        PlaceholderVault.decrypt(blob, second)


def test_a_vault_from_before_key_ids_opens_with_any_key_of_the_ring():
    first = Fernet.generate_key()
    vault = PlaceholderVault()
    vault.placeholder("PERSON", "Emily")
    legacy = vault.encrypt(first).split(b".", 2)[2]  # the bare Fernet token older versions stored
    assert PlaceholderVault.decrypt(legacy, KeyRing(Fernet.generate_key(), (first,))).reveal("<PERSON_1>") == "Emily"


def test_a_ring_never_shows_its_keys():
    ring = KeyRing(b"secret-one", (b"secret-zero",)).rotated(b"secret-two")
    assert ring.ids() == [key_id(b"secret-two"), key_id(b"secret-one"), key_id(b"secret-zero")]
    assert "secret" not in repr(ring)
