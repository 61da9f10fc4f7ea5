"""Paying online: a resident registered for voluntary SI orders 3 months, the gateway's signed notification marks
them paid (once), the book gets a new signed version and the receipt goes out; forged, wrong-amount, unknown and
replayed notifications change nothing and are logged; a cancelled payment pays nothing; orders without a
notification show in the reconciliation report. The development gateway stands in for VNPay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.audit.models import AuditRecord
from esibook.book.models import BookVersion
from esibook.contributions.models import ContributionLine
from esibook.dates import vietnam_today
from esibook.errors import DomainError
from esibook.health.models import HICoverage
from esibook.notify.models import OutboxMessage
from esibook.payments import service
from esibook.payments.dues import household_renewals
from esibook.payments.gateway import gateway_for
from esibook.payments.models import PaymentOrder, PaymentRefusal
from esibook.payments.pricing import voluntary_months
from esibook.people.models import HouseholdMember, Person
from esibook.periods import Month
from esibook.transactions.models import PopulationRecord

THIS_MONTH = Month.from_date(vietnam_today())


@pytest.fixture(scope="module")
def resident(signed, signed_app, signed_identities, signed_bearer):
    """A resident never insured before, registered for voluntary SI from this month (income 1,500,000)."""
    with Session(signed.engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        personal_id = session.scalar(
            select(PopulationRecord.personal_id)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id)
            .limit(1)
        )
    me = signed_bearer(personal_id)
    filed = signed_app.post(
        "/api/v1/dossiers",
        json={"procedure": "voluntary_si", "form": {"income": 1_500_000, "from_month": str(THIS_MONTH)}},
        headers={**me, "idempotency-key": "pay-register-0001"},
    )
    assert filed.status_code == 201, filed.text
    officer = signed_bearer(signed_identities["officer-civil"].personal_id)
    done = signed_app.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"},
                           headers=officer)
    assert done.json()["status"] == "result_issued", done.text
    with Session(signed.engine) as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == personal_id))
    return personal_id, person_id, me


def notification(settings, order_code: str, amount: int, *, code: str = "00", transaction: str = "14000001") -> dict:
    """What the gateway sends: the result, signed with the shared secret."""
    return gateway_for(settings).sign({
        "vnp_TmnCode": settings.payment_merchant_code, "vnp_Amount": str(amount * 100), "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "x", "vnp_PayDate": "20261202101010", "vnp_ResponseCode": code,
        "vnp_TransactionNo": transaction, "vnp_TransactionStatus": code, "vnp_TxnRef": order_code,
    })


def state(engine, person_id: int) -> dict:
    """What a notification could change: the person's paid months, book versions, messages and orders."""
    with Session(engine) as session:
        return {
            "paid": session.scalars(select(ContributionLine.month).where(
                ContributionLine.person_id == person_id, ContributionLine.status == "paid").order_by(
                ContributionLine.month)).all(),
            "versions": session.scalar(select(func.count()).select_from(BookVersion).where(
                BookVersion.person_id == person_id)),
            "messages": session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.dedupe_key.like("payment:%"))),
            "orders": session.execute(select(PaymentOrder.code, PaymentOrder.status).where(
                PaymentOrder.person_id == person_id).order_by(PaymentOrder.id)).all(),
        }


def refusals(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(AuditRecord.target, AuditRecord.details).where(
            AuditRecord.action == "payment.notification_refused").order_by(AuditRecord.seq)).all()
    return [(t, d) for t, d in rows]


def refusal_counts(engine, code: str, order_ref: str) -> int:
    """How many refusals of ``code`` for ``order_ref`` the coalesced buckets counted (every hour together)."""
    with Session(engine) as session:
        return session.scalar(select(func.coalesce(func.sum(PaymentRefusal.count), 0)).where(
            PaymentRefusal.code == code, PaymentRefusal.order_ref == order_ref))


def buckets_of(engine, code: str, order_ref: str) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(PaymentRefusal).where(
            PaymentRefusal.code == code, PaymentRefusal.order_ref == order_ref))


def rows_written(engine) -> tuple[int, int]:
    """(audit records, refusal buckets): what a flood of notifications could grow."""
    with Session(engine) as session:
        return (session.scalar(select(func.count()).select_from(AuditRecord)),
                session.scalar(select(func.count()).select_from(PaymentRefusal)))


