"""A link cannot put words on an official page: what a page shows after a form posted to it (an error, "saved",
the dossier filed, the status) comes from the form's handler, never from the URL. Otherwise
``/me/pension?error=Your+pension+is+suspended,+call+0900…`` would show an attacker's words in the page's red alert
box, on the real site, to a signed-in citizen (content injection, a phishing aid)."""

from __future__ import annotations

from esibook.app import served_routes

#: Parameters that carry a page's state after a form, and which no GET page may read from its URL.
PAGE_STATE = {"error", "created", "changed", "status_code", "message", "notice", "saved"}
#: The OpenID Connect callback's ``error`` is the provider's (RFC 6749), mapped to fixed words, never shown.
PROTOCOL = {("/auth/callback", "error")}
WORDS = "Tài khoản bị khóa, gọi 0900 123 456"


def test_no_page_reads_its_state_from_the_url(signed_app):
    readers = [(route.path, p.name) for route in served_routes(signed_app.app) if "GET" in route.methods
               for p in route.dependant.query_params if p.name in PAGE_STATE]
    assert [r for r in readers if r not in PROTOCOL] == []


def test_words_in_a_link_do_not_reach_the_page(signed_app, signed_identities, signed_bearer):
    citizen = signed_bearer(signed_identities["citizen-l2"].personal_id)
    officer = signed_bearer(signed_identities["officer-civil"].personal_id)
    pages = [("/me/pension", citizen), ("/me/benefit-payments", citizen), ("/me/payments", citizen),
             ("/me/services", citizen), ("/me/authorisations", citizen), ("/officer/pension-payouts", officer),
             ("/officer/queue?done=approve&code=CALL-0900-123-456", officer)]
    for path, headers in pages:
        joiner = "&" if "?" in path else "?"
        url = f"{path}{joiner}error={WORDS}&changed=true&created={WORDS}&status_code=500"
        page = signed_app.get(url, headers=headers)
        assert page.status_code == 200, (path, page.status_code)
        assert WORDS not in page.text and "0900" not in page.text, path
        assert 'data-testid="pension-changed"' not in page.text and 'data-testid="monthly-changed"' not in page.text


def test_a_banner_shows_a_dossier_code_from_a_redirect_and_nothing_else():
    from esibook.params import dossier_code_shown

    assert dossier_code_shown("HS20261206-000042") == "HS20261206-000042"
    assert [dossier_code_shown(t) for t in ("CALL-0900-123-456", "HS20261206-000042 gọi 0900", "", None)] == [
        None, None, None, None]
