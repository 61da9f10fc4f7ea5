"""The other benefit claims as dossiers (issue 14, item 6): the funeral grant and the survivors' allowance filed by a
relative of the deceased, a sick child's leave and an occupational accident/disease benefit filed by the employer
(:mod:`esibook.benefits.other_claims` holds the forms and what approval settles)."""

from __future__ import annotations

from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.benefits.death_claims import (
    FuneralClaim,
    SurvivorsClaim,
    approve_death_claim,
    prepare_funeral,
    prepare_survivors,
)
from esibook.benefits.other_claims import (
    OccupationalClaim,
    SickChildClaim,
    approve_employer_claim,
    prepare_occupational,
    prepare_sick_child,
)
from esibook.people.models import Person
from esibook.transactions.claims import open_claim
from esibook.transactions.models import REFILED_DOSSIER, Dossier
from esibook.transactions.registry import AttachmentRule, Procedure

DEATH_CERTIFICATE = AttachmentRule(
    vi="Giấy chứng tử hoặc trích lục khai tử (và giấy tờ chứng minh quan hệ thân nhân nếu cơ sở dữ liệu dân cư "
    "chưa ghi nhận)",
    en="The death certificate or extract of the death registration (and a paper showing the relationship where the "
    "population records do not)",
    required=True,
)
ASSESSMENT_REPORT = AttachmentRule(
    vi="Biên bản giám định mức suy giảm khả năng lao động của Hội đồng giám định y khoa (và biên bản điều tra tai "
    "nạn lao động hoặc hồ sơ bệnh nghề nghiệp)",
    en="The medical assessment council's report of the loss of working capacity (and the accident investigation "
    "minutes or the occupational disease record)",
    required=True,
)


def open_claim_about(session: Session, deceased: Person, procedure: str) -> bool:
    """A dossier of this procedure about the deceased, filed by any relative, still being processed (the one being
    refiled aside)."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Dossier)
            .where(
                Dossier.procedure == procedure,
                Dossier.status.in_(("submitted", "needs_info", "resubmitted")),
                Dossier.id != session.info.get(REFILED_DOSSIER, 0),
                Dossier.form.contains(f'"deceased_personal_id":"{deceased.personal_id}"'),
            )
        )
    )


PROCEDURES = (
    Procedure(
        code="claim_funeral",
        name_vi="Đề nghị hưởng trợ cấp mai táng",
        name_en="Claim the funeral grant for a deceased relative",
        filer="citizen",
        form=FuneralClaim,
        service_days=10,
        result_vi="Quyết định hưởng trợ cấp mai táng, ghi vào sổ BHXH điện tử của người đã chết",
        prepare=partial(prepare_funeral, open_claim=open_claim_about),
        approve=approve_death_claim,
        attachments=DEATH_CERTIFICATE,
    ),
    Procedure(
        code="claim_survivors",
        name_vi="Đề nghị hưởng trợ cấp tuất (hằng tháng hoặc một lần)",
        name_en="Claim the survivors' allowance (monthly or lump sum)",
        filer="citizen",
        form=SurvivorsClaim,
        service_days=10,
        result_vi="Quyết định hưởng trợ cấp tuất, ghi vào sổ BHXH điện tử của người đã chết",
        prepare=partial(prepare_survivors, open_claim=open_claim_about),
        approve=approve_death_claim,
        attachments=DEATH_CERTIFICATE,
    ),
    Procedure(
        code="claim_sick_child",
        name_vi="Đề nghị hưởng chế độ khi con ốm đau",
        name_en="Claim the leave to care for an employee's sick child",
        filer="employer",
        form=SickChildClaim,
        service_days=6,
        result_vi="Quyết định hưởng chế độ khi con ốm đau, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_sick_child, open_claim=open_claim),
        approve=approve_employer_claim,
    ),
    Procedure(
        code="claim_occupational",
        name_vi="Đề nghị hưởng trợ cấp tai nạn lao động, bệnh nghề nghiệp",
        name_en="Claim the occupational accident or disease benefit for an employee",
        filer="employer",
        form=OccupationalClaim,
        service_days=6,
        result_vi="Quyết định hưởng trợ cấp TNLĐ-BNN, ghi vào sổ BHXH điện tử",
        prepare=partial(prepare_occupational, open_claim=open_claim),
        approve=approve_employer_claim,
        attachments=ASSESSMENT_REPORT,
    ),
)
