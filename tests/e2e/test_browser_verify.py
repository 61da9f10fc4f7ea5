"""The verifier page on a phone, in both languages: a verdict read at a glance (a coloured band and a large word),
who signed and when in Vietnam's time, what the document shows under labels (never raw keys or codes) and where
the book is in the transparency log."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from test_browser_every_page import axe_source, check_page

from esibook.trust import jws
from support.signed_in import sign_in

pytestmark = pytest.mark.browser

RAW_KEYS = ("book_id", "issued_at", "one_time", "female", "male", "civil", "expires_at", "card_code", "date_of_birth")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def signed_book_and_card(browser, site) -> tuple[str, str, dict]:
    citizen = browser.new_context().new_page()
    sign_in(citizen, site, "citizen-l2", "/me")
    bundle = citizen.request.get(f"{site}/api/v1/me/book").json()
    card = citizen.request.get(f"{site}/api/v1/me/card/qr?one_time=true").json()["payload"]
    citizen.context.close()
    return json.dumps(bundle), card, jws.parts(bundle["document"])[1]


def check(phone, site, text: str, lang: str) -> None:
    phone.goto(f"{site}/verify?lang={lang}")
    phone.locator("#text").fill(text)
    phone.locator("form.form button[type=submit]").click()
    phone.get_by_test_id("verdict").wait_for()


def shown(phone) -> dict[str, str]:
    shows = phone.get_by_test_id("shows")
    labels, values = shows.locator("dt").all_inner_texts(), shows.locator("dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


@pytest.mark.parametrize(
    ("lang", "word", "signer", "labels", "log"),
    [
        ("vi", "Hợp lệ", "Ký bởi Bảo hiểm xã hội Việt Nam", ("Số sổ", "Họ và tên", "Thời điểm ký"),
         "Đã ghi vào nhật ký ở vị trí"),
        ("en", "Valid", "Signed by Vietnam Social Security", ("Book number", "Full name", "Signed at"),
         "Logged at index"),
    ],
)
def test_a_valid_book_reads_at_a_glance_with_signer_time_labels_and_log(browser, phone, site, lang, word, signer,
                                                                         labels, log):
    bundle, _, book = signed_book_and_card(browser, site)
    check(phone, site, bundle, lang)
    verdict = phone.get_by_test_id("verdict")
    assert "good" in verdict.get_attribute("class")
    assert phone.get_by_test_id("verdict-word").inner_text() == word
    size = phone.get_by_test_id("verdict-word").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 28, "the verdict is a large word, not a small bold one"
    colour = phone.get_by_test_id("verdict-word").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(10, 122, 50)", "a valid document reads green"

    issued = datetime.fromisoformat(book["issued_at"]).astimezone(VIETNAM)
    stamp = issued.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    signed = phone.get_by_test_id("signed").inner_text()
    assert signer in signed and stamp in signed, "who signed, and when in Vietnam's time"
    rows = shown(phone)
    for label in labels:
        assert label in rows
    assert rows[labels[0]] == book["book_id"]
    assert not set(RAW_KEYS) & (set(rows) | set(rows.values())) and "_" not in "".join(rows), rows
    assert "+00:00" not in verdict.inner_text() and "T" not in rows[labels[2]]
    assert re.search(rf"{log} \d+ (trên|of) [\d.,]+", phone.get_by_test_id("logged").inner_text())
    assert check_page(phone, axe_source()) == [], "fits the phone, no serious accessibility problem"


@pytest.mark.parametrize(
    ("lang", "sex", "kind", "qr_kind"),
    [
        ("vi", "Giới tính", "Mã QR thẻ bảo hiểm y tế", "Dùng một lần"),
        ("en", "Sex", "Health insurance card QR", "One-time"),
    ],
)
def test_a_card_qr_shows_its_content_under_labels_and_a_changed_one_reads_red(browser, phone, site, lang, sex, kind,
                                                                               qr_kind):
    before = datetime.now(VIETNAM)
    _, card, _ = signed_book_and_card(browser, site)
    after = datetime.now(VIETNAM)
    check(phone, site, card, lang)
    assert phone.get_by_test_id("verdict-kind").inner_text() == kind
    signed = phone.get_by_test_id("signed").inner_text()
    signer = "Bảo hiểm xã hội Việt Nam" if lang == "vi" else "Vietnam Social Security"
    stamps = {moment.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M") for moment in (before, after)}
    assert signer in signed and any(stamp in signed for stamp in stamps), "who signed the card's QR, and when"
    rows = shown(phone)
    assert rows[sex] in (("Nam", "Nữ") if lang == "vi" else ("Male", "Female"))
    assert any(value.startswith(qr_kind) for value in rows.values())
    assert not set(RAW_KEYS) & (set(rows) | set(rows.values())) and "_" not in "".join(rows), rows

    check(phone, site, card[:-4] + "ABCD", lang)
    assert "bad" in phone.get_by_test_id("verdict").get_attribute("class")
    colour = phone.get_by_test_id("verdict-word").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(179, 38, 30)", "a changed document reads red"
    advice = phone.get_by_test_id("verdict-advice").inner_text()
    assert advice.startswith("Không chấp nhận" if lang == "vi" else "Do not accept it")
    assert check_page(phone, axe_source()) == []
