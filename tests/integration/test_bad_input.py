"""Bad input never breaks the server: each input that used to answer a 500 now gets a 4xx with a code (and
stores nothing); months outside the life of social insurance are refused; a person is registered at most once
per employer; files written for spreadsheets run no formula. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esibook.contributions.models import ParticipationPeriod
from esibook.contributions.posting import post_file
from esibook.people.models import Person
from esibook.transactions import registrations
from esibook.transactions.models import Dossier, PopulationRecord
from support import signed_in

TOO_BIG = [str(2**63), str(2**64), "9" * 40]


@pytest.fixture(scope="module")
def world(signed, signed_app, signed_identities):
    """The client, the demo identities, and ``bearer(key)``: a demo identity's header at its own level."""
    return signed_app, signed_identities, lambda key: signed_in.bearer_of(signed.settings, signed_identities[key])


def newcomers(engine, count: int, skip: int = 0) -> list[str]:
    """Residents never insured, from the end of the list (other modules take theirs from the start)."""
    with Session(engine) as session:
        insured = select(Person.personal_id).where(Person.personal_id.is_not(None))
        return list(
            session.scalars(
                select(PopulationRecord.personal_id)
                .where(PopulationRecord.personal_id.not_in(insured))
                .order_by(PopulationRecord.personal_id.desc())
                .offset(skip)
                .limit(count)
            )
        )


def registration(employer_id: int, personal_ids: list[str], from_month: str = "2026-11") -> dict:
    rows = [
        {"personal_id": p, "job_title": "Thợ hàn", "salary": 7_000_000, "from_month": from_month} for p in personal_ids
    ]
    return {"procedure": "register_employees", "employer_id": employer_id, "form": {"employees": rows}}


def count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


