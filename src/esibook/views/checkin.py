"""Check-in at a clinic (kiểm tra thẻ BHYT khi tiếp đón): is the card valid today, at which benefit level, and is
this clinic the card's initial clinic (nơi đăng ký khám chữa bệnh ban đầu)?

The clinic scans the card's QR (``VNHI1:``, verified with the trust list exactly as the offline verifier does)
or types a personal ID number or a card code. The database then has the last word: a QR whose signature checks
is looked up by its card code, so a card reissued or suspended since the QR was made is judged as it is now.
Every look-up of a person is written to that person's access log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access.accesslog import record_access
from esibook.access.principal import Principal
from esibook.book.status import StatusView
from esibook.dates import vietnam_today
from esibook.db import transaction
from esibook.errors import DomainError, InvalidIdentifier
from esibook.health import card as hi_card
from esibook.health.identifiers import BENEFIT_LEVELS, parse_hi_card_code
from esibook.health.models import Clinic, HICoverage
from esibook.health.visit_service import clinic_staff_clinic, require_health_system
from esibook.params import is_ascii_number
from esibook.people.identifiers import parse_personal_id
from esibook.people.models import Person
from esibook.trust.anchors import TrustAnchors
from esibook.trust.verify import Verdict, verify_card

#: The share of the covered costs the fund pays at each benefit level (mức hưởng).
BENEFIT_PERCENT = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}
#: Share of the benefit level paid for inpatient care at a central-level hospital without a referral.
CENTRAL_INPATIENT_SHARE = 40

REFERRAL_EN = " With a referral letter, or in an emergency, the full benefit level applies at any facility."
REFERRAL_VI = " Có giấy chuyển tuyến hoặc trường hợp cấp cứu thì được hưởng đủ mức hưởng tại mọi cơ sở."


@dataclass(frozen=True)
class Checker:
    """Who checks, and where."""

    clinic: Clinic | None
    clinic_code: str | None
    channel: str
    authority: str | None


# --- the initial-clinic rule ----------------------------------------------------------------------------------


def initial_clinic_rule(card: HICoverage, clinic: Clinic | None, clinic_code: str | None) -> dict:
    """What being (or not being) at the card's initial clinic means for the benefit, said plainly.

    Law on Health Insurance, Article 22, as applied since 2021: the full benefit at the registered initial clinic,
    at any district or commune facility in the country, and for inpatient care at provincial hospitals; 40 % of
    it for inpatient care at central hospitals; outpatient care at provincial and central hospitals is not covered
    without a referral. The 2024 amendment (Law 51/2024/QH15) regroups facilities by technical level; the rule is
    kept in this one function so it can follow the law.
    """
    percent = BENEFIT_PERCENT[card.benefit_level]
    if clinic_code is None:
        code, en, vi = (
            "not_checked",
            f"The card's initial clinic is {card.initial_clinic_code}; there the benefit is {percent}%. Elsewhere it "
            "depends on the level of the facility and on a referral.",
            f"Nơi đăng ký KCB ban đầu của thẻ là {card.initial_clinic_code}; tại đó được hưởng {percent}%. Nơi khác "
            "tùy theo cấp của cơ sở và việc có giấy chuyển tuyến.",
        )
    elif clinic_code == card.initial_clinic_code:
        code, en, vi = (
            "initial",
            f"This is the card's initial clinic: the full benefit level applies ({percent}% of covered costs).",
            f"Đây là nơi đăng ký KCB ban đầu của thẻ: được hưởng đủ mức hưởng ({percent}% chi phí trong phạm vi).",
        )
    elif clinic is None or clinic.level in ("district", "commune", "private"):
        code, en, vi = (
            "primary_care",
            "Not the card's initial clinic, but a district-level or commune facility: the full benefit level "
            f"applies anywhere in the country ({percent}%).",
            "Không phải nơi đăng ký KCB ban đầu, nhưng là cơ sở tuyến huyện hoặc xã: được hưởng đủ mức hưởng "
            f"trên toàn quốc ({percent}%).",
        )
    elif clinic.level == "province":
        code, en, vi = (
            "provincial",
            f"Not the card's initial clinic: without a referral, inpatient treatment is covered at {percent}%; "
            "outpatient care is not covered by the insurance.",
            f"Không phải nơi đăng ký KCB ban đầu: không có giấy chuyển tuyến thì điều trị nội trú được hưởng "
            f"{percent}%; khám, điều trị ngoại trú không được quỹ BHYT chi trả.",
        )
    else:
        share = percent * CENTRAL_INPATIENT_SHARE // 100
        code, en, vi = (
            "central",
            f"Not the card's initial clinic: without a referral, inpatient treatment is covered at "
            f"{CENTRAL_INPATIENT_SHARE}% of the benefit level ({share}%); outpatient care is not covered.",
            f"Không phải nơi đăng ký KCB ban đầu: không có giấy chuyển tuyến thì điều trị nội trú được hưởng "
            f"{CENTRAL_INPATIENT_SHARE}% mức hưởng ({share}%); khám, điều trị ngoại trú không được quỹ BHYT chi trả.",
        )
    if code not in ("initial", "not_checked"):
        en, vi = en + REFERRAL_EN, vi + REFERRAL_VI
    return {"code": code, "message_en": en, "message_vi": vi}


# --- the check ------------------------------------------------------------------------------------------------


def checker_for(session: Session, principal: Principal, clinic_code: str | None) -> Checker:
    """Clinic staff check at their own clinic; a connected system (group 5, KCB) may name a clinic or not."""
    if principal.kind == "system":
        require_health_system(principal)
        code = (clinic_code or "").strip() or None
        channel, authority = "api", principal.client_authority
    else:
        code = clinic_staff_clinic(principal, clinic_code)
        channel, authority = "clinic", None
    clinic = session.scalar(select(Clinic).where(Clinic.code == code)) if code else None
    if code and clinic is None and principal.kind == "system":
        raise DomainError(
            "visits.clinic_unknown",
            f"'{code[:10]}' is not the code of a known health facility (MA_CSKCB)",
            f"'{code[:10]}' không phải mã cơ sở khám chữa bệnh có trong danh mục (MA_CSKCB)",
            field="clinic_code",
        )
    return Checker(clinic, code, channel, authority)


def check_in(
    session: Session,
    principal: Principal,
    *,
    qr: str | None = None,
    code: str | None = None,
    clinic_code: str | None = None,
    today: date | None = None,
    now: float | None = None,
    lang: str = "vi",
) -> dict:
    """Valid or not today, with the benefit level and the initial-clinic rule; from a QR or a typed code."""
    qr, code = (qr or "").strip(), (code or "").strip()
    if bool(qr) == bool(code):
        raise DomainError(
            "checkin.input",
            "Scan the card's QR or type a personal ID number or card code (one of them).",
            "Hãy quét mã QR trên thẻ hoặc nhập số định danh cá nhân hoặc mã thẻ BHYT (một trong hai).",
        )
    checker = checker_for(session, principal, clinic_code)
    today = today or vietnam_today()
    with transaction(session):
        status = StatusView.from_database(session)
        qr_info = None
        if qr:
            qr_info, refusal = _read_qr(session, qr, status, now)
            if refusal is not None:
                return _answer(checker, None, None, today, refusal, {"source": "qr", "qr": qr_info}, lang)
            code = qr_info["card_code"]
        source, person, spans = _find(session, code, checker.authority)
        if person is not None:
            record_access(
                session,
                person_id=person.id,
                principal=principal,
                groups=[5],
                purpose="KCB",
                outcome="allowed",
                channel=checker.channel,
            )
    span = _current(spans, today)
    refusal = _judge(span, today, status, person)
    return _answer(checker, person, span, today, refusal, {"source": "qr" if qr else source, "qr": qr_info}, lang)


def _read_qr(session: Session, text: str, status: StatusView, now: float | None) -> tuple[dict, DomainError | None]:
    """The QR's verdict; a refusal when its content cannot be trusted (nothing is looked up then)."""
    if not text.startswith(hi_card.PREFIX):
        info = {"verdict": Verdict.NOT_ESIBOOK.value}
        return info, _refusal("qr_not_card", "This QR is not an HI card of esibook.", "Mã QR này không phải thẻ BHYT.")
    result = verify_card(text, TrustAnchors.from_database(session), status, now=now or time.time())
    info = {
        "verdict": result.verdict.value,
        "card_code": result.shows.get("card_code"),
        "one_time": bool(result.shows.get("one_time")),
    }
    if result.verdict in (Verdict.ALTERED, Verdict.UNKNOWN_ISSUER):
        return info, _refusal(
            "qr_not_genuine",
            "The QR's signature does not check: the card may be forged or changed.",
            "Chữ ký của mã QR không hợp lệ: thẻ có thể bị giả mạo hoặc sửa đổi.",
        )
    if result.verdict == Verdict.EXPIRED and info["one_time"]:
        return info, _refusal(
            "qr_expired",
            "This one-time QR has expired; ask the person to show a fresh one.",
            "Mã QR dùng một lần này đã hết hạn; đề nghị người bệnh mở mã mới.",
        )
    return info, None


