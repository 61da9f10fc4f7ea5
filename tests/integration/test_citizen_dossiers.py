"""Citizens file for themselves: voluntary SI, and correcting personal information against the population
database (the book must agree with it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.book.models import BookVersion
from esibook.contributions.models import ParticipationPeriod
from esibook.people.models import Person
from esibook.transactions.models import PopulationRecord


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, lambda personal_id, level=2: signed_bearer(personal_id, level=level)


def a_resident_never_insured(engine) -> str:
    with Session(engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        return session.scalar(
            select(PopulationRecord.personal_id)
            .where(PopulationRecord.personal_id.not_in(insured))
            .order_by(PopulationRecord.personal_id.desc())
            .limit(1)
        )


def file(client, headers, procedure: str, form: dict, key: str):
    return client.post(
        "/api/v1/dossiers", json={"procedure": procedure, "form": form}, headers={**headers, "idempotency-key": key}
    )


def test_voluntary_si_from_filing_to_a_self_paid_period_in_the_book(signed, world):
    client, ids, bearer = world
    resident = a_resident_never_insured(signed.engine)
    me = bearer(resident)
    too_low = file(client, me, "voluntary_si", {"income": 1_000_000, "from_month": "2026-12"}, "vol-low-0001")
    assert too_low.status_code == 400 and too_low.json()["error"]["code"] == "dossier.income"
    filed = file(
        client, me, "voluntary_si", {"income": 3_000_000, "from_month": "2026-12", "payment_months": 3}, "vol-ok-00001"
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["monthly_contribution"] == 660_000, "22% of the chosen income"
    assert [d["code"] for d in client.get("/api/v1/me/dossiers", headers=me).json()] == [filed.json()["code"]]
    officer = bearer(ids["officer-civil"].personal_id)
    done = client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"}, headers=officer)
    assert done.json().get("status") == "result_issued", done.text
    with Session(signed.engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == resident))
        period = session.scalar(select(ParticipationPeriod).where(ParticipationPeriod.person_id == person.id))
        assert period.participant_type == "voluntary" and period.employer_id == 0
        assert session.scalar(select(BookVersion.version).where(BookVersion.person_id == person.id)) == 1
    again = file(client, me, "voluntary_si", {"income": 3_000_000, "from_month": "2027-01"}, "vol-again-01")
    assert again.json()["error"]["code"] == "dossier.already_participating"


def test_a_correction_must_agree_with_the_population_database(signed, world):
    client, ids, bearer = world
    citizen = ids["citizen-l2"]
    me = bearer(citizen.personal_id)
    wrong = file(
        client, me, "correct_personal_info", {"field": "full_name", "value": "Tên Sai Hoàn Toàn"}, "fix-wrong-001"
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "dossier.population_mismatch"
    with signed.engine.begin() as connection:  # the book carries a typo the population database does not have
        connection.execute(
            text("UPDATE persons SET full_name = :n WHERE personal_id = :p"),
            {"n": citizen.name + " X", "p": citizen.personal_id},
        )
    filed = file(client, me, "correct_personal_info", {"field": "full_name", "value": citizen.name}, "fix-right-01")
    assert filed.status_code == 201 and filed.json()["form"]["from"] == citizen.name + " X"
    officer = bearer(ids["officer-civil"].personal_id)
    client.post(f"/api/v1/dossiers/{filed.json()['id']}/actions", json={"action": "approve"}, headers=officer)
    with Session(signed.engine) as session:
        assert session.scalar(select(Person.full_name).where(Person.personal_id == citizen.personal_id)) == citizen.name


def test_level_1_cannot_file(signed, world):
    client, _, bearer = world
    resident = a_resident_never_insured(signed.engine)
    response = file(
        client,
        bearer(resident, level=1),
        "voluntary_si",
        {"income": 3_000_000, "from_month": "2026-12"},
        "vol-level1-01",
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "access.level2_required"


def test_reissue_the_card_at_another_initial_clinic_of_the_same_province(signed, world):
    from esibook.health.models import Clinic, HICoverage

    client, ids, bearer = world
    citizen = ids["citizen-l2"]
    me = bearer(citizen.personal_id)
    with Session(signed.engine) as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == citizen.personal_id))
        card = session.scalar(
            select(HICoverage).where(HICoverage.person_id == person_id).order_by(HICoverage.seq.desc()).limit(1)
        )
        same = session.scalar(
            select(Clinic.code)
            .where(Clinic.code.like(f"{card.province_code}%"), Clinic.code != card.initial_clinic_code)
            .limit(1)
        )
        elsewhere = session.scalar(select(Clinic.code).where(Clinic.code.not_like(f"{card.province_code}%")).limit(1))
    far = file(
        client, me, "reissue_hi_card", {"initial_clinic_code": elsewhere, "reason": "Chuyển nơi ở"}, "card-far-01"
    )
    assert far.json()["error"]["code"] == "dossier.clinic_province"
    filed = file(client, me, "reissue_hi_card", {"initial_clinic_code": same, "reason": "Gần nhà hơn"}, "card-near-01")
    assert filed.status_code == 201, filed.text
    client.post(
        f"/api/v1/dossiers/{filed.json()['id']}/actions",
        json={"action": "approve"},
        headers=bearer(ids["officer-civil"].personal_id),
    )
    card_now = client.get("/api/v1/me/card/qr", headers=me).json()["payload"]
    shown = client.post("/api/v1/verify", content=card_now.encode()).json()
    assert shown["verdict"] == "valid" and shown["shows"]["initial_clinic_code"] == same
    documents = [d["type"] for d in client.get("/api/v1/me/repository", headers=me).json()]
    assert "hi_card" in documents and "receipt" in documents
