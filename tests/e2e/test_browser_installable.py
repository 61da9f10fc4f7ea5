"""esibook installs on a phone: every page links a web app manifest with icons, and a service worker keeps the
book, the HI card and the contribution history readable without a connection once they have been opened (and
forgets them when the person logs out)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as BrowserError

from support.signed_in import sign_in

pytestmark = pytest.mark.browser

KEPT = ("/me/book", "/me/card", "/me/contributions")


@pytest.fixture
def phone_with_worker(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, service_workers="allow")
    yield context.new_page()
    context.close()


def test_the_manifest_and_its_icons_make_the_site_installable(phone, site):
    phone.goto(f"{site}/")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    manifest = phone.request.get(f"{site}{href}")
    assert manifest.ok and manifest.headers["content-type"].startswith("application/manifest+json")
    app = manifest.json()
    assert app["short_name"] == "Sổ BHXH" and app["start_url"] == "/me" and app["display"] == "standalone"
    sizes = {icon["sizes"] for icon in app["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in app["icons"]:
        answer = phone.request.get(f"{site}{icon['src']}")
        assert answer.ok and answer.headers["content-type"].startswith(icon["type"]), icon["src"]
    assert {s["url"] for s in app["shortcuts"]} == set(KEPT)


def test_the_book_card_and_contributions_read_offline_once_opened(phone_with_worker, site):
    page = phone_with_worker
    sign_in(page, site, "citizen-l2", "/me")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the page is now controlled by the worker, whose copies are made as pages are fetched
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    headings = {}
    for path in KEPT:
        page.goto(f"{site}{path}")
        headings[path] = page.locator("h1").first.inner_text()
    code = page.get_by_test_id("card-code").inner_text() if page.url.endswith("/me/card") else None

    page.context.set_offline(True)
    for path in KEPT:
        page.goto(f"{site}{path}")
        assert page.locator("h1").first.inner_text() == headings[path], f"{path} reads offline"
    page.goto(f"{site}/me/card")
    if code:
        assert page.get_by_test_id("card-code").inner_text() == code
    stale = page.locator("#qr-stale")
    stale.wait_for(state="visible")
    assert page.get_by_test_id("offline-card-qr").locator("svg").is_visible(), "offline, the offline QR is shown"
    assert not page.get_by_test_id("card-qr").is_visible(), "the one-time QR cannot be renewed offline"
    with pytest.raises(BrowserError, match="ERR_INTERNET_DISCONNECTED"):  # a page never opened is not kept
        page.goto(f"{site}/me/visits")

    page.context.set_offline(False)
    page.goto(f"{site}/me")
    page.locator("#menu summary").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{site}/")
    page.context.set_offline(True)
    with pytest.raises(BrowserError, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED"):  # logging out forgets them
        page.goto(f"{site}/me/book")
    page.context.set_offline(False)
