"""Rendering the server's pages: the templates in the request's language, and the staff pages' frame.

- `templates`: Starlette's `TemplateResponse`, rendered in the request's language (app/page_locale.py) with the
  language switch's links in the context. Every page of every route module renders through it.
- `staff_page`: a page for signed-in staff: who may see it (else a sign-in or access-denied notice), what it
  needs to act (its CSRF token, when its token expires, for silent renewal), and the renewal of a cookie past
  half its life on each visit.
- `signed_in`: the caller of a page, when its credential is good.

Route modules share these through this module; none imports another route module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from app.auth import Authenticated, Principal, TokenError, authenticate
from app.page_locale import page_locale, remember, switch_links
from app.security.csrf import FORM_PAGE_REFERRER_POLICY, session_token
from app.settings import Settings
from app.staff_session import due_for_renewal, renewed_token, set_token_cookie
from frontend.i18n import LOCALES, gettext_for
from frontend.templating import environment


class LocalizedTemplates:
    """Starlette's `TemplateResponse`, rendered by the environment of the request's locale, with the language
    switch's links in the context; an explicit `?lang=` choice is remembered in a cookie."""

    def __init__(self) -> None:
        self.by_locale = {locale: Jinja2Templates(env=environment(locale)) for locale in LOCALES}

    def TemplateResponse(  # noqa: N802 (the name and signature of Starlette's, which callers use)
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> HTMLResponse:
        locale = page_locale(request)
        page = {"lang_switch": switch_links(request, locale), **(context or {})}
        response = self.by_locale[locale].TemplateResponse(
            request, name, page, status_code=status_code, headers=headers, media_type=media_type, background=background
        )
        remember(request, response)
        return response


templates = LocalizedTemplates()


async def signed_in(request: Request) -> Authenticated | None:
    """The caller when its credential is good (account checked); None otherwise."""
    try:
        return await authenticate(request.scope)
    except TokenError:
        return None


async def staff_page(
    request: Request,
    template: str,
    roles: tuple[str, ...],
    context: dict[str, Any],
    build: Callable[[Principal], dict[str, Any]] | None = None,
) -> HTMLResponse:
    """A page for signed-in staff with one of `roles` (`build`, run in a worker thread, adds what only they may
    see); else a sign-in notice (401) or an access-denied one (403). Pages are in the request's language
    (app/page_locale.py): the context's `title` is an English msgid, shown translated; `build` translates what
    it makes."""
    _ = gettext_for(page_locale(request))
    found = await signed_in(request)
    principal = found.principal if found else None
    if found is None or principal is None or principal.role not in roles:
        reason, code = (
            ("signin", status.HTTP_401_UNAUTHORIZED) if principal is None else ("role", status.HTTP_403_FORBIDDEN)
        )
        return templates.TemplateResponse(
            request,
            "signin.html",
            {
                "title": _("Sign-in required") if principal is None else _("Access denied"),
                "roles": roles,
                "reason": reason,
                "principal": principal,
            },
            status_code=code,
        )
    settings: Settings = request.app.state.settings
    extra = await asyncio.to_thread(build, principal) if build is not None else {}
    renewal = (
        renewed_token(settings, principal)
        if found.credential.ambient and due_for_renewal(settings, principal)
        else None
    )
    page = {
        **context,
        "title": _(title) if (title := context.get("title")) else "",
        **extra,
        "principal": principal,
        "csrf": session_token(settings.token_key_bytes, principal.sid) if principal.sid else None,
        "expires_at": renewal[1] if renewal else principal.expires_at,
        "token_ttl": settings.staff_token_ttl_s,
    }
    response = templates.TemplateResponse(request, template, page)
    response.headers["Referrer-Policy"] = FORM_PAGE_REFERRER_POLICY  # the sign-out form's POST carries its Origin
    if renewal is not None:
        set_token_cookie(response, request, *renewal)
    return response
