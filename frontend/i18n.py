"""The front ends' translations: gettext catalogues through Babel, one per locale, read from the committed `.po`.

`frontend/locale/messages.pot` is extracted from the templates, the JavaScript and the Python that builds pages
(`frontend/babel.cfg`); `frontend/locale/<locale>/LC_MESSAGES/messages.po` translates it. There is no committed
`.mo`: the first use of a locale compiles its `.po` in memory with Babel's own reader and writer (no network, no
build step), so what runs is always what the `.po` says. English is the source language: its catalogue is the
msgids themselves.

Strings are marked where they are written: `_()`/`{% trans %}` in templates, `_()`/`ngettext()` in the
JavaScript, `N_()` (marks, translates nothing) on Python data that a page translates when it shows it, and
`Message` for a sentence built in Python with values (its English stays a plain `str`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
LOCALES = ("en", "ja")
#: How each locale names itself (the language switch shows the other one's).
LOCALE_NAMES = {"en": "English", "ja": "日本語"}
WIDGET_SCRIPT = "widget.js"

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 (gettext's own name for "mark for extraction, translate later")
    """Marks `message` for extraction; a page translates it when it shows it."""
    return message


class Message(str):
    """A sentence built in Python with values: a plain `str` in English, and its msgid and values kept, so a page
    can show it in its own language (`translated`). Values that are Messages are translated too."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> Message:
        text = super().__new__(cls, msgid.format(**values) if values else msgid)
        text.msgid = msgid
        text.values = values
        return text

    def translated(self, gettext: Gettext) -> str:
        values = {k: v.translated(gettext) if isinstance(v, Message) else v for k, v in self.values.items()}
        return gettext(self.msgid).format(**values) if values else gettext(self.msgid)


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(locale: str) -> Catalog | None:
    """The locale's `.po` as Babel reads it; None for the source language."""
    if locale == DEFAULT_LOCALE:
        return None
    with po_path(locale).open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


@cache
def translations(locale: str) -> NullTranslations:
    """gettext translations for `locale`, compiled from its `.po` in memory on first use (fuzzy entries are
    left out, as `msgfmt` leaves them out)."""
    if locale not in LOCALES:
        raise ValueError(f"no catalogue for locale {locale!r}; have {', '.join(LOCALES)}")
    found = catalog(locale)
    if found is None:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, found, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_for(locale: str) -> Gettext:
    return translations(locale).gettext


@cache
def script_messages(locale: str, *, widget: bool) -> Mapping[str, str | list[str]]:
    """The translated messages of the JavaScript, for the browser: the widget's own (`widget.js`), or the staff
    pages' (every other script). A plural message maps to its forms. Empty for the source language."""
    found = catalog(locale)
    if found is None:
        return {}
    messages: dict[str, str | list[str]] = {}
    for message in found:
        if not message.id or message.fuzzy or not message.string:
            continue
        scripts = {Path(path).name for path, _ in message.locations if path.endswith(".js")}
        wanted = WIDGET_SCRIPT in scripts if widget else bool(scripts - {WIDGET_SCRIPT})
        if not wanted:
            continue
        if isinstance(message.id, str):
            messages[message.id] = str(message.string)
        else:  # a plural: its forms, for the browser's ngettext
            messages[message.id[0]] = [str(form) for form in message.string]
    return messages


_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def supported(tag: str | None) -> str | None:
    """The locale a language tag names (`ja`, `ja-JP`, `EN_us`), when it is one of ours."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    found = negotiate_locale([tag.strip().replace("_", "-")], LOCALES, sep="-", aliases={})
    return found.lower() if found else None


def from_accept_language(header: str | None) -> str | None:
    """The best of our locales for an Accept-Language header (highest q first, ties in the header's order)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, index, tag))
    return first_supported(tag for _, _, tag in sorted(ranked))


def first_supported(tags: Iterable[str | None]) -> str | None:
    for tag in tags:
        found = supported(tag)
        if found:
            return found
    return None
