"""Server-rendered pages, in the request's language (app/page_locale.py), and the widget's strings per locale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from app.deps import SettingsDep
from app.page_locale import page_locale, remember, switch_links
from frontend.i18n import LOCALES, gettext_for, script_messages
from frontend.templating import environment

router = APIRouter(include_in_schema=False)

#: How long a browser may keep the widget's strings (they change only with a release).
WIDGET_MESSAGES_MAX_AGE_S = 3600


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


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    locale = page_locale(request)
    _ = gettext_for(locale)
    number = settings.emergency_number_ja if locale == "ja" else settings.emergency_number
    return templates.TemplateResponse(
        request, "index.html", {"title": _("Triage assistant"), "emergency_number": number}
    )


@router.get("/i18n/widget/{locale}.json")
async def widget_messages(locale: str) -> JSONResponse:
    """The patient widget's strings in `locale` (its `data-lang`), from the same catalogue as the pages. Any site
    may read them: the widget runs on the clinic's own origin."""
    if locale not in LOCALES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no catalogue for {locale!r}")
    return JSONResponse(
        {"locale": locale, "messages": script_messages(locale, widget=True)},
        headers={
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": f"public, max-age={WIDGET_MESSAGES_MAX_AGE_S}",
        },
    )
