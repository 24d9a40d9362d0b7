"""`/ws/clinician` (issue 16, part 5), over the real app: the access middleware and the route read the caller's
credential with one parser (bearer header, else the cookie, else `?token=`), so a caller the middleware admits
is served; every refusal closes with 1008, as the README says, and is an audit record."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect

from tests.security.helpers import bearer, denials, socket_refusal

pytestmark = pytest.mark.integration


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"triage_token={token}"}


async def test_every_way_a_clinician_presents_a_good_token_is_served(secured_app):
    good = secured_app.tokens["clin"]
    ways = [
        ("", bearer(good)),  # a program's header: was closed 4401
        ("?token=not-a-token", cookie(good)),  # the browser's cookie beside a stray query token: was 4401
        (f"?token={good}", {}),  # a program that cannot set headers
        ("", cookie(good)),  # the browser
    ]
    for query, headers in ways:
        conn = await connect(secured_app.ws + "/ws/clinician" + query, additional_headers=headers)
        async with conn:
            assert json.loads(await conn.recv())["type"] == "snapshot", (query, headers)


async def test_every_refusal_closes_with_1008_and_is_audited(secured_app):
    good, compliance = secured_app.tokens["clin"], secured_app.tokens["comp"]
    refusals = [
        ("", bearer("forged." + "0" * 64), "unauthorized", None),
        (f"?token={good}", bearer("forged." + "0" * 64), "unauthorized", None),  # the first credential decides
        ("", cookie("garbage"), "unauthorized", None),
        ("?token=garbage", {}, "unauthorized", None),
        ("", bearer(compliance), "forbidden", "compliance"),
        ("", cookie(compliance), "forbidden", "compliance"),
    ]
    before = len(denials(secured_app.data_dir))
    for query, headers, code, _role in refusals:
        close_code, frames = await socket_refusal(secured_app.ws + "/ws/clinician" + query, additional_headers=headers)
        assert close_code == 1008 and [f["code"] for f in frames] == [code], (query, headers)
    events = denials(secured_app.data_dir)[before:]
    assert [(e["channel"], e["status"], e["target"], e["role"]) for e in events] == [
        ("websocket", 1008, "/ws/clinician", role) for *_, role in refusals]
    assert all("token" not in e["target"] for e in events)  # never the query string
