"""Reading the national register of HI clinics (danh mục cơ sở khám chữa bệnh BHYT) as Vietnam Social Security
publishes it: an XLSX or CSV table (UTF-8, with or without a byte-order mark), a title above the header allowed.

Headers are matched loosely (accents, case, spaces and punctuation ignored): ``Mã KCB``, ``Mã cơ sở KCB`` or
``MA_CSKCB`` for the code, ``Tên cơ sở KCB`` for the name, ``Tuyến``, ``Hạng`` or ``Tuyến CMKT`` for the level,
``Mã tỉnh`` or ``Tỉnh`` (a code or a name), ``Địa chỉ``, ``Đăng ký KCB ban đầu`` or ``Nhận thẻ ban đầu``. Every
row is checked; a rejected row is named by its line (the spreadsheet's row, or the CSV line counting the header's
lines) with the reason. Nothing here writes: :mod:`esibook.health.clinic_import` stores a register without a
rejected row.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from esibook.errors import DomainError
from esibook.people.identifiers import PROVINCES
from esibook.people.names import fold_name, normalize_name
from esibook.tabular import decode, iter_rows, sniff_dialect

CODE = "clinics.register"
#: How many lines above the header a title may take.
HEADER_SEARCH = 10
MAX_NAME, MAX_ADDRESS = 200, 300

#: Folded header (no accents, letters and digits only) -> the column it names.
HEADERS = {
    "code": ("makcb", "macosokcb", "macskcb", "macosokhamchuabenh", "macoso", "ma", "macsyt"),
    "name": ("tencosokcb", "tencskcb", "tencoso", "ten", "tencosokhamchuabenh", "tenkcb"),
    "level": ("tuyen", "hang", "tuyencmkt", "tuyenchuyenmonkythuat", "capcmkt", "capchuyenmonkythuat", "cap"),
    "province": ("matinh", "tinh", "tinhthanhpho", "tinhtp"),
    "address": ("diachi", "diachicosokcb"),
    "initial": ("dangkykcbbandau", "nhanthebandau", "kcbbandau", "dangkybandau", "nhandangkykcbbandau"),
}
REQUIRED = ("code", "name", "level")

#: Folded level (no accents, single spaces) -> ``Clinic.level``.
LEVELS = {
    "central": ("trung uong", "tuyen trung uong", "tw", "tuyen 1", "1", "cap chuyen sau"),
    "province": ("tinh", "tuyen tinh", "tuyen 2", "2", "cap co ban"),
    "district": ("huyen", "tuyen huyen", "tuyen 3", "3", "khu vuc", "tuyen khu vuc"),
    "commune": ("xa", "tuyen xa", "tuyen 4", "4", "cap ban dau", "tram y te"),
    "private": ("tu nhan", "ngoai cong lap", "tuyen tu nhan", "khong xep tuyen"),
}
LEVEL_OF = {word: level for level, words in LEVELS.items() for word in words}
YES = {"co", "x", "1", "yes", "true", "dung", "c", "y"}
NO = {"khong", "0", "no", "false", "k", "n", ""}
PROVINCE_BY_NAME = {" ".join(re.sub(r"[^a-z0-9]", " ", fold_name(name)).split()): code
                    for code, name in PROVINCES.items()}
PROVINCE_PREFIXES = ("tinh ", "thanh pho ", "tp ")


@dataclass(frozen=True)
class RegisterClinic:
    """One accepted row, as it will be stored."""

    line: int
    code: str
    name: str
    province_code: str
    level: str
    address: str | None
    accepts_initial_registration: bool


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str
    reason_vi: str = ""

    def message(self, lang: str = "vi") -> str:
        return self.reason_vi or self.reason if lang == "vi" else self.reason


Problem = tuple[str, str]
"""A row's problem in English and Vietnamese."""


@dataclass
class Register:
    clinics: list[RegisterClinic] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def unusable(en: str, vi: str) -> DomainError:
    return DomainError(f"{CODE}.unusable", f"the register file cannot be used: {en}",
                       f"không dùng được tệp danh mục: {vi}", field="file")


def header_key(text: str) -> str:
    """A header folded to letters and digits: ``"Mã cơ sở KCB"`` -> ``"macosokcb"``."""
    return re.sub(r"[^a-z0-9]", "", fold_name(str(text).replace("_", " ")))


def value_key(text: str) -> str:
    """A cell folded to words one space apart: ``"Tuyến  Trung ương"`` -> ``"tuyen trung uong"``."""
    return " ".join(re.sub(r"[^a-z0-9]", " ", fold_name(str(text))).split())


def match_headers(cells: Iterable[object]) -> dict[str, int]:
    """Which column holds what (the first of each kind), from a header row."""
    found: dict[str, int] = {}
    aliases = {alias: kind for kind, names in HEADERS.items() for alias in names}
    for index, cell in enumerate(cells):
        kind = aliases.get(header_key(cell if cell is not None else ""))
        if kind and kind not in found:
            found[kind] = index
    return found


def map_level(text: str) -> str | None:
    """``Clinic.level`` of a register's level (``Trung ương``, ``Tuyến tỉnh``, ``3``, ``Tư nhân``…), or None."""
    key = value_key(text)
    return LEVEL_OF.get(key) or LEVEL_OF.get(key.removeprefix("tuyen ").removeprefix("cap "))


