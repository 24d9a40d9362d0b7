"""What the browser tests do with the embedded widget (it lives in an open shadow root, which locators pierce)."""

from __future__ import annotations

RECORD_ANSWER_GROWTH = """() => {
  const root = document.querySelector(".triage-widget-host").shadowRoot;
  window.__answerLengths = [];
  new MutationObserver(() => {
    const bodies = root.querySelectorAll(".tw-assistant .tw-body");
    const last = bodies[bodies.length - 1];
    if (last) window.__answerLengths.push(last.textContent.length);
  }).observe(root.querySelector(".tw-log"), { subtree: true, childList: true, characterData: true });
}"""

SESSION_ID = """() => {
  const key = Object.keys(sessionStorage).find((k) => k.startsWith("triage-widget:"));
  return key ? JSON.parse(sessionStorage.getItem(key)).sessionId : null;
}"""


def agree(page) -> None:
    """Through the privacy notice, when this session has not agreed to it yet (the message box shows after)."""
    page.locator("#tw-input:visible, .tw-agree:visible").first.wait_for()
    if page.locator(".tw-agree").is_visible():
        page.locator(".tw-agree").click()
        page.locator("#tw-input").wait_for(state="visible")


def send(page, text: str) -> None:
    agree(page)
    box = page.locator("#tw-input")
    box.fill(text)
    box.press("Enter")


def wait_for_answer(page, count: int, timeout: float = 60_000) -> None:
    """Until the `count`-th assistant answer is complete (its bubble no longer busy)."""
    page.locator('.tw-assistant[aria-busy="false"]').nth(count - 1).wait_for(timeout=timeout)


def session_id(page) -> str | None:
    return page.evaluate(SESSION_ID)
