"""The application shell: pages in Vietnamese and English, the health check, OpenAPI and JSON errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esibook.app import create_app
from esibook.config import Settings
from esibook.migrate import head_revision
from esibook.models import Person


@pytest.fixture(scope="module")
def client(seeded_engine, tmp_path_factory) -> TestClient:
    url = seeded_engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("data"), env="test")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_home_is_vietnamese_by_default_and_english_on_request(client):
    vietnamese = client.get("/")
    assert vietnamese.status_code == 200
    assert '<html lang="vi">' in vietnamese.text
    assert "Sổ bảo hiểm xã hội của bạn, trực tuyến" in vietnamese.text
    english = client.get("/?lang=en")
    assert "Your social insurance book, online" in english.text
    assert english.cookies.get("lang") == "en"
    assert "Your social insurance book, online" in client.get("/").text, "the choice is remembered"
    client.get("/?lang=vi")


def test_home_shows_database_counts_but_no_personal_data(client, seeded_engine, seed_plan):
    page = client.get("/").text
    assert f'data-testid="stat-persons">{seed_plan.persons}<' in page
    with Session(seeded_engine) as session:
        persons = session.execute(select(Person.full_name, Person.personal_id).limit(50)).all()
    for name, personal_id in persons:
        assert name not in page
        assert not personal_id or personal_id not in page


def test_healthz_reports_the_database_and_schema(client):
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "schema_revision": head_revision()}


def test_healthz_says_unavailable_when_the_database_is_unreachable(tmp_path):
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", data_dir=tmp_path)
    with TestClient(create_app(settings)) as broken:
        response = broken.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_openapi_document_lists_the_api(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "esibook"
    assert "/api/v1/identifiers/check" in spec["paths"]


def test_unknown_api_route_gets_a_json_error_with_code_and_message(client):
    response = client.get("/api/v1/nothing-here", headers={"cookie": "lang=en"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["message_vi"]


def test_unknown_page_gets_an_html_error_page(client):
    response = client.get("/nothing-here?lang=en")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "This page or resource does not exist." in response.text


def test_identifier_check_names_the_wrong_part(client):
    response = client.post(
        "/api/v1/identifiers/check",
        json={"kind": "personal_id", "value": "001190012345", "date_of_birth": "1990-05-01", "sex": "male"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "personal_id.sex_century_mismatch"
    assert "digit 4" in error["message_en"] and "female" in error["message_en"]
    assert "chữ số thứ 4" in error["message_vi"]


def test_identifier_check_reads_a_valid_hi_card_code(client):
    response = client.post("/api/v1/identifiers/check", json={"kind": "hi_card", "value": "dn4790123456789"})
    assert response.status_code == 200
    parts = {p["label"]: p["value"] for p in response.json()["parts"]}
    assert parts["Benefit level"] == "4" and parts["SI code"] == "0123456789"


def test_malformed_request_gets_request_invalid_with_the_field(client):
    response = client.post("/api/v1/identifiers/check", json={"kind": "passport", "value": ""})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "request.invalid"
    assert {d["field"] for d in error["details"]} == {"kind", "value"}


def test_identifier_page_shows_the_verdict_in_the_chosen_language(client):
    page = client.get("/identifiers", params={"kind": "tax_code", "value": "0100109107", "lang": "en"}).text
    assert "Not valid" in page and "check digit" in page
    page = client.get("/identifiers", params={"kind": "tax_code", "value": "0100109106", "lang": "vi"}).text
    assert "Hợp lệ" in page and "0100109106" in page
    client.get("/?lang=vi")
