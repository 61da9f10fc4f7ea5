"""The floor helpers that keep bad input out: strict numbers, bounded months, CSV read and written safely."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from esibook import tabular
from esibook.errors import DomainError, InvalidIdentifier
from esibook.params import MAX_ROW_ID, ascii_int, is_ascii_number
from esibook.periods import FIRST_LEGACY_MONTH, Month


@pytest.mark.parametrize("text", ["²", "٣", "１２", "1²", "", " ", "-1", "+1", "1.0", "1" * 5000])
def test_only_the_digits_0_to_9_make_a_number(text):
    assert ascii_int(text) is None
    assert not is_ascii_number(text) or len(text) > 19


def test_a_number_is_read_up_to_the_widest_id():
    assert ascii_int(" 42 ") == 42 and ascii_int(str(MAX_ROW_ID)) == MAX_ROW_ID
    assert ascii_int(str(MAX_ROW_ID + 1)) is None


@pytest.mark.parametrize("text", ["9999-12", "1994-12", "0001-01", "2028-01"])
def test_a_month_sent_as_input_lies_between_1995_and_a_year_ahead(text):
    with pytest.raises(InvalidIdentifier) as refused:
        Month.parse_input(text, today=date(2026, 12, 1))
    assert refused.value.code == "month.out_of_range" and refused.value.status == 422
    assert "1995-01" in refused.value.message_en and "2027-12" in refused.value.message_vi


def test_months_inside_the_range_are_read_and_paper_books_may_go_back_further():
    assert Month.parse_input("1995-01", today=date(2026, 12, 1)) == Month(1995, 1)
    assert Month.parse_input("12/2027", today=date(2026, 12, 1)) == Month(2027, 12)
    assert Month.parse_input("1980-03", today=date(2026, 12, 1), earliest=FIRST_LEGACY_MONTH) == Month(1980, 3)
    with pytest.raises(InvalidIdentifier):
        Month.parse_input("1961-12", today=date(2026, 12, 1), earliest=FIRST_LEGACY_MONTH)
    with pytest.raises(InvalidIdentifier) as malformed:
        Month.parse_input("2026-13")
    assert malformed.value.code == "month.range"


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_text(cell):
    assert tabular.safe_cell(cell) == "'" + cell


def test_numbers_and_harmless_text_are_written_as_they_are():
    assert tabular.safe_row([-5, 7_000_000, None, "Kế toán", "a=b", ""]) == [-5, 7_000_000, None, "Kế toán", "a=b", ""]
    out = io.StringIO()
    assert tabular.write_rows(out, [["line", "unit"], [2, "=HYPERLINK(\"http://x\")"], [-5, "ok"]]) == 3
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["line", "unit"], ["2", "'=HYPERLINK(\"http://x\")"], ["-5", "ok"]
    ]


@pytest.mark.parametrize(
    "text, code",
    [
        ("a,b\n1," + "x" * 200_000 + "\n", "t.unreadable"),
        ("a,b\n1,\x00\n", "t.unreadable"),
    ],
)
def test_a_csv_the_module_cannot_read_is_refused_with_the_line(text, code):
    with pytest.raises(DomainError) as refused:
        tabular.read_rows(text, code="t", field="file")
    assert refused.value.code == code and "line 2" in refused.value.message_en and refused.value.field == "file"


def test_a_one_column_file_has_no_delimiter_to_find_and_is_read_as_one_column():
    assert tabular.read_rows("so_dinh_danh\n079123456789\n\n", code="t", sniff=True) == [
        ["so_dinh_danh"], ["079123456789"]
    ]
    assert tabular.read_rows("a;b\n1;2\n", code="t", sniff=True) == [["a", "b"], ["1", "2"]]


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(DomainError) as refused:
        tabular.decode(b"C\xf4ng ty", code="statement")
    assert refused.value.code == "statement.encoding"
    assert tabular.decode("\ufeffCông ty".encode(), code="statement") == "Công ty"