def _find(session: Session, code: str, authority: str | None) -> tuple[str, Person | None, list[HICoverage]]:
    """(how the code was read, the person, their card spans) for a personal ID number or a card code."""
    text = code.upper().replace(" ", "")
    if is_ascii_number(text) and len(text) == 12:
        number = parse_personal_id(text).number
        person = session.scalar(select(Person).where(Person.personal_id == number))
        spans = list(session.scalars(select(HICoverage).where(HICoverage.person_id == person.id))) if person else []
        source = "personal_id"
    elif len(text) == 15:
        card_code = parse_hi_card_code(text).code
        spans = list(session.scalars(select(HICoverage).where(HICoverage.card_code == card_code)))
        person = session.get(Person, spans[0].person_id) if spans else None
        source = "card_code"
    else:
        raise InvalidIdentifier(
            "checkin.code",
            "Type a 12-digit personal ID number or a 15-character HI card code.",
            "Hãy nhập số định danh cá nhân 12 chữ số hoặc mã thẻ BHYT 15 ký tự.",
            field="code",
        )
    if person is not None and authority and person.authority != authority:
        return source, None, []
    return source, person, spans


def _current(spans: list[HICoverage], today: date) -> HICoverage | None:
    """The span covering today, else the one that ends last."""
    covering = [s for s in spans if s.valid_from <= today <= s.valid_to]
    return max(covering or spans, key=lambda s: s.valid_to, default=None)


