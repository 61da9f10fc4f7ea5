"""The retirement claim as a dossier (hồ sơ đề nghị hưởng lương hưu), filed by the person: the pension worksheet
from the book goes with it, the officer reviews the arithmetic and approves, and approval records the pension
(:mod:`esibook.benefits.pensions`)."""

from __future__ import annotations

from functools import partial

from esibook.benefits.pensions import RetirementClaim, approve_retirement, prepare_retirement
from esibook.transactions.claims import open_claim
from esibook.transactions.registry import Procedure

PROCEDURE = Procedure(
    code="claim_pension",
    name_vi="Đề nghị hưởng lương hưu hằng tháng",
    name_en="Claim the monthly pension",
    filer="citizen",
    form=RetirementClaim,
    service_days=20,
    result_vi="Quyết định hưởng lương hưu hằng tháng và trợ cấp một lần khi nghỉ hưu, ghi vào sổ BHXH điện tử; "
    "thẻ BHYT của người hưởng lương hưu",
    prepare=partial(prepare_retirement, open_claim=open_claim),
    approve=approve_retirement,
)
