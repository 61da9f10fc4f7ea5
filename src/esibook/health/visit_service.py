"""Receiving visit records from clinics and showing citizens their medical history.

Who may send: staff of a clinic, for that clinic only; a connected system granted data group 5 for purpose KCB,
for any clinic, and only about persons of its authority; an operator with the command line. Each submission is one
transaction: the good records are stored, the bad ones are reported with every reason, the same record sent again
(same clinic and MA_LK) is counted as a duplicate and stored once. Reading a person's card to check a record is
written to that person's access log; the submission itself to the audit log, with counts only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.access.accesslog import accessor_label, record_access
from esibook.access.errors import forbidden
from esibook.access.guards import require_person
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.health.icd10 import chapter_of, normalize_icd10
from esibook.health.models import Clinic, HICoverage, MedicalVisit
from esibook.health.visits import CardSpan, Facts, Rejection, VisitRecord, check_visit, clinic_of, whole_dong
from esibook.health.xml130 import XmlVisits
from esibook.people.models import Person

HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Sender:
    """Who sends visits, and for which clinic."""

    clinic_code: str
    actor: str
    """How the audit log names the sender."""
    accessor: tuple[str, str]
    """How the person's access log names the sender."""
    channel: str
    authority: str | None = None
    """Only persons of this authority are visible (connected systems); None for clinics and operators."""


@dataclass
class VisitReport:
    clinic_code: str
    source: str
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def received(self) -> int:
        return self.accepted + self.duplicates + len(self.rejected)

    def as_dict(self, lang: str = "vi") -> dict:
        return {
            "clinic_code": self.clinic_code,
            "source": self.source,
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict(lang) for r in self.rejected],
        }


# --- who sends ------------------------------------------------------------------------------------------------


def clinic_staff_clinic(principal: Principal, clinic_code: str | None) -> str:
    """The clinic a staff member acts for: the one named (it must be theirs), or their only one."""
    require_person(principal)
    if not principal.clinic_codes:
        raise forbidden(
            "access.clinic_only",
            "Only staff of a health facility may do this.",
            "Chỉ nhân viên cơ sở khám chữa bệnh mới thực hiện được việc này.",
        )
    code = (clinic_code or "").strip() or (min(principal.clinic_codes) if len(principal.clinic_codes) == 1 else "")
    if code not in principal.clinic_codes:
        raise forbidden(
            "access.clinic_not_granted",
            "You do not work for this health facility; a clinic acts only for itself.",
            "Bạn không thuộc cơ sở khám chữa bệnh này; mỗi cơ sở chỉ thực hiện cho chính mình.",
        )
    return code


def require_health_system(principal: Principal) -> None:
    """A connected system must be granted data group 5 for purpose KCB."""
    if 5 not in principal.client_groups or "KCB" not in principal.client_purposes:
        raise forbidden(
            "access.group_not_granted",
            "This system is not granted data group 5 for purpose KCB.",
            "Hệ thống này không được cấp quyền nhóm dữ liệu 5 cho mục đích KCB.",
        )


def sender_for(session: Session, principal: Principal, clinic_code: str | None) -> Sender:
    """The sender a caller may be: refused (403) when it may not send for that clinic."""
    if principal.kind == "system":
        require_health_system(principal)
        code = (clinic_code or "").strip()
        authority, channel = principal.client_authority, "api"
    else:
        code = clinic_staff_clinic(principal, clinic_code)
        authority, channel = None, "clinic"
    _known_clinic(session, code)
    return Sender(code, principal.actor, accessor_label(principal), channel, authority)


def operator_sender(session: Session, clinic_code: str) -> Sender:
    """The command line: an operator of the insurance agency importing a clinic's file."""
    code = clinic_code.strip()
    _known_clinic(session, code)
    return Sender(code, "operator", ("system", f"BHXH: tệp dữ liệu KCB của cơ sở {code}"), "cli")


