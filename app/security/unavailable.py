"""503 for staff when the database does not answer: a clear JSON error for programs, a clear page for people.

Staff access fails closed: a staff token is honoured only after its account has been checked (app/accounts.py),
and a sign-in only after its password has, so while the accounts database is down every staff request that needs
one is answered `503 Service Unavailable` with `Retry-After`, never a bare 500:
  {"error": "accounts_unavailable", "detail": "...", "message": "..."}   (`database_unavailable` when another read failed;
  `detail` is English, for programs; `message` the same in the request's language, for a person)
A clinician's view of one live session, or a takeover, while a worker's link to its master reconnects (app/hub.py
`HubUnavailable`) is answered the same way with `hub_unavailable`.
Pages (a browser asking for HTML outside /api/) get the same message as a page. The patient chat needs no account
and keeps working; its audit records wait in the spool (README, "What survives a fault").
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.accounts import AccountsUnavailable
from app.hub import HubUnavailable
from frontend.i18n import N_, translations

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5
#: Database errors that mean "not answering" (connection refused or lost, pool exhausted), not a bug in a query.
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
#: English msgids: the JSON `detail` is English for programs; the page shows them in the request's language.
MESSAGES = {
    "accounts_unavailable": N_(
        "Staff accounts cannot be checked right now: the database is not answering. "
        "Try again in a few seconds. Patient chat is not affected."
    ),
    "hub_unavailable": N_(
        "The live sessions cannot be reached for a moment while this server reconnects its parts. "
        "Try again in a few seconds. Patient chat is not affected."
    ),
    "database_unavailable": N_(
        "The database is not answering, so this cannot be shown right now. "
        "Try again in a few seconds. Patient chat is not affected."
    ),
}


def install(app: FastAPI) -> None:
    app.add_exception_handler(AccountsUnavailable, _accounts_unavailable)
    app.add_exception_handler(HubUnavailable, _hub_unavailable)
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, _database_unavailable)


async def _accounts_unavailable(request: Request, exc: Exception) -> Response:
    return unavailable(request, "accounts_unavailable")


async def _hub_unavailable(request: Request, exc: Exception) -> Response:
    return unavailable(request, "hub_unavailable")


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    # A sign-in is the accounts database's too (app/users.py reads the password hash there).
    code = "accounts_unavailable" if request.url.path in ("/login", "/api/login") else "database_unavailable"
    return unavailable(request, code)


def unavailable(request: Request, code: str) -> Response:
    log.warning(
        "staff request refused: a part it needs is not answering", extra={"route": request.url.path, "code": code}
    )
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    from app.page_locale import page_locale

    gettext = translations(page_locale(request)).gettext
    if wants_page(request):
        from app.page_rendering import templates

        return templates.TemplateResponse(
            request,
            "unavailable.html",
            {"title": gettext(N_("Temporarily unavailable")), "message": gettext(MESSAGES[code])},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers=headers,
        )
    return JSONResponse(
        {"error": code, "detail": MESSAGES[code], "message": gettext(MESSAGES[code])},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers=headers,
    )


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")
