"""The public pages (`/`), in the request's language (app/page_locale.py), and the widget's strings per locale."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse

from app.deps import SettingsDep
from app.page_locale import page_locale
from app.page_rendering import templates
from frontend.i18n import LOCALES, gettext_for, script_messages

router = APIRouter(include_in_schema=False)

#: How long a browser may keep the widget's strings (they change only with a release).
WIDGET_MESSAGES_MAX_AGE_S = 3600


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
