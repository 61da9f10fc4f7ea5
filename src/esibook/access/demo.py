"""Demo identities for the development identity provider, chosen deterministically from the seeded data.

Identity comes from VNeID; what a person may do besides their own records comes from esibook's role grants.
``grant_demo_roles`` gives the demo officers, employer representative and clinic user their grants, and makes the
demo authorisation: a person who has left their job authorises the demo citizen to claim sickness for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from esibook.access.models import Authorisation, RoleGrant
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.health.models import Clinic, HICoverage
from esibook.people.models import Person


@dataclass(frozen=True)
class DemoIdentity:
    key: str
    label_vi: str
    label_en: str
    personal_id: str
    name: str
    level: int
    grant: tuple | None = None
    """(role, authority, permissions, employer_id, clinic_code) to grant, if any."""


def _adults(session: Session, authority: str, *, working: bool | None = None, limit: int = 6,
            min_age: int = 25) -> list[Person]:
    cutoff = vietnam_today().replace(year=vietnam_today().year - min_age)
    query = select(Person).where(
        Person.authority == authority, Person.personal_id.is_not(None), Person.date_of_birth <= cutoff
    )
    open_period = exists().where(
        ParticipationPeriod.person_id == Person.id,
        ParticipationPeriod.to_month.is_(None),
        ParticipationPeriod.participant_type != "voluntary",
    )
    if working is True:
        query = query.where(open_period, exists().where(HICoverage.person_id == Person.id))
    elif working is False:
        query = query.where(~open_period)
    return list(session.scalars(query.order_by(Person.id).limit(limit)))


def demo_identities(session: Session) -> list[DemoIdentity]:
    """The people the development provider offers to sign in as (empty until demo data is seeded)."""
    workers = _adults(session, "civil", working=True)
    staff = _adults(session, "civil", working=False)
    defence = _adults(session, "defence", limit=2, min_age=18)
    security = _adults(session, "security", limit=2, min_age=18)
    guardian_id = session.scalar(
        select(Person.representative_id).where(Person.representative_id.is_not(None)).order_by(Person.id).limit(1)
    )
    guardian = session.scalar(select(Person).where(Person.personal_id == guardian_id)) if guardian_id else None
    clinic = session.scalar(select(Clinic.code).order_by(Clinic.code).limit(1))
    if len(workers) < 2 or len(staff) < 3 or not defence or not security:
        return []
    citizen, employee = workers[0], workers[1]
    # An officer is never the service member they would review: with one person of an authority, take a civilian.
    spare = iter(staff[3:])
    officer_defence = defence[1] if len(defence) > 1 else next(spare, defence[-1])
    officer_security = security[1] if len(security) > 1 else next(spare, security[-1])
    employer_id = session.scalar(
        select(ParticipationPeriod.employer_id).where(
            ParticipationPeriod.person_id == employee.id, ParticipationPeriod.to_month.is_(None)
        )
    )
    found = [
        DemoIdentity(
            "citizen-l2",
            "Người dân (VNeID mức 2)",
            "Citizen (VNeID level 2)",
            citizen.personal_id,
            citizen.full_name,
            2,
        ),
        DemoIdentity(
            "citizen-l1",
            "Người dân (VNeID mức 1)",
            "Citizen (VNeID level 1)",
            citizen.personal_id,
            citizen.full_name,
            1,
        ),
        DemoIdentity(
            "citizen-defence",
            "Quân nhân (VNeID mức 2)",
            "Service member (VNeID level 2)",
            defence[0].personal_id,
            defence[0].full_name,
            2,
        ),
        DemoIdentity(
            "employer-rep",
            "Đại diện đơn vị sử dụng lao động",
            "Employer representative",
            staff[0].personal_id,
            staff[0].full_name,
            2,
            ("employer_rep", "civil", "", employer_id, None),
        ),
        DemoIdentity(
            "officer-civil",
            "Cán bộ BHXH Việt Nam",
            "Officer, Vietnam Social Security",
            staff[1].personal_id,
            staff[1].full_name,
            2,
            ("officer", "civil", "reviewer,approver,reference_data", None, None),
        ),
        DemoIdentity(
            "officer-defence",
            "Cán bộ Bộ Quốc phòng",
            "Officer, Ministry of Defence",
            officer_defence.personal_id,
            officer_defence.full_name,
            2,
            ("officer", "defence", "reviewer", None, None),
        ),
        DemoIdentity(
            "officer-security",
            "Cán bộ Bộ Công an",
            "Officer, Ministry of Public Security",
            officer_security.personal_id,
            officer_security.full_name,
            2,
            ("officer", "security", "reviewer", None, None),
        ),
        DemoIdentity(
            "clinic",
            "Nhân viên cơ sở khám chữa bệnh",
            "Clinic staff",
            staff[2].personal_id,
            staff[2].full_name,
            2,
            ("clinic", "civil", "", None, clinic),
        ),
    ]
    payer = _voluntary_participant(session, {i.personal_id for i in found} | {guardian_id})
    if payer:
        found.append(
            DemoIdentity(
                "voluntary-payer",
                "Người tham gia BHXH tự nguyện (đóng trực tuyến)",
                "Voluntary SI participant (pays online)",
                payer.personal_id,
                payer.full_name,
                2,
            )
        )
    grantor = _grantor(session, {i.personal_id for i in found} | {guardian_id})
    if grantor:
        found.append(
            DemoIdentity(
                "grantor",
                "Người đã ủy quyền (đã nghỉ việc)",
                "A person who authorised someone (left their job)",
                grantor.personal_id,
                grantor.full_name,
                2,
            )
        )
    if guardian:
        found.insert(
            2,
            DemoIdentity(
                "guardian", "Cha/mẹ của trẻ em", "Parent of a child", guardian.personal_id, guardian.full_name, 2
            ),
        )
    return found


def _voluntary_participant(session: Session, taken: set) -> Person | None:
    """The first civil adult with an open voluntary SI registration who is no other demo identity: pays online."""
    voluntary = exists().where(
        ParticipationPeriod.person_id == Person.id,
        ParticipationPeriod.to_month.is_(None),
        ParticipationPeriod.participant_type == "voluntary",
    )
    return session.scalar(
        select(Person)
        .where(Person.authority == "civil", Person.personal_id.is_not(None), Person.personal_id.not_in(
            [t for t in taken if t]), voluntary)
        .order_by(Person.id)
        .limit(1)
    )


def _grantor(session: Session, taken: set) -> Person | None:
    """A civilian adult whose last job has ended (the employer reported them leaving): they file their own
    sickness claim, and have authorised the demo citizen to file it for them."""
    cutoff = vietnam_today().replace(year=vietnam_today().year - 25)
    employee = (ParticipationPeriod.person_id == Person.id, ParticipationPeriod.participant_type == "employee")
    return session.scalar(
        select(Person)
        .where(
            Person.authority == "civil",
            Person.personal_id.is_not(None),
            Person.personal_id.not_in([t for t in taken if t]),
            Person.date_of_birth <= cutoff,
            exists().where(*employee, ParticipationPeriod.to_month.is_not(None)),
            ~exists().where(ParticipationPeriod.person_id == Person.id, ParticipationPeriod.to_month.is_(None)),
        )
        .order_by(Person.id)
        .limit(1)
    )


def demo_authorisation(session: Session, identities: list[DemoIdentity]) -> int:
    """The demo grantor's authorisation of the demo citizen: their own sickness claim and a printout, and
    receiving a benefit, for a year (idempotent); returns how many were added."""
    keyed = {i.key: i for i in identities}
    if "grantor" not in keyed or "citizen-l2" not in keyed:
        return 0
    grantor_id, agent_id = (
        session.scalar(select(Person.id).where(Person.personal_id == keyed[k].personal_id))
        for k in ("grantor", "citizen-l2")
    )
    present = session.scalar(
        select(Authorisation.id).where(Authorisation.grantor_id == grantor_id, Authorisation.agent_id == agent_id)
    )
    if present is not None:
        return 0
    session.add(
        Authorisation(
            grantor_id=grantor_id,
            agent_id=agent_id,
            procedures="claim_sickness_own,request_printout",
            receive_payment=True,
            valid_until=vietnam_today() + timedelta(days=365),
        )
    )
    return 1


def grant_demo_roles(session: Session) -> int:
    """Give the demo identities their role grants (idempotent); returns how many were added."""
    identities = demo_identities(session)
    added = demo_authorisation(session, identities)
    for identity in identities:
        if not identity.grant:
            continue
        role, authority, permissions, employer_id, clinic_code = identity.grant
        present = session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.personal_id == identity.personal_id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None)
            )
        )
        if present is None:
            session.add(
                RoleGrant(
                    personal_id=identity.personal_id,
                    role=role,
                    authority=authority,
                    permissions=permissions,
                    employer_id=employer_id,
                    clinic_code=clinic_code,
                )
            )
            added += 1
    return added
