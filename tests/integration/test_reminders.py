"""Reminders end to end: computed from the data for a day, sent once however often the job runs, as each person
chose, shown in the history (Vietnam's time), and counted unread in the page header until read."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook import jobs
from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.canonical import canonical_json
from esibook.config import Settings
from esibook.contributions.models import ContributionLine, ParticipationPeriod
from esibook.dates import VIETNAM
from esibook.db import is_postgres, session_factory
from esibook.employers.models import Employer
from esibook.health.models import HICoverage
from esibook.notify.models import DeliveredMessage, OutboxMessage
from esibook.notify.outbox import SinkSender, deliver_pending
from esibook.people.models import Contact, Household, HouseholdMember, Person
from esibook.reminders import service
from esibook.reminders.models import SentReminder
from esibook.transactions.models import Dossier, DossierEvent
from integration.test_jobs import CountingSender, work
from support.signed_in import bearer

AS_OF = date(2026, 12, 26)
PIDS = {
    "card": "001090000101",  # card ends 2027-01-15; employer owes October (due 30/11), November not yet due
    "voluntary": "001190000102",  # voluntary SI every 3 months from 2026-10, paid to December: January is next
    "dossier": "001090000103",  # a dossier asked for more information on 20/12, no email on file
    "household": "001190000104",  # a household card ending 2026-12-31
    "renewed": "001090000105",  # a card ending 2026-12-31, already continued by the next year's card
}


def person(session: Session, key: str, email: str | None) -> Person:
    row = Person(
        personal_id=PIDS[key], full_name=f"Nguyễn Văn {key}", name_key=f"nguyen van {key}",
        date_of_birth=date(1990, 5, 5), sex="male", authority="civil",
    )
    session.add(row)
    session.flush()
    if email:
        session.add(Contact(person_id=row.id, email=email))
    return row


def card(person_id: int, seq: int, group: str, valid_from: date, valid_to: date) -> HICoverage:
    return HICoverage(
        person_id=person_id, seq=seq, card_code=f"{group}4{seq:02d}79{person_id:08d}"[:15], beneficiary_group=group,
        benefit_level=4, province_code="79", initial_clinic_code="79001", valid_from=valid_from, valid_to=valid_to,
        authority="civil",
    )


def line(person_id: int, month: int, employer_id: int, status: str, total: int) -> ContributionLine:
    return ContributionLine(
        person_id=person_id, month=month, employer_id=employer_id, salary_basis=total, ui_basis=0,
        retirement_employer=0, retirement_employee=total, sickness_employer=0, oad_employer=0, ui_employer=0,
        ui_employee=0, hi_employer=0, hi_employee=0, total=total, paid_amount=total if status == "paid" else 0,
        status=status, participant_type="voluntary" if employer_id == 0 else "employee", authority="civil",
        posted_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


@pytest.fixture
def world(empty_engine) -> dict:
    with Session(empty_engine) as session, session.begin():
        employer = Employer(
            unit_code="TS00001", name="Công ty TNHH Nhắc Việc", name_key="cong ty tnhh nhac viec",
            tax_code="0312345678", business_type="company", address="1 Lê Lợi", province_code="079", region=1,
            managing_agency="BHXH TP.HCM",
        )
        session.add(employer)
        session.flush()
        a = person(session, "card", "card@example.vn")
        session.add(card(a.id, 1, "DN", date(2026, 1, 16), date(2027, 1, 15)))
        session.add(line(a.id, 202610, employer.id, "unpaid", 1_234_000))
        session.add(line(a.id, 202611, employer.id, "declared", 1_234_000))
        b = person(session, "voluntary", "vol@example.vn")
        session.add(
            ParticipationPeriod(
                person_id=b.id, seq=1, employer_id=0, from_month=202610, salary_basis=3_000_000,
                participant_type="voluntary", authority="civil",
            )
        )
        session.add_all([line(b.id, m, 0, "paid", 660_000) for m in (202610, 202611, 202612)])
        session.add(dossier(b, "voluntary_si", "approved", {"payment_months": 3, "from_month": "2026-10"}))
        c = person(session, "dossier", None)
        waiting = dossier(c, "hi_card_reissue", "needs_info", {})
        session.add(waiting)
        session.flush()
        session.add(
            DossierEvent(
                dossier_id=waiting.id, seq=2, actor="officer:x", from_status="submitted", to_status="needs_info",
                note="Ảnh chụp CCCD", at=datetime(2026, 12, 20, 2, 0, tzinfo=UTC),
            )
        )
        d = person(session, "household", "hh@example.vn")
        session.add(card(d.id, 1, "GD", date(2026, 1, 1), date(2026, 12, 31)))
        home = Household(household_code="079000000001", address="1 Lê Lợi", province_code="079")
        session.add(home)
        session.flush()
        session.add_all([  # the card holder's household head is told of the household card too
            HouseholdMember(household_id=home.id, person_id=a.id, relationship="chu_ho"),
            HouseholdMember(household_id=home.id, person_id=d.id, relationship="con"),
        ])
        e = person(session, "renewed", "renewed@example.vn")
        session.add(card(e.id, 1, "DN", date(2026, 1, 1), date(2026, 12, 31)))
        session.add(card(e.id, 2, "DN", date(2027, 1, 1), date(2027, 12, 31)))
        employer_id = employer.id
        ids = {"card": a.id, "voluntary": b.id, "dossier": c.id, "household": d.id, "renewed": e.id}
    return {"engine": empty_engine, "ids": ids, "employer": employer_id}


def dossier(filer: Person, procedure: str, status: str, form: dict) -> Dossier:
    return Dossier(
        procedure=procedure, filer_kind="citizen", filer_ref=f"person:{filer.personal_id}",
        filer_name="x", person_id=filer.id, status=status, form=canonical_json(form),
        idempotency_key=f"k-{filer.id}-{procedure}", submitted_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def sent(engine) -> set[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(SentReminder.person_id, SentReminder.kind, SentReminder.channels)).all()
        names = {v: k for k, v in service_ids(engine).items()}
        return {(names[p], f"{k}:{c}") for p, k, c in rows}


def service_ids(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {k: session.scalar(select(Person.id).where(Person.personal_id == v)) for k, v in PIDS.items()}


def test_the_day_s_reminders_are_computed_from_the_data_and_sent_once(world):
    engine = world["engine"]
    sessions = session_factory(engine)
    first = service.send_due(sessions, AS_OF, batch_size=2)
    assert first.sent == 6 and first.batches == 3
    expected = {
        ("card", "hi_card_expiring:inapp,email"),
        ("card", "household_hi_expiring:inapp,email"),  # as the head of the household card holder's household
        ("card", "employer_unpaid:inapp,email"),
        ("voluntary", "voluntary_si_due:inapp,email"),
        ("dossier", "dossier_needs_info:inapp"),  # no email address on file: in the app only
        ("household", "household_hi_expiring:inapp,email"),
    }
    assert sent(engine) == expected, "the renewed card is not reminded"
    again = service.send_due(sessions, AS_OF, batch_size=3)  # the job run twice, cut otherwise
    assert again.sent == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 11
        told = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient == "card@example.vn", OutboxMessage.subject.contains("hộ")
            )
        )
        assert told.subject == "Thẻ BHYT hộ gia đình của Nguyễn Văn household hết hạn ngày 31/12/2026"
        owed = session.scalar(select(SentReminder).where(SentReminder.kind == "employer_unpaid"))
        assert json.loads(owed.details) == {
            "employer": "Công ty TNHH Nhắc Việc", "months": ["2026-10"], "owed": 1_234_000,
        }
        assert owed.subject_key == f"{world['employer']}:2026-10"
        vol = session.scalar(select(SentReminder).where(SentReminder.kind == "voluntary_si_due"))
        assert json.loads(vol.details) == {"first_month": "2027-01", "months": 3, "pay_by": "2027-01-31"}
        mail = session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient == "card@example.vn").order_by(OutboxMessage.id)
        )
        assert "15/01/2027" in mail.subject
    # a month later November is owed too: one new reminder of the employer's debt, nothing else again
    later = service.send_due(sessions, date(2027, 1, 2))
    with Session(engine) as session:
        keys = session.scalars(select(SentReminder.subject_key).where(SentReminder.kind == "employer_unpaid")).all()
    assert sorted(keys) == [f"{world['employer']}:2026-10", f"{world['employer']}:2026-11"]
    assert later.sent == 1, "the card, the voluntary period and the dossier were reminded already"


def test_the_batch_job_run_twice_sends_once(world, tmp_path):
    engine = world["engine"]
    jobs.configure(engine, Settings(data_dir=tmp_path))
    ids = sorted(world["ids"].values())
    for _ in range(2):
        service.send_reminder_batch(day=AS_OF.isoformat(), lo=ids[0], hi=ids[-1])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SentReminder)) == 6
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 11


@pytest.fixture
def client(world, tmp_path):
    settings = Settings(
        database_url=world["engine"].url.render_as_string(hide_password=False), data_dir=tmp_path, env="test"
    )
    return settings, TestClient(create_app(settings))


def test_preferences_are_respected(world, client):
    settings, http = client
    me = bearer(settings, PIDS["household"])
    assert http.get("/api/v1/me/reminders/preferences", headers=me).json() == {
        "kinds": list(service.rules.KINDS), "inapp": True, "email": True, "has_email": True,
    }
    refused = http.put("/api/v1/me/reminders/preferences", headers=me, json={"kinds": ["card_lost"]})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "reminders.kind"
    chosen = {"kinds": ["hi_card_expiring"], "inapp": True, "email": True}
    assert http.put("/api/v1/me/reminders/preferences", headers=me, json=chosen).status_code == 200
    service.send_due(session_factory(world["engine"]), AS_OF)
    assert ("household", "household_hi_expiring:inapp,email") not in sent(world["engine"])
    chosen = {"kinds": ["household_hi_expiring"], "inapp": True, "email": False}
    assert http.put("/api/v1/me/reminders/preferences", headers=me, json=chosen).json()["email"] is False
    service.send_due(session_factory(world["engine"]), AS_OF)
    assert ("household", "household_hi_expiring:inapp") in sent(world["engine"])
    with Session(world["engine"]) as session:
        assert not session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "hh@example.vn"))


def test_the_history_and_the_unread_count(world, client):
    settings, http = client
    sessions = session_factory(world["engine"])
    service.send_due(sessions, AS_OF)
    deliver_pending(sessions, SinkSender())
    me = bearer(settings, PIDS["card"])
    history = http.get("/api/v1/me/reminders", headers=me).json()
    assert sorted(r["kind"] for r in history) == ["employer_unpaid", "hi_card_expiring", "household_hi_expiring"]
    assert all(r["sent_at_vietnam"].endswith("+07:00") for r in history)
    page = http.get("/me/reminders?lang=en", headers=me).text
    assert "My HI card is ending" in page and "Công ty TNHH Nhắc Việc" in page and "1,234,000" in page
    page_vi = http.get("/me/reminders?lang=vi", headers=me).text
    assert "15/01/2027" in page_vi and "1.234.000" in page_vi
    home = http.get("/me", headers=me).text
    assert 'data-testid="unread-badge"' in home and ">3<" in home.split('data-testid="unread-badge"')[1][:80]
    http.get("/me/messages", headers=me)
    assert 'data-testid="unread-badge"' not in http.get("/me", headers=me).text
    with Session(world["engine"]) as session:
        unread = session.scalar(
            select(func.count()).select_from(DeliveredMessage).where(
                DeliveredMessage.channel == "inapp", DeliveredMessage.read_at.is_(None)
            )
        )
    assert unread == 3, "the other persons' messages are still unread"


def test_the_daily_job_run_twice_with_two_workers_sends_each_reminder_once(world, tmp_path):
    """PostgreSQL: the daily job cuts the persons into batch jobs once per day, two workers take them; SQLite: the
    worker's round runs the day's batches in-process once. Either way each reminder is sent and delivered once."""
    engine = world["engine"]
    settings = Settings(data_dir=tmp_path)
    runtime = jobs.configure(engine, settings)
    at = datetime(2026, 12, 26, 0, 20, tzinfo=VIETNAM).timestamp()
    for _ in range(2):
        if is_postgres(engine):
            service.reminders_daily(timestamp=int(at))
        else:
            service.send_daily_once(runtime.sessions, AS_OF)
    with Session(engine) as session:
        runs = session.scalar(
            select(func.count()).where(AuditRecord.action == "reminders.run", AuditRecord.target == "day:2026-12-26")
        )
    assert runs == 1
    work(engine, settings, CountingSender(), workers=2)  # the batch jobs (and the messages they wrote)
    assert len(sent(engine)) == 6
    work(engine, settings, CountingSender(), workers=2)  # a worker that stopped when idle left some messages
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(DeliveredMessage)) == 11


def test_the_command_sends_the_day_s_reminders_once(world, tmp_path):
    from integration.test_cli import run

    url = world["engine"].url.render_as_string(hide_password=False)
    first = run(url, "reminders", "send", "--as-of", "2026-12-26", "--batch-size", "2", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2026-12-26: 6 reminders sent (3 batches of persons)"
    again = run(url, "reminders", "send", "--as-of", "2026-12-26", tmp=tmp_path)
    assert again.stdout.strip() == "2026-12-26: 0 reminders sent (1 batch of persons)"
    wrong = run(url, "reminders", "send", "--as-of", "26/12/2026", tmp=tmp_path)
    assert wrong.returncode == 2 and "--as-of must be YYYY-MM-DD" in wrong.stderr
