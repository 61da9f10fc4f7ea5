"""Finding one's own SI code without signing in (tra cứu mã số BHXH), as VssID offers it: by full name, date of
birth and the province whose office issued the code.

The answer is the same shape whatever is found, so the page is no oracle of who is insured:

- exactly one civil record with that exact name (accents optional), date of birth and province: the code is shown
  **masked** (``01******89``) and the full code is sent to the contacts on the record (the in-app inbox, and email
  where one is registered), once a day per person;
- none, or several (namesakes born the same day): no code, and the same message.

What a match still tells the caller is only what the masked code shows (that someone of that name, birth date and
province holds a code ending in those two digits); docs/lookups.md gives the reasoning. Records of the defence and
security authorities are never found here. The routes add rate limits per address and per (name, date of birth).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.health.clinics import check_province
from esibook.notify import outbox
from esibook.people.contacts import email_of
from esibook.people.models import Person
from esibook.people.names import fold_name

#: Said whatever was found (the page adds the masked code when there is one).
NEUTRAL_EN = ("If exactly one record matches, its SI code is shown masked below, and the full code has been sent to "
              "the contacts registered on it (the app's inbox, and email where one is registered).")
NEUTRAL_VI = ("Nếu có đúng một hồ sơ trùng khớp, mã số BHXH được hiển thị che bớt bên dưới, và mã đầy đủ đã được gửi "
              "tới liên hệ đăng ký trên hồ sơ (hộp thư trong ứng dụng, và email nếu đã đăng ký).")
MAX_NAME = 100


@dataclass(frozen=True)
class SiCodeAnswer:
    masked_code: str | None
    """``01******89`` for exactly one match, else None."""

    def as_dict(self, lang: str = "vi") -> dict:
        return {"masked_code": self.masked_code, "message": NEUTRAL_VI if lang == "vi" else NEUTRAL_EN,
                "message_vi": NEUTRAL_VI, "message_en": NEUTRAL_EN}


def mask_si_code(code: str) -> str:
    """The first two digits (the province the caller typed) and the last two: ``0112345689`` -> ``01******89``."""
    return code[:2] + "*" * (len(code) - 4) + code[-2:] if len(code) > 4 else "*" * len(code)


def lookup_key(full_name: str, date_of_birth: date) -> str:
    """What the per-person rate limit counts (the route hashes it): the folded name and the date."""
    return f"{fold_name(full_name)}|{date_of_birth.isoformat()}"


def check_request(full_name: str, date_of_birth: date, province: str, today: date) -> tuple[str, str]:
    """The folded name and the 3-digit province; a 4xx for an empty or overlong name, a future or impossible birth
    date, or an unknown province."""
    key = fold_name(full_name)
    if not key or len(full_name) > MAX_NAME:
        raise DomainError("lookups.full_name", f"write the full name (1 to {MAX_NAME} characters)",
                          f"hãy nhập họ và tên (1 đến {MAX_NAME} ký tự)", field="full_name")
    if not date(1900, 1, 1) <= date_of_birth <= today:
        raise DomainError("lookups.date_of_birth", "the date of birth is not a past date",
                          "ngày sinh phải là một ngày trong quá khứ", field="date_of_birth")
    if not province:
        raise DomainError("lookups.province", "choose the province", "hãy chọn tỉnh, thành phố", field="province")
    return key, check_province(province) or ""


def find_si_code(session: Session, *, full_name: str, date_of_birth: date, province: str, today: date) -> SiCodeAnswer:
    """The masked code of the one matching record, having sent the full code to its contacts; else no code."""
    key, province_code = check_request(full_name, date_of_birth, province, today)
    found = session.execute(
        select(Person.id, Person.si_code_legacy)
        .where(
            Person.name_key == key,
            Person.date_of_birth == date_of_birth,
            Person.si_code_legacy.startswith(province_code[1:]),
            Person.authority == "civil",
            Person.merged_into_id.is_(None),
        )
        .limit(2)
    ).all()
    if len(found) != 1:
        return SiCodeAnswer(None)
    person_id, code = found[0]
    _send_code(session, person_id, code, today)
    return SiCodeAnswer(mask_si_code(code))


def _send_code(session: Session, person_id: int, code: str, today: date) -> None:
    """The full code to the person's inbox and email, at most once a day; audited when sent (no code in the log)."""
    subject = "Mã số bảo hiểm xã hội của bạn / Your social insurance code"
    body = (f"Mã số BHXH của bạn là {code}. Bạn nhận được tin này vì có người đã tra cứu mã số BHXH theo họ tên, ngày "
            f"sinh và tỉnh của bạn trên esibook. / Your SI code is {code}. Someone looked it up by your name, date of "
            "birth and province on esibook.")
    key = f"sicode:{person_id}:{today.isoformat()}"
    with transaction(session):
        sent = outbox.enqueue(session, channel="inapp", recipient=f"person:{person_id}", subject=subject, body=body,
                              dedupe_key=f"{key}:inapp")
        email = email_of(session, person_id)
        if email:
            outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body,
                           dedupe_key=f"{key}:email")
        if sent:
            audit.append(session, actor="public", action="lookups.si_code_sent", target=f"person:{person_id}",
                         authority="civil", details={"email": bool(email)})


def parse_birth_date(text: str) -> date:
    """A date of birth as a form sends it (``YYYY-MM-DD`` from a date field, or ``DD/MM/YYYY`` typed)."""
    value = text.strip()
    try:
        if "/" in value:
            day, month, year = (int(part) for part in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError as error:
        raise DomainError("lookups.date_of_birth", "write the date of birth as DD/MM/YYYY",
                          "hãy nhập ngày sinh theo dạng NN/TT/NNNN", field="date_of_birth") from error
