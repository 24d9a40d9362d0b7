"""The staff pages, the sign-in page and the widget's strings over the real app, in Japanese and in English: the
browser's Accept-Language, the explicit switch (`?lang=`, then its cookie), dates and numbers per locale."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest

from tests.security.helpers import make_staff, sign_in
from tests.support.chat_client import ask, open_chat
from tests.support.servers import running_app

pytestmark = pytest.mark.integration

JA = {"accept-language": "ja-JP,ja;q=0.9,en;q=0.6", "accept": "text/html"}
EN = {"accept-language": "en-GB,en;q=0.9", "accept": "text/html"}
ISO_TIME = re.compile(r"<td>(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})</td>")
JA_TIME = re.compile(r"<td>(\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2})</td>")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("localized")
    make_staff(data_dir)
    with running_app(data_dir, {"TRIAGE_STAFF_TOKEN_TTL_S": "3600"}) as running:

        async def one_turn() -> None:
            conn, _ = await open_chat(running.ws)
            async with conn:
                await ask(conn, "I have had a mild sore throat since yesterday")

        asyncio.run(one_turn())
        running.tokens = {name: sign_in(running.http, name) for name in ("comp", "root")}
        yield running


def staff(app, name: str) -> httpx.Client:
    return httpx.Client(base_url=app.http, cookies={"triage_token": app.tokens[name]}, timeout=30)


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([a-z]+)">', page).group(1)


def script_messages(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="i18n-messages">(.*?)</script>', page).group(1))


def test_the_compliance_page_follows_the_browser_language_with_dates_per_locale(app):
    with staff(app, "comp") as client:
        ja = client.get("/compliance", headers=JA)
        en = client.get("/compliance", headers=EN)
    assert ja.status_code == en.status_code == 200
    assert lang_of(ja.text) == "ja" and lang_of(en.text) == "en"
    assert "<h1>監査ログの確認</h1>" in ja.text and "<h1>Compliance review</h1>" in en.text
    assert "<title>監査ログの確認 · トリアージ</title>" in ja.text
    assert "患者のメッセージ" in ja.text and "Patient message" in en.text  # a row's event, as compliance_ui names it
    assert "判定の内訳" in ja.text and "判定別の件数" in ja.text  # the chart, its description included
    assert JA_TIME.search(ja.text) and not ISO_TIME.search(ja.text), "Babel's Japanese date and time"
    assert ISO_TIME.search(en.text) and not JA_TIME.search(en.text), "English keeps its ISO-like form"
    assert (
        script_messages(ja.text)["Intact: {checked} records checked."]
        == "改ざんなし：{checked}件の記録を確認しました。"
    )
    assert script_messages(en.text) == {}, "English pages carry no catalogue: their scripts' msgids are English"
    assert "Vary" in ja.headers and "Accept-Language" in ja.headers["vary"]


def test_the_switch_wins_over_the_browser_and_persists_in_a_cookie(app):
    with staff(app, "root") as client:
        switched = client.get("/admin/accounts?lang=ja", headers=EN)
        assert lang_of(switched.text) == "ja" and "<h1>スタッフアカウント</h1>" in switched.text
        cookie = switched.headers["set-cookie"]
        assert (
            cookie.startswith("triage_lang=ja;") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        )
        later = client.get("/clinician", headers=EN)  # the cookie, no query
        assert lang_of(later.text) == "ja" and "待機中の患者" in later.text
        assert '<a class="lang-switch" href="/clinician?lang=en" lang="en" hreflang="en">English</a>' in later.text
        back = client.get("/clinician?lang=en", headers=JA)
        assert lang_of(back.text) == "en" and "Waiting patients" in back.text
        assert back.headers["set-cookie"].startswith("triage_lang=en;")
        ignored = client.get("/clinician?lang=xx", headers=JA)
        assert lang_of(ignored.text) == "en", "an unknown language changes nothing; the cookie still says en"


def test_the_switch_keeps_the_page_s_own_query(app):
    with staff(app, "comp") as client:
        page = client.get("/compliance?urgency=em&order=oldest", headers=EN)
    link = re.search(r'<a class="lang-switch" href="([^"]+)"', page.text).group(1)
    assert link.startswith("/compliance?") and "urgency=em" in link and "order=oldest" in link and "lang=ja" in link


def test_the_compliance_filter_s_messages_and_names_are_translated(app):
    with staff(app, "comp") as client:
        ja = client.get("/compliance?since=bad&urgency=zz", headers=JA)
        en = client.get("/compliance?since=bad&urgency=zz", headers=EN)
    assert "「zz」という緊急度はありません。この条件は適用されていません。" in ja.text
    assert "開始日の「bad」は日付として読み取れません。" in ja.text
    assert "There is no urgency called “zz”; it was not applied." in en.text
    assert '<option value="consultation_24">24時間以内に受診</option>' in ja.text
    assert '<option value="consultation_24">Doctor within 24 h</option>' in en.text


def test_the_session_timeline_in_japanese(app):
    with staff(app, "comp") as client:
        listing = client.get("/compliance", headers=EN).text
        session = re.search(r'href="/compliance/sessions/([0-9a-f-]+)"', listing).group(1)
        ja = client.get(f"/compliance/sessions/{session}", headers=JA)
    assert ja.status_code == 200 and f"<title>セッション {session[:8]} · トリアージ</title>" in ja.text
    assert "<strong>患者のメッセージ</strong>（個人情報は伏せ字）" in ja.text
    assert re.search(r"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2}（UTC）", ja.text)
    assert "経路 " in ja.text and " · 完了</p>" in ja.text.replace("\n", " ").replace("  ", " ")


def test_the_widget_set_up_page_in_japanese_makes_a_japanese_widget_tag(app):
    with staff(app, "root") as client:
        page = client.get("/admin/widget?lang=ja&position=left", headers=EN)
    assert lang_of(page.text) == "ja" and "<h1>ウィジェットの設定</h1>" in page.text
    snippet = re.search(r'<code id="widget-snippet"[^>]*>(.*?)</code>', page.text, re.S).group(1)
    assert "data-lang=&#34;ja&#34;" in snippet and "data-emergency-number=&#34;119&#34;" in snippet
    assert "4,000文字" in page.text, "numbers grouped the Japanese way"
    assert '<option value="ja" selected>日本語</option>' in page.text


def test_sign_in_pages_in_japanese(app):
    with httpx.Client(base_url=app.http, timeout=30) as client:
        notice = client.get("/clinician", headers=JA)
        assert notice.status_code == 401 and "<h1>ログインが必要です</h1>" in notice.text
        form = client.get("/login", headers=JA)
        assert lang_of(form.text) == "ja" and "<h1>スタッフ用ログイン</h1>" in form.text
        assert "<script" not in form.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        wrong = client.post("/login", data={"username": "comp", "password": "not it", "csrf_token": token}, headers=JA)
        assert wrong.status_code == 401 and "ユーザー名またはパスワードが正しくありません。" in wrong.text
        english = client.get("/login", headers=EN)
        assert lang_of(english.text) == "en" and "<h1>Staff sign-in</h1>" in english.text


def test_the_widget_s_strings_are_served_per_locale_to_any_site(app):
    ja = httpx.get(app.http + "/i18n/widget/ja.json", headers={"Origin": "https://clinic.example"})
    assert ja.status_code == 200 and ja.headers["access-control-allow-origin"] == "*"
    body = ja.json()
    assert body["locale"] == "ja" and body["messages"]["This may be an emergency."] == "緊急の可能性があります。"
    assert "Waiting patients" not in body["messages"]
    assert httpx.get(app.http + "/i18n/widget/en.json").json() == {"locale": "en", "messages": {}}
    assert httpx.get(app.http + "/i18n/widget/fr.json").status_code == 404


def test_the_chat_page_in_japanese_names_119(app):
    page = httpx.get(app.http + "/", headers=JA)
    assert lang_of(page.text) == "ja" and 'data-emergency-number="119"' in page.text
    assert '<a href="tel:119">119</a>番に電話してください' in page.text
    english = httpx.get(app.http + "/", headers=EN)
    assert 'data-emergency-number="911"' in english.text and "In an emergency call" in english.text
