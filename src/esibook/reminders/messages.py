"""The words of each reminder as it goes out (Vietnamese, as every notice of the system; the history page shows the
same facts in the reader's language)."""

from __future__ import annotations

from esibook.periods import Month
from esibook.reminders import rules
from esibook.reminders.due import Due


def _day(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _month(text: str) -> str:
    month = Month.parse(text)
    return f"{month.month:02d}/{month.year}"


def message_of(due: Due) -> tuple[str, str]:
    """(subject, body) of a reminder."""
    d = due.details
    if due.kind in (rules.HI_CARD, rules.HOUSEHOLD_HI):
        what = "Thẻ BHYT hộ gia đình" if due.kind == rules.HOUSEHOLD_HI else "Thẻ BHYT"
        how = (
            "Hãy gia hạn BHYT hộ gia đình (Dịch vụ công › Đăng ký BHYT hộ gia đình) để không bị gián đoạn."
            if due.kind == rules.HOUSEHOLD_HI
            else "Nếu thẻ không được gia hạn tự động, hãy liên hệ đơn vị hoặc cơ quan BHXH."
        )
        whose = f"của {d['member']}" if d.get("member") else "của bạn"
        return (
            f"{what} {whose} hết hạn ngày {_day(d['valid_to'])}",
            f"{what} {d['card_code']} {whose} có giá trị đến hết ngày {_day(d['valid_to'])}. {how}",
        )
    if due.kind == rules.VOLUNTARY_SI:
        first = Month.parse(d["first_month"])
        last = first + (d["months"] - 1)
        span = _month(str(first)) if d["months"] == 1 else f"{_month(str(first))}–{_month(str(last))}"
        return (
            f"Đến hạn đóng BHXH tự nguyện tháng {span}",
            f"Kỳ đóng BHXH tự nguyện của bạn ({d['months']} tháng, {span}) chưa được đóng. "
            f"Hãy đóng trước ngày {_day(d['pay_by'])} để thời gian tham gia không bị gián đoạn.",
        )
    if due.kind == rules.EMPLOYER_UNPAID:
        months = ", ".join(_month(m) for m in d["months"])
        return (
            f"Đơn vị {d['employer']} còn nợ BHXH tháng {_month(d['months'][-1])} của bạn",
            f"{d['employer']} chưa đóng đủ BHXH, BHYT, BHTN cho bạn các tháng {months} "
            f"(còn nợ {d['owed']:,} đồng). Quyền lợi của bạn được bảo đảm khi đơn vị đóng đủ; "
            "liên hệ cơ quan BHXH nếu cần hỗ trợ.",
        )
    return (
        f"Hồ sơ {d['code']} cần bổ sung thông tin",
        f"Hồ sơ {d['code']} ({d['procedure_vi']}) đang chờ bạn bổ sung thông tin từ ngày {_day(d['asked_on'])}. "
        "Hãy mở Hồ sơ của tôi để bổ sung.",
    )