# --- numbers and text no column can hold ----------------------------------------------------------------------


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(
    "caller, method, path",
    [
        ("officer-civil", "GET", "/api/v1/dossiers/{n}"),
        ("officer-civil", "GET", "/api/v1/dossiers/1/attachments/{n}"),
        ("citizen-l2", "GET", "/api/v1/me/dependants/{n}"),
        ("officer-civil", "POST", "/api/v1/officer/persons/{n}/suspensions"),
        ("officer-civil", "DELETE", "/api/v1/officer/persons/{n}/suspensions/book"),
        ("officer-civil", "GET", "/api/v1/officer/persons/{n}/printout.pdf"),
        ("employer-rep", "GET", "/api/v1/employers/{n}/employees"),
        ("citizen-l2", "DELETE", "/api/v1/me/share-links/{n}"),
        ("citizen-l2", "GET", "/api/v1/me/book?version={n}"),
        ("citizen-l2", "GET", "/api/v1/log/entries/{n}"),
    ],
)
def test_an_id_past_the_columns_range_is_a_422_not_a_crash(world, caller, method, path, number):
    client, _, bearer = world
    body = {"reason": "Tạm dừng để kiểm tra", "subject": "book"} if method == "POST" else None
    answer = client.request(method, path.format(n=number), headers=bearer(caller), json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "request.invalid"


def test_a_version_or_attachment_number_past_32_bits_is_refused(world):
    client, _, bearer = world
    for path in ("/api/v1/me/book?version=2147483648", "/api/v1/me/book.pdf?version=4294967296"):
        assert client.get(path, headers=bearer("citizen-l2")).status_code == 422
    link = client.post(
        "/api/v1/me/share-links",
        json={"extract": "insured_months", "parameter": 2**40, "days": 7},
        headers=bearer("citizen-l2"),
    )
    assert link.status_code == 422 and link.json()["error"]["code"] == "request.invalid"


def test_text_with_a_nul_character_is_refused_on_both_engines(world):
    client, _, bearer = world
    found = client.get("/api/v1/officer/persons", params={"q": "Nguy\x00n"}, headers=bearer("officer-civil"))
    assert found.status_code == 422 and found.json()["error"]["code"] == "text.nul_character"


def test_verify_without_a_file_part_is_refused_not_a_crash(world):
    client, _, _ = world
    answer = client.post("/api/v1/verify", data={"note": "no file here"}, files={"other": ("x.txt", b"")})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "verify.empty"
    form_only = client.post("/api/v1/verify", data={"text": "HC1:abc"})
    assert form_only.status_code == 400 and form_only.json()["error"]["code"] == "verify.empty"


def test_a_visit_time_outside_the_calendar_in_vietnam_is_a_422(world):
    client, ids, bearer = world
    visit = {
        "visit_ref": "TZ-1",
        "card_code": "DN4797924151241",
        "admitted_at": "9999-12-31T20:00:00-05:00",
        "discharged_at": "9999-12-31T23:00:00-05:00",
        "main_diagnosis": "J06.9",
        "total_cost": "100000",
    }
    answer = client.post("/api/v1/clinic/visits", json={"visits": [visit]}, headers=bearer("clinic"))
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "request.invalid" and "visits.0.admitted_at" in {d["field"] for d in error["details"]}

    local = {**visit, "admitted_at": "9999-12-31T20:00:00", "discharged_at": "9999-12-31T23:59:00"}
    stored = client.post("/api/v1/clinic/visits", json={"visits": [local]}, headers=bearer("clinic"))
    assert stored.status_code == 200, stored.text
    assert stored.json()["accepted"] == 0
    xml = (
        "<TONG_HOP><MA_LK>TZ-2</MA_LK><MA_THE_BHYT>DN4797924151241</MA_THE_BHYT><NGAY_VAO>999912312000</NGAY_VAO>"
        "<NGAY_RA>999912312359</NGAY_RA><MA_BENH_CHINH>J06.9</MA_BENH_CHINH><T_TONGCHI_BV>100000</T_TONGCHI_BV>"
        "</TONG_HOP>"
    )
    sent = client.post("/api/v1/clinic/visits/xml", content=xml.encode(), headers=bearer("clinic"))
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == 0


# --- files: employee lists --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, code",
    [
        (b"so_dinh_danh\n079123456789\n", "upload.columns"),  # one column: no delimiter to find
        (b"so_dinh_danh;chuc_danh;muc_luong;tu_thang\n079123456789;" + b"x" * 200_000 + b";7000000;2026-11\n",
         "upload.unreadable"),
        ('so_dinh_danh,chuc_danh,muc_luong,tu_thang\n079123456789,Kế toán,7000000,2026-11\n'.encode("utf-16"),
         "upload.type"),
        (b"so_dinh_danh,chuc_danh,muc_luong,tu_thang\n079123456789,K\xe9 to\xe1n,7000000,2026-11\n",
         "upload.encoding"),
        (b"so_dinh_danh,chuc_danh,muc_luong,tu_thang\n079123456789,Ke toan," + b"9" * 400 + b",2026-11\n",
         "upload.salary"),  # float() of it is infinite: int() of that raised OverflowError
        ("so_dinh_danh,chuc_danh,muc_luong,tu_thang\n079123456789,Ke toan,٧٠٠٠٠٠٠,2026-11\n".encode(),
         "upload.salary"),  # Arabic-Indic digits are digits to Python, not to a payroll
    ],
)
def test_a_malformed_employee_list_is_refused_with_its_reason(signed, world, content, code):
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    before = count(signed.engine, Dossier)
    answer = client.post(
        f"/api/v1/employers/{employer_id}/registrations/upload",
        files={"file": ("list.csv", content, "text/csv")},
        data={"idempotency_key": f"bad-list-{code}"},
        headers=bearer("employer-rep"),
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == code
    assert count(signed.engine, Dossier) == before


def test_a_unicode_digit_in_the_officers_form_is_not_a_crash(signed, world):
    """``"²".isdigit()`` is true and ``int("²")`` fails: the form's row count is read as ASCII digits only."""
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    filed = client.post(
        "/api/v1/dossiers",
        json=registration(employer_id, newcomers(signed.engine, 1)),
        headers={**bearer("employer-rep"), "idempotency-key": "digits-0001"},
    )
    assert filed.status_code == 201, filed.text
    dossier_id = filed.json()["id"]
    for rows in ("²", "٣", "1" * 5000):
        page = client.post(
            f"/officer/dossiers/{dossier_id}/act",
            data={"period_rows": rows, "keep": "²", "action": "no-such-action"},
            headers=bearer("officer-civil"),
        )
        assert page.status_code == 400 and "no-such-action" in page.text
    client.post(f"/api/v1/dossiers/{dossier_id}/actions", json={"action": "withdraw"}, headers=bearer("employer-rep"))


# --- months -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "1994-12", "2199-01"])
def test_a_start_month_outside_the_life_of_social_insurance_is_refused(signed, world, month):
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    before = count(signed.engine, Dossier)
    answer = client.post(
        "/api/v1/dossiers",
        json=registration(employer_id, newcomers(signed.engine, 1), from_month=month),
        headers={**bearer("employer-rep"), "idempotency-key": f"month-{month}"},
    )
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["error"]["code"] == "month.out_of_range"
    assert count(signed.engine, Dossier) == before


def test_a_voluntary_registration_far_in_the_future_is_refused(world):
    client, _, bearer = world
    answer = client.post(
        "/api/v1/dossiers",
        json={
            "procedure": "voluntary_si",
            "form": {"from_month": "9999-12", "income": 3_000_000, "payment_months": 1},
        },
        headers={**bearer("citizen-l2"), "idempotency-key": "voluntary-9999"},
    )
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["error"]["code"] == "month.out_of_range"


# --- one open period per person and employer ------------------------------------------------------------------


def test_a_second_registration_of_the_same_person_is_refused_at_filing(signed, world):
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    person = newcomers(signed.engine, 1)
    first = client.post(
        "/api/v1/dossiers",
        json=registration(employer_id, person),
        headers={**bearer("employer-rep"), "idempotency-key": "twice-0001"},
    )
    assert first.status_code == 201, first.text
    second = client.post(
        "/api/v1/dossiers",
        json=registration(employer_id, person),
        headers={**bearer("employer-rep"), "idempotency-key": "twice-0002"},
    )
    assert second.status_code == 400 and second.json()["error"]["code"] == "registration.already_employed"
    assert first.json()["code"] in second.json()["error"]["message_en"]

    approved = client.post(
        f"/api/v1/dossiers/{first.json()['id']}/actions", json={"action": "approve"}, headers=bearer("officer-civil")
    )
    assert approved.json()["status"] == "result_issued"
    third = client.post(
        "/api/v1/dossiers",
        json=registration(employer_id, person),
        headers={**bearer("employer-rep"), "idempotency-key": "twice-0003"},
    )
    assert third.status_code == 400 and third.json()["error"]["code"] == "registration.already_employed"
    assert "open" in third.json()["error"]["message_en"]


def test_two_registrations_filed_in_parallel_the_second_approval_is_refused(signed, world, monkeypatch):
    client, ids, bearer = world
    employer_id = ids["employer-rep"].grant[3]
    person = newcomers(signed.engine, 1, skip=1)
    filed = []
    with monkeypatch.context() as race:  # both filings pass the check before either is stored
        race.setattr(registrations, "pending_registration", lambda *args, **kwargs: None)
        for key in ("parallel-0001", "parallel-0002"):
            answer = client.post(
                "/api/v1/dossiers",
                json=registration(employer_id, person),
                headers={**bearer("employer-rep"), "idempotency-key": key},
            )
            assert answer.status_code == 201, answer.text
            filed.append(answer.json())
    first, second = filed

    review = client.get(f"/officer/dossiers/{second['id']}", headers=bearer("officer-civil"))
    assert 'data-testid="registration-conflicts"' in review.text and first["code"] in review.text
    approved = client.post(
        f"/api/v1/dossiers/{first['id']}/actions", json={"action": "approve"}, headers=bearer("officer-civil")
    )
    assert approved.json()["status"] == "result_issued"
    review = client.get(f"/officer/dossiers/{second['id']}", headers=bearer("officer-civil"))
    assert 'data-testid="registration-conflicts"' in review.text and person[0] in review.text

    refused = client.post(
        f"/api/v1/dossiers/{second['id']}/actions", json={"action": "approve"}, headers=bearer("officer-civil")
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "registration.already_employed"
    page = client.post(
        f"/officer/dossiers/{second['id']}/act", data={"action": "approve"}, headers=bearer("officer-civil")
    )
    assert page.status_code == 400 and 'data-testid="review-error"' in page.text
    assert client.get(f"/api/v1/dossiers/{second['id']}", headers=bearer("officer-civil")).json()["status"] == (
        "submitted"
    )
    with Session(signed.engine) as session:
        person_id = session.scalar(select(Person.id).where(Person.personal_id == person[0]))
    open_here = (ParticipationPeriod.person_id == person_id, ParticipationPeriod.employer_id == employer_id,
                 ParticipationPeriod.to_month.is_(None))
    assert count(signed.engine, ParticipationPeriod, *open_here) == 1

    # the same race one step later (both approvals past the check at once): the index refuses, as a rule
    monkeypatch.setattr(registrations, "open_period_here", lambda *args, **kwargs: None)
    raced = client.post(
        f"/api/v1/dossiers/{second['id']}/actions", json={"action": "approve"}, headers=bearer("officer-civil")
    )
    assert raced.status_code == 400 and raced.json()["error"]["code"] == "registration.already_employed"
    assert count(signed.engine, ParticipationPeriod, *open_here) == 1
    monkeypatch.undo()
    client.post(
        f"/api/v1/dossiers/{second['id']}/actions",
        json={"action": "reject", "note": "Đã đăng ký trong hồ sơ khác"},
        headers=bearer("officer-civil"),
    )


def test_the_database_keeps_one_open_period_per_person_and_employer(empty_engine):
    columns = (
        "person_id, seq, employer_id, from_month, to_month, salary_basis, participant_type, provenance, authority"
    )
    row = f"INSERT INTO participation_periods ({columns}) VALUES (7, :seq, 3, 202601, :to, 6000000, " \
          "'employee', 'electronic', 'civil')"
    with empty_engine.begin() as connection:
        connection.execute(text(row), {"seq": 1, "to": 202603})
        connection.execute(text(row), {"seq": 2, "to": 202606})  # closed periods: as many as there were
        connection.execute(text(row), {"seq": 3, "to": None})
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(text(row), {"seq": 4, "to": None})
    with empty_engine.begin() as connection:  # another employer at the same time is two jobs: allowed
        connection.execute(text(row.replace(":seq, 3,", ":seq, 4,")), {"seq": 5, "to": None})


# --- files written: no formula runs -----------------------------------------------------------------------------


def test_the_reject_report_writes_formulas_as_text_and_numbers_as_numbers(empty_engine, tmp_path):
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "so_dinh_danh,ma_don_vi,thang,muc_luong\n"
        "079123456789,\"=cmd|' /C calc'!A0\",2026-09,7000000\n"
        "+79123456789,@SUM(A1:A2),2026-09,7000000\n"
        "079123456789,-5,2026-09,7000000\n",
        encoding="utf-8",
    )
    report = tmp_path / "rejects.csv"
    result = post_file(empty_engine, lines, posted_by="test", report_path=report)
    assert result.lines_rejected == 3
    rows = report.read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("2,079123456789,'=cmd|' /C calc'!A0,")
    assert rows[2].startswith("3,'+79123456789,'@SUM(A1:A2),")
    assert rows[3].startswith("4,079123456789,'-5,"), "a text cell that starts with - is escaped too"
    assert [row.split(",")[0] for row in rows[1:]] == ["2", "3", "4"], "line numbers stay numbers"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.split(","))


