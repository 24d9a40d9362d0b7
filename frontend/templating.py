"""One jinja2 environment per locale: the i18n extension with that locale's Babel translations (new-style
gettext: `_("... %(name)s", name=...)`, `{% trans %}`), and Babel's formatting of dates and numbers as filters.

    {{ _("Staff accounts") }}             {{ row.recorded_at | datetime }}      {{ max_chars | decimal }}

English keeps the forms the pages have always shown (`2026-12-04 15:04:05`, `4,000`); Japanese gets Babel's
(`2026/12/04 15:04:05`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2
from babel.dates import format_datetime
from babel.numbers import format_decimal

from frontend import TEMPLATES_DIR
from frontend.i18n import LOCALE_NAMES, script_messages, translations

#: Date-time patterns per locale (CLDR); a locale not named here gets Babel's "medium" form.
DATETIME_FORMATS = {"en": "yyyy-MM-dd HH:mm:ss"}
#: Whole milliseconds, no grouping: the audit review's latency columns in every locale.
MILLISECONDS = "0"


def datetime_filter(locale: str) -> Any:
    def formatted(value: datetime | None, form: str | None = None) -> str:
        if value is None:
            return ""
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        pattern = form or DATETIME_FORMATS.get(locale, "medium")
        return format_datetime(moment, pattern, tzinfo=UTC, locale=locale)

    return formatted


def decimal_filter(locale: str) -> Any:
    def formatted(value: float | int | None, form: str | None = None) -> str:
        return "" if value is None else format_decimal(value, form, locale=locale)

    return formatted


@cache
def environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} paragraph is one line in the catalogue
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = datetime_filter(locale)
    env.filters["decimal"] = decimal_filter(locale)
    env.filters["ms"] = lambda value: decimal_filter(locale)(None if value is None else round(value), MILLISECONDS)
    env.globals["locale"] = locale
    env.globals["locale_names"] = LOCALE_NAMES
    env.globals["script_messages"] = dict(script_messages(locale, widget=False))
    return env
