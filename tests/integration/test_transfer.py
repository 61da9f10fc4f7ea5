"""A person's management moves between authorities (a conscript back to civilian work): filed by an officer of
the current authority, approved by the receiving one; the new book is signed by the new authority and still
carries no classified detail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from esibook.access.demo import demo_identities
from esibook.app import create_app
from esibook.book.service import latest_version
from esibook.people.models import Person
from esibook.trust import jws
from support.signed_in import bearer_of


def test_a_defence_book_moves_to_civil_management(signed):
    client = TestClient(create_app(signed.settings))
    with Session(signed.engine) as session:
        ids = {i.key: i for i in demo_identities(session)}

    def bearer(identity) -> dict:
        return bearer_of(signed.settings, identity, 2)

    soldier = ids["citizen-defence"]
    with Session(signed.engine) as session:
        person = session.scalar(select(Person).where(Person.personal_id == soldier.personal_id))
        units = [
            u
            for (u,) in session.execute(
                text(
                    "SELECT classified_unit FROM participation_periods "
                    "WHERE person_id = :p AND classified_unit IS NOT NULL"
                ),
                {"p": person.id},
            )
        ]
    form = {
        "personal_id": soldier.personal_id,
        "to_authority": "civil",
        "reason": "Xuất ngũ, làm việc tại doanh nghiệp",
    }
    refused = client.post(
        "/api/v1/dossiers",
        json={"procedure": "transfer_authority", "form": form},
        headers={**bearer(ids["officer-civil"]), "idempotency-key": "transfer-wrong-1"},
    )
    assert refused.status_code == 404, "only the current authority's officer files the transfer"
    filed = client.post(
        "/api/v1/dossiers",
        json={"procedure": "transfer_authority", "form": form},
        headers={**bearer(ids["officer-defence"]), "idempotency-key": "transfer-ok-001"},
    )
    assert filed.status_code == 201, filed.text
    approved = client.post(
        f"/api/v1/dossiers/{filed.json()['id']}/actions",
        json={"action": "approve"},
        headers=bearer(ids["officer-civil"]),
    )
    assert approved.json().get("status") == "result_issued", approved.text

    with Session(signed.engine) as session:
        assert session.get(Person, person.id).authority == "civil"
        book = latest_version(session, person.id)
    payload = jws.parts(book.document)[1]
    assert payload["issuer"]["authority"] == "civil"
    assert all(unit not in book.document for unit in units)
    assert client.post("/api/v1/verify", content=book.document.encode()).json()["verdict"] == "valid"
    civil_view = client.get(f"/api/v1/officer/persons/{person.id}?purpose=GDBHXH", headers=bearer(ids["officer-civil"]))
    assert civil_view.status_code == 200
    defence_view = client.get(
        f"/api/v1/officer/persons/{person.id}?purpose=GDBHXH", headers=bearer(ids["officer-defence"])
    )
    assert defence_view.status_code == 404
