"""Real app on loopback, a clinic's host page on another loopback origin, and Debian's chromium via Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.auth import Role
from app.users import UserStore
from tests.security.helpers import PASSWORD, sign_in
from tests.support.servers import REPO, AppProcess, free_port, running_app, serve_in_thread
from tests.support.services import unavailable

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Riverside Family Clinic</title>
<style>
  body {{ margin: 0; font: 17px/1.6 Georgia, serif; color: #222; background: #fbfaf7; }}
  header {{ background: #27466d; color: #fff; padding: 1.2rem 2rem; }}
  main {{ max-width: 44rem; padding: 1rem 2rem 6rem; }}
  button {{ font: inherit; }}
</style></head>
<body>
  <header><h1>Riverside Family Clinic</h1></header>
  <main><h2>Opening hours</h2><p>Monday to Friday, 8am to 6pm. Saturday 9am to noon.</p>
  <p>Not sure whether you need an appointment? Ask our assistant, bottom right.</p>
  <a href="#top">Back to top</a></main>
  <script src="{app}/static/widget.js" data-title="Riverside assistant" data-primary-color="#27466d"
          data-emergency-number="911" data-allowed-origins="{origin}"></script>
</body></html>
"""


#: The same clinic's Japanese page (`/ja`): a Japanese document, the widget with data-lang="ja" and no number of
#: its own (the widget shows Japan's 119 until the server's session frame names the number).
HOST_PAGE_JA = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>リバーサイド・ファミリークリニック</title></head>
<body>
  <header><h1>リバーサイド・ファミリークリニック</h1></header>
  <main><h2>診療時間</h2><p>月曜日〜金曜日 8:00〜18:00、土曜日 9:00〜12:00</p>
  <p>受診すべきか迷ったら、右下のアシスタントにご相談ください。</p></main>
  <script src="{app}/static/widget.js" data-lang="ja" data-allowed-origins="{origin}"></script>
</body></html>
"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():  # skips on a laptop without it; fails in CI, where .ci/run installs it
        unavailable("Debian's chromium is not installed", fix="sudo apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="package")  # the sync API keeps an event loop running: close it before async tests elsewhere
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def clinic_port() -> int:
    return free_port()


#: Every browser test signs its staff in from 127.0.0.1: one address for a whole clinic's staff, as behind a clinic's
#: NAT at a change of shift, so the sign-in burst is raised as such a clinic would raise it (the throttle itself is
#: tested in tests/security/test_limits.py with the defaults).
ONE_ADDRESS_CLINIC = {"TRIAGE_SIGN_IN_BURST": "200"}


def clinic_env(port: int) -> dict[str, str]:
    """The app lets the clinic's site open the chat socket (a foreign Origin is refused otherwise)."""
    return {"TRIAGE_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}", **ONE_ADDRESS_CLINIC}


@pytest.fixture(scope="session")
def triage_app(tmp_path_factory, chromium_path, clinic_port) -> Iterator[AppProcess]:
    with running_app(tmp_path_factory.mktemp("browser-app"), clinic_env(clinic_port)) as app:
        yield app


def host_page_app(app_url: str, origin: str) -> Starlette:
    async def page(request):
        return HTMLResponse(HOST_PAGE.format(app=app_url, origin=origin))

    async def japanese_page(request):
        return HTMLResponse(HOST_PAGE_JA.format(app=app_url, origin=origin))

    return Starlette(routes=[Route("/", page), Route("/ja", japanese_page)])


@pytest.fixture(scope="session")
def clinic_site(triage_app, clinic_port) -> Iterator[str]:
    """The clinic's own website: a different loopback origin that embeds the widget with one script tag."""
    with serve_in_thread(host_page_app(triage_app.http, f"http://127.0.0.1:{clinic_port}"), port=clinic_port) as url:
        yield url


def staff_token(app: AppProcess, subject: str, role: Role) -> str:
    """A real sign-in (staff tokens are honoured only for a live account): the account is made on first use."""
    store = UserStore(f"sqlite:///{app.data_dir / 'triage.db'}")
    store.create_schema()
    if store.get(subject) is None:
        store.create(subject, role, PASSWORD)
    store.engine.dispose()
    return sign_in(app.http, subject)


@pytest.fixture
def new_context(browser):
    """Fresh browser contexts (separate cookies and storage: separate people), closed after the test."""
    contexts = []

    def make(viewport: dict = DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def staff_context(new_context, triage_app):
    """A context signed in as staff: the `triage_token` cookie on the app's origin."""

    def make(subject: str, role: Role, viewport: dict = DESKTOP):
        context = new_context(viewport, accept_downloads=True)
        context.add_cookies(
            [
                {
                    "name": "triage_token",
                    "value": staff_token(triage_app, subject, role),
                    "url": triage_app.http,
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
        return context

    return make


@pytest.fixture
def patient_page(new_context, clinic_site):
    """A patient on the clinic's website, the widget's button ready."""

    def make(viewport: dict = DESKTOP):
        page = new_context(viewport).new_page()
        page.goto(clinic_site)
        page.locator(".tw-launcher").wait_for()
        return page

    return make