def ipn(client, params: dict) -> dict:
    answer = client.get("/api/v1/payments/ipn", params=params)
    assert answer.status_code == 200
    return answer.json()


def test_three_months_paid_once_through_the_notification(signed, signed_app, resident):
    personal_id, person_id, me = resident
    before = signed_app.get("/api/v1/me/payments", headers=me).json()["voluntary"]
    assert before["next_month"] == str(THIS_MONTH) and before["due_months"] == [str(THIS_MONTH)]
    ordered = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 3}, headers=me)
    assert ordered.status_code == 201, ordered.text
    order = ordered.json()
    expected = sum(p.payable for p in voluntary_months(1_500_000, "other", THIS_MONTH, 3, supported_before=0))
    assert order["amount"] == expected and order["status"] == "pending"
    url = urlsplit(order["pay_url"])
    sent = dict(parse_qsl(url.query))
    assert url.path == "/dev-gateway/pay" and sent["vnp_Amount"] == str(expected * 100)
    assert personal_id not in order["pay_url"], "the gateway is told no personal data"
    again = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 3}, headers=me)
    assert again.json()["code"] == order["code"], "a double click is the same order"
    other = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 6}, headers=me)
    assert other.status_code == 400 and other.json()["error"]["code"] == "payments.order_pending"
    untouched = state(signed.engine, person_id)

    forged = {**notification(signed.settings, order["code"], expected), "vnp_SecureHash": "ab" * 64}
    assert ipn(signed_app, forged) == {"RspCode": "97", "Message": "Invalid Checksum"}
    wrong_amount = notification(signed.settings, order["code"], expected - 1000)
    assert ipn(signed_app, wrong_amount)["RspCode"] == "04"
    unknown = notification(signed.settings, "TT20260101NOSUCH", expected)
    assert ipn(signed_app, unknown)["RspCode"] == "01"
    altered = {**notification(signed.settings, order["code"], expected), "vnp_Amount": "100"}
    assert ipn(signed_app, altered)["RspCode"] == "97", "changing a signed field breaks the signature"
    assert state(signed.engine, person_id) == untouched, "a refused notification changes nothing"
    logged = refusals(signed.engine)[-3:]
    assert [t for t, _ in logged] == [f"order:{order['code']}"] * 2 + ["order:TT20260101NOSUCH"], (
        "the second bad signature for the order falls in the first one's bucket (one audit row an hour)")
    assert all(personal_id not in d for _, d in logged)
    assert refusal_counts(signed.engine, "97", order["code"]) == 2

    good = notification(signed.settings, order["code"], expected)
    assert ipn(signed_app, good) == {"RspCode": "00", "Message": "Confirm Success"}
    paid = state(signed.engine, person_id)
    months = [m.as_int() for m in Month.range(THIS_MONTH, THIS_MONTH + 2)]
    assert paid["paid"] == months
    assert paid["versions"] == untouched["versions"] + 1, "a new signed book version"
    assert paid["messages"] == untouched["messages"] + 1, "the in-app receipt (no email on file)"
    after = signed_app.get("/api/v1/me/payments", headers=me).json()["voluntary"]
    assert after["paid_months"] == [str(Month.from_int(m)) for m in months]
    assert after["due_months"] == [] and after["next_month"] == str(THIS_MONTH + 3)

    assert ipn(signed_app, good) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert state(signed.engine, person_id) == paid, "a replay changes nothing"
    assert refusals(signed.engine)[-1][0] == f"order:{order['code']}"

    receipt = signed_app.get(f"/me/payments/receipt?order={order['code']}", headers=me)
    assert receipt.status_code == 200 and order["code"] in receipt.text
    assert f"{expected:,}".replace(",", ".") in receipt.text
    with Session(signed.engine) as session:
        line = session.get(ContributionLine, (person_id, months[0], 0))
        assert (line.participant_type, line.status) == ("voluntary", "paid") and line.paid_amount == line.total
        assert line.total == voluntary_months(1_500_000, "other", THIS_MONTH, 1, supported_before=0)[0].contribution


