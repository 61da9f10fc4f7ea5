"""Reading the national register of HI clinics: loose headers, levels, every row accepted or refused with a
reason and its line, unusable files refused as a whole."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esibook.errors import DomainError
from esibook.health.clinic_register import (
    RegisterClinic,
    RejectedRow,
    check_row,
    map_level,
    match_headers,
    parse_register,
)
from support.clinic_register import csv_bytes, replaced, sample_rows, xlsx_bytes

COLUMNS = {"code": 0, "name": 1, "province": 2, "level": 3, "address": 4, "initial": 5}


@pytest.mark.parametrize("header, kind", [
    ("Mã KCB", "code"), ("Mã cơ sở KCB", "code"), ("MA_CSKCB", "code"), ("  mã   CƠ SỞ kcb ", "code"),
    ("Tên cơ sở KCB", "name"), ("TEN_CSKCB", "name"), ("Mã tỉnh", "province"), ("Tỉnh", "province"),
    ("Tuyến", "level"), ("Hạng", "level"), ("Tuyến CMKT", "level"), ("Địa chỉ", "address"),
    ("Đăng ký KCB ban đầu", "initial"), ("Nhận thẻ ban đầu", "initial"), ("NHAN_THE_BAN_DAU", "initial"),
])
def test_headers_are_matched_without_accents_case_or_spacing(header, kind):
    assert match_headers(["STT", header]) == {kind: 1}


def test_unknown_headers_are_ignored_and_the_first_of_a_kind_wins():
    assert match_headers(["Ghi chú", "Mã KCB", "MA_CSKCB", None, 5]) == {"code": 1}


@pytest.mark.parametrize("text, level", [
    ("Trung ương", "central"), ("TUYẾN TRUNG ƯƠNG", "central"), ("Tuyến 1", "central"), ("1", "central"),
    ("Tỉnh", "province"), ("tuyến tỉnh", "province"), ("2", "province"), ("Huyện", "district"), ("3", "district"),
    ("Xã", "commune"), ("Tuyến 4", "commune"), ("Tư nhân", "private"), ("tu nhan", "private"),
])
def test_levels_map_to_the_models_levels(text, level):
    assert map_level(text) == level


@pytest.mark.parametrize("text", ["", "5", "Quận", "Bộ Y tế", "tuyến 9"])
def test_an_unknown_level_maps_to_nothing(text):
    assert map_level(text) is None


def test_a_good_row_is_a_clinic_with_a_three_digit_province():
    row = check_row(COLUMNS, ["1801", " Bệnh viện  Bạch Mai ", "01", "Trung ương", "78 Giải Phóng", "Không"], 7)
    assert row == RegisterClinic(7, "01801", "Bệnh viện Bạch Mai", "001", "central", "78 Giải Phóng", False)


def test_without_an_initial_column_only_central_hospitals_refuse_initial_registrations():
    columns = {"code": 0, "name": 1, "level": 2}
    assert check_row(columns, ["01801", "A", "Trung ương"], 2).accepts_initial_registration is False
    assert check_row(columns, ["01802", "B", "Xã"], 3).accepts_initial_registration is True


@pytest.mark.parametrize("cells, reason", [
    (["0180", "A", "01", "Tỉnh", "", "Có"], "is not 5 digits"),
    (["O1801", "A", "01", "Tỉnh", "", "Có"], "is not 5 digits"),
    (["99801", "A", "01", "Tỉnh", "", "Có"], "does not begin with a province code"),
    (["01801", "  ", "01", "Tỉnh", "", "Có"], "the name is empty"),
    (["01801", "A", "Sao Hỏa", "Tỉnh", "", "Có"], "unknown province"),
    (["01801", "A", "79", "Tỉnh", "", "Có"], "is not the code's (001)"),
    (["01801", "A", "01", "Bộ", "", "Có"], "unknown level"),
    (["01801", "A", "01", "Tỉnh", "", "tuỳ"], "initial registration is not yes or no"),
])
def test_a_bad_row_is_refused_with_its_line_and_reason(cells, reason):
    row = check_row(COLUMNS, cells, 12)
    assert isinstance(row, RejectedRow) and row.line == 12 and reason in row.reason


def test_the_sample_reads_the_same_as_csv_with_a_bom_and_as_xlsx():
    rows = sample_rows()
    as_csv, as_xlsx = parse_register(csv_bytes(rows, bom=True)), parse_register(xlsx_bytes(rows))
    assert len(as_csv.clinics) == 12 and not as_csv.rejected
    assert as_xlsx.clinics == as_csv.clinics
    assert {c.province_code for c in as_csv.clinics} == {"001", "079", "048", "046", "031"}
    assert as_csv.clinics[0].line == 4  # a title and a blank line above the header


def test_a_semicolon_separated_file_is_read_too():
    text = "Mã KCB;Tên cơ sở KCB;Tuyến\n01801;Bệnh viện Bạch Mai;Trung ương\n"
    assert [c.code for c in parse_register(text.encode()).clinics] == ["01801"]


def test_every_bad_row_is_named_and_a_repeated_code_points_to_the_first():
    rows = replaced(sample_rows(), "79803", 4, "Quận")
    rows.append(["13", "01802", "Bản sao", "Hà Nội", "Tỉnh", "", "Có"])
    register = parse_register(csv_bytes(rows))
    assert [(r.line, r.reason) for r in register.rejected] == [
        (11, "unknown level 'Quận'"), (16, "code 01802 is also on line 5")]


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00x", b"PK\x03\x04 not a zip", b"a,b,c\n1,2,3\n",
                                  "Mã KCB,Tên cơ sở KCB,Tuyến\n".encode()])
def test_an_unusable_file_is_refused_as_a_whole(data):
    """Empty, not UTF-8, a broken zip, no header naming code, name and level, a header and no row."""
    with pytest.raises(DomainError) as refused:
        parse_register(data)
    assert refused.value.code.startswith("clinics.register.")


CELL = st.one_of(st.text(max_size=12), st.sampled_from(["01801", "1801", "79", "Tỉnh", "Xã", "Có", "Không", "x"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=8), st.integers(min_value=1, max_value=10**6))
def test_a_random_row_is_accepted_or_refused_with_a_reason(cells, line):
    row = check_row(COLUMNS, cells, line)
    assert row.line == line
    if isinstance(row, RejectedRow):
        assert row.reason
    else:
        assert len(row.code) == 5 and row.name and row.level and len(row.province_code) == 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CELL, max_size=7), max_size=6))
def test_a_random_file_is_read_or_refused_never_crashes(rows):
    data = csv_bytes([["Mã KCB", "Tên cơ sở KCB", "Tỉnh", "Tuyến", "Địa chỉ", "Nhận thẻ ban đầu"], *rows])
    try:
        register = parse_register(data)
    except DomainError as error:
        assert error.code.startswith("clinics.register.")
        return
    assert all(r.reason for r in register.rejected)


def test_a_zip_that_is_no_workbook_is_refused_as_a_whole():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a register")
    with pytest.raises(DomainError) as refused:
        parse_register(out.getvalue())
    assert refused.value.code == "clinics.register.unusable"