def test_a_posting_file_with_a_200_kb_field_or_bad_bytes_is_refused_whole(empty_engine, tmp_path):
    from esibook.errors import DomainError

    huge = tmp_path / "huge.csv"
    huge.write_text("so_dinh_danh,ma_don_vi,thang,muc_luong\n079123456789," + "A" * 200_000 + ",2026-09,1\n")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"so_dinh_danh,ma_don_vi,thang,muc_luong\n079123456789,C\xf4ng ty,2026-09,7000000\n")
    for path in (huge, latin):
        try:
            result = post_file(empty_engine, path, posted_by="test")
        except DomainError as refusal:
            assert refusal.code.startswith("posting."), refusal.code
        else:  # COPY on PostgreSQL has no field limit: the line is read, then refused as badly formed
            assert result.lines_posted == 0 and result.lines_rejected == 1
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM contribution_lines")).scalar() == 0


def test_the_errors_are_documented_in_the_openapi(world):
    client, _, _ = world
    schema = client.get("/openapi.json").json()
    responses = schema["paths"]["/api/v1/dossiers/{dossier_id}"]["get"]["responses"]
    assert {"400", "401", "403", "404", "422"} <= set(responses)
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    token = schema["paths"]["/oauth/token"]["post"]["responses"]
    assert token["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/OAuthErrorBody")
    assert json.dumps(schema["components"]["schemas"]["ErrorDetail"]["required"]) == json.dumps(
        ["code", "message", "message_vi", "message_en"]
    )