def test_the_development_gateway_pays_and_returns_to_the_return_page(signed, signed_app, resident):
    _, person_id, me = resident
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 1}, headers=me)
    url = urlsplit(order.json()["pay_url"])
    page = signed_app.get(f"{url.path}?{url.query}")
    assert page.status_code == 200 and order.json()["code"] in page.text
    form = dict(parse_qsl(url.query))
    tampered = signed_app.get(url.path, params={**form, "vnp_Amount": "100"})
    assert tampered.status_code == 400, "the gateway refuses an order the merchant did not sign"
    back = signed_app.post(url.path, data={**form, "outcome": "pay"}, follow_redirects=False)
    assert back.status_code == 303
    returned = urlsplit(back.headers["location"])
    assert returned.path == "/me/payments/return"
    shown = signed_app.get(f"{returned.path}?{returned.query}", headers=me)
    assert shown.status_code == 200 and 'data-testid="receipt-link"' in shown.text
    assert (THIS_MONTH + 3).as_int() in state(signed.engine, person_id)["paid"]
    fake = signed_app.get(f"{returned.path}?{returned.query.replace('vnp_ResponseCode=00', 'vnp_ResponseCode=01')}",
                          headers=me)
    assert "receipt-link" not in fake.text, "an altered return shows nothing"


def test_a_cancelled_payment_pays_nothing(signed, signed_app, resident):
    _, person_id, me = resident
    before = state(signed.engine, person_id)["paid"]
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 12}, headers=me)
    url = urlsplit(order.json()["pay_url"])
    back = signed_app.post(url.path, data={**dict(parse_qsl(url.query)), "outcome": "cancel"}, follow_redirects=False)
    assert back.status_code == 303
    after = state(signed.engine, person_id)
    assert after["paid"] == before and after["orders"][-1] == (order.json()["code"], "cancelled")


def test_orders_without_a_notification_are_in_the_reconciliation_report(signed, signed_app, resident,
                                                                          signed_identities, signed_bearer):
    _, person_id, me = resident
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 6}, headers=me)
    code = order.json()["code"]
    with Session(signed.engine) as session:
        now = datetime.now(UTC)
        assert code not in [r["code"] for r in service.unreconciled(session, now=now, older_than_minutes=60)]
        later = [r["code"] for r in service.unreconciled(session, now=now + timedelta(hours=2), older_than_minutes=60)]
        assert code in later
        paid = session.scalars(select(PaymentOrder.code).where(PaymentOrder.status == "paid")).all()
        assert not set(paid) & set(later), "paid orders are reconciled"
    with signed.engine.begin() as connection:  # two hours pass
        connection.execute(PaymentOrder.__table__.update().where(PaymentOrder.code == code).values(
            created_at=datetime.now(UTC) - timedelta(hours=2), expires_at=datetime.now(UTC) - timedelta(hours=2)))
    officer = signed_bearer(signed_identities["officer-civil"].personal_id)
    page = signed_app.get("/officer/payments/reconciliation?minutes=60", headers=officer)
    assert page.status_code == 200 and code in page.text
    # a new order marks the one past its expiry expired; the report still lists it (no notification came)
    signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 1}, headers=me)
    with Session(signed.engine) as session:
        assert session.scalar(select(PaymentOrder.status).where(PaymentOrder.code == code)) == "expired"
        assert code in [r["code"] for r in service.unreconciled(session, older_than_minutes=60)]
    late = notification(signed.settings, code, order.json()["amount"], transaction="14009999")
    assert ipn(signed_app, late)["RspCode"] == "02", "an expired order is not paid by a late notification"


def test_household_cover_is_renewed_by_a_paid_order(signed, signed_app, signed_bearer):
    with Session(signed.engine) as session:
        latest = select(HICoverage.person_id, func.max(HICoverage.valid_to).label("to")).group_by(
            HICoverage.person_id).subquery()
        member = session.execute(
            select(Person, HouseholdMember.household_id)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .join(HICoverage, HICoverage.person_id == Person.id)
            .join(latest, (latest.c.person_id == Person.id) & (latest.c.to == HICoverage.valid_to))
            .where(HICoverage.beneficiary_group == "GD", Person.personal_id.is_not(None), Person.authority == "civil")
            .order_by(Person.id).limit(1)
        ).first()
    assert member is not None, "the seeded data has a household on household HI"
    person = member[0]
    me = signed_bearer(person.personal_id)
    view = signed_app.get("/api/v1/me/payments", headers=me).json()
    assert view["household"] and [t["months"] for t in view["household_terms"]] == [3, 6, 12]
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "household_hi", "months": 3}, headers=me)
    assert order.status_code == 201, order.text
    assert order.json()["amount"] == view["household_terms"][0]["amount"]
    with Session(signed.engine) as session:
        before = session.scalar(select(func.max(HICoverage.valid_to)).where(HICoverage.person_id == person.id))
    assert ipn(signed_app, notification(signed.settings, order.json()["code"], order.json()["amount"],
                                        transaction="15000001"))["RspCode"] == "00"
    with Session(signed.engine) as session:
        after = session.scalar(select(func.max(HICoverage.valid_to)).where(HICoverage.person_id == person.id))
    assert after > before
    first = Month.parse(view["household"][0]["first_month"])
    assert Month.from_date(after) >= first + 2


