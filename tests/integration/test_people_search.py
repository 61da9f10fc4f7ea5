"""Vietnamese name search: exact, prefix and accent-insensitive; identifiers; specific errors."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from esibook.errors import DomainError, InvalidIdentifier
from esibook.people.identifiers import make_personal_id
from esibook.people.models import Person
from esibook.people.names import fold_name
from esibook.people.service import search_persons

NAMES = [
    "Nguyễn Văn An",
    "Nguyễn Văn Ân",
    "Nguyễn Văn Anh",
    "Nguyễn Vân An",
    "Trần Thị Hương",
    "Trần Thị Hường",
    "Đặng Đức Đạt",
    "Nguyễn Thị Ánh",
]


@pytest.fixture
def people(empty_engine) -> Session:
    with Session(empty_engine) as session, session.begin():
        for serial, name in enumerate(NAMES, start=1):
            sex = "female" if " Thị " in name else "male"
            dob = date(1990, 1, serial)
            session.add(
                Person(
                    personal_id=make_personal_id("079", dob, sex, serial),
                    full_name=name,
                    name_key=fold_name(name),
                    date_of_birth=dob,
                    sex=sex,
                    si_code_legacy=f"79{serial:08d}",
                )
            )
    with Session(empty_engine) as session:
        yield session


def names(matches) -> list[str]:
    return [m.full_name for m in matches]


def test_unaccented_query_finds_every_accented_spelling(people):
    found = names(search_persons(people, "nguyen van an"))
    assert {"Nguyễn Văn An", "Nguyễn Văn Ân", "Nguyễn Vân An"} <= set(found)


def test_accented_query_ranks_the_exact_spelling_first(people):
    matches = search_persons(people, "Nguyễn Văn Ân")
    assert matches[0].full_name == "Nguyễn Văn Ân" and matches[0].match == "exact"
    assert {m.match for m in matches[1:]} <= {"folded", "prefix"}


def test_prefix_finds_longer_names(people):
    assert "Nguyễn Văn Anh" in names(search_persons(people, "nguyen van a"))
    assert set(names(search_persons(people, "tran thi huong"))) == {"Trần Thị Hương", "Trần Thị Hường"}


def test_d_with_stroke_folds_to_d(people):
    assert names(search_persons(people, "dang duc dat")) == ["Đặng Đức Đạt"]


def test_decomposed_unicode_input_matches_nfc_storage(people):
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"
    assert search_persons(people, decomposed)[0].full_name == "Nguyễn Văn An"


def test_search_by_personal_id_and_legacy_code(people):
    pid = make_personal_id("079", date(1990, 1, 1), "male", 1)
    assert names(search_persons(people, pid)) == ["Nguyễn Văn An"]
    assert names(search_persons(people, "7900000002")) == ["Nguyễn Văn Ân"]


def test_a_bad_personal_id_gets_a_specific_message(people):
    with pytest.raises(InvalidIdentifier) as error:
        search_persons(people, "099190012345")
    assert error.value.code == "personal_id.province"
    assert "099" in error.value.message_en


def test_empty_query_is_refused(people):
    with pytest.raises(DomainError) as error:
        search_persons(people, "   ")
    assert error.value.code == "search.empty"