def _known_clinic(session: Session, code: str) -> None:
    if not code or session.scalar(select(Clinic.id).where(Clinic.code == code)) is None:
        raise DomainError(
            "visits.clinic_unknown",
            f"'{code[:10]}' is not the code of a known health facility (MA_CSKCB)",
            f"'{code[:10]}' không phải mã cơ sở khám chữa bệnh có trong danh mục (MA_CSKCB)",
            field="clinic_code",
        )


def clinic_names(session: Session, codes) -> dict[str, str]:
    """The names of the clinics with these codes (a clinic user's clinics), by code."""
    return dict(session.execute(select(Clinic.code, Clinic.name).where(Clinic.code.in_(codes))).all())


# --- receiving ------------------------------------------------------------------------------------------------


def import_xml(session: Session, principal: Principal, parsed: XmlVisits, clinic_code: str | None) -> VisitReport:
    """Store an XML file's visits for the clinic the caller names, or else the one its envelope names."""
    sender = sender_for(session, principal, xml_clinic(parsed, clinic_code))
    return receive_visits(session, sender, parsed.items, source="xml1")


def xml_clinic(parsed: XmlVisits, clinic_code: str | None) -> str | None:
    """The clinic a file is from: the one named (which must be the envelope's, if it names one), else the
    envelope's."""
    named = (clinic_code or "").strip() or None
    if named and parsed.clinic_code and named != parsed.clinic_code:
        raise DomainError(
            "visits.clinic_mismatch",
            f"the file is from clinic {parsed.clinic_code[:10]} (MACSKCB), not {named}",
            f"tệp là của cơ sở {parsed.clinic_code[:10]} (MACSKCB), không phải {named}",
            field="clinic_code",
        )
    return named or parsed.clinic_code


def receive_visits(
    session: Session, sender: Sender, items: list[VisitRecord | Rejection], *, source: str
) -> VisitReport:
    """Check and store a file or list of visits; a record already stored is a duplicate, not an error."""
    try:
        return _receive(session, sender, items, source)
    except IntegrityError:  # another submission stored some of these first (the action rolled back): duplicates now
        return _receive(session, sender, items, source)


def _receive(session: Session, sender: Sender, items: list[VisitRecord | Rejection], source: str) -> VisitReport:
    report = VisitReport(sender.clinic_code, source)
    records = [item for item in items if isinstance(item, VisitRecord)]
    with transaction(session):
        facts = load_facts(session, records, sender)
        for item in items:
            if isinstance(item, Rejection):
                report.rejected.append(item)
            else:
                _take(session, sender, item, facts, report, source)
        audit.append(
            session,
            actor=sender.actor,
            action="visits.received",
            target=f"clinic:{sender.clinic_code}",
            details={
                "source": source,
                "accepted": report.accepted,
                "duplicates": report.duplicates,
                "rejected": len(report.rejected),
            },
        )
    return report


def _take(session: Session, sender: Sender, record: VisitRecord, facts: Facts, report: VisitReport, source: str):
    key = (sender.clinic_code, record.visit_ref)
    if clinic_of(record, sender.clinic_code) == sender.clinic_code and key in facts.stored:
        report.duplicates += 1
        return
    problems = check_visit(record, sender_clinic=sender.clinic_code, facts=facts)
    person_id = facts.holder(record.card_code)
    if person_id is not None:
        record_access(
            session,
            person_id=person_id,
            principal=None,
            groups=[5],
            purpose="KCB",
            outcome="allowed",
            channel=sender.channel,
            accessor=sender.accessor,
        )
    if problems:
        report.rejected.append(Rejection(record.index, record.visit_ref, problems))
        return
    session.add(_visit_row(sender, record, facts, source))
    facts.stored.add(key)
    report.accepted += 1