def test_a_deceased_members_household_cover_is_neither_renewed_nor_charged(signed, signed_app, signed_bearer):
    with Session(signed.engine) as session:
        on_gd = (select(HouseholdMember.household_id)
                 .join(HICoverage, HICoverage.person_id == HouseholdMember.person_id)
                 .join(Person, Person.id == HouseholdMember.person_id)
                 .where(HICoverage.beneficiary_group == "GD", Person.personal_id.is_not(None),
                        Person.authority == "civil")
                 .group_by(HouseholdMember.household_id).having(func.count(func.distinct(Person.id)) >= 2)
                 .order_by(HouseholdMember.household_id.desc()).limit(1))
        household_id = session.scalar(on_gd)
        assert household_id is not None, "the seeded data has a household with two members on household HI"
        members = session.scalars(select(Person).join(HouseholdMember, HouseholdMember.person_id == Person.id)
                                  .where(HouseholdMember.household_id == household_id)
                                  .order_by(Person.date_of_birth)).all()
        session.expunge_all()
    me = signed_bearer(members[0].personal_id)
    before = signed_app.get("/api/v1/me/payments", headers=me).json()
    assert len(before["household"]) >= 2, before["household"]
    with Session(signed.engine) as session, session.begin():
        renewed = household_renewals(session, session.get(Person, members[0].id), vietnam_today())
        session.get(Person, renewed[-1].person.id).died_on = vietnam_today() - timedelta(days=2)
        deceased_id = renewed[-1].person.id
    after = signed_app.get("/api/v1/me/payments", headers=me).json()
    assert len(after["household"]) == len(before["household"]) - 1, "the deceased member is not renewed"
    with Session(signed.engine) as session:
        left = household_renewals(session, session.get(Person, members[0].id), vietnam_today())
        assert deceased_id not in {r.person.id for r in left}
    assert after["household_terms"][0]["amount"] < before["household_terms"][0]["amount"], "nor charged for"


def test_the_daily_reconciliation_runs_once_a_day_and_the_cli_lists_the_orders(signed, signed_app, resident):
    import json
    import os
    import subprocess
    import sys

    from sqlalchemy.orm import sessionmaker

    from esibook.payments import reconcile

    _, _, me = resident
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 1}, headers=me)
    code = order.json()["code"]  # the order the test before left waiting
    with signed.engine.begin() as connection:  # made 3 hours ago, never paid nor cancelled
        connection.execute(PaymentOrder.__table__.update().where(PaymentOrder.code == code).values(
            created_at=datetime.now(UTC) - timedelta(hours=3), expires_at=datetime.now(UTC) - timedelta(hours=3)))
    sessions = sessionmaker(signed.engine)
    day = datetime(2031, 1, 5).date()
    assert reconcile.reconcile_once(sessions, day) is True
    assert reconcile.reconcile_once(sessions, day) is False, "once a day, however often the job runs"
    with Session(signed.engine) as session:
        assert session.scalar(select(PaymentOrder.status).where(PaymentOrder.code == code)) == "expired"
        runs = session.scalars(select(AuditRecord.details).where(
            AuditRecord.action == "payments.reconciled", AuditRecord.target == "day:2031-01-05")).all()
    assert len(runs) == 1 and json.loads(runs[0])["unnotified"] >= 1
    with Session(signed.engine) as session:
        refused_so_far = session.scalar(select(func.sum(PaymentRefusal.count)))
    assert json.loads(runs[0])["refused_notifications"] == refused_so_far >= 5, (
        "the first test's two bad signatures, wrong amount, unknown order and replay")
    env = {**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False),
           "ESIBOOK_DATA_DIR": str(signed.settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "esibook", "payments", "reconcile", "--older-than", "60", "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["orders"]
    assert code in [row["code"] for row in listed]
    assert all(set(row) == {"code", "kind", "amount", "status", "created_at", "minutes_waiting"} for row in listed)
    refused = json.loads(done.stdout)["refused_notifications"]
    assert {"code": "01", "order_ref": "TT20260101NOSUCH", "count": 1} in [
        {k: r[k] for k in ("code", "order_ref", "count")} for r in refused]


def test_a_transaction_number_the_gateway_used_for_another_order_is_refused(signed, signed_app, resident):
    _, person_id, me = resident
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 3}, headers=me)
    assert order.status_code == 201, order.text
    before = state(signed.engine, person_id)
    reused = notification(signed.settings, order.json()["code"], order.json()["amount"], transaction="14000001")
    assert ipn(signed_app, reused) == {"RspCode": "99", "Message": "Unknown error"}
    assert state(signed.engine, person_id) == before, "nothing of it is kept"
    assert refusals(signed.engine)[-1][0] == f"order:{order.json()['code']}"
    fresh = notification(signed.settings, order.json()["code"], order.json()["amount"], transaction="14000777")
    assert ipn(signed_app, fresh)["RspCode"] == "00"


