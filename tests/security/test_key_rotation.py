"""Key rotation signs no one out and locks no conversation away (issue 16), over the real app and the real CLI:
a clinician signed in (bearer and cookie) and a patient's conversation from before `triage keys rotate --key token
--key vault` and a restart; afterwards the old tokens still work (their key id names the retired key), new and
renewed tokens name the new key, and re-identify opens the vault that was encrypted with the retired vault key."""

from __future__ import annotations

import json

import httpx
import pytest

from app.auth import issue_token
from compliance.keys import key_id
from tests.security.helpers import bearer, form_sign_in, make_staff, page_csrf, run_cli, sign_in
from tests.support.chat_client import ask, open_chat
from tests.support.servers import running_app

pytestmark = pytest.mark.integration

PATIENT = "Hi, my name is Zorbtilde Quennick and I have had a sore throat since yesterday"


def key_ids(data_dir) -> dict:
    listed = run_cli(data_dir, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def header_kid(token: str) -> str:
    return token.split(".")[0]


async def test_rotating_the_token_and_vault_keys_keeps_staff_signed_in_and_patients_re_identifiable(tmp_path):
    make_staff(tmp_path)
    with running_app(tmp_path) as app:
        old_bearer = sign_in(app.http, "clin")
        old_cookie = form_sign_in(app.http, "clin").cookies["triage_token"]
        conn, session_id = await open_chat(app.ws)
        async with conn:
            assert (await ask(conn, PATIENT))[-1]["type"] == "done"
    before = key_ids(tmp_path)
    assert header_kid(old_bearer) == header_kid(old_cookie) == before["token"]["current"]

    rotated = run_cli(tmp_path, "keys", "rotate", "--key", "token", "--key", "vault")
    assert rotated.returncode == 0, rotated.stderr
    after = key_ids(tmp_path)
    for name in ("token", "vault"):
        assert after[name]["current"] != before[name]["current"] and after[name]["retired"] == [before[name]["current"]]

    with running_app(tmp_path) as app:
        # A bearer token from before the rotation still works, on a plain read and on a staff route.
        assert httpx.get(app.http + "/api/me", headers=bearer(old_bearer)).json()["subject"] == "clin"
        assert httpx.get(app.http + "/api/clinician/sessions", headers=bearer(old_bearer)).status_code == 200
        # So does the cookie: the page, then a CSRF-checked state change that reads the patient's own words from a
        # vault encrypted with the retired vault key.
        with httpx.Client(base_url=app.http, cookies={"triage_token": old_cookie}, timeout=30) as page:
            token = page_csrf(page)
            revealed = page.post(f"/api/clinician/sessions/{session_id}/reidentify", headers={"X-CSRF-Token": token})
        assert revealed.status_code == 200, revealed.text
        assert "Zorbtilde Quennick" in revealed.json()["turns"][0]["text"]
        # New sign-ins, and renewals of old ones, are signed with the new key and say so.
        assert header_kid(sign_in(app.http, "clin")) == after["token"]["current"]
        renewed = httpx.post(app.http + "/api/session/renew", headers=bearer(old_bearer), timeout=30).json()
        assert header_kid(renewed["access_token"]) == after["token"]["current"]
        # Still refused: a token signed with a key the ring does not hold, and one whose key id was swapped.
        foreign = issue_token(b"a key this service never held", "clin", "clinician", version=0)
        _, body, signature = old_bearer.split(".")
        swapped = ".".join((after["token"]["current"], body, signature))
        for bad in (foreign, swapped):
            assert httpx.get(app.http + "/api/me", headers=bearer(bad)).status_code == 401


def test_a_token_names_its_key_and_is_checked_with_that_key_only():
    from app.auth import BadSignature, read_token
    from compliance.keys import KeyRing

    old, new = b"the token key before", b"the token key after"
    token = issue_token(old, "dr.a", "clinician", version=0)
    assert header_kid(token) == key_id(old)
    assert read_token(KeyRing(new, (old,)), token).subject == "dr.a"  # the retired key, chosen by its id
    with pytest.raises(BadSignature):
        read_token(KeyRing(new), token)  # dropped from the ring: refused
    assert header_kid(issue_token(KeyRing(new, (old,)), "dr.a", "clinician")) == key_id(new)
