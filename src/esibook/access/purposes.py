"""Purpose codes a relying system states on every call (mục đích khai thác dữ liệu)."""

from __future__ import annotations

from esibook.errors import DomainError

PURPOSES: dict[str, tuple[str, str]] = {
    "KCB": ("Khám bệnh, chữa bệnh bảo hiểm y tế", "Health-insured medical examination and treatment"),
    "TTHC": ("Giải quyết thủ tục hành chính", "Handling an administrative procedure"),
    "GDBHXH": ("Giải quyết chế độ bảo hiểm xã hội", "Settling a social insurance benefit"),
    "TOAAN": ("Giải quyết vụ việc tại tòa án", "Court proceedings"),
    "TINDUNG": ("Thẩm định tín dụng có sự đồng ý của người dân", "Credit assessment with the person's consent"),
    "THONGKE": ("Thống kê (không định danh)", "Statistics (de-identified)"),
}

#: Purposes of what esibook itself does with a person's data and records in their access log (never a purpose a
#: connected system may state).
RECORD_PURPOSES: dict[str, tuple[str, str]] = {
    "LUUKHO": ("Lưu vào kho dữ liệu điện tử và ví giấy tờ của bạn", "Stored in your electronic repository and "
               "document wallet"),
}

#: Purposes for which a connected system reads a person's data only with that person's consent (sự đồng ý),
#: asked and given in esibook (``access/consent.py``). The decree names only credit assessment so; the other
#: purposes rest on a legal duty (care, a procedure, a benefit, a court) or on de-identified data (statistics).
REQUIRES_CONSENT: frozenset[str] = frozenset({"TINDUNG"})


def requires_consent(code: str) -> bool:
    return code in REQUIRES_CONSENT


def check_purpose(code: str | None) -> str:
    if not code:
        raise DomainError(
            "access.purpose_missing",
            "State the purpose of this request (purpose code).",
            "Hãy nêu mục đích khai thác dữ liệu (mã mục đích).",
        )
    if code not in PURPOSES:
        raise DomainError(
            "access.purpose_unknown",
            f"Unknown purpose code '{code}'; use one of {', '.join(PURPOSES)}.",
            f"Mã mục đích '{code}' không có; dùng một trong {', '.join(PURPOSES)}.",
        )
    return code
