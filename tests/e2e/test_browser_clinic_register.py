"""An officer of Vietnam Social Security loads the national register of HI clinics on a phone: uploads the file,
reads the preview (what it adds and withdraws, or the rejected rows by line, in Vietnamese), confirms, and the
lookup finds the new clinic. The register built here lists every clinic of the shared site as it is (so nothing is
withdrawn for the other browser tests) plus one new facility."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_browser_every_page import axe_source, check_page
from test_browser_login import no_horizontal_scroll

from esibook.db import make_engine
from esibook.health.models import Clinic
from support.signed_in import sign_in

pytestmark = pytest.mark.browser

LEVEL_WORDS = {"central": "Trung ương", "province": "Tỉnh", "district": "Huyện", "commune": "Xã",
               "private": "Tư nhân"}
NEW_NAME = "Phòng khám Đa khoa Thử nghiệm Sổ điện tử"


def register_file(url: str) -> tuple[bytes, str]:
    with Session(make_engine(url)) as session:
        clinics = list(session.scalars(select(Clinic).order_by(Clinic.code)))
    taken = {c.code for c in clinics}
    new_code = next(f"01{n:03d}" for n in range(999, 0, -1) if f"01{n:03d}" not in taken)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["DANH SÁCH CƠ SỞ KCB BHYT"])
    writer.writerow(["STT", "Mã cơ sở KCB", "Tên cơ sở KCB", "Mã tỉnh", "Tuyến CMKT", "Địa chỉ", "Nhận thẻ ban đầu"])
    for n, c in enumerate(clinics, 1):
        writer.writerow([n, c.code, c.name, c.province_code, LEVEL_WORDS[c.level], c.address or "",
                         "Có" if c.accepts_initial_registration else "Không"])
    writer.writerow([len(clinics) + 1, new_code, NEW_NAME, "001", "Tư nhân", "1 Phố Huế, Hà Nội", "Có"])
    return out.getvalue().encode(), new_code


def test_an_officer_previews_then_imports_the_register_on_a_phone(phone, site, site_data, tmp_path):
    url, _, _ = site_data
    data, new_code = register_file(url)
    sign_in(phone, site, "officer-civil", "/officer/clinics/register?lang=vi")
    bad = data.replace(new_code.encode(), b"0X999")
    phone.get_by_test_id("register-file").set_input_files({"name": "loi.csv", "mimeType": "text/csv",
                                                           "buffer": bad})
    phone.get_by_label("Nguồn (tệp lấy từ đâu)").fill("BHXH Việt Nam (thử)")
    phone.get_by_test_id("register-preview-button").click()
    assert phone.get_by_test_id("register-rejected-count").inner_text().startswith("1")
    assert "không phải 5 chữ số" in phone.get_by_test_id("register-rejects").inner_text()
    assert phone.get_by_test_id("register-confirm").count() == 0
    assert no_horizontal_scroll(phone)

    phone.get_by_test_id("register-file").set_input_files({"name": "khong-dung.csv", "mimeType": "text/csv",
                                                           "buffer": b"hello,world\n1,2\n"})
    phone.get_by_test_id("register-preview-button").click()
    refused = phone.get_by_test_id("register-error")
    assert refused.get_by_test_id("error-code").inner_text().startswith("Mã lỗi: clinics.register."), (
        "the refusal shows its code beside the message")
    assert check_page(phone, axe_source()) == [], "the refused page fits the phone and passes axe-core"

    phone.goto(f"{site}/officer/clinics/register?lang=en")
    phone.get_by_test_id("register-file").set_input_files({"name": "danh-muc.csv", "mimeType": "text/csv",
                                                           "buffer": data})
    phone.get_by_label("Source (where the file came from)").fill("VSS register (test)")
    phone.get_by_test_id("register-preview-button").click()
    assert phone.get_by_test_id("register-added").inner_text() == "1"
    assert phone.get_by_test_id("register-withdrawn").inner_text() == "0"
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "register-preview.png"), full_page=True)
    phone.get_by_test_id("register-confirm").click()
    phone.wait_for_url(f"{site}/officer/clinics/register?imported=*")
    assert "The register was imported." in phone.get_by_test_id("register-imported").inner_text()
    assert "VSS register (test)" in phone.get_by_test_id("register-recent").inner_text()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "register-imported.png"), full_page=True)

    phone.goto(f"{site}/lookups/clinics?q=thu+nghiem+so+dien+tu&lang=en")
    assert NEW_NAME in phone.content()