def _judge(span: HICoverage | None, today: date, status: StatusView, person: Person | None) -> DomainError | None:
    if span is None:
        return _refusal(
            "unknown_card", "No HI card is known for this person or code.", "Không có thẻ BHYT nào với mã này."
        )
    if person is not None and person.died_on is not None and today > person.died_on:
        return _refusal(
            "holder_deceased",
            "The card holder's death is on record: the card is no longer valid.",
            "Người có thẻ đã được ghi nhận là đã chết: thẻ không còn giá trị sử dụng.",
        )
    if today < span.valid_from:
        return _refusal(
            "card_not_yet_valid",
            f"The card is valid only from {span.valid_from:%d/%m/%Y}.",
            f"Thẻ chỉ có giá trị sử dụng từ ngày {span.valid_from:%d/%m/%Y}.",
        )
    if today > span.valid_to:
        return _refusal(
            "card_expired",
            f"The card expired on {span.valid_to:%d/%m/%Y}.",
            f"Thẻ đã hết hạn sử dụng từ ngày {span.valid_to:%d/%m/%Y}.",
        )
    if status.is_suspended("card", span.card_code):
        return _refusal(
            "card_suspended",
            "The managing authority has suspended this card.",
            "Cơ quan quản lý đã tạm dừng giá trị sử dụng của thẻ này.",
        )
    return None


def _refusal(code: str, en: str, vi: str) -> DomainError:
    return DomainError(f"checkin.{code}", en, vi)


def _answer(
    checker: Checker,
    person: Person | None,
    span: HICoverage | None,
    today: date,
    refusal: DomainError | None,
    extra: dict,
    lang: str,
) -> dict:
    answer = {
        "valid": refusal is None,
        "reason": refusal.as_dict(lang) if refusal else None,
        "checked_on": today.isoformat(),
        **extra,
        "clinic": {"code": checker.clinic_code, "name": checker.clinic.name if checker.clinic else None},
        "person": None,
        "card": None,
        "at_initial_clinic": None,
        "initial_clinic_rule": None,
    }
    if person is not None:
        answer["person"] = {"full_name": person.full_name, "date_of_birth": person.date_of_birth.isoformat()}
    if span is not None:
        answer["card"] = _card_view(span)
        answer["at_initial_clinic"] = span.initial_clinic_code == checker.clinic_code if checker.clinic_code else None
        rule = initial_clinic_rule(span, checker.clinic, checker.clinic_code)
        answer["initial_clinic_rule"] = {**rule, "message": rule["message_vi" if lang == "vi" else "message_en"]}
    return answer


def _card_view(span: HICoverage) -> dict:
    vi, en = BENEFIT_LEVELS[span.benefit_level]
    return {
        "card_code": span.card_code,
        "valid_from": span.valid_from.isoformat(),
        "valid_to": span.valid_to.isoformat(),
        "benefit_level": span.benefit_level,
        "benefit_percent": BENEFIT_PERCENT[span.benefit_level],
        "benefit_vi": vi,
        "benefit_en": en,
        "initial_clinic_code": span.initial_clinic_code,
        "five_years_since": span.five_years_since.isoformat() if span.five_years_since else None,
    }