@pytest.mark.parametrize(
    "content, code",
    [
        (b"date,amount,reference,description\n2026-11-02,1000," + b"R" * 200_000 + b",TC0001A\n",
         "statement.unreadable"),
        (b"date,amount,reference,description\n2026-11-02,1000,FT1,C\xf4ng ty\n", "statement.encoding"),
        (b"ngay;so_tien\n2026-11-02;1000\n", "statement.header"),
    ],
)
def test_a_bank_statement_the_csv_module_cannot_read_is_refused_whole(empty_engine, content, code):
    from esibook.contributions.payments import import_bank_statement
    from esibook.errors import DomainError

    with Session(empty_engine) as session, pytest.raises(DomainError) as refused:
        import_bank_statement(session, content, entered_by="test")
    assert refused.value.code == code


def test_a_merged_book_cannot_keep_a_second_open_period_at_the_same_employer(signed, world):
    from esibook.people.si_codes import new_si_code

    client, ids, bearer = world
    demo = {i.personal_id for i in ids.values()}
    with Session(signed.engine) as session, session.begin():
        person, period = session.execute(
            select(Person, ParticipationPeriod)
            .join(ParticipationPeriod, ParticipationPeriod.person_id == Person.id)
            .where(
                Person.authority == "civil",
                Person.personal_id.is_not(None),
                Person.personal_id.not_in(demo),
                ParticipationPeriod.to_month.is_(None),
                ParticipationPeriod.employer_id != 0,
            )
            .order_by(Person.id.desc())
            .limit(1)
        ).one()
        duplicate = Person(
            si_code_legacy=new_si_code(session, person.birth_province_code),
            full_name=person.full_name,
            name_key=person.name_key,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
            authority=person.authority,
        )
        session.add(duplicate)
        session.flush()
        session.add(
            ParticipationPeriod(
                person_id=duplicate.id, seq=1, employer_id=period.employer_id, from_month=period.from_month,
                to_month=None, salary_basis=period.salary_basis, participant_type="employee",
                provenance="electronic", authority="civil",
            )
        )
        code, personal_id = duplicate.si_code_legacy, person.personal_id
    filed = client.post(
        "/api/v1/dossiers",
        json={"procedure": "merge_books", "form": {"other_si_code": code}},
        headers={**signed_in.bearer(signed.settings, personal_id), "idempotency-key": "merge-open-twice"},
    )
    assert filed.status_code == 201, filed.text
    assert [o["duplicate_seq"] for o in filed.json()["form"]["overlaps"]] == [1]
    kept = client.post(
        f"/api/v1/dossiers/{filed.json()['id']}/actions",
        json={"action": "approve", "resolution": {"keep": [1]}},
        headers=bearer("officer-civil"),
    )
    assert kept.status_code == 400 and kept.json()["error"]["code"] == "registration.already_employed"
    merged = client.post(
        f"/api/v1/dossiers/{filed.json()['id']}/actions",
        json={"action": "approve", "resolution": {"keep": []}},
        headers=bearer("officer-civil"),
    )
    assert merged.json()["status"] == "result_issued", merged.text
