"""Paying online: the overview (paid and due), making an order and sending the payer to the gateway, reading
the return, the receipt, and the reconciliation report. The notification that marks an order paid is
:mod:`esibook.payments.notifications`.

One order at a time per person and kind: a new one is refused while another is still payable, and an order past
its expiry (``vnp_ExpireDate``) is marked ``expired`` when the next one is made.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.access import policy
from esibook.access.guards import require_officer
from esibook.access.principal import Principal
from esibook.audit import service as audit
from esibook.benefits.estimator import contribution_history
from esibook.benefits.long_term import retirement_age
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.contributions.parameters import current_parameters
from esibook.dates import vietnam_day
from esibook.db import transaction
from esibook.errors import DomainError, NotFound
from esibook.payments import pricing
from esibook.payments.dues import household_renewals, voluntary_account
from esibook.payments.gateway import Notification, PayRequest, gateway_for
from esibook.payments.models import PaymentOrder
from esibook.people.models import Person
from esibook.periods import Month

KIND_NAMES = {
    "voluntary_si": ("BHXH tự nguyện", "Voluntary social insurance"),
    "household_hi": ("BHYT hộ gia đình", "Household health insurance"),
}
#: Voluntary SI paid once for the years missing at retirement age: checked, then refused unpriced (pricing.py).
MISSING_YEARS = "voluntary_si_missing_years"


def overview(session: Session, caller: Principal, today: date) -> dict:
    """What the payments page shows: the voluntary registration with its paid and due months and the price of
    each term from the first unpaid month, the household members whose cover can be renewed, and the orders."""
    person = policy.own_person(session, caller)
    account = voluntary_account(session, person.id, today)
    terms = []
    if account:
        ahead = pricing.MAX_AHEAD_MONTHS - (account.first_unpaid - Month.from_date(today)) + 1
        for term, choices in pricing.VOLUNTARY_TERMS.items():
            for months in (m for m in choices if m <= ahead):
                priced = _voluntary_lines(account, months)
                terms.append({"term": term, "months": months, "amount": sum(p.payable for p in priced)})
    renewals = household_renewals(session, person, today)
    household_terms = [
        {"months": months, "amount": sum(r["amount"] for r in pricing.household_amounts(
            [r.first_month for r in renewals], months))}
        for months in pricing.HOUSEHOLD_MONTHS
    ] if renewals else []
    return {
        "account": account,
        "recent_paid": [str(Month.from_int(m)) for m in account.paid[-12:]] if account else [],
        "terms": terms,
        "renewals": renewals,
        "household_terms": household_terms,
        "orders": orders_of(session, person.id),
    }


def orders_of(session: Session, person_id: int, limit: int = 10) -> list[PaymentOrder]:
    return list(
        session.scalars(
            select(PaymentOrder)
            .where(PaymentOrder.person_id == person_id)
            .order_by(PaymentOrder.created_at.desc(), PaymentOrder.id.desc())
            .limit(limit)
        )
    )


def _voluntary_lines(account, months: int) -> list[pricing.PricedMonth]:
    return pricing.voluntary_months(
        account.income, account.category, account.first_unpaid, months, supported_before=account.supported_before
    )


def _registered(session: Session, person: Person, today: date):
    account = voluntary_account(session, person.id, today)
    if account is None:
        raise DomainError(
            "payments.no_registration",
            "you have no voluntary social insurance registration to pay for",
            "bạn chưa đăng ký tham gia BHXH tự nguyện",
            field="kind",
        )
    return account


def missing_years(session: Session, person: Person, months: int, today: date) -> int:
    """The months the person may pay once for at retirement age (checked against ``months``); the price itself is
    refused (``pricing.price_missing_years``)."""
    _registered(session, person, today)
    this_month = Month.from_date(today)
    at_age = retirement_age(person.date_of_birth, person.sex).reached <= this_month
    contributed = len(contribution_history(session, person.id, before=this_month + 1).months)
    missing = pricing.missing_years_months(contributed, at_retirement_age=at_age, on=today)
    if months != missing:
        raise DomainError(
            "payments.missing_years_months",
            f"you lack {missing} months: pay once for {missing}",
            f"bạn còn thiếu {missing} tháng: hãy đóng một lần cho {missing} tháng",
            field="months",
        )
    return missing


def _priced(session: Session, person: Person, kind: str, months: int, today: date) -> tuple[Month, list, int, str]:
    """(first month, lines, amount, parameters version) of a new order."""
    if kind == MISSING_YEARS:
        pricing.price_missing_years(missing_years(session, person, months, today))
    if kind == "voluntary_si":
        account = _registered(session, person, today)
        pricing.check_months(months, pricing.VOLUNTARY_MONTHS)
        pricing.check_ahead(account.first_unpaid, months, Month.from_date(today))
        priced = _voluntary_lines(account, months)
        lines = [{**p.as_dict(), "income": account.income} for p in priced]
        return account.first_unpaid, lines, sum(p.payable for p in priced), priced[0].parameters_version
    if kind == "household_hi":
        renewals = household_renewals(session, person, today)
        if not renewals:
            raise DomainError(
                "payments.no_household_cover",
                "no member of your household is on household health insurance",
                "hộ gia đình của bạn chưa có thành viên tham gia BHYT hộ gia đình",
                field="kind",
            )
        rows = pricing.household_amounts([r.first_month for r in renewals], months)
        lines = [{**row, "person_id": r.person.id} for row, r in zip(rows, renewals, strict=True)]
        first = min(r.first_month for r in renewals)
        return first, lines, sum(r["amount"] for r in rows), _version(first)
    raise DomainError("payments.kind", "choose what to pay for", "hãy chọn khoản cần đóng", field="kind")


def _version(month: Month) -> str:
    return current_parameters().for_month(month).version


@dataclass(frozen=True)
class Ordered:
    order: PaymentOrder
    pay_url: str


def create_order(
    session: Session,
    settings: Settings,
    caller: Principal,
    *,
    kind: str,
    months: int,
    client_ip: str = "127.0.0.1",
    lang: str = "vi",
    now: datetime | None = None,
) -> Ordered:
    """Price an order and give the signed link to the gateway's payment page."""
    now = now or datetime.now(UTC)
    gateway = gateway_for(settings)
    if not gateway.secret or not gateway.url:
        raise DomainError(
            "payments.not_configured", "online payment is not configured", "chưa cấu hình thanh toán trực tuyến"
        )
    person = policy.own_person(session, caller)
    with transaction(session):
        order = _still_payable(session, person.id, kind, months, now)
        if order is None:
            order = _new_order(session, caller, person, kind, months, now, settings.payment_order_minutes)
    request = PayRequest(
        order_code=order.code,
        amount=order.amount,
        description=f"Thanh toan {order.code} {kind} {months} thang",
        created_at=order.created_at,
        expires_at=order.expires_at,
        return_url=f"{settings.base_url.rstrip('/')}/me/payments/return",
        locale="vn" if lang == "vi" else "en",
        client_ip=client_ip,
    )
    return Ordered(order, gateway.pay_url(request))