def test_in_production_without_a_configured_gateway_nothing_is_ordered_and_no_notification_is_accepted(
    signed, signed_app, resident
):
    from esibook.config import Settings

    _, person_id, _ = resident
    production = Settings(database_url=signed.settings.database_url, data_dir=signed.settings.data_dir,
                          env="production", oidc_issuer="https://vneid.example")
    assert production.resolved_payment_secret() == "" and production.resolved_payment_gateway_url() == ""
    with Session(signed.engine) as session:
        with pytest.raises(DomainError) as refused:  # refused before the caller is even read
            service.create_order(session, production, None, kind="voluntary_si", months=3)
        assert refused.value.code == "payments.not_configured"
        code = session.scalar(select(PaymentOrder.code).where(PaymentOrder.person_id == person_id).limit(1))
    from esibook.payments import notifications

    signed_by_dev_secret = notification(signed.settings, code, 1000)
    with Session(signed.engine) as session:
        assert notifications.handle(session, production, signed_by_dev_secret)["RspCode"] == "97"


def test_a_flood_of_forged_notifications_writes_a_bounded_number_of_rows_and_the_genuine_one_still_pays(
    signed, signed_app, resident
):
    """1,000 forged calls from one address, then 300 with a different order reference each from another: past
    the limit of refused notifications per address (30 an hour here, so a slow machine cannot slide the window
    during the flood) the answer is 429 in VNPay's format and nothing is
    written; those within it are coalesced (one audit record per code, reference and hour). The gateway's genuine
    notification, from its own address, still marks the order paid; a replay of it from the flooding address is
    refused at the limit, writing nothing."""
    from fastapi.testclient import TestClient

    from esibook.app import create_app

    _, person_id, me = resident
    limit = 30
    app = create_app(signed.settings.model_copy(update={"rate_limit_payment_refused_ip": f"{limit}/hour"}))
    order = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si", "months": 3}, headers=me)
    assert order.status_code == 201, order.text
    code, amount = order.json()["code"], order.json()["amount"]
    before, rows_before = state(signed.engine, person_id), rows_written(signed.engine)

    flooder = TestClient(app, client=("203.0.113.66", 40000))
    forged = {**notification(signed.settings, code, amount, transaction="14009999"), "vnp_SecureHash": "cd" * 64}
    answers = [flooder.get("/api/v1/payments/ipn", params=forged) for _ in range(1_000)]
    assert [a.status_code for a in answers[:limit]] == [200] * limit
    assert all(a.json() == {"RspCode": "97", "Message": "Invalid Checksum"} for a in answers[:limit])
    over = answers[limit:]
    assert {a.status_code for a in over} == {429} and all(int(a.headers["retry-after"]) >= 1 for a in over)
    assert {(a.json()["RspCode"], a.json()["Message"]) for a in over} == {("99", "Too many refused notifications")}
    hours = buckets_of(signed.engine, "97", code)
    assert hours in (1, 2), "one bucket an hour (two only if the flood ran across the hour)"
    assert rows_written(signed.engine) == (rows_before[0] + hours, rows_before[1] + hours), (
        "1,000 forged calls for one order: one audit record and one bucket (an hour)")
    assert refusal_counts(signed.engine, "97", code) == limit, "the bucket counts those within the limit"

    spray = TestClient(app, client=("203.0.113.67", 40000))
    answered = [spray.get("/api/v1/payments/ipn", params={**forged, "vnp_TxnRef": f"TTFAKE{i:05d}"}).status_code
                for i in range(300)]
    assert answered.count(200) == limit and answered.count(429) == 300 - limit
    audit_rows, buckets = rows_written(signed.engine)
    assert (audit_rows, buckets) == (rows_before[0] + hours + limit, rows_before[1] + hours + limit), (
        "a new reference each time: still no more rows than the limit")
    assert state(signed.engine, person_id) == before, "forged notifications change nothing"

    gateway = TestClient(app, client=("198.51.100.7", 443))
    genuine = notification(signed.settings, code, amount, transaction="14009999")
    assert gateway.get("/api/v1/payments/ipn", params=genuine).json() == {"RspCode": "00", "Message": "Confirm Success"}
    paid = state(signed.engine, person_id)
    assert len(paid["paid"]) == len(before["paid"]) + 3 and (code, "paid") in paid["orders"]

    written = rows_written(signed.engine)
    replay = flooder.get("/api/v1/payments/ipn", params=genuine)
    assert replay.status_code == 429 and replay.json()["RspCode"] == "99"
    assert rows_written(signed.engine) == written and state(signed.engine, person_id) == paid


