"""The gateway's server-to-server notification (IPN): the one thing that marks an order paid.

Checked in this order, each refusal answered as VNPay's IPN expects: the signature (``97``), the order (``01``),
the amount (``04``), an order no longer waiting — a replay, or a late notification of an expired or cancelled
order (``02``, nothing changes). Each refusal first passes the caller's ``refusal_gate`` (the route's rate limit
per address: past it the gate raises and nothing is written), then is counted, coalesced, by
:mod:`esibook.payments.refusals` (one audit record per code, order reference and hour; never personal data). An
accepted notification never meets the gate, so forged calls from elsewhere cannot hold up the gateway's.

A successful payment marks the order's months paid (voluntary SI lines, or the household members' new HI cover),
issues a new signed book version for each person concerned, and sends the receipt (in-app and email, once each).
A notification of a failed or cancelled payment cancels the order. Every accepted one answers ``00``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.audit import service as audit
from esibook.book.service import issue_book
from esibook.config import Settings
from esibook.contributions.dues import voluntary_dues
from esibook.contributions.models import SELF_PAID, ContributionLine
from esibook.contributions.partitions import ensure_partitions
from esibook.db import last_seq, transaction
from esibook.health.models import HICoverage
from esibook.notify import outbox
from esibook.payments import gateway as gw
from esibook.payments import refusals
from esibook.payments.models import PaymentOrder
from esibook.people.contacts import email_of
from esibook.people.models import Person
from esibook.periods import Month

ACTOR = "gateway"
#: The answer past the rate limit of refused notifications (VNPay names no code for it; ``99`` is its "other
#: error"), sent with HTTP 429 and ``Retry-After``.
TOO_MANY = {"RspCode": gw.UNKNOWN_ERROR[0], "Message": "Too many refused notifications"}


def _safe_ref(value: object) -> str:
    """An order reference as the audit chain may hold it: letters, digits and dashes, at most 32."""
    return re.sub(r"[^A-Za-z0-9-]", "", str(value))[:32] or "-"


def _let_through() -> None:
    """No limit (the development gateway's in-process call)."""


def handle(
    session: Session,
    settings: Settings,
    params: dict,
    *,
    now: datetime | None = None,
    refusal_gate: Callable[[], None] = _let_through,
) -> dict:
    """Answer one notification: ``{"RspCode": ..., "Message": ...}``. A transaction number the gateway already
    used for another order is refused whole (``99``; nothing of it is kept) and logged. ``refusal_gate`` is called
    before each refusal is written; whatever it raises ends the call with nothing written."""
    now = now or datetime.now(UTC)
    try:
        return _handle(session, settings, params, now, refusal_gate)
    except IntegrityError:
        refusal_gate()
        with transaction(session):
            return _refused(session, _safe_ref(params.get("vnp_TxnRef", "")), gw.UNKNOWN_ERROR, None, now)


def _handle(session: Session, settings: Settings, params: dict, now: datetime, gate: Callable[[], None]) -> dict:
    note = gw.gateway_for(settings).read(params)
    if note is None:  # decided before any database work: a forged call costs one HMAC, then the gate
        gate()
        with transaction(session):
            return _refused(session, _safe_ref(params.get("vnp_TxnRef", "")), gw.INVALID_SIGNATURE, None, now)
    with transaction(session):
        order = session.scalar(select(PaymentOrder).where(PaymentOrder.code == note.order_code).with_for_update())
        refusal = _refusal(note, order)
        if refusal is not None:
            gate()
            return _refused(session, *refusal, now)
        _accepted(session, settings, order, note, now)
    return _answer(gw.CONFIRMED)


def _refusal(note: gw.Notification, order: PaymentOrder | None) -> tuple[str, tuple[str, str], str | None] | None:
    """(order reference, answer, authority) of a signed notification that is refused, else None."""
    if order is None:
        return _safe_ref(note.order_code), gw.ORDER_NOT_FOUND, None
    if note.amount != order.amount:
        return order.code, gw.INVALID_AMOUNT, order.authority
    if order.status != "pending":
        return order.code, gw.ALREADY_CONFIRMED, order.authority
    return None


def _accepted(session: Session, settings: Settings, order: PaymentOrder, note: gw.Notification, now: datetime) -> None:
    order.notified_at = now
    if note.succeeded:
        _paid(session, settings, order, note, now)
    else:
        order.status = "cancelled"
        audit.append(session, actor=ACTOR, action="payment.cancelled", target=f"order:{order.code}",
                     authority=order.authority, details={"response_code": note.response_code[:4]})


def _answer(code: tuple[str, str]) -> dict:
    return {"RspCode": code[0], "Message": code[1]}


def _refused(session: Session, ref: str, code: tuple[str, str], authority: str | None, now: datetime) -> dict:
    refusals.record(session, actor=ACTOR, ref=ref, code=code, authority=authority, now=now)
    return _answer(code)


def _paid(session: Session, settings: Settings, order: PaymentOrder, note: gw.Notification, now: datetime) -> None:
    order.status, order.paid_at = "paid", now
    order.gateway_transaction = note.transaction_no or None
    order.bank_code = note.bank_code or None
    lines = json.loads(order.lines)
    if order.kind == "voluntary_si":
        persons = [_mark_months(session, order, lines, now)]
    else:
        persons = _extend_cover(session, order, lines)
    session.flush()
    versions = {pid: issue_book(session, settings, pid, reason=f"payment {order.code}", actor=ACTOR)[0].version
                for pid in persons}
    audit.append(
        session,
        actor=ACTOR,
        action="payment.paid",
        target=f"order:{order.code}",
        authority=order.authority,
        details={"kind": order.kind, "months": order.months, "amount": order.amount, "books": len(versions)},
    )
    _send_receipt(session, order)


def _mark_months(session: Session, order: PaymentOrder, lines: list[dict], now: datetime) -> int:
    """Each month of the order becomes a paid voluntary line (a line already declared for it is marked paid)."""
    months = [Month.parse(line["month"]) for line in lines]
    ensure_partitions(session.connection(), months[-1], months[0])
    person = session.get(Person, order.person_id)
    for line, month in zip(lines, months, strict=True):
        row = session.get(ContributionLine, (order.person_id, month.as_int(), SELF_PAID))
        if row is None:
            dues = voluntary_dues(line["income"], month)
            row = ContributionLine(
                person_id=order.person_id, month=month.as_int(), employer_id=SELF_PAID, participant_type="voluntary",
                salary_basis=dues.salary_basis, ui_basis=0, **dues.funds(), total=dues.total,
                provenance="electronic", authority=person.authority, posted_at=now,
            )
            session.add(row)
        row.status, row.paid_amount = "paid", row.total
    return order.person_id


def _extend_cover(session: Session, order: PaymentOrder, lines: list[dict]) -> list[int]:
    """Each member's household card gets a new validity span for the months paid."""
    changed = []
    for line in lines:
        person_id = line["person_id"]
        card = session.scalar(
            select(HICoverage).where(HICoverage.person_id == person_id)
            .order_by(HICoverage.valid_to.desc(), HICoverage.seq.desc()).limit(1)
        )
        start = Month.parse(line["first_month"])
        end = start + (order.months - 1)
        session.add(
            HICoverage(
                person_id=person_id,
                seq=last_seq(session, HICoverage.seq, HICoverage.person_id, person_id) + 1,
                card_code=card.card_code,
                beneficiary_group=card.beneficiary_group,
                benefit_level=card.benefit_level,
                province_code=card.province_code,
                initial_clinic_code=card.initial_clinic_code,
                valid_from=start.first_day(),
                valid_to=end.last_day(),
                five_years_since=card.five_years_since,
                authority=card.authority,
            )
        )
        changed.append(person_id)
    return changed


def _send_receipt(session: Session, order: PaymentOrder) -> None:
    """The receipt (biên lai), in-app and by email where an address is known, each once (keyed by the order)."""
    first = Month.from_int(order.first_month)
    last = first + (order.months - 1)
    what = "BHXH tự nguyện" if order.kind == "voluntary_si" else "BHYT hộ gia đình"
    subject = f"Biên lai thanh toán {order.code}"
    body = (
        f"Đã nhận {order.amount:,} đồng cho {what}, {order.months} tháng ({first} đến {last}), "
        f"mã giao dịch {order.gateway_transaction or '-'}. Xem biên lai tại /me/payments/receipt?order={order.code}"
    )
    key = f"payment:{order.code}"
    outbox.enqueue(session, channel="inapp", recipient=f"person:{order.person_id}", subject=subject, body=body,
                   dedupe_key=f"{key}:inapp")
    email = email_of(session, order.person_id)
    if email:
        outbox.enqueue(session, channel="email", recipient=email, subject=subject, body=body, dedupe_key=f"{key}:email")