def _visit_row(sender: Sender, record: VisitRecord, facts: Facts, source: str) -> MedicalVisit:
    span = facts.spans[record.card_code][0]
    return MedicalVisit(
        person_id=span.person_id,
        id=secrets.randbits(62),
        clinic_code=sender.clinic_code,
        visit_ref=record.visit_ref,
        card_code=record.card_code,
        admitted_at=record.admitted_at,
        discharged_at=record.discharged_at,
        main_diagnosis=normalize_icd10(record.main_diagnosis),
        total_cost=whole_dong(record.total_cost),
        hi_paid=whole_dong(record.hi_paid),
        patient_paid=whole_dong(record.patient_paid),
        other_paid=whole_dong(record.other_paid),
        source=source,
        sent_by=sender.actor[:120],
        authority=span.authority,
    )


def load_facts(session: Session, records: list[VisitRecord], sender: Sender) -> Facts:
    """Clinics, card spans and stored visits the records refer to, in a few queries."""
    facts = Facts()
    clinics = {clinic_of(r, sender.clinic_code) for r in records} | {sender.clinic_code}
    facts.clinics = set(session.scalars(select(Clinic.code).where(Clinic.code.in_(clinics))))
    codes = {r.card_code for r in records if len(r.card_code) <= 15}
    query = select(HICoverage).where(HICoverage.card_code.in_(codes)).order_by(HICoverage.seq)
    if sender.authority:
        query = query.where(HICoverage.authority == sender.authority)
    for c in session.scalars(query) if codes else []:
        facts.spans.setdefault(c.card_code, []).append(CardSpan(c.person_id, c.valid_from, c.valid_to, c.authority))
    person_ids = {spans[0].person_id for spans in facts.spans.values()}
    if person_ids:
        rows = session.execute(select(Person.id, Person.personal_id).where(Person.id.in_(person_ids)))
        facts.personal_ids = {person_id: number for person_id, number in rows}
    refs = {r.visit_ref for r in records}
    if refs:
        stored = session.execute(
            select(MedicalVisit.clinic_code, MedicalVisit.visit_ref).where(
                MedicalVisit.clinic_code == sender.clinic_code, MedicalVisit.visit_ref.in_(refs)
            )
        )
        facts.stored = {(code, ref) for code, ref in stored}
    return facts


# --- the citizen's history ------------------------------------------------------------------------------------


def my_visits(session: Session, principal: Principal) -> list[dict]:
    """The caller's own visits, newest first (VNeID level 2: health data is not shown at level 1)."""
    require_person(principal)
    if principal.level < 2:
        raise forbidden(
            "access.level2_required",
            "Your medical history is shown only after logging in with VNeID level 2.",
            "Lịch sử khám chữa bệnh chỉ hiển thị khi đăng nhập bằng VNeID mức 2.",
        )
    if principal.person_id is None:
        return []
    return visits_of(session, principal.person_id)


def visits_of(session: Session, person_id: int, *, limit: int = HISTORY_LIMIT) -> list[dict]:
    rows = session.execute(
        select(MedicalVisit, Clinic.name, Clinic.address)
        .outerjoin(Clinic, Clinic.code == MedicalVisit.clinic_code)
        .where(MedicalVisit.person_id == person_id)
        .order_by(MedicalVisit.admitted_at.desc(), MedicalVisit.id.desc())
        .limit(limit)
    ).all()
    return [visit_view(visit, name, address) for visit, name, address in rows]


def visit_view(visit: MedicalVisit, clinic_name: str | None, clinic_address: str | None = None) -> dict:
    chapter = chapter_of(visit.main_diagnosis)
    return {
        "clinic": {"code": visit.clinic_code, "name": clinic_name, "address": clinic_address},
        "visit_ref": visit.visit_ref,
        "card_code": visit.card_code,
        "admitted_at": visit.admitted_at.isoformat(timespec="minutes"),
        "discharged_at": visit.discharged_at.isoformat(timespec="minutes"),
        "main_diagnosis": visit.main_diagnosis,
        "diagnosis_chapter": {"vi": chapter[0], "en": chapter[1]} if chapter else None,
        "total_cost": visit.total_cost,
        "hi_paid": visit.hi_paid,
        "patient_paid": visit.patient_paid,
        "other_paid": visit.other_paid,
        "source": visit.source,
    }
