"""The public lookups: clinics (accents or none, province, level, pages), SI offices and collection agents, and
one's SI code by name, date of birth and province (masked, sent to the record's contacts, rate-limited, the same
answer shape whatever is found)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.audit.models import AuditRecord
from esibook.config import Settings
from esibook.health.models import Clinic
from esibook.notify.models import OutboxMessage
from esibook.people.models import Contact, Person
from esibook.people.names import fold_name, match_rank, search_key, search_terms

OTHER_ADDRESS = ("192.0.2.20", 40000)


@pytest.fixture
def make_client(seeded_engine, tmp_path):
    apps = []

    def make(**settings) -> TestClient:
        app = create_app(Settings(database_url=seeded_engine.url.render_as_string(hide_password=False),
                                  data_dir=tmp_path, env="test", **settings))
        apps.append(app)
        return TestClient(app, follow_redirects=False)

    yield make
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


# --- clinics ----------------------------------------------------------------------------------------------


def test_a_clinic_is_found_with_accents_or_without(client):
    accented = client.get("/api/v1/lookups/clinics", params={"q": "Bạch Mai"}).json()
    bare = client.get("/api/v1/lookups/clinics", params={"q": "bach MAI"}).json()
    assert accented["items"][0]["name"] == "Bệnh viện Bạch Mai" and accented["items"][0]["level"] == "central"
    assert bare["items"] == accented["items"] and bare["total"] == accented["total"] >= 1
    assert bare["items"][0]["province"] == "Hà Nội" and bare["items"][0]["address"]


def test_the_province_and_level_filters_keep_only_their_clinics(client, seeded_engine):
    body = client.get("/api/v1/lookups/clinics", params={"province": "079", "per_page": 100}).json()
    with Session(seeded_engine) as session:
        expected = session.scalar(select(func.count()).select_from(Clinic).where(Clinic.province_code == "079"))
    assert body["total"] == expected == len(body["items"])
    assert {c["province_code"] for c in body["items"]} == {"079"}
    commune = client.get("/api/v1/lookups/clinics", params={"q": "tram y te", "level": "commune"}).json()
    assert commune["total"] > 1 and {c["level"] for c in commune["items"]} == {"commune"}
    assert all("Trạm Y tế" in c["name"] for c in commune["items"])
    initial = client.get("/api/v1/lookups/clinics", params={"q": "benh vien", "initial": "true", "per_page": 100})
    assert all(c["accepts_initial_registration"] for c in initial.json()["items"])


def test_pages_of_clinics_follow_one_another_without_repeats(client):
    first = client.get("/api/v1/lookups/clinics", params={"per_page": 7}).json()
    second = client.get("/api/v1/lookups/clinics", params={"per_page": 7, "page": 2}).json()
    assert first["total"] == second["total"] > 14 and first["pages"] == -(-first["total"] // 7)
    assert len(first["items"]) == len(second["items"]) == 7
    assert not {c["code"] for c in first["items"]} & {c["code"] for c in second["items"]}
    beyond = client.get("/api/v1/lookups/clinics", params={"per_page": 7, "page": first["pages"] + 1}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


@pytest.mark.parametrize("query", ["benh vien", "tram y te", "da khoa ha", "a"])
def test_the_database_orders_clinics_as_the_ranking_rule_does(client, query):
    items = client.get("/api/v1/lookups/clinics", params={"q": query, "per_page": 100}).json()["items"]
    keys = [(match_rank(search_key(c["name"]), search_terms(query)), search_key(c["name"]), c["code"]) for c in items]
    assert items and None not in [k[0] for k in keys] and keys == sorted(keys)


def test_a_word_start_ranks_above_a_match_inside_a_word(client):
    items = client.get("/api/v1/lookups/clinics", params={"q": "viet duc", "per_page": 100}).json()["items"]
    assert items[0]["name"] == "Bệnh viện Hữu nghị Việt Đức"
    by_code = client.get("/api/v1/lookups/clinics", params={"q": "01001"}).json()
    assert [c["code"] for c in by_code["items"]] == ["01001"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"province": "999"}, "lookups.province"),
        ({"province": "ab"}, "lookups.province"),
        ({"level": "moon"}, "lookups.level"),
    ],
)
def test_a_bad_filter_is_a_4xx_with_a_code_in_both_languages(client, params, code):
    response = client.get("/api/v1/lookups/clinics", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["message_vi"] and error["message_en"]
    page = client.get("/lookups/clinics", params=params)
    assert page.status_code == 400 and 'data-testid="lookup-error"' in page.text


def test_paging_out_of_range_is_refused(client):
    for params in ({"page": 0}, {"per_page": 101}, {"q": "x" * 101}):
        response = client.get("/api/v1/lookups/clinics", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "request.invalid"


def test_the_clinic_page_lists_and_pages_on_a_phone(client):
    page = client.get("/lookups/clinics", params={"q": "benh vien da khoa"})
    assert page.status_code == 200 and "Bệnh viện Đa khoa" in page.text
    assert 'data-testid="next-page"' in page.text and "page=2" in page.text


# --- offices and agents -----------------------------------------------------------------------------------


def test_offices_and_agents_come_with_their_source_and_date(client):
    body = client.get("/api/v1/lookups/offices", params={"province": "001"}).json()
    assert body["valid_from"] == "2025-07-01" and body["demo_sized"] is True and "DEMO-SIZED" in body["source"]
    kinds = {o["kind"] for o in body["items"]}
    assert kinds == {"office", "agent"} and {o["province_code"] for o in body["items"]} == {"001"}
    assert all(o["address"] for o in body["items"])
    agents = client.get("/api/v1/lookups/offices", params={"kind": "agent", "q": "buu dien thu duc"}).json()
    assert agents["items"][0]["name"] == "Đại lý thu Bưu điện Thủ Đức" and agents["items"][0]["opening_hours"]["vi"]
    accented = client.get("/api/v1/lookups/offices", params={"q": "Bưu điện Thủ Đức", "kind": "agent"}).json()
    assert accented["items"] == agents["items"]
    assert client.get("/api/v1/lookups/offices", params={"kind": "bank"}).json()["error"]["code"] == "lookups.kind"


def test_the_office_page_says_the_list_is_demo_sized(client):
    page = client.get("/lookups/offices", params={"q": "tran thai tong"})
    assert page.status_code == 200 and "Bảo hiểm xã hội cơ sở Cầu Giấy" in page.text
    assert 'data-testid="office-source"' in page.text and "thu gọn" in page.text


# --- one's SI code ----------------------------------------------------------------------------------------
#
# On a database of its own (the lookup writes messages and audit rows; the seeded one is only read): one person
# with a unique name, two namesakes born the same day in one province, and a person of the defence authority.

HOA = {"full_name": "Nguyễn Thị Hoa", "date_of_birth": "1990-05-17", "province": "001"}
HOA_CODE = "0112345689"
NAMESAKES = {"full_name": "Trần Văn Nam", "date_of_birth": "1985-01-01", "province": "001"}
SOLDIER = {"full_name": "Lê Văn Quân", "date_of_birth": "1980-02-02", "province": "001"}


def _person(pid: int, question: dict, code: str, authority: str = "civil") -> Person:
    return Person(id=pid, full_name=question["full_name"], name_key=fold_name(question["full_name"]),
                  date_of_birth=date.fromisoformat(question["date_of_birth"]), sex="female",
                  si_code_legacy=code, authority=authority)


@pytest.fixture(scope="module")
def people_engine(databases):
    engine = databases.engine()
    with Session(engine) as session, session.begin():
        session.add_all([
            _person(1, HOA, HOA_CODE), _person(2, NAMESAKES, "0100000002"), _person(3, NAMESAKES, "0100000003"),
            _person(4, SOLDIER, "0100000004", authority="defence"),
        ])
        session.flush()
        session.add(Contact(person_id=1, email="hoa@example.vn"))
    return engine


@pytest.fixture
def people_client(people_engine, tmp_path):
    def make(**settings) -> TestClient:
        app = create_app(Settings(database_url=people_engine.url.render_as_string(hide_password=False),
                                  data_dir=tmp_path, env="test", **settings))
        return TestClient(app, follow_redirects=False)

    return make


def _sent_to_hoa(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("sicode:1:"))).all()


def test_one_match_shows_the_code_masked_and_sends_it_to_the_record(people_client, people_engine):
    client = people_client()
    response = client.post("/api/v1/lookups/si-code", json={**HOA, "full_name": "NGUYEN thi  hoa"})
    assert response.status_code == 200
    assert response.json()["masked_code"] == "01******89"
    assert HOA_CODE not in response.text
    sent = _sent_to_hoa(people_engine)
    assert {(m.channel, m.recipient) for m in sent} == {("inapp", "person:1"), ("email", "hoa@example.vn")}
    assert all(HOA_CODE in m.body for m in sent)
    with Session(people_engine) as session:
        audit = session.scalars(select(AuditRecord).where(AuditRecord.action == "lookups.si_code_sent")).all()
    assert [a.target for a in audit] == ["person:1"] and HOA_CODE not in audit[0].details
    again = client.post("/api/v1/lookups/si-code", json=HOA)
    assert again.json()["masked_code"] == "01******89"
    assert len(_sent_to_hoa(people_engine)) == 2  # once a day, whatever the number of lookups


@pytest.mark.parametrize(
    "question",
    [
        {**HOA, "date_of_birth": "1990-05-18"},
        {**HOA, "full_name": "Nguyễn Thị Hoa An"},
        {**HOA, "province": "079"},
        NAMESAKES,
        SOLDIER,
    ],
    ids=["other-day", "other-name", "other-province", "namesakes", "defence"],
)
def test_none_several_or_a_protected_record_answer_in_the_same_shape_without_a_code(people_client, question):
    client = people_client()
    found = client.post("/api/v1/lookups/si-code", json=HOA).json()
    response = client.post("/api/v1/lookups/si-code", json=question)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(found) and body["masked_code"] is None
    assert body["message_en"] == found["message_en"] and body["message_vi"] == found["message_vi"]
    assert "0100000" not in response.text


def test_the_lookup_is_rate_limited_per_address_and_per_name_and_birth_date(people_client):
    client = people_client(rate_limit_si_code_ip="3/minute", rate_limit_si_code_person="2/minute")
    assert client.post("/api/v1/lookups/si-code", json=HOA).status_code == 200
    assert client.post("/api/v1/lookups/si-code", json={**HOA, "province": "079"}).status_code == 200
    limited = client.post("/api/v1/lookups/si-code", json={**HOA, "full_name": "nguyen thi hoa"})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate.limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60 and "Too many" in limited.json()["error"]["message_en"]
    assert "masked_code" not in limited.text
    elsewhere = TestClient(client.app, client=OTHER_ADDRESS)  # the same pair from another address: still limited
    assert elsewhere.post("/api/v1/lookups/si-code", json=HOA).status_code == 429
    assert elsewhere.post("/api/v1/lookups/si-code", json=NAMESAKES).status_code == 200  # another pair is not
    # the first address has spent its 3 (the limited try counts), whatever the pair
    page = client.post("/lookups/si-code", data=NAMESAKES)
    assert page.status_code == 429 and "Quá nhiều lần thử" in page.text and page.headers["retry-after"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"full_name": "   "}, "lookups.full_name"),
        ({"full_name": "x" * 101}, "request.invalid"),
        ({"date_of_birth": "2999-01-01"}, "lookups.date_of_birth"),
        ({"province": "999"}, "lookups.province"),
        ({"province": ""}, "lookups.province"),
        ({"date_of_birth": "not a date"}, "request.invalid"),
    ],
)
def test_bad_questions_are_4xx_with_a_code_and_send_nothing(people_client, people_engine, changes, code):
    before = len(_sent_to_hoa(people_engine))
    response = people_client().post("/api/v1/lookups/si-code", json={**HOA, **changes})
    assert 400 <= response.status_code < 500 and response.json()["error"]["code"] == code
    assert response.json()["error"]["message_vi"] and response.json()["error"]["message_en"]
    assert len(_sent_to_hoa(people_engine)) == before


def test_the_page_shows_the_masked_code_never_the_full_one(people_client):
    client = people_client()
    form = {**HOA, "date_of_birth": "17/05/1990"}
    page = client.post("/lookups/si-code", data=form)
    assert page.status_code == 200 and 'data-testid="masked-code"' in page.text and "01******89" in page.text
    assert HOA_CODE not in page.text
    miss = client.post("/lookups/si-code", data={**form, "full_name": "Không Ai Tên Này"})
    assert miss.status_code == 200 and 'data-testid="si-code-answer"' in miss.text
    assert 'data-testid="masked-code"' not in miss.text
    bad = client.post("/lookups/si-code", data={**form, "date_of_birth": "31/02/1990"})
    assert bad.status_code == 400 and 'data-testid="lookup-error"' in bad.text
