"""Procedures a citizen files for themself: voluntary SI, corrections, a new HI card, a certified printout; and
the officers' transfer between authorities.

The filer is the person; for them ``prepare`` and ``approve`` receive the person's record instead of an employer.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.access.authorities import AUTHORITY_NAMES, Authority
from esibook.book.documents import printout_pdf
from esibook.book.service import latest_version
from esibook.config import Settings
from esibook.contributions.dues import voluntary_payment
from esibook.contributions.models import SELF_PAID, ParticipationPeriod
from esibook.contributions.parameters import current_parameters
from esibook.contributions.records import voluntary_supported_months
from esibook.dates import vietnam_today
from esibook.db import last_seq
from esibook.errors import DomainError
from esibook.health.clinics import initial_registration_choices
from esibook.health.models import Clinic, HICoverage
from esibook.health.service import latest_card
from esibook.people.models import Contact, Person
from esibook.people.names import fold_name, normalize_name
from esibook.periods import Month
from esibook.transactions.files import store_file
from esibook.transactions.models import RepositoryDocument
from esibook.transactions.population import LocalPopulationRegistry
from esibook.transactions.registry import Procedure

CORRECTABLE = ("full_name", "date_of_birth", "sex", "ethnicity_code", "permanent_residence")


class VoluntaryRegistration(BaseModel):
    """Đăng ký tham gia BHXH tự nguyện: a chosen monthly income, from a month, paid every 1, 3, 6 or 12 months."""

    income: int = Field(gt=0, le=10_000_000_000)
    from_month: str = Field(min_length=6, max_length=7)
    payment_months: int = Field(1)
    support_category: str = Field("other", pattern="^(poor|near_poor|ethnic_minority|other)$")
    """For the State's support: a poor or near-poor household, an ethnic minority, or anyone else."""


class InformationCorrection(BaseModel):
    """Điều chỉnh thông tin cá nhân: the book must agree with the population database."""

    field: str = Field(max_length=40)
    value: str = Field(min_length=1, max_length=300)


