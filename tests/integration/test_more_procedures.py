"""The rest of the listed procedures, each filed, reviewed and completed: salary/title adjustment, household HI,
merging a duplicate book (overlaps decided by an officer), periods from a scanned paper book (attachment beside the
dossier, converted on approval), and a certified printout as a procedure."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.book.models import BookVersion
from esibook.contributions.models import ParticipationPeriod
from esibook.dates import vietnam_today
from esibook.employers.models import Employer
from esibook.health.models import HICoverage
from esibook.people.models import HouseholdMember, Person
from esibook.periods import Month
from esibook.transactions.demo import add_duplicate_book
from esibook.transactions.household import insured_on
from esibook.transactions.models import Dossier, DossierAttachment, RepositoryDocument
from esibook.trust import jws
from integration.test_conversion_and_printout import png, scanned_pdf


@pytest.fixture(scope="module")
def world(signed_app, signed_identities, signed_bearer):
    return signed_app, signed_identities, lambda personal_id: signed_bearer(personal_id, "Cán bộ A")


def file(client, headers, procedure: str, form: dict, key: str, attachments=(), employer_id=None):
    body = {
        "procedure": procedure,
        "form": form,
        "employer_id": employer_id,
        "attachments": [{"filename": n, "content_base64": base64.b64encode(d).decode()} for n, d in attachments],
    }
    return client.post("/api/v1/dossiers", json=body, headers={**headers, "idempotency-key": key})


def decide(client, headers, dossier_id: int, action: str = "approve", resolution=None, note: str = ""):
    return client.post(
        f"/api/v1/dossiers/{dossier_id}/actions",
        json={"action": action, "resolution": resolution, "note": note},
        headers=headers,
    )


def a_worker(engine, *, skip: set[str], employer_id: int | None = None, offset: int = 0) -> Person:
    """A civil worker with an open period and a book, not one of the demo identities."""
    with Session(engine) as session:
        query = (
            select(Person)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .join(BookVersion, BookVersion.person_id == Person.id)
            .where(
                Person.authority == "civil",
                Person.personal_id.is_not(None),
                Person.personal_id.not_in(skip),
                ParticipationPeriod.to_month.is_(None),
                ParticipationPeriod.employer_id != 0,
            )
            .distinct()
            .order_by(Person.id.desc())
        )
        if employer_id is not None:
            query = query.where(ParticipationPeriod.employer_id == employer_id)
        return session.scalars(query.offset(offset).limit(1)).one()


def test_an_employer_adjusts_a_salary_and_the_book_shows_the_new_period(signed, world):
    client, ids, bearer = world
    rep, officer = ids["employer-rep"], ids["officer-civil"]
    employer_id = rep.grant[3]
    worker = a_worker(signed.engine, skip={i.personal_id for i in ids.values()}, employer_id=employer_id)
    month = str(Month.from_date(vietnam_today()))
    change = {"personal_id": worker.personal_id, "from_month": month, "salary": 12_500_000, "job_title": "Tổ trưởng"}
    low = file(
        client,
        bearer(rep.personal_id),
        "adjust_salary",
        {"adjustments": [{**change, "salary": 900_000}]},
        "adjust-low-001",
        employer_id=employer_id,
    )
    assert low.status_code == 400 and low.json()["error"]["code"] == "dossier.salary_below_minimum"
    filed = file(
        client,
        bearer(rep.personal_id),
        "adjust_salary",
        {"adjustments": [change]},
        "adjust-ok-0001",
        employer_id=employer_id,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["adjustments"][0]["previous_salary"] > 0, "the current salary is shown, not asked"
    assert decide(client, bearer(officer.personal_id), filed.json()["id"]).json()["status"] == "result_issued"
    with Session(signed.engine) as session:
        periods = session.scalars(
            select(ParticipationPeriod)
            .where(ParticipationPeriod.person_id == worker.id, ParticipationPeriod.employer_id == employer_id)
            .order_by(ParticipationPeriod.from_month)
        ).all()
    current = periods[-1]
    assert (current.salary_basis, current.job_title, current.to_month) == (12_500_000, "Tổ trưởng", None)
    assert Month.from_int(current.from_month) == Month.parse(month)
    if len(periods) > 1:
        assert periods[-2].to_month == (Month.parse(month) - 1).as_int(), "the old salary ends the month before"
    book = jws.parts(client.get("/api/v1/me/book", headers=bearer(worker.personal_id)).json()["document"])[1]
    assert {"from": month, "job_title": "Tổ trưởng", "salary_basis": 12_500_000} in [
        {k: p[k] for k in ("from", "job_title", "salary_basis")} for p in book["participation"]
    ], "the signed book shows the new salary and title from the month of the change"


def household_with_an_uninsured_member(engine, skip: set[str]) -> tuple[Person, list[Person]]:
    start = (Month.from_date(vietnam_today()) + 1).first_day()
    with Session(engine) as session:
        for household_id in session.scalars(
            select(HouseholdMember.household_id)
            .group_by(HouseholdMember.household_id)
            .having(func.count() >= 2)
            .order_by(HouseholdMember.household_id.desc())
        ):
            members = session.scalars(
                select(Person)
                .join(HouseholdMember, HouseholdMember.person_id == Person.id)
                .where(HouseholdMember.household_id == household_id, Person.personal_id.is_not(None))
            ).all()
            adults = [
                m for m in members if m.date_of_birth.year <= vietnam_today().year - 20 and m.personal_id not in skip
            ]
            uninsured = [m for m in members if not insured_on(session, m.id, start)]
            if adults and len(uninsured) >= 2:
                return adults[0], uninsured[:2]
    pytest.fail("the seed has households with members who have no HI card")


def test_household_hi_registers_members_at_the_ordered_rates_and_issues_their_cards(signed, world):
    client, ids, bearer = world
    filer, members = household_with_an_uninsured_member(signed.engine, {i.personal_id for i in ids.values()})
    me = bearer(filer.personal_id)
    stranger = a_worker(signed.engine, skip={m.personal_id for m in members}, offset=5)
    refused = file(client, me, "household_hi", {"members": [stranger.personal_id]}, "hh-stranger-01")
    assert refused.json()["error"]["code"] == "dossier.not_household_member"
    filed = file(client, me, "household_hi", {"members": [m.personal_id for m in members], "months": 6}, "hh-ok-000001")
    assert filed.status_code == 201, filed.text
    form = filed.json()["form"]
    first, second = form["members"]
    reference = form["reference_level"]
    assert first["monthly"] == round(reference * 0.045), "the first member pays 4.5% of the reference level"
    assert second["monthly"] == round(first["monthly"] * 0.7), "the second pays 70% of the first"
    assert form["total"] == 6 * (first["monthly"] + second["monthly"])
    assert decide(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"]).json()["status"] == (
        "result_issued"
    )
    with Session(signed.engine) as session:
        for member in members:
            card = session.scalars(
                select(HICoverage).where(HICoverage.person_id == member.id).order_by(HICoverage.seq.desc())
            ).first()
            assert card.card_code.startswith("GD4") and card.valid_from == Month.parse(form["from_month"]).first_day()
    documents = {d["type"] for d in client.get("/api/v1/me/repository", headers=bearer(members[1].personal_id)).json()}
    assert "hi_card" in documents
    again = file(client, me, "household_hi", {"members": [members[0].personal_id]}, "hh-again-0001")
    assert again.json()["error"]["code"] == "dossier.already_insured"


def test_a_deceased_household_member_is_not_enrolled(signed, world):
    """A member whose death is on record cannot be enrolled (named in the refusal, nothing filed); the living one
    can."""
    client, ids, bearer = world
    filer, members = household_with_an_uninsured_member(signed.engine, {i.personal_id for i in ids.values()})
    with Session(signed.engine) as session, session.begin():
        session.get(Person, members[1].id).died_on = vietnam_today() - timedelta(days=3)
    me = bearer(filer.personal_id)
    refused = file(client, me, "household_hi", {"members": [m.personal_id for m in members], "months": 3},
                   "hh-deceased-01")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "dossier.member_deceased"
    assert members[1].full_name in refused.json()["error"]["message_en"]
    filed = file(client, me, "household_hi", {"members": [members[0].personal_id], "months": 3}, "hh-deceased-02")
    assert filed.status_code == 201, filed.text


def test_merging_a_duplicate_book_asks_the_officer_about_overlaps_and_moves_the_rest(signed, world):
    client, ids, bearer = world
    person = a_worker(signed.engine, skip={i.personal_id for i in ids.values()}, offset=12)
    with Session(signed.engine) as session, session.begin():
        duplicate = add_duplicate_book(session, session.get(Person, person.id))
        code, duplicate_id = duplicate.si_code_legacy, duplicate.id
        periods_before = session.scalar(
            select(func.count()).select_from(ParticipationPeriod).where(ParticipationPeriod.person_id == person.id)
        )
    other = a_worker(signed.engine, skip={i.personal_id for i in ids.values()} | {person.personal_id}, offset=20)
    assert (
        file(client, bearer(other.personal_id), "merge_books", {"other_si_code": code}, "merge-other-1").json()[
            "error"
        ]["code"]
        == "dossier.not_your_book"
    )
    unknown = file(client, bearer(person.personal_id), "merge_books", {"other_si_code": "0199999999"}, "merge-unk-01")
    assert unknown.json()["error"]["code"] == "dossier.duplicate_not_found"

    filed = file(client, bearer(person.personal_id), "merge_books", {"other_si_code": code}, "merge-ok-0001")
    assert filed.status_code == 201, filed.text
    overlaps = filed.json()["form"]["overlaps"]
    assert [o["duplicate_seq"] for o in overlaps] == [2], "the copy of the first period overlaps; the older does not"
    officer = bearer(ids["officer-civil"].personal_id)
    undecided = decide(client, officer, filed.json()["id"])
    assert undecided.status_code == 400 and undecided.json()["error"]["code"] == "dossier.resolution_required"
    done = decide(client, officer, filed.json()["id"], resolution={"keep": []})
    assert done.json()["status"] == "result_issued", done.text
    assert done.json()["form"]["keep"] == []
    with Session(signed.engine) as session:
        assert session.get(Person, duplicate_id).merged_into_id == person.id, "the duplicate is kept, marked merged"
        moved = session.scalar(
            select(func.count()).select_from(ParticipationPeriod).where(ParticipationPeriod.person_id == person.id)
        )
        left = session.scalar(
            select(func.count()).select_from(ParticipationPeriod).where(ParticipationPeriod.person_id == duplicate_id)
        )
    assert (moved, left) == (periods_before + 1, 1), "the older period moved; the same job twice stayed behind"
    again = file(client, bearer(person.personal_id), "merge_books", {"other_si_code": code}, "merge-again-1")
    assert again.json()["error"]["code"] == "dossier.duplicate_not_found"


def _attachments(signed) -> int:
    with Session(signed.engine) as session:
        return session.scalar(select(func.count()).select_from(DossierAttachment))


def test_periods_from_a_paper_book_need_its_scan_shown_to_the_officer_and_carry_the_paper_provenance(signed, world):
    client, ids, bearer = world
    person = a_worker(signed.engine, skip={i.personal_id for i in ids.values()}, offset=30)
    me = bearer(person.personal_id)
    form = {"book_number": "0105012345", "note": "Sổ cấp năm 2001"}
    stored_before = _attachments(signed)  # other modules' dossiers on this database may hold scans
    missing = file(client, me, "paper_book_periods", form, "paper-none-01")
    assert missing.json()["error"]["code"] == "dossier.attachment_required"
    liar = file(client, me, "paper_book_periods", form, "paper-liar-01", attachments=[("so.pdf", png(800, 600))])
    assert liar.json()["error"]["code"] == "scan.mismatch"
    not_needed = file(client, me, "request_printout", {}, "printout-scan-1", attachments=[("a.pdf", scanned_pdf())])
    assert not_needed.json()["error"]["code"] == "dossier.attachment_not_needed"
    assert _attachments(signed) == stored_before, "nothing was stored"

    filed = file(client, me, "paper_book_periods", form, "paper-ok-0001", attachments=[("so-bhxh.pdf", scanned_pdf())])
    assert filed.status_code == 201, filed.text
    dossier = filed.json()
    scan_url = dossier["attachments"][0]["url"]
    officer = bearer(ids["officer-civil"].personal_id)
    assert client.get(scan_url, headers=officer).content.startswith(b"%PDF-"), "the officer sees the scan"
    assert client.get(scan_url, headers=me).status_code == 200, "and so does the filer"
    assert client.get(scan_url, headers=bearer(ids["citizen-l2"].personal_id)).status_code == 404
    assert client.get(scan_url, headers=bearer(ids["officer-defence"].personal_id)).status_code == 404

    with Session(signed.engine) as session:
        unit = session.scalar(select(Employer.unit_code).order_by(Employer.id).limit(1))
        first = session.scalar(
            select(func.min(ParticipationPeriod.from_month)).where(ParticipationPeriod.person_id == person.id)
        )
    end = Month.from_int(first) - 13
    period = {
        "unit_code": unit,
        "from_month": str(end - 11),
        "to_month": str(end),
        "salary": "2.400.000",
        "job_title": "Thợ hàn",
    }
    empty = decide(client, officer, dossier["id"], resolution={"periods": []})
    assert empty.json()["error"]["code"] == "dossier.resolution_required"
    bad_unit = decide(client, officer, dossier["id"], resolution={"periods": [{**period, "unit_code": "ZZ99999"}]})
    assert bad_unit.json()["error"]["code"] == "dossier.unknown_employer"
    done = decide(client, officer, dossier["id"], resolution={"periods": [period]})
    assert done.json()["status"] == "result_issued", done.text

    with Session(signed.engine) as session:
        entered = session.scalar(
            select(ParticipationPeriod).where(
                ParticipationPeriod.person_id == person.id, ParticipationPeriod.provenance == "converted_from_paper"
            )
        )
        converted = session.get(RepositoryDocument, entered.source_document_id)
        attachment = session.get(DossierAttachment, (dossier["id"], 1))
    assert (entered.salary_basis, entered.job_title) == (2_400_000, "Thợ hàn")
    assert converted.doc_type == "converted" and attachment.converted_document_id == converted.id
    statement = client.post("/api/v1/verify", content=converted.document.encode()).json()
    assert statement["verdict"] == "valid" and statement["shows"]["content_sha256"] == attachment.sha256
    book = jws.parts(client.get("/api/v1/me/book", headers=me).json()["document"])[1]
    paper = [p for p in book["participation"] if p["provenance"] == "converted_from_paper"]
    assert [p["from"] for p in paper] == [str(end - 11)]


def test_a_printout_requested_as_a_procedure_lands_in_the_repository_as_a_signed_pdf(signed, world):
    client, ids, bearer = world
    person = a_worker(signed.engine, skip={i.personal_id for i in ids.values()}, offset=40)
    me = bearer(person.personal_id)
    filed = file(client, me, "request_printout", {"delivery": "post", "copies": 2}, "printout-ok-01")
    assert filed.status_code == 201, filed.text
    assert filed.json()["form"]["address"], "the address on file is filled in, not asked"
    done = decide(client, bearer(ids["officer-civil"].personal_id), filed.json()["id"])
    assert done.json()["status"] == "result_issued", done.text
    printouts = [d for d in client.get("/api/v1/me/repository", headers=me).json() if d["type"] == "printout"]
    assert printouts and printouts[0]["has_file"]
    pdf = client.get(f"/api/v1/me/repository/{printouts[0]['id']}/download", headers=me)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    statement = client.post("/api/v1/verify", content=printouts[0]["document"].encode()).json()
    assert statement["verdict"] == "valid" and statement["shows"]["printed_by"] == "Cán bộ A"
    other = bearer(ids["citizen-l2"].personal_id)
    assert client.get(f"/api/v1/me/repository/{printouts[0]['id']}/download", headers=other).status_code == 404
    with Session(signed.engine) as session:
        assert session.scalar(select(Dossier.status).where(Dossier.id == filed.json()["id"])) == "result_issued"