def read_table(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The (line, cells) of the file's first sheet or of the CSV, cells as text."""
    if data.startswith(b"PK"):
        return _xlsx_rows(data)
    text = decode(data, code=CODE, field="file")
    return _csv_rows(text)


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    dialect = sniff_dialect(text[:2048])
    yield from enumerate(iter_rows(io.StringIO(text, newline=""), code=CODE, field="file", dialect=dialect), 1)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise unusable("it is neither a CSV file nor an XLSX workbook", "không phải tệp CSV hay XLSX") from error
    try:
        for line, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            yield line, [_cell_text(value) for value in row]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_register(data: bytes) -> Register:
    """Every row of a register file checked; unusable files (no header, not a table) raise ``DomainError``."""
    rows = read_table(data)
    columns = _find_header(rows)
    register, seen = Register(), {}
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        outcome = check_row(columns, cells, line)
        if isinstance(outcome, RegisterClinic) and outcome.code in seen:
            outcome = RejectedRow(line, f"code {outcome.code} is also on line {seen[outcome.code]}",
                                  f"mã {outcome.code} đã có ở dòng {seen[outcome.code]}")
        if isinstance(outcome, RejectedRow):
            register.rejected.append(outcome)
        else:
            seen[outcome.code] = line
            register.clinics.append(outcome)
    if not register.clinics and not register.rejected:
        raise unusable("it has a header but no clinic", "có dòng tiêu đề nhưng không có cơ sở nào")
    return register


def _find_header(rows: Iterator[tuple[int, list[str]]]) -> dict[str, int]:
    for line, cells in rows:
        columns = match_headers(cells)
        if all(kind in columns for kind in REQUIRED):
            return columns
        if line >= HEADER_SEARCH:
            break
    raise unusable(
        "no header row names the code (Mã KCB), the name (Tên cơ sở KCB) and the level (Tuyến) in its first lines",
        "không có dòng tiêu đề ghi mã (Mã KCB), tên (Tên cơ sở KCB) và tuyến (Tuyến) ở các dòng đầu",
    )


def check_row(columns: dict[str, int], cells: list[str], line: int) -> RegisterClinic | RejectedRow:
    """One row checked: a clinic to store, or the reason it is refused."""
    def cell(kind: str) -> str:
        index = columns.get(kind)
        return str(cells[index]).strip() if index is not None and index < len(cells) else ""

    code = cell("code")
    code = code.zfill(5) if code.isascii() and code.isdigit() and len(code) == 4 and code[0] != "0" else code
    problem = _code_problem(code) or _name_problem(cell("name"))
    if problem:
        return RejectedRow(line, *problem)
    province, problem = _province(cell("province"), code)
    level = map_level(cell("level"))
    initial = _initial(cell("initial")) if "initial" in columns else level != "central"
    if problem or level is None or initial is None:
        level_text, initial_text = cell("level")[:30], cell("initial")[:30]
        problem = problem or ((f"unknown level {level_text!r}", f"tuyến không rõ {level_text!r}") if level is None
                              else (f"initial registration is not yes or no: {initial_text!r}",
                                    f"đăng ký KCB ban đầu không phải có hay không: {initial_text!r}"))
        return RejectedRow(line, *problem)
    address = normalize_name(cell("address"))[:MAX_ADDRESS] or None
    return RegisterClinic(line, code, normalize_name(cell("name")), province, level, address, initial)


def _code_problem(code: str) -> Problem | None:
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        return f"the code {code[:20]!r} is not 5 digits", f"mã {code[:20]!r} không phải 5 chữ số"
    if f"0{code[:2]}" not in PROVINCES:
        return f"the code {code} does not begin with a province code", f"mã {code} không bắt đầu bằng mã tỉnh"
    return None


def _name_problem(name: str) -> Problem | None:
    if not name.strip():
        return "the name is empty", "tên để trống"
    if len(name) > MAX_NAME:
        return f"the name is longer than {MAX_NAME} characters", f"tên dài hơn {MAX_NAME} ký tự"
    if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in name):
        return "the name holds a control character", "tên có ký tự điều khiển"
    return None


def _province(text: str, code: str) -> tuple[str, Problem | None]:
    """The 3-digit province of the row (the code's, checked against the province column when there is one)."""
    of_code = f"0{code[:2]}"
    if not text:
        return of_code, None
    named = text.zfill(3) if text.isascii() and text.isdigit() and len(text) <= 3 else None
    named = named or PROVINCE_BY_NAME.get(_without_prefix(value_key(text)))
    if named is None or named not in PROVINCES:
        return of_code, (f"unknown province {text[:30]!r}", f"tỉnh không rõ {text[:30]!r}")
    if named != of_code:
        return of_code, (f"the province {text[:30]!r} is not the code's ({of_code})",
                         f"tỉnh {text[:30]!r} không phải tỉnh của mã ({of_code})")
    return of_code, None


def _without_prefix(name: str) -> str:
    for prefix in PROVINCE_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def _initial(text: str) -> bool | None:
    key = value_key(text)
    if key in YES:
        return True
    if key in NO:
        return False
    return None
