"""Payout files (danh sách chi trả lương hưu): the months a monthly run paid, one list per channel, for the banks
(transfers to accounts) and for the post offices (cash handed over), as CSV in UTF-8 with a byte-order mark (so a
spreadsheet opens the Vietnamese right), with Vietnamese headers and amounts in đồng.

- One line per month paid in the run (a back-pay month is a line of its own, marked), and a total line.
- The bank's file carries the account numbers in full (the bank needs them to transfer); any other file shows
  accounts masked. The post office's file names the person who collects the cash and their personal ID, to check at
  the counter (the pensioner, or the authorised representative who receives it for them).
- A month without a run is refused (``pension.no_run``): there is nothing to send yet.
- ``benefit`` ``pension`` (the pensions) or ``monthly`` (the other monthly benefits the same run pays: the
  unemployment allowance, the survivors' and the accident/disease monthly allowances), each a file of its own, the
  benefit named on each line of the second.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from esibook.access.authorities import Authority
from esibook.access.errors import forbidden
from esibook.access.guards import require_officer
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.models import (
    MonthlyBenefit,
    MonthlyBenefitMethod,
    MonthlyBenefitPayment,
    PensionPayment,
    PensionPaymentMethod,
)
from esibook.benefits.payouts import BANKS, mask_account
from esibook.benefits.pension_runs import was_run
from esibook.db import transaction
from esibook.errors import DomainError
from esibook.people.models import Person
from esibook.periods import Month

#: The channels a payout file is made for, and the payment method each carries.
CHANNELS = {"bank": "bank", "post": "cash"}

COMMON = ["STT", "Số định danh cá nhân", "Họ và tên", "Tháng hưởng", "Truy lĩnh", "Lương hưu (đồng)",
          "Trợ cấp một lần (đồng)", "Tổng số tiền (đồng)"]
CHANNEL_COLUMNS = {
    "bank": ["Ngân hàng", "Số tài khoản", "Người nhận thay theo ủy quyền"],
    "post": ["Bưu điện chi trả", "Người nhận tiền", "Số định danh người nhận"],
}
HEADERS = {channel: [*COMMON, *columns] for channel, columns in CHANNEL_COLUMNS.items()}
#: The other monthly benefits' file: the benefit named on each line, one amount a month (no lump sum).
MONTHLY_COMMON = ["STT", "Số định danh cá nhân", "Họ và tên", "Chế độ", "Tháng hưởng", "Truy lĩnh",
                  "Số tiền (đồng)"]
MONTHLY_HEADERS = {channel: [*MONTHLY_COMMON, *columns] for channel, columns in CHANNEL_COLUMNS.items()}
BENEFIT_NAMES = {"unemployment": "Trợ cấp thất nghiệp", "survivors_monthly": "Trợ cấp tuất hằng tháng",
                 "oad_monthly": "Trợ cấp TNLĐ-BNN hằng tháng"}
BENEFITS = ("pension", "monthly")


@dataclass(frozen=True)
class PayoutFile:
    month: Month
    channel: str
    lines: int
    total: int
    content: bytes
    benefit: str = "pension"

    @property
    def filename(self) -> str:
        what = "luong-huu" if self.benefit == "pension" else "che-do-hang-thang"
        return f"chi-tra-{what}-{self.month}-{self.channel}.csv"


def _bad(code: str, en: str, vi: str, field: str) -> DomainError:
    return DomainError(code, en, vi, field=field)


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise _bad("pension.channel", "the channel is bank or post", "kênh chi trả là bank (ngân hàng) hoặc post "
                   "(bưu điện)", "channel")
    return channel


def check_benefit(benefit: str) -> str:
    if benefit not in BENEFITS:
        raise _bad("pension.benefit", "the benefit is pension or monthly (the other monthly benefits)",
                   "chế độ là pension (lương hưu) hoặc monthly (các chế độ hằng tháng khác)", "benefit")
    return benefit


def check_authority(authority: str | None) -> None:
    if authority is not None and authority not in {a.value for a in Authority}:
        raise _bad("pension.authority", "the authority is civil, defence or security",
                   "cơ quan là civil, defence hoặc security", "authority")


def _rows(session: Session, month: Month, method: str, authority: str | None):
    agent = aliased(Person)
    query = (
        select(PensionPayment, Person.personal_id, Person.full_name, PensionPaymentMethod, agent.personal_id,
               agent.full_name)
        .join(Person, Person.id == PensionPayment.person_id)
        .join(PensionPaymentMethod, (PensionPaymentMethod.person_id == PensionPayment.person_id)
              & (PensionPaymentMethod.seq == PensionPayment.method_seq))
        .outerjoin(agent, agent.id == PensionPayment.agent_id)
        .where(PensionPayment.paid_in == month.as_int(), PensionPayment.method == method,
               PensionPayment.status == "paid")
        .order_by(PensionPayment.person_id, PensionPayment.month)
    )
    if authority is not None:
        query = query.where(PensionPayment.authority == authority)
    return session.execute(query).all()


def _monthly_rows(session: Session, month: Month, method: str, authority: str | None):
    agent = aliased(Person)
    query = (
        select(MonthlyBenefitPayment, Person.personal_id, Person.full_name, MonthlyBenefitMethod, agent.personal_id,
               agent.full_name, MonthlyBenefit.regime)
        .join(Person, Person.id == MonthlyBenefitPayment.beneficiary_id)
        .join(MonthlyBenefit, (MonthlyBenefit.person_id == MonthlyBenefitPayment.person_id)
              & (MonthlyBenefit.seq == MonthlyBenefitPayment.seq))
        .join(MonthlyBenefitMethod, (MonthlyBenefitMethod.person_id == MonthlyBenefitPayment.person_id)
              & (MonthlyBenefitMethod.seq == MonthlyBenefitPayment.seq)
              & (MonthlyBenefitMethod.method_seq == MonthlyBenefitPayment.method_seq))
        .outerjoin(agent, agent.id == MonthlyBenefitPayment.agent_id)
        .where(MonthlyBenefitPayment.paid_in == month.as_int(), MonthlyBenefitPayment.method == method,
               MonthlyBenefitPayment.status == "paid")
        .order_by(MonthlyBenefitPayment.beneficiary_id, MonthlyBenefitPayment.person_id, MonthlyBenefitPayment.seq,
                  MonthlyBenefitPayment.month)
    )
    if authority is not None:
        query = query.where(MonthlyBenefitPayment.authority == authority)
    return session.execute(query).all()


def _where(common: list, method, channel: str, for_bank: bool, name: str, personal_id: str, agent_name,
           agent_id_number) -> list:
    if channel == "bank":
        account = method.account_number if for_bank else mask_account(method.account_number)
        return [*common, BANKS.get(method.bank_code, method.bank_code), account, agent_name or ""]
    return [*common, method.post_office, agent_name or name, agent_id_number or personal_id]


def _monthly_line(n: int, row, channel: str, for_bank: bool) -> list:
    payment, personal_id, name, method, agent_id_number, agent_name, regime = row
    common = [n, personal_id, name, BENEFIT_NAMES.get(regime, regime), f"{payment.month % 100:02d}/"
              f"{payment.month // 100}", "Có" if payment.paid_in > payment.month else "", payment.amount]
    return _where(common, method, channel, for_bank, name, personal_id, agent_name, agent_id_number)


def _line(n: int, row, channel: str, for_bank: bool) -> list:
    payment, personal_id, name, method, agent_id_number, agent_name = row
    total = payment.amount + payment.lump_sum
    common = [n, personal_id, name, f"{payment.month % 100:02d}/{payment.month // 100}",
              "Có" if payment.paid_in > payment.month else "", payment.amount, payment.lump_sum, total]
    return _where(common, method, channel, for_bank, name, personal_id, agent_name, agent_id_number)


def payout_file(session: Session, month: Month, channel: str, *, authority: str | None = None, actor: str,
                for_bank: bool = True, benefit: str = "pension") -> PayoutFile:
    """The payout file of ``month``'s run for ``channel`` (``bank`` or ``post``), of one authority or all, for the
    pensions or (``benefit`` ``monthly``) the other monthly benefits; audited (counts only). A month with no run is
    refused."""
    check_channel(channel)
    check_benefit(benefit)
    monthly = benefit == "monthly"
    with transaction(session):
        if not was_run(session, month):
            raise _bad("pension.no_run", f"no pension payment run for {month} yet: run `esibook pension pay "
                       f"--month {month}` first", f"chưa chi trả lương hưu tháng {month}: hãy chạy kỳ chi trả trước",
                       "month")
        rows = (_monthly_rows if monthly else _rows)(session, month, CHANNELS[channel], authority)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow((MONTHLY_HEADERS if monthly else HEADERS)[channel])
        make = _monthly_line if monthly else _line
        lines = [make(n, row, channel, for_bank and channel == "bank") for n, row in enumerate(rows, start=1)]
        writer.writerows(lines)
        at = 6 if monthly else 7  # the total column
        total = sum(line[at] for line in lines)
        writer.writerow(["", "", "Tổng cộng", *[""] * (at - 3), total])
        audit.append(session, actor=actor, action="pension.payout_file", target=f"pension-month:{month}",
                     authority=authority, details={"channel": channel, "benefit": benefit, "lines": len(rows),
                                                   "total": total})
    return PayoutFile(month, channel, len(rows), total, buffer.getvalue().encode("utf-8-sig"), benefit)


def officer_payout_file(session: Session, caller: Principal, month: str, channel: str,
                        benefit: str = "pension") -> PayoutFile:
    """The payout file an approving officer downloads for their own authority (as entering payments, the money
    pages need the approver permission)."""
    authority = require_officer(caller)
    if "approver" not in caller.officer_permissions:
        raise forbidden("payout.permission", "Payout files need the approver permission.",
                        "Danh sách chi trả cần quyền phê duyệt.")
    chosen = Month.parse_input(month, field="month")
    return payout_file(session, chosen, check_channel(channel), authority=authority, actor=caller.actor,
                       benefit=check_benefit(benefit))
