"""The front ends in Japanese, in Chromium: a patient on a clinic's Japanese page (the widget with data-lang="ja")
sees Japanese words and, after an emergency message, the Japanese banner with 119; a compliance officer who
switches to Japanese sees the page, and what its script writes, in Japanese. axe-core checks both pages."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE
from tests.browser.widget_helpers import agree, send, wait_for_answer

pytestmark = pytest.mark.browser

CHEST_PAIN_JA = "父が急に胸がぎゅーっと痛いと言って、冷や汗をかいています。"
WIDGET_RULES = (  # as in the English widget's check (test_widget_in_use.py)
    "listitem",
    "landmark-no-duplicate-banner",
    "landmark-unique",
    "landmark-banner-is-top-level",
    "aria-allowed-role",
)


def test_the_japanese_widget_speaks_japanese_and_its_emergency_banner_names_119(new_context, clinic_site, screenshots):
    page = new_context(PHONE).new_page()
    page.goto(clinic_site + "/ja")
    launcher = page.locator(".tw-launcher")
    launcher.wait_for()
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.locator(".tw").get_attribute("lang") == "ja", "the widget says which language it is in"
    assert launcher.text_content().strip().endswith("健康相談アシスタント")

    launcher.click()
    page.locator(".tw-agree").wait_for()
    assert page.locator(".tw-agree").text_content() == "同意して始める"
    assert page.locator(".tw-consent-title").text_content() == "ご利用の前に"
    assert "診断ではありません" in page.locator(".tw-consent-text").text_content(), "the built-in notice, in Japanese"
    assert page.locator(".tw-disclaimer").text_content().startswith("このアシスタントは")
    assert_accessible(page, rules_absent=WIDGET_RULES)  # the consent step
    agree(page)
    assert page.locator("#tw-input").get_attribute("placeholder") == "症状や気になることを入力してください…"

    send(page, CHEST_PAIN_JA)
    wait_for_answer(page, 1)
    banner = page.locator(".tw-banner")
    assert banner.is_visible() and banner.get_attribute("role") == "alert"
    words = banner.text_content()
    assert words.startswith("緊急の可能性があります。"), words
    assert "今すぐ119番に電話して救急車を呼ぶか" in words and "新しい会話を始める" in words
    assert page.locator(".tw-call").get_attribute("href") == "tel:119", "the server's number for Japanese"
    assert page.locator(".tw-disposition").first.text_content() == "緊急：今すぐ救急車を呼んでください"
    assert "救急車（119番）" in page.locator(".tw-assistant .tw-body").last.text_content(), "answered in Japanese"
    assert page.locator(".tw-status").text_content() == "回答しました"

    page.locator("#tw-input").fill("あ" * 4100)  # past the limit: the count and the message, in Japanese
    assert page.locator(".tw-counter").text_content() == "4,100 / 4,000"
    assert (
        page.locator(".tw-field-msg").text_content()
        == "メッセージが100文字長すぎます。4,000文字以内に短くしてください。"
    )
    page.screenshot(path=screenshots / "widget-emergency-japanese.png")
    assert_accessible(page, rules_absent=WIDGET_RULES)  # the answer and the banner
    assert_accessible(page, include=".triage-widget-host", rules_absent=(*WIDGET_RULES, "region"))


def test_a_staff_page_switched_to_japanese_stays_japanese_and_its_script_speaks_japanese(
    staff_context, triage_app, screenshots
):
    page = staff_context("kansa", "compliance").new_page()
    page.goto(triage_app.http + "/compliance")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("a.lang-switch[lang=ja]").click()  # the explicit switch: ?lang=ja, kept in a cookie
    page.locator("h1", has_text="監査ログの確認").wait_for()
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.locator("#verify.ok").wait_for(timeout=20_000)
    assert page.locator("#verify-text").text_content().startswith("改ざんなし：")  # written by compliance.js

    page.goto(triage_app.http + "/clinician", wait_until="domcontentloaded")  # no ?lang= any more: the cookie
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.goto(triage_app.http + "/compliance")
    assert page.locator("#filter-kind option").first.text_content() == "判定と相談"
    page.screenshot(path=screenshots / "compliance-japanese.png", full_page=True)
    assert_accessible(page)

    page.locator("a.lang-switch[lang=en]").click()
    page.locator("h1", has_text="Compliance review").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