def test_ten_thousand_forged_notifications_through_the_handler_write_at_most_the_limit(signed, resident):
    """The handler with the route's gate (the same rate limiter, 30 refusals an hour per address), called 10,000
    times with forged notifications, each for a different order reference: 30 buckets and 30 audit records, the
    rest stopped by the gate before anything is written."""
    from starlette.requests import Request

    from esibook.payments import notifications
    from esibook.web.ratelimit import RateLimited, RateLimits, limit_payment_refusal

    settings = signed.settings.model_copy(update={"rate_limit_payment_refused_ip": "30/hour"})
    app = type("App", (), {"state": type("State", (), {"rate_limits": RateLimits(settings)})()})()
    caller = Request({"type": "http", "app": app, "client": ("203.0.113.99", 1234), "headers": []})
    forged = {**notification(settings, "TT20260101FORGED", 1000), "vnp_SecureHash": "ef" * 64}
    before = rows_written(signed.engine)
    answered, stopped = 0, 0
    with Session(signed.engine) as session:
        for i in range(10_000):
            try:
                notifications.handle(session, settings, {**forged, "vnp_TxnRef": f"TTFLOOD{i:05d}"},
                                     refusal_gate=lambda: limit_payment_refusal(caller))
                answered += 1
            except RateLimited:
                stopped += 1
    assert (answered, stopped) == (30, 9_970)
    assert rows_written(signed.engine) == (before[0] + 30, before[1] + 30)


def test_paying_once_for_the_missing_years_is_checked_and_refused_rather_than_guessed(signed, signed_app, resident):
    """Before the retirement age the participant is told it is not for them; at it, with only the few months this
    module paid, more than the 60 months the law allows are missing. No order is made either way."""
    _, person_id, me = resident
    with Session(signed.engine) as session:
        born = session.scalar(select(Person.date_of_birth).where(Person.id == person_id))
        orders = session.scalar(select(func.count()).select_from(PaymentOrder).where(
            PaymentOrder.person_id == person_id))

    def attempt(date_of_birth) -> dict:
        with signed.engine.begin() as connection:
            connection.execute(Person.__table__.update().where(Person.id == person_id).values(
                date_of_birth=date_of_birth))
        answer = signed_app.post("/api/v1/me/payments/orders", json={"kind": "voluntary_si_missing_years",
                                                                     "months": 30}, headers=me)
        assert answer.status_code == 400, answer.text
        return answer.json()["error"]

    try:
        young = attempt(datetime(1995, 5, 1).date())
        assert young["code"] == "payments.missing_years_not_retired"
        old = attempt(datetime(1950, 5, 1).date())
        assert old["code"] == "payments.missing_years_too_many" and "at most 60" in old["message_en"]
    finally:
        with signed.engine.begin() as connection:
            connection.execute(Person.__table__.update().where(Person.id == person_id).values(date_of_birth=born))
    with Session(signed.engine) as session:
        assert session.scalar(select(func.count()).select_from(PaymentOrder).where(
            PaymentOrder.person_id == person_id)) == orders
