"""Employee lists uploaded as CSV or XLSX (the D02-LT kind): read by content, not by file name; limited in size
and rows; a malformed or oversized file is refused with the reason and nothing is stored."""

from __future__ import annotations

import io
import zipfile

from esibook import tabular
from esibook.errors import DomainError
from esibook.money import parse_vnd

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_UNZIPPED = 20 * 1024 * 1024
#: Accepted column headings (Vietnamese as on the D02-LT form, or English) → form field.
COLUMNS = {
    "so_dinh_danh": "personal_id",
    "số định danh": "personal_id",
    "personal_id": "personal_id",
    "chuc_danh": "job_title",
    "chức danh": "job_title",
    "job_title": "job_title",
    "chuc_vu": "position",
    "chức vụ": "position",
    "position": "position",
    "noi_lam_viec": "workplace",
    "nơi làm việc": "workplace",
    "workplace": "workplace",
    "muc_luong": "salary",
    "mức lương": "salary",
    "salary": "salary",
    "tu_thang": "from_month",
    "từ tháng": "from_month",
    "from_month": "from_month",
}
REQUIRED = {"personal_id", "job_title", "salary", "from_month"}


def refuse(code: str, en: str, vi: str) -> DomainError:
    return DomainError(f"upload.{code}", en, vi, field="file")


def read_employee_list(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise refuse(
            "too_large",
            f"the file is larger than {MAX_BYTES // 1024 // 1024} MB",
            f"tệp lớn hơn {MAX_BYTES // 1024 // 1024} MB",
        )
    if not data.strip():
        raise refuse("empty", "the file is empty", "tệp trống")
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    return _employees(rows)


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise refuse("type", "this is not a CSV or XLSX file", "đây không phải tệp CSV hoặc XLSX")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse("encoding", "a CSV file must be UTF-8", "tệp CSV phải mã hóa UTF-8") from error
    return tabular.read_rows(text, code="upload", field="file", sniff=True)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise refuse("type", "this archive is not an XLSX workbook", "tệp nén này không phải bảng tính XLSX")
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
            raise refuse("bomb", "the workbook expands to more than 20 MB: refused", "bảng tính giải nén quá 20 MB")
    except zipfile.BadZipFile as error:
        raise refuse("type", "the XLSX file is damaged", "tệp XLSX bị hỏng") from error
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        return [
            ["" if cell is None else str(cell) for cell in row]
            for row, _ in zip(sheet.iter_rows(values_only=True), range(MAX_ROWS + 2), strict=False)
        ]
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise refuse("type", "the XLSX file cannot be read", "không đọc được tệp XLSX") from error


def _employees(rows: list[list[str]]) -> list[dict]:
    if len(rows) < 2:
        raise refuse("no_rows", "the list has a heading but no employee", "danh sách không có người lao động nào")
    if len(rows) - 1 > MAX_ROWS:
        raise refuse("too_many", f"at most {MAX_ROWS} employees per file", f"tối đa {MAX_ROWS} người mỗi tệp")
    header = [COLUMNS.get(cell.strip().lower()) for cell in rows[0]]
    missing = REQUIRED - set(header)
    if missing:
        raise refuse(
            "columns", f"missing columns: {', '.join(sorted(missing))}", f"thiếu cột: {', '.join(sorted(missing))}"
        )
    employees = []
    for line, row in enumerate(rows[1:], start=2):
        item = {field: row[i].strip() for i, field in enumerate(header) if field and i < len(row) and row[i].strip()}
        item["salary"] = _money(item.get("salary", ""), line)
        employees.append(item)
    return employees


def _money(text: str, line: int) -> int:
    """VND as people write it (:func:`esibook.money.parse_vnd`)."""
    amount = parse_vnd(text)
    if amount is None:
        raise refuse(
            "salary",
            f"line {line}: the salary '{text.strip()[:20]}' is not an amount in đồng",
            f"dòng {line}: mức lương '{text.strip()[:20]}' không phải số tiền",
        )
    return amount
