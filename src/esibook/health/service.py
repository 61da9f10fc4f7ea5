"""Health insurance use cases shared by the book, the clinic check-in and share links."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.health.models import Clinic, HICoverage


def latest_card(session: Session, person_id: int) -> HICoverage | None:
    """The person's card with the latest validity end (the latest issued among equals), valid or not."""
    return session.scalar(
        select(HICoverage)
        .where(HICoverage.person_id == person_id)
        .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc())
        .limit(1)
    )


def cards_of_group(session: Session, person_id: int, group: str) -> list[HICoverage]:
    """The person's cards of a beneficiary group (e.g. HT), the latest validity end first."""
    return list(session.scalars(
        select(HICoverage)
        .where(HICoverage.person_id == person_id, HICoverage.beneficiary_group == group)
        .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc())
    ))


def cards_with_clinics(session: Session, person_id: int) -> list[tuple[HICoverage, str | None, str | None]]:
    """Every card of the person in order, each with its initial clinic's name and address (None when the clinic
    is not in the list)."""
    rows = session.execute(
        select(HICoverage, Clinic.name, Clinic.address)
        .outerjoin(Clinic, Clinic.code == HICoverage.initial_clinic_code)
        .where(HICoverage.person_id == person_id)
        .order_by(HICoverage.seq)
    )
    return [tuple(row) for row in rows]


def valid_card_count(session: Session, today: date) -> int:
    """How many cards are valid today (the home page's statistics)."""
    return session.execute(
        select(func.count()).select_from(HICoverage).where(HICoverage.valid_from <= today, HICoverage.valid_to >= today)
    ).scalar_one()


def initial_clinic(session: Session, card: HICoverage | None) -> Clinic | None:
    """The card's initial clinic (nơi đăng ký KCB ban đầu), to show by name and address rather than its code."""
    if card is None:
        return None
    return session.scalar(select(Clinic).where(Clinic.code == card.initial_clinic_code))


def issue_card(
    session: Session, person, *, group: str, benefit_level: int, valid_from: date, valid_to: date, authority: str
) -> HICoverage:
    """A new card for ``person`` in a beneficiary group (e.g. HT, a pensioner, whose HI the SI fund pays), in the
    province and with the initial clinic of their last card (else the first clinic of their birth province that
    takes initial registrations). The person's legacy SI code is given them if they have none."""
    from esibook.health.identifiers import make_hi_card_code
    from esibook.people.si_codes import new_si_code

    last = latest_card(session, person.id)
    province = last.province_code if last else (person.birth_province_code or "001")[-2:]
    clinic = last.initial_clinic_code if last else session.scalar(
        select(Clinic.code)
        .where(Clinic.province_code == f"0{province}", Clinic.accepts_initial_registration.is_(True))
        .order_by(Clinic.code)
        .limit(1)
    )
    if not person.si_code_legacy:
        person.si_code_legacy = new_si_code(session, person.birth_province_code)
    seq = (session.scalar(select(func.max(HICoverage.seq)).where(HICoverage.person_id == person.id)) or 0) + 1
    card = HICoverage(
        person_id=person.id,
        seq=seq,
        card_code=make_hi_card_code(group, benefit_level, province, person.si_code_legacy),
        beneficiary_group=group,
        benefit_level=benefit_level,
        province_code=province,
        initial_clinic_code=clinic or "01001",
        valid_from=valid_from,
        valid_to=valid_to,
        five_years_since=last.five_years_since if last else None,
        authority=authority,
    )
    session.add(card)
    return card