def _new_order(
    session: Session, caller: Principal, person: Person, kind: str, months: int, now: datetime, minutes: int
) -> PaymentOrder:
    first, lines, amount, version = _priced(session, person, kind, months, vietnam_day(now))
    order = PaymentOrder(
        code=f"TT{vietnam_day(now):%Y%m%d}{secrets.token_hex(5).upper()}",
        person_id=person.id,
        kind=kind,
        first_month=first.as_int(),
        months=months,
        amount=amount,
        lines=canonical_json(lines),
        parameters_version=version,
        status="pending",
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        authority=person.authority,
    )
    session.add(order)
    audit.append(
        session,
        actor=caller.actor,
        action="payment.ordered",
        target=f"order:{order.code}",
        authority=person.authority,
        details={"kind": kind, "months": months, "amount": amount},
    )
    return order


def _still_payable(session: Session, person_id: int, kind: str, months: int, now: datetime) -> PaymentOrder | None:
    """The same order still payable (a double click, a reload: the same order and link), or None; another order
    still payable refuses a new one; those past their expiry are marked expired."""
    for pending in session.scalars(
        select(PaymentOrder)
        .where(PaymentOrder.person_id == person_id, PaymentOrder.kind == kind, PaymentOrder.status == "pending")
        .with_for_update()
    ):
        if pending.expires_at > now and pending.months == months:
            return pending
        if pending.expires_at > now:
            raise DomainError(
                "payments.order_pending",
                f"order {pending.code} is still waiting for payment; pay or cancel it at the gateway first",
                f"đơn {pending.code} đang chờ thanh toán; hãy thanh toán hoặc hủy đơn đó trước",
            )
        pending.status = "expired"
    return None


