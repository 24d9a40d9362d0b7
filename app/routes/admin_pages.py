"""Admin pages (role `admin`): staff accounts, and setting up the patient widget on a clinic's site.

- `/admin/accounts`: create, disable or enable an account, set a new password, change a role. The page calls
  `/api/users` (app/routes/users.py: the account functions of `triage users`, every change audited) with the
  page's CSRF token, as every staff page does.
- `/admin/widget`: the script tag for this deployment with its options, a live preview (`/admin/widget/preview`
  in a frame: the widget itself, on this service's own origin), and which origins the server lets embed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.page_rendering import staff_page
from app.users import MIN_PASSWORD_CHARS, STAFF_ROLES
from frontend.i18n import N_

router = APIRouter(include_in_schema=False)

ADMIN_ROLES = ("admin",)


@dataclass(frozen=True)
class WidgetOption:
    """One `data-` attribute of the widget's script tag (frontend/README.md documents them all). The label, the
    help and the choices' names are English msgids: the page shows them translated."""

    name: str
    label: str
    default: str
    help: str
    kind: str = "text"  # text, color, select, checkbox, textarea
    choices: tuple[str, ...] = ()
    max_chars: int = 200
    choice_names: Mapping[str, str] = field(default_factory=dict)


WIDGET_OPTIONS: tuple[WidgetOption, ...] = (
    WidgetOption(
        "title", N_("Title"), "Health assistant", N_("The button's label and the panel's heading."), max_chars=60
    ),
    WidgetOption(
        "lang",
        N_("Language"),
        "en",
        N_(
            "The widget's own words (buttons, notices, the emergency banner with that country's number); "
            "the answers come in it too. Title, greeting and disclaimer left at their defaults follow it."
        ),
        kind="select",
        choices=("en", "ja"),
        choice_names={"en": N_("English"), "ja": N_("Japanese")},
    ),
    WidgetOption(
        "primary-color",
        N_("Colour"),
        "#0b5cad",
        N_("Button, header and the patient's bubbles; dark enough for white text (4.5:1)."),
        kind="color",
    ),
    WidgetOption(
        "position",
        N_("Corner"),
        "right",
        N_("Bottom corner of the page."),
        kind="select",
        choices=("right", "left"),
        choice_names={"right": N_("right"), "left": N_("left")},
    ),
    WidgetOption(
        "greeting",
        N_("Greeting"),
        "Hello. Tell me what is bothering you and I will suggest what to do next.",
        N_("The first bubble."),
        kind="textarea",
        max_chars=300,
    ),
    WidgetOption(
        "disclaimer",
        N_("Disclaimer"),
        "This assistant gives general guidance, not a diagnosis. It does not replace a doctor.",
        N_("The line under the header."),
        kind="textarea",
        max_chars=300,
    ),
    WidgetOption(
        "open", N_("Open on page load"), "false", N_("Opens the panel as soon as the page loads."), kind="checkbox"
    ),
    WidgetOption(
        "allowed-origins",
        N_("Clinic site origins"),
        "",
        N_(
            "Comma-separated origins (https://www.example.org) where the widget may appear; elsewhere it shows "
            "as unavailable. Leave empty for any."
        ),
        max_chars=500,
    ),
)
#: Options the preview frame takes from the form (not allowed-origins: the preview runs on this service's origin).
PREVIEW_OPTIONS = tuple(o for o in WIDGET_OPTIONS if o.name != "allowed-origins")


def widget_values(query: Any) -> dict[str, str]:
    """The options as typed (cut to their limits); a colour that is not #rrggbb falls back to the default."""
    values = {}
    for option in WIDGET_OPTIONS:
        value = " ".join(str(query.get(option.name, option.default)).split())[: option.max_chars]
        if option.kind == "color" and not _is_hex_colour(value):
            value = option.default
        if option.kind in ("select", "checkbox"):
            allowed = option.choices or ("true", "false")
            value = value if value in allowed else option.default
        values[option.name] = value
    return values


def script_tag(base: str, values: dict[str, str], emergency_number: str) -> str:
    """The tag to paste: only options that differ from the widget's defaults, and the emergency number the
    widget shows if this service cannot be reached (the server's own, sent to the widget, wins otherwise)."""
    attributes = [f'src="{base}/static/widget.js"']
    for option in WIDGET_OPTIONS:
        value = values.get(option.name, option.default)
        if value != option.default:
            attributes.append(f'data-{option.name}="{_attribute(value)}"')
    attributes.append(f'data-emergency-number="{_attribute(emergency_number)}"')
    return "<script " + "\n        ".join(attributes) + "></script>"


@router.get("/admin/accounts", response_class=HTMLResponse)
async def accounts_page(request: Request) -> HTMLResponse:
    context = {
        "title": N_("Staff accounts"),
        "active": "accounts",
        "roles": STAFF_ROLES,
        "min_password": MIN_PASSWORD_CHARS,
    }
    return await staff_page(request, "admin_accounts.html", ADMIN_ROLES, context)


@router.get("/admin/widget", response_class=HTMLResponse)
async def widget_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    base = str(request.base_url).rstrip("/")
    values = widget_values(request.query_params)
    context = {
        "title": N_("Widget set-up"),
        "active": "widget",
        "options": WIDGET_OPTIONS,
        "values": values,
        "base": base,
        "snippet": script_tag(base, values, emergency_number_for(settings, values["lang"])),
        "allowed_origins": settings.allowed_origins,
        "emergency_number": settings.emergency_number,
        "emergency_number_ja": settings.emergency_number_ja,
        "max_chars": settings.max_message_chars,
        "privacy_notice": settings.privacy_notice,
        "privacy_notice_ja": settings.privacy_notice_ja,
        "privacy_url": settings.privacy_url,
        "preview_src": "/admin/widget/preview?" + urlencode({o.name: values[o.name] for o in PREVIEW_OPTIONS}),
        "missing_origins": not_allowed(values["allowed-origins"], [base, *settings.allowed_origins]),
    }
    return await staff_page(request, "admin_widget.html", ADMIN_ROLES, context)


@router.get("/admin/widget/preview", response_class=HTMLResponse)
async def widget_preview(request: Request) -> HTMLResponse:
    """A stand-in clinic page with the widget as the options make it (shown in the set-up page's frame)."""
    values = widget_values(request.query_params)
    context = {
        "title": N_("Widget preview"),
        # Only what differs from the widget's own defaults: those follow the widget's language.
        "values": {o.name: values[o.name] for o in PREVIEW_OPTIONS if values[o.name] != o.default},
        "emergency_number": emergency_number_for(request.app.state.settings, values["lang"]),
    }
    return await staff_page(request, "admin_widget_preview.html", ADMIN_ROLES, context)


def emergency_number_for(settings: Any, lang: str) -> str:
    """The number the widget in `lang` shows (the server sends the same one in its `emergency_numbers`)."""
    return str(settings.emergency_number_ja if lang == "ja" else settings.emergency_number)


def not_allowed(typed: str, allowed: list[str]) -> list[str]:
    """The typed origins the server would refuse (the widget there shows as unavailable)."""
    return [o for o in (t.strip().rstrip("/") for t in typed.split(",")) if o and o not in allowed]


def _is_hex_colour(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
