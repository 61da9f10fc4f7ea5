"""Names are stored NFC and folded for search without diacritics."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from esibook.people.names import fold_name, has_diacritics, normalize_name


def test_fold_removes_tones_and_vowel_marks_and_folds_d_with_stroke():
    assert fold_name("Nguyễn Văn  An") == "nguyen van an"
    assert fold_name("ĐẶNG ĐỨC ĐẠT") == "dang duc dat"
    assert fold_name("Trần Thị Hường") == fold_name("tran thi huong")


def test_normalize_gives_nfc_with_single_spaces():
    decomposed = unicodedata.normalize("NFD", "  Lê   Thị Thủy ")
    assert normalize_name(decomposed) == "Lê Thị Thủy"
    assert unicodedata.is_normalized("NFC", normalize_name(decomposed))


def test_has_diacritics():
    assert has_diacritics("Nguyễn") and not has_diacritics("Nguyen")


@given(
    st.text(
        alphabet="aăâbdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ",
        max_size=40,
    )
)
def test_folding_is_idempotent_ascii_and_case_insensitive(name):
    key = fold_name(name)
    assert fold_name(key) == key
    assert key.isascii()
    assert fold_name(name.upper()) == key
