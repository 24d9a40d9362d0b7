"""Which language a page is shown in, and the switch that changes it.

A page's locale is, first to last: the `?lang=` of this request (the switch's links), the `triage_lang` cookie
(what the switch chose before: it persists), the browser's Accept-Language, English. Staff accounts have no
language of their own, so the browser's choice stands for the account's. A `?lang=` that names one of ours sets
the cookie on the page that answers it (`remember`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.staff_session import secure_request
from frontend.i18n import DEFAULT_LOCALE, LOCALE_NAMES, LOCALES, from_accept_language, supported

LANG_PARAM = "lang"
LANG_COOKIE = "triage_lang"
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600


def page_locale(request: Request) -> str:
    """The request's locale (worked out once per request)."""
    chosen: str | None = getattr(request.state, "locale", None)
    if chosen is None:
        chosen = (
            supported(request.query_params.get(LANG_PARAM))
            or supported(request.cookies.get(LANG_COOKIE))
            or from_accept_language(request.headers.get("accept-language"))
            or DEFAULT_LOCALE
        )
        request.state.locale = chosen
    return chosen


def remember(request: Request, response: Response) -> None:
    """Keep an explicit choice (`?lang=`) for the next pages; the page itself varies with the headers it read."""
    asked = supported(request.query_params.get(LANG_PARAM))
    if asked and asked != request.cookies.get(LANG_COOKIE):
        response.set_cookie(
            LANG_COOKIE,
            asked,
            max_age=LANG_COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=secure_request(request),
            path="/",
        )
    response.headers.append("Vary", "Accept-Language, Cookie")


def switch_links(request: Request, locale: str) -> list[dict[str, Any]]:
    """Links to this same page (its query kept) in each other locale, named in their own language."""
    links = []
    for other in LOCALES:
        if other == locale:
            continue
        url = request.url.include_query_params(**{LANG_PARAM: other})
        links.append({"locale": other, "name": LOCALE_NAMES[other], "href": f"{url.path}?{url.query}"})
    return links
