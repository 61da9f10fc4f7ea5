"""Searching reference lists (clinics, SI offices) by name: the query is folded like the names, and matches are
ranked exact, name start, word start, words in any order, anywhere; and the SI-code lookup's pure parts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esibook.errors import DomainError
from esibook.lookups.offices import office_list, search_offices
from esibook.lookups.si_code import check_request, mask_si_code, parse_birth_date
from esibook.people.names import (
    RANK_CONTAINS,
    RANK_EXACT,
    RANK_PREFIX,
    RANK_WORD_PREFIX,
    RANK_WORDS,
    fold_name,
    match_rank,
    search_key,
    search_terms,
)

TODAY = date(2026, 12, 2)


def test_a_listed_name_is_keyed_by_its_bare_words():
    assert search_key("Bệnh viện Sản - Nhi  Hà Nội") == "benh vien san nhi ha noi"


def test_a_query_folds_to_bare_words():
    assert search_terms("Bạch  MAI") == ("bach", "mai")
    assert search_terms("Trạm Y tế xã Đông-Hòa") == ("tram", "y", "te", "xa", "dong", "hoa")
    assert search_terms("  ,, ") == ()


@pytest.mark.parametrize(
    ("name", "rank"),
    [
        ("Bạch Mai", RANK_EXACT),
        ("Bạch Mai Hospital", RANK_PREFIX),
        ("Bệnh viện Bạch Mai", RANK_WORD_PREFIX),
        ("Bệnh viện Mai Bạch", RANK_WORDS),
        ("Phòng khám Abạch Mai", RANK_CONTAINS),
        ("Bệnh viện Chợ Rẫy", None),
    ],
)
def test_match_ranks_in_the_order_a_reader_expects(name, rank):
    assert match_rank(search_key(name), search_terms("bach mai")) == rank


def test_accents_in_the_query_change_nothing():
    key = search_key("Bệnh viện Hữu nghị Việt Đức")
    assert match_rank(key, search_terms("Việt Đức")) == match_rank(key, search_terms("viet duc")) == RANK_WORD_PREFIX


@settings(deadline=None)  # no timed assertion: a loaded machine is not a failure
@given(st.text(max_size=40), st.text(max_size=40))
def test_a_rank_is_given_exactly_when_every_word_is_in_the_name(name, query):
    terms = search_terms(query)
    rank = match_rank(search_key(name), terms)
    assert (rank is not None) == (bool(terms) and all(t in search_key(name) for t in terms))
    if rank is not None:
        assert RANK_EXACT <= rank <= RANK_CONTAINS


@settings(deadline=None)  # no timed assertion: a loaded machine is not a failure
@given(st.text(alphabet="abcdđeêghiklmnoôơpqrstuưvxyàáảãạăắằẳẵặâấầẩẫậ ", min_size=1, max_size=30))
def test_a_name_always_finds_itself_with_or_without_accents(name):
    terms = search_terms(name)
    if terms:
        assert match_rank(search_key(name), terms) == RANK_EXACT
        assert match_rank(search_key(name), search_terms(fold_name(name))) == RANK_EXACT


def test_the_office_list_in_force_is_dated_and_names_its_source():
    chosen = office_list(TODAY)
    assert chosen.valid_from == date(2025, 7, 1) and chosen.demo_sized and "DEMO-SIZED" in chosen.source
    assert {o.kind for o in chosen.offices} == {"office", "agent"}
    assert len({o.code for o in chosen.offices}) == len(chosen.offices)
    with pytest.raises(DomainError) as refused:
        office_list(date(2020, 1, 1))
    assert refused.value.code == "lookups.no_office_list"


def test_offices_rank_and_page():
    found = search_offices(TODAY, query="bao hiem xa hoi ha noi")
    assert found.items[0].name == "Bảo hiểm xã hội thành phố Hà Nội"
    page_two = search_offices(TODAY, per_page=5, page=2)
    assert page_two.total == len(office_list(TODAY).offices) and len(page_two.items) == 5
    assert search_offices(TODAY, province="1", kind="agent").items[0].province_code == "001"


def test_the_masked_code_keeps_the_province_and_two_last_digits():
    assert mask_si_code("0112345689") == "01******89"
    assert "12345" not in mask_si_code("0112345689")


@pytest.mark.parametrize(("text", "expected"), [("1990-05-17", date(1990, 5, 17)), ("17/05/1990", date(1990, 5, 17))])
def test_a_birth_date_is_read_as_a_form_sends_it(text, expected):
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize("text", ["", "31/02/1990", "17-05-90", "1990/05/17/1", "x"])
def test_a_bad_birth_date_is_a_domain_error(text):
    with pytest.raises(DomainError) as refused:
        parse_birth_date(text)
    assert refused.value.code == "lookups.date_of_birth"


@settings(deadline=None)  # no timed assertion: a loaded machine is not a failure
@given(st.text(max_size=20))
def test_any_typed_birth_date_is_a_date_or_a_domain_error(text):
    try:
        assert isinstance(parse_birth_date(text), date)
    except DomainError as error:
        assert error.code == "lookups.date_of_birth"


def test_a_question_needs_a_name_a_past_birth_date_and_a_province():
    assert check_request("Nguyễn Văn An", date(1990, 1, 1), "1", TODAY) == ("nguyen van an", "001")
    for name, born, province, code in [
        ("", date(1990, 1, 1), "001", "lookups.full_name"),
        ("An", date(2027, 1, 1), "001", "lookups.date_of_birth"),
        ("An", date(1899, 12, 31), "001", "lookups.date_of_birth"),
        ("An", date(1990, 1, 1), "", "lookups.province"),
        ("An", date(1990, 1, 1), "900", "lookups.province"),
    ]:
        with pytest.raises(DomainError) as refused:
            check_request(name, born, province, TODAY)
        assert refused.value.code == code
