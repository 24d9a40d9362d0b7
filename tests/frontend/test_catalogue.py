"""The front ends' gettext catalogue (frontend/locale): the committed template matches the sources, every message
has a Japanese translation that keeps its placeholders and markup, and the catalogue compiles and serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Message as CatalogMessage
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.settings import Settings
from frontend.i18n import (
    LOCALE_DIR,
    Message,
    from_accept_language,
    po_path,
    script_messages,
    supported,
    translations,
)

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDERS = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
TAGS = re.compile(r"</?[a-z]+[^>]*>")
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")  # kana, kanji, Japanese punctuation


def template() -> list[CatalogMessage]:
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        return [m for m in read_po(pot) if m.id]


def japanese() -> dict[str, CatalogMessage]:
    with po_path("ja").open("rb") as po:
        catalog = read_po(po, locale="ja")
    return {key(m): m for m in catalog if m.id}


def key(message: CatalogMessage) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def forms(message: CatalogMessage) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_the_committed_template_holds_exactly_what_the_sources_mark():
    with (REPO / "frontend" / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(REPO, method_map, options_map)
    }
    committed = {key(m) for m in template()}
    assert found - committed == set(), "new strings: run the extract and update steps (frontend/README.md)"
    assert committed - found == set(), "strings no longer in the sources: run the extract and update steps"


def test_every_message_has_a_japanese_translation_with_its_placeholders_and_markup():
    ja = japanese()
    assert {key(m) for m in template()} == set(ja), "the ja catalogue is out of step with messages.pot"
    for msgid, message in ja.items():
        assert not message.fuzzy, f"fuzzy: {msgid!r}"
        sources = [msgid] if isinstance(message.id, str) else list(message.id)
        wanted = sorted(set(PLACEHOLDERS.findall(" ".join(sources))))
        markup = sorted(TAGS.findall(msgid))
        for text in forms(message):
            assert text.strip(), f"untranslated: {msgid!r}"
            assert JAPANESE.search(text), f"not Japanese: {msgid!r} -> {text!r}"
            assert sorted(set(PLACEHOLDERS.findall(text))) == wanted, f"placeholders differ: {msgid!r} -> {text!r}"
            assert sorted(TAGS.findall(text)) == markup, f"markup differs: {msgid!r} -> {text!r}"


def test_the_catalogue_compiles_from_the_po_and_english_is_the_msgids_themselves():
    ja = translations("ja")
    assert ja.gettext("Sign in") == "ログイン"
    assert ja.gettext("Emergency: call an ambulance") == "緊急：救急車を呼んでください"
    one, many = (
        "Not allowed by this service: %(origins)s. There the widget would show as unavailable; add it to "
        "TRIAGE_ALLOWED_ORIGINS and restart.",
        "Not allowed by this service: %(origins)s. There the widget would show as unavailable; add them to "
        "TRIAGE_ALLOWED_ORIGINS and restart.",
    )
    assert ja.ngettext(one, many, 1) == ja.ngettext(one, many, 2)  # Japanese has one form
    assert ja.ngettext(one, many, 2).startswith("このサービスでは許可されていません")
    assert translations("en").gettext("Sign in") == "Sign in"
    with pytest.raises(ValueError, match="no catalogue"):
        translations("fr")


def test_the_emergency_words_name_119_and_the_ambulance():
    ja = translations("ja").gettext
    banner = ja(
        "{emergency} Call {number} now, or go to the nearest emergency department. Do not wait for a reply here."
    )
    assert "{number}番に電話して救急車を呼ぶか" in banner
    assert ja("Emergency: call an ambulance now") == "緊急：今すぐ救急車を呼んでください"
    assert "{number}番" in ja("{unavailable} If this may be an emergency, call {number} now.")


def test_the_widget_gets_its_own_messages_and_the_staff_pages_theirs():
    widget, staff = script_messages("ja", widget=True), script_messages("ja", widget=False)
    assert widget["This may be an emergency."] == "緊急の可能性があります。"
    assert widget["Your message is {over} character too long. Please shorten it to {max} characters or fewer."] == [
        "メッセージが{over}文字長すぎます。{max}文字以内に短くしてください。"
    ]
    assert "Take over" not in widget and "Live" not in widget, "nothing of the staff pages goes to clinics' sites"
    assert staff["Live"] == "オンライン" and "This may be an emergency." not in staff
    assert script_messages("en", widget=True) == {} and script_messages("en", widget=False) == {}


def test_the_service_s_built_in_privacy_notice_is_in_the_widget_s_catalogue():
    notice = " ".join(Settings(_env_file=None).privacy_notice.split())  # as the session frame sends it
    assert script_messages("ja", widget=True).get(notice, "").startswith("このアシスタントは一般的な目安")


def test_a_message_built_in_python_is_english_as_a_string_and_translates_with_its_values():
    field = Message("From")
    problem = Message(
        "The {field} date “{typed}” is not a date this page can read; write it as YYYY-MM-DD "
        "(for example {example}). It was not applied.",
        field=field,
        typed="bad",
        example="2026-12-04",
    )
    assert problem.startswith("The From date “bad”")
    assert problem.translated(translations("ja").gettext).startswith("開始日の「bad」は日付として読み取れません。")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
        ("en-GB,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,ja;q=0.5", "ja"),
        ("en;q=0.4, ja;q=0.9", "ja"),
        ("ja;q=0, en", "en"),
        ("de, fr", None),
        ("", None),
        ("*", None),
    ],
)
def test_the_browser_s_languages_choose_a_locale(header, locale):
    assert from_accept_language(header) == locale


def test_only_our_locales_are_supported_tags():
    assert [supported(t) for t in ("ja", "JA-jp", "ja_JP", "en-US", "fr", "", None, "ja<script>")] == [
        "ja",
        "ja",
        "ja",
        "en",
        None,
        None,
        None,
        None,
    ]
