"""Benefit claims as dossiers: the four claim procedures of :mod:`esibook.benefits.claims`, with the dossier
engine's own check that no claim of the same kind is already open for the person."""

from __future__ import annotations

from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.claims import (
    MaternityClaim,
    OneTimeClaim,
    OwnSicknessClaim,
    SicknessClaim,
    UnemploymentClaim,
    approve_employee_claim,
    approve_own_claim,
    approve_own_sickness,
    prepare_maternity,
    prepare_one_time,
    prepare_own_sickness,
    prepare_sickness,
    prepare_unemployment,
)
from esibook.people.models import Person
from esibook.transactions.models import REFILED_DOSSIER, Dossier
from esibook.transactions.registry import Procedure

#: Procedures that claim the same benefit: the employer's sickness claim and the person's own, once the job ended.
SAME_BENEFIT = {"claim_sickness": ("claim_sickness", "claim_sickness_own")}


def open_claim(session: Session, person: Person, procedure: str) -> bool:
    """A dossier claiming this benefit for the person, still being processed (the one being refiled aside)."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Dossier)
            .where(
                Dossier.procedure.in_(SAME_BENEFIT.get(procedure, (procedure,))),
                Dossier.status.in_(("submitted", "needs_info", "resubmitted")),
                Dossier.id != session.info.get(REFILED_DOSSIER, 0),
                (Dossier.person_id == person.id) | Dossier.form.contains(f'"personal_id":"{person.personal_id}"'),
            )
        )
    )


#: The claims: sickness and maternity filed by the employer, one-time withdrawal and unemployment by the person,
#: and sickness by the person once the job has ended.
PROCEDURES = (
    Procedure(
        code="claim_sickness",
        name_vi="Đề nghị hưởng chế độ ốm đau",
        name_en="Claim the sickness benefit for an employee",
        filer="employer",
        form=SicknessClaim,
        service_days=6,
        result_vi="Quyết định hưởng chế độ ốm đau, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_sickness, open_claim=open_claim),
        approve=approve_employee_claim,
    ),
    Procedure(
        code="claim_maternity",
        name_vi="Đề nghị hưởng chế độ thai sản",
        name_en="Claim the maternity benefit for an employee",
        filer="employer",
        form=MaternityClaim,
        service_days=6,
        result_vi="Quyết định hưởng chế độ thai sản, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_maternity, open_claim=open_claim),
        approve=approve_employee_claim,
    ),
    Procedure(
        code="claim_one_time",
        name_vi="Đề nghị hưởng BHXH một lần",
        name_en="Claim the one-time social insurance withdrawal",
        filer="citizen",
        form=OneTimeClaim,
        service_days=10,
        result_vi="Quyết định hưởng BHXH một lần, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_one_time, open_claim=open_claim),
        approve=approve_own_claim,
    ),
    Procedure(
        code="claim_unemployment",
        name_vi="Đề nghị hưởng trợ cấp thất nghiệp",
        name_en="Claim the unemployment benefit",
        filer="citizen",
        form=UnemploymentClaim,
        service_days=20,
        result_vi="Quyết định hưởng trợ cấp thất nghiệp, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_unemployment, open_claim=open_claim),
        approve=approve_own_claim,
    ),
    Procedure(
        code="claim_sickness_own",
        name_vi="Đề nghị hưởng chế độ ốm đau (người đã nghỉ việc)",
        name_en="Claim the sickness benefit yourself, after leaving the job",
        filer="citizen",
        form=OwnSicknessClaim,
        service_days=6,
        result_vi="Quyết định hưởng chế độ ốm đau, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_own_sickness, open_claim=open_claim),
        approve=approve_own_sickness,
    ),
)
