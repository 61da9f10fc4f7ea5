"""The verifier page's view of a check: every verdict has its words and tone, every key a document can show has a
label (the page never shows a raw key), and coded values and times read in the page's language."""

from __future__ import annotations

from esibook.trust.verify import DOCUMENT_TYPES, SHOWN_KEYS, Result, Verdict
from esibook.views.verdict import ADVICE, KIND_LABELS, LABELS, verdict_view

BOOK_KEYS = ("book_id", "version", "full_name", "date_of_birth", "issued_at", "authority", "months")
CARD_KEYS = ("card_code", "full_name", "date_of_birth", "sex", "benefit_level", "initial_clinic_code", "valid_from",
             "valid_to", "five_years_since", "one_time", "expires_at")


def moment(value, with_time: bool) -> str:
    return f"<{value}|{with_time}>"


def test_every_verdict_kind_and_shown_key_has_words():
    assert set(ADVICE) == {v.value for v in Verdict}
    assert set(DOCUMENT_TYPES.values()) | {"pdf", "card", "unknown"} <= set(KIND_LABELS)
    assert not set(SHOWN_KEYS + BOOK_KEYS + CARD_KEYS) - set(LABELS)


def test_a_card_reads_under_labels_with_coded_values_named():
    shows = dict(zip(CARD_KEYS, ("DN4", "Phan Thị Vi", "1998-03-27", "female", 4, "66004", "2025-11-01",
                                 "2026-12-31", None, True, "2026-12-02T07:00:00+00:00"), strict=True))
    view = verdict_view(Result(Verdict.VALID, "card", shows=shows), "en", lambda text: text, moment)
    rows = {row["key"]: (row["label"], row["value"]) for row in view["rows"]}
    assert view["tone"] == "good" and view["word"] == "Valid" and view["kind"] == "Health insurance card QR"
    assert rows["sex"] == ("Sex", "Female") and rows["one_time"][1].startswith("One-time")
    assert rows["benefit_level"][1].startswith("4 · 80%"), "the level with its meaning in the page's language"
    assert rows["expires_at"] == ("QR valid until", "<2026-12-02T07:00:00+00:00|True>")
    assert rows["date_of_birth"][1] == "<1998-03-27|False>" and "five_years_since" not in rows


def test_a_suspended_book_reads_amber_with_its_signer_and_log():
    shows = {"book_id": "VN-SBH-1", "issued_at": "2026-12-01T23:52:00+00:00", "authority": "civil",
             "log": {"leaf_index": 4, "tree_size": 1200, "checkpoint_time": "2026-12-02T00:00:00+00:00",
                     "witnesses": [{"name": "w1", "cosigned_at": None}], "witness_quorum": 1}}
    view = verdict_view(Result(Verdict.SUSPENDED, "book", "why", shows), "vi", lambda text: text, moment)
    assert view["tone"] == "warn" and view["signer"] == "Vietnam Social Security" and view["reason"] == "why"
    assert view["signed_at"] == "<2026-12-01T23:52:00+00:00|True>"
    assert view["log"] == {"index": 4, "size": 1200, "checkpoint_time": "<2026-12-02T00:00:00+00:00|True>",
                           "witnesses": [{"name": "w1", "at": None}], "quorum": 1}
    assert [row["key"] for row in view["rows"]] == ["book_id", "issued_at", "authority"]
    assert verdict_view(Result(Verdict.ALTERED, "book"), "vi", str, moment)["tone"] == "bad"


def test_a_card_names_who_signed_it_and_when_like_a_book():
    shows = {"card_code": "DN4", "full_name": "Phan Thị Vi", "one_time": True, "authority": "defence",
             "issued_at": "2026-12-04T16:30:00+00:00"}
    view = verdict_view(Result(Verdict.VALID, "card", shows=shows), "en", lambda text: text, moment)
    assert view["signer"] == "Ministry of Defence" and view["signed_at"] == "<2026-12-04T16:30:00+00:00|True>"
    rows = {row["key"]: (row["label"], row["value"]) for row in view["rows"]}
    assert rows["authority"] == ("Managing authority", "Ministry of Defence") and rows["issued_at"][0] == "Signed at"