def _refuse(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


def prepare_voluntary(session: Session, person: Person, form: VoluntaryRegistration) -> dict:
    month = Month.parse_input(form.from_month, field="from_month")
    params = current_parameters().for_month(month)
    if form.payment_months not in (1, 3, 6, 12):
        raise _refuse(
            "dossier.payment_months",
            "pay every 1, 3, 6 or 12 months",
            "đóng 1, 3, 6 hoặc 12 tháng một lần",
            "payment_months",
        )
    if not params.rural_poverty_line <= form.income <= params.si_cap:
        raise _refuse(
            "dossier.income",
            f"the chosen income must be between {params.rural_poverty_line:,} and {params.si_cap:,} VND in {month}",
            f"mức thu nhập phải từ {params.rural_poverty_line:,} đến {params.si_cap:,} đồng tháng {month}",
            "income",
        )
    open_periods = session.scalar(
        select(func.count())
        .select_from(ParticipationPeriod)
        .where(ParticipationPeriod.person_id == person.id, ParticipationPeriod.to_month.is_(None))
    )
    if open_periods:
        raise _refuse(
            "dossier.already_participating",
            "you already participate in social insurance now",
            "bạn đang tham gia bảo hiểm xã hội",
            "from_month",
        )
    parameters = current_parameters()
    used = voluntary_supported_months(
        session, person.id, parameters.voluntary_support_began().as_int(), month.as_int()
    )
    payment = voluntary_payment(
        form.income, month, form.support_category, form.payment_months, supported_before=used
    )
    stopped = payment.support_stopped
    return {
        **form.model_dump(),
        "from_month": str(month),
        "monthly_contribution": payment.monthly_contribution,
        "monthly_state_support": payment.monthly_state_support,
        "monthly_payable": payment.monthly_payable,
        "payable_per_period": payment.payable,
        "supported_months": payment.supported_months,
        "support_months_used_before": used,
        **({"support_note": stopped[1], "support_note_en": stopped[0]} if stopped else {}),
        "rate_basis_points": params.rates.voluntary_retirement,
        "parameters_version": payment.parameters_version,
    }


def approve_voluntary(session: Session, person: Person, form: dict) -> list[int]:
    seq = last_seq(session, ParticipationPeriod.seq, ParticipationPeriod.person_id, person.id) + 1
    session.add(
        ParticipationPeriod(
            person_id=person.id,
            seq=seq,
            employer_id=SELF_PAID,
            from_month=Month.parse(form["from_month"]).as_int(),
            to_month=None,
            salary_basis=form["income"],
            participant_type="voluntary",
            provenance="electronic",
            authority=person.authority,
        )
    )
    return [person.id]


def prepare_correction(session: Session, person: Person, form: InformationCorrection) -> dict:
    if form.field not in CORRECTABLE:
        raise _refuse(
            "dossier.field",
            f"choose one of {', '.join(CORRECTABLE)}",
            f"hãy chọn một trong {', '.join(CORRECTABLE)}",
            "field",
        )
    value = normalize_name(form.value) if form.field == "full_name" else form.value.strip()
    registry = LocalPopulationRegistry(session)
    mismatch = registry.mismatches(person.personal_id, {form.field: value})
    if mismatch:
        held = mismatch.get(form.field, "")
        raise _refuse(
            "dossier.population_mismatch",
            f"the population database holds '{held}' for {form.field}; have it corrected there first",
            f"cơ sở dữ liệu dân cư ghi '{held}'; hãy điều chỉnh tại cơ quan công an trước",
            "value",
        )
    current = str(getattr(person, form.field))
    if current == value:
        raise _refuse("dossier.nothing_to_correct", "your book already says this", "sổ đã ghi đúng như vậy", "value")
    return {"field": form.field, "from": current, "to": value, "checked_against": "population database"}


def approve_correction(session: Session, person: Person, form: dict) -> list[int]:
    resident = LocalPopulationRegistry(session).find(person.personal_id)
    setattr(person, form["field"], getattr(resident, form["field"]))
    person.name_key = fold_name(person.full_name)
    return [person.id]


class AuthorityTransfer(BaseModel):
    """Chuyển cơ quan quản lý sổ: a person moves between authorities (e.g. a conscript back to civilian work)."""

    personal_id: str = Field(min_length=12, max_length=12)
    to_authority: str = Field(pattern="^(civil|defence|security)$")
    reason: str = Field(min_length=3, max_length=200)


def prepare_transfer(session: Session, person: Person, form: AuthorityTransfer) -> dict:
    if form.to_authority == person.authority:
        raise _refuse(
            "dossier.same_authority",
            "the person is already managed by that authority",
            "người này đã do cơ quan đó quản lý",
            "to_authority",
        )
    return {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "from_authority": person.authority,
        "to_authority": form.to_authority,
        "reason": form.reason,
    }


def approve_transfer(session: Session, person: Person, form: dict) -> list[int]:
    """The book's management moves; past service periods keep their authority, and their classified details stay
    with it (they are never written into a book)."""
    person.authority = form["to_authority"]
    return [person.id]


class CardReissue(BaseModel):
    """Cấp lại thẻ BHYT, đổi nơi đăng ký KCB ban đầu: a new card, optionally at another initial clinic."""

    initial_clinic_code: str | None = Field(None, min_length=5, max_length=5)
    reason: str = Field(min_length=3, max_length=200)


def reissue_choices(session: Session, person_id: int | None) -> dict:
    """What the reissue form offers instead of a typed code: the clinics of the card's province that take initial
    registrations (nơi đăng ký KCB ban đầu), by name, and the card's current one."""
    card = latest_card(session, person_id) if person_id else None
    if card is None:
        return {"clinic_choices": [], "current_clinic": None, "card_province": None}
    return {
        "clinic_choices": initial_registration_choices(session, card.province_code),
        "current_clinic": card.initial_clinic_code,
        "card_province": f"0{card.province_code}",
    }


def prepare_reissue(session: Session, person: Person, form: CardReissue) -> dict:
    card = latest_card(session, person.id)
    if card is None:
        raise _refuse("dossier.no_card", "you have no HI card to reissue", "bạn chưa có thẻ BHYT để cấp lại", "reason")
    clinic_code = form.initial_clinic_code or card.initial_clinic_code
    clinic = session.scalar(select(Clinic).where(Clinic.code == clinic_code))
    if clinic is None or not clinic.accepts_initial_registration:
        raise _refuse(
            "dossier.clinic",
            f"{clinic_code} does not take initial registrations",
            f"{clinic_code} không nhận đăng ký khám chữa bệnh ban đầu",
            "initial_clinic_code",
        )
    if clinic.province_code[1:] != card.province_code:
        raise _refuse(
            "dossier.clinic_province",
            "choose an initial clinic in the province of your card",
            "hãy chọn nơi khám chữa bệnh ban đầu trong tỉnh của thẻ",
            "initial_clinic_code",
        )
    return {
        "card_code": card.card_code,
        "from_clinic": card.initial_clinic_code,
        "to_clinic": clinic_code,
        "clinic_name": clinic.name,
        "reason": form.reason,
    }


def approve_reissue(session: Session, person: Person, form: dict) -> list[int]:
    """A new validity span at the chosen clinic from today; the old span ends yesterday (or today)."""
    old = latest_card(session, person.id)
    today = vietnam_today()
    session.add(
        HICoverage(
            person_id=person.id,
            seq=old.seq + 1,
            card_code=old.card_code,
            beneficiary_group=old.beneficiary_group,
            benefit_level=old.benefit_level,
            province_code=old.province_code,
            initial_clinic_code=form["to_clinic"],
            valid_from=today,
            valid_to=max(old.valid_to, today),
            five_years_since=old.five_years_since,
            authority=old.authority,
        )
    )
    old.valid_to = max(old.valid_from, today - timedelta(days=1))
    return [person.id]


class PrintoutRequest(BaseModel):
    """Đề nghị cấp bản in sổ BHXH: a certified printout, kept in the repository and, if asked, sent on paper."""

    delivery: str = Field("electronic", pattern="^(electronic|pickup|post)$")
    copies: int = Field(1, ge=1, le=3)
    address: str | None = Field(None, max_length=300)


def prepare_printout(session: Session, person: Person, form: PrintoutRequest) -> dict:
    if latest_version(session, person.id) is None:
        raise _refuse("dossier.no_book", "no book has been issued to you yet", "bạn chưa được cấp sổ", "delivery")
    address = None
    if form.delivery == "post":
        address = (form.address or "").strip() or _address_on_file(session, person)
        if not address:
            raise _refuse("dossier.address", "give the postal address", "hãy ghi địa chỉ nhận", "address")
    return {"delivery": form.delivery, "copies": form.copies, "address": address}


def _address_on_file(session: Session, person: Person) -> str | None:
    contact = session.get(Contact, person.id)
    return (contact.address if contact else None) or person.permanent_residence


def approve_printout(session: Session, person: Person, form: dict) -> list[int]:
    """Nothing in the book changes: the result is the printout itself (see ``printout_results``)."""
    return []


def printout_results(session: Session, settings: Settings, caller, person: Person) -> list[RepositoryDocument]:
    """The certified printout PDF, printed by the approving officer, filed with its signed statement."""
    data, statement = printout_pdf(session, settings, person.id, printed_by=caller.name)
    return [
        RepositoryDocument(
            owner_kind="person",
            owner_id=person.id,
            doc_type="printout",
            title="Bản in sổ BHXH có xác thực",
            issuer=AUTHORITY_NAMES[Authority(person.authority)][0],
            document=statement,
            file_sha256=store_file(settings, data),
        )
    ]


#: The procedures a person files for themselves (the officer files the transfer).
PROCEDURES = (
    Procedure(
        code="voluntary_si",
        name_vi="Đăng ký tham gia BHXH tự nguyện",
        name_en="Register for voluntary social insurance",
        filer="citizen",
        form=VoluntaryRegistration,
        service_days=5,
        result_vi="Sổ BHXH điện tử ghi quá trình tham gia tự nguyện",
        prepare=prepare_voluntary,
        approve=approve_voluntary,
    ),
    Procedure(
        code="reissue_hi_card",
        name_vi="Cấp lại thẻ BHYT, đổi nơi đăng ký khám chữa bệnh ban đầu",
        name_en="Reissue the HI card or change the initial clinic",
        filer="citizen",
        form=CardReissue,
        service_days=3,
        result_vi="Thẻ BHYT mới trong kho dữ liệu điện tử",
        prepare=prepare_reissue,
        approve=approve_reissue,
    ),
    Procedure(
        code="transfer_authority",
        name_vi="Chuyển cơ quan quản lý sổ BHXH",
        name_en="Transfer a book between authorities",
        filer="officer",
        form=AuthorityTransfer,
        service_days=5,
        result_vi="Sổ BHXH điện tử do cơ quan mới quản lý và ký",
        prepare=prepare_transfer,
        approve=approve_transfer,
    ),
    Procedure(
        code="correct_personal_info",
        name_vi="Điều chỉnh thông tin cá nhân trên sổ BHXH",
        name_en="Correct personal information in the book",
        filer="citizen",
        form=InformationCorrection,
        service_days=3,
        result_vi="Sổ BHXH điện tử với thông tin đã điều chỉnh",
        prepare=prepare_correction,
        approve=approve_correction,
    ),
)


#: The certified printout (listed after the book's merging procedures).
PRINTOUT = Procedure(
    code="request_printout",
    name_vi="Đề nghị cấp bản in sổ BHXH có xác thực",
    name_en="Request a certified paper printout of the book",
    filer="citizen",
    form=PrintoutRequest,
    service_days=3,
    result_vi="Bản in sổ BHXH có xác thực (PDF ký số, kèm bản giấy nếu đề nghị)",
    prepare=prepare_printout,
    approve=approve_printout,
    results=printout_results,
)
