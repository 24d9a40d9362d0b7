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
        ("websocket", 1008, "/ws/clinician", role) for *_, role in refusals
    ]
    assert all("token" not in e["target"] for e in events)  # never the query string


async def test_a_malformed_consult_frame_is_named_and_the_socket_stays_usable(secured_app):
    bad = [
        "not json",
        json.dumps(["consult"]),
        json.dumps({"type": "reply", "session_id": "s", "text": "hello"}),
        json.dumps({"type": "consult", "text": "no session id"}),
        json.dumps({"type": "consult", "session_id": "s", "text": "   "}),
        json.dumps({"type": "consult", "session_id": "s", "text": "x" * 4001}),
    ]
    # A well-formed consult passes the checks: only the unknown session stops it.
    good = json.dumps({"type": "consult", "session_id": "no-such-session", "text": "x" * 4000})

    async def answers(raws: list[str]) -> list[str]:
        """Error codes, one per frame, on one socket (at most the per-connection burst of frames)."""
        codes = []
        conn = await connect(secured_app.ws + "/ws/clinician", additional_headers=bearer(secured_app.tokens["clin"]))
        async with conn:
            assert json.loads(await conn.recv())["type"] == "snapshot"
            for raw in raws:
                await conn.send(raw)
                while (frame := json.loads(await conn.recv()))["type"] != "error":
                    pass  # a hub event in between
                codes.append(frame["code"])
        return codes

    assert await answers(bad[:3]) == ["invalid_frame"] * 3
    assert await answers(bad[3:]) == ["invalid_frame"] * 3
    assert await answers([good]) == ["unknown_session"]