def returned(session: Session, settings: Settings, caller: Principal, params: dict) -> dict:
    """The return page: the order the signed parameters name (the caller's own), its status as the notification
    left it, and whether the gateway reported success. A return with a bad signature shows nothing."""
    note: Notification | None = gateway_for(settings).read(params)
    if note is None:
        return {"order": None, "verified": False, "succeeded": False}
    return {"order": own_order(session, caller, note.order_code), "verified": True, "succeeded": note.succeeded}


def own_order(session: Session, caller: Principal, code: str) -> PaymentOrder:
    person = policy.own_person(session, caller)
    order = session.scalar(select(PaymentOrder).where(PaymentOrder.code == code[:32]))
    if order is None or order.person_id != person.id:
        raise NotFound("payments.order_not_found", "no such order of yours", "không có đơn thanh toán này của bạn")
    return order


def receipt(session: Session, caller: Principal, code: str | None) -> dict:
    """A paid order's receipt (the latest paid order when none is named), with its lines."""
    person = policy.own_person(session, caller)
    if code:
        order = own_order(session, caller, code)
    else:
        order = session.scalar(
            select(PaymentOrder)
            .where(PaymentOrder.person_id == person.id, PaymentOrder.status == "paid")
            .order_by(PaymentOrder.paid_at.desc())
            .limit(1)
        )
    if order is None or order.status != "paid":
        return {"order": order, "lines": [], "paid": False}
    return {"order": order, "lines": json.loads(order.lines), "paid": True, "person": person}


def unreconciled(
    session: Session, *, now: datetime | None = None, older_than_minutes: int = 60, authority: str | None = None
) -> list[dict]:
    """The reconciliation report (đối soát): orders older than ``older_than_minutes`` whose notification never
    came (still pending, or expired without one); with ``authority``, that authority's only. No personal data:
    the order code, kind, amount and times."""
    now = now or datetime.now(UTC)
    rows = session.scalars(
        select(PaymentOrder)
        .where(
            PaymentOrder.status.in_(("pending", "expired")),
            PaymentOrder.notified_at.is_(None),
            PaymentOrder.created_at < now - timedelta(minutes=older_than_minutes),
            *([PaymentOrder.authority == authority] if authority else []),
        )
        .order_by(PaymentOrder.created_at)
        .limit(1000)
    )
    return [
        {
            "code": o.code,
            "kind": o.kind,
            "amount": o.amount,
            "status": o.status,
            "created_at": o.created_at.isoformat(timespec="seconds"),
            "minutes_waiting": int((now - o.created_at).total_seconds() // 60),
        }
        for o in rows
    ]


def reconciliation(session: Session, caller: Principal, *, older_than_minutes: int = 60) -> list[dict]:
    """The officer's reconciliation page: their own authority's orders without a notification."""
    authority = require_officer(caller)
    return unreconciled(session, older_than_minutes=older_than_minutes, authority=authority)
