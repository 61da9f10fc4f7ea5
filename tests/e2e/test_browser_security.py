"""With the Content-Security-Policy on, the pages' scripts still run in a real browser and nothing is blocked; and
a callback link from someone else's sign-in does not sign this browser in."""

from __future__ import annotations

import re

import httpx
import pytest

from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def watch_policy(page) -> list[str]:
    """What the browser reports as blocked by the page's policy."""
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return blocked


def test_the_menu_script_runs_on_a_wide_screen_and_nothing_is_blocked(browser, site):
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    blocked = watch_policy(page)
    for path in ("/", "/verify", "/login", "/identifiers", "/arrears"):
        page.goto(site + path)
        assert page.locator("#menu").evaluate("menu => menu.open"), f"menu.js opened the menu on {path}"
    assert blocked == []
    page.context.close()


def test_the_card_page_renews_its_one_time_qr_under_the_policy(phone, site):
    blocked = watch_policy(phone)
    with phone.expect_response(lambda r: r.url.endswith("/me/card/one-time.svg") and r.status == 200):
        sign_in(phone, site, "citizen-l2", "/me/card")
    phone.wait_for_function("document.querySelector('#one-time svg') !== null")
    assert blocked == []


def test_a_callback_link_from_someone_elses_sign_in_is_refused(browser, site, identities):
    attacker = httpx.Client(base_url=site)
    authorize = attacker.get("/auth/login?return_to=/me").headers["location"]
    picker = attacker.get(authorize).text

    form = re.search(r'<form method="post" action="/dev-idp/authorize">(.*?identity-officer-civil".*?)</form>',
                     picker, re.S).group(1).split("<li>")[-1]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    link = attacker.post("/dev-idp/authorize", data=fields).headers["location"]

    victim = browser.new_context().new_page()
    response = victim.goto(link)
    assert response.status == 401
    assert "trình duyệt khác" in victim.locator("main").inner_text()
    assert victim.get_by_test_id("login-link").is_visible(), "still signed out"
    assert identities["officer-civil"].name not in victim.content()
    victim.context.close()
