"""Employee lists uploaded as CSV or XLSX (the D02-LT kind): read by content, not by file name; limited in size
and rows; a malformed or oversized file is refused with the reason and nothing is stored."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import date, datetime

from esibook import tabular
from esibook.errors import DomainError
from esibook.money import parse_vnd

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_UNZIPPED = 20 * 1024 * 1024
#: The columns of the D02-LT list: form field → (Vietnamese heading, English heading). The templates carry the
#: Vietnamese headings; a file may use either, with or without accents, in any case, with a note in brackets
#: ("Mức lương (đồng)"), or the snake_case names of earlier files (``so_dinh_danh``, ``personal_id``).
HEADINGS = {
    "personal_id": ("Số định danh cá nhân", "Personal ID number"),
    "job_title": ("Chức danh nghề", "Job title"),
    "salary": ("Mức lương (đồng)", "Salary (VND)"),
    "from_month": ("Từ tháng (MM/YYYY)", "From month (MM/YYYY)"),
    "position": ("Chức vụ", "Position"),
    "workplace": ("Nơi làm việc", "Workplace"),
}
_ALIASES = {
    "personal_id": ("so_dinh_danh", "so_cccd", "cccd", "so_can_cuoc", "so_can_cuoc_cong_dan", "ma_dinh_danh"),
    "job_title": ("chuc_danh", "chuc_danh_nghe_nghiep", "nghe_nghiep"),
    "salary": ("muc_luong", "tien_luong", "luong", "muc_luong_dong_bhxh"),
    "from_month": ("tu_thang", "thang_bat_dau"),
    "position": ("chuc_vu",),
    "workplace": ("noi_lam_viec",),
}


def heading_key(text: str) -> str:
    """A heading as a key: no note in brackets, no accents, lower case, words joined by ``_``."""
    bare = re.sub(r"\(.*?\)", " ", text).replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", bare) if not unicodedata.combining(ch))
    return "_".join(re.findall(r"[a-z0-9]+", bare.lower()))


COLUMNS = {
    heading_key(name): field
    for field, names in HEADINGS.items()
    for name in (*names, field, *_ALIASES[field])
}
REQUIRED = {"personal_id", "job_title", "salary", "from_month"}


def refuse(code: str, en: str, vi: str) -> DomainError:
    return DomainError(f"upload.{code}", en, vi, field="file")


def read_employee_list(data: bytes) -> list[dict]:
    """The employees a list names, every salary read as đồng (a bad one refuses the file, naming its line)."""
    return _employees(_file_rows(data))


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
        rows = [
            [_cell_text(cell) for cell in row]
            for row, _ in zip(sheet.iter_rows(values_only=True), range(MAX_ROWS + 2), strict=False)
        ]
        return [row for row in rows if any(cell.strip() for cell in row)]
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise refuse("type", "the XLSX file cannot be read", "không đọc được tệp XLSX") from error


def _cell_text(cell) -> str:
    """A workbook cell as the text a person typed: a month a spreadsheet turned into a date is the month again, a
    whole number stored as 7200000.0 is 7200000."""
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def read_employee_rows(data: bytes) -> list[dict]:
    """The rows of a list as written (the salary as typed), for a preview that shows each row's problem."""
    return _listed(_file_rows(data))


def _file_rows(data: bytes) -> list[list[str]]:
    if len(data) > MAX_BYTES:
        raise refuse(
            "too_large",
            f"the file is larger than {MAX_BYTES // 1024 // 1024} MB",
            f"tệp lớn hơn {MAX_BYTES // 1024 // 1024} MB",
        )
    if not data.strip():
        raise refuse("empty", "the file is empty", "tệp trống")
    return _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)


def _employees(rows: list[list[str]]) -> list[dict]:
    employees = _listed(rows)
    for line, item in enumerate(employees, start=2):
        item["salary"] = _money(item.get("salary", ""), line)
    return employees


def _listed(rows: list[list[str]]) -> list[dict]:
    if len(rows) < 2:
        raise refuse("no_rows", "the list has a heading but no employee", "danh sách không có người lao động nào")
    if len(rows) - 1 > MAX_ROWS:
        raise refuse("too_many", f"at most {MAX_ROWS} employees per file", f"tối đa {MAX_ROWS} người mỗi tệp")
    header = [COLUMNS.get(heading_key(cell)) for cell in rows[0]]
    missing = [field for field in HEADINGS if field in REQUIRED and field not in header]
    if missing:
        raise refuse(
            "columns",
            f"missing columns: {', '.join(HEADINGS[f][1] for f in missing)} (download the template)",
            f"thiếu cột: {', '.join(HEADINGS[f][0] for f in missing)} (hãy tải tệp mẫu)",
        )
    return [
        {field: row[i].strip() for i, field in enumerate(header) if field and i < len(row) and row[i].strip()}
        for row in rows[1:]
    ]


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


#: One example row of the templates' instructions sheet (never in the list itself: a template uploaded
#: unchanged files nobody).
EXAMPLE = {"personal_id": "001090012345", "job_title": "Công nhân may", "salary": "7.200.000",
           "from_month": "11/2026", "position": "", "workplace": "Xưởng may số 2"}


def template_csv() -> bytes:
    """The list's headings in Vietnamese, UTF-8 with a byte-order mark so that Excel shows the accents."""
    handle = io.StringIO(newline="")
    tabular.write_rows(handle, [[vi for vi, _ in HEADINGS.values()]])
    return ("\ufeff" + handle.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """A workbook: the list (Vietnamese headings, text columns for ID numbers and months), then how to fill it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách D02-LT"
    sheet.append([vi for vi, _ in HEADINGS.values()])
    for column, (field, (vi, _)) in enumerate(HEADINGS.items(), start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(16, len(vi) + 4)
        if field in ("personal_id", "from_month"):  # leading zeros and months stay as typed
            for row in range(2, MAX_ROWS + 2):
                sheet.cell(row=row, column=column).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Ví dụ", "Column"])
    for field, (vi, en) in HEADINGS.items():
        guide.append([vi, "có" if field in REQUIRED else "không", EXAMPLE[field], en])
    guide.append([])
    guide.append(["Họ tên, ngày sinh, giới tính lấy từ cơ sở dữ liệu quốc gia về dân cư: không cần nhập."])
    guide.append(["Mức lương viết 7200000, 7.200.000 hoặc 7,200,000 đều được."])
    handle = io.BytesIO()
    book.save(handle)
    return handle.getvalue()
