"""What the verifier page shows of a check (:class:`esibook.trust.verify.Result`), in the reader's language: a
verdict read at a glance (its tone, a word, what to do), who signed and when in Vietnam's time, what the document
says under labels (never its raw keys or codes), and its place in the transparency log with the witnesses that
cosigned it. Presentation only: the verdict itself is the verifier's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from esibook.health.card import level_text
from esibook.people.labels import FIELD_LABELS, VALUE_LABELS
from esibook.text import N_
from esibook.transactions.models import STATUS_LABELS
from esibook.trust.verify import VERDICT_LABELS, Result

#: The tone (colour) of each verdict: accept, refuse, or look closer.
TONES = {"valid": "good", "expired": "warn", "suspended": "warn", "not_witnessed": "warn"}
#: What the person checking should make of each verdict.
ADVICE = {
    "valid": N_("Genuine: signed by the State and not changed since."),
    "altered": N_("Do not accept it: its content is not what was signed."),
    "unknown_issuer": N_("Do not accept it: the signer is not one the State's trust list vouches for."),
    "not_logged": N_("Do not accept it yet: the State's public log does not hold this document."),
    "not_witnessed": N_("Not confirmed: too few independent witnesses checked the log that holds it."),
    "suspended": N_("Do not accept it: the managing authority has suspended it."),
    "expired": N_("No longer valid."),
    "not_esibook": N_("This is not a document esibook signs."),
}
KIND_LABELS = {
    "book": N_("Electronic social insurance book"),
    "pdf": N_("Electronic social insurance book (PDF)"),
    "printout": N_("Printout of the electronic social insurance book (PDF)"),
    "card": N_("Health insurance card QR"),
    "receipt": N_("Receipt and appointment slip"),
    "decision": N_("Decision"),
    "converted": N_("Converted from paper"),
    "checkpoint": N_("Transparency log checkpoint"),
    "status_list": N_("Suspension list"),
    "trust_list": N_("Trust list"),
    "unknown": N_("Unknown document"),
}
#: Labels of the keys a signed document shows that the data groups' labels do not cover.
LABELS = {
    **FIELD_LABELS,
    "book_id": N_("Book number"),
    "version": N_("Version"),
    "issued_at": N_("Signed at"),
    "months": N_("Months of contributions"),
    "authority": N_("Managing authority"),
    "initial_clinic_code": N_("Initial clinic"),
    "one_time": N_("Kind of QR"),
    "expires_at": N_("QR valid until"),
    "dossier": N_("Dossier no."),
    "procedure_name": N_("Procedure"),
    "filer": N_("Filed by"),
    "received_at": N_("Received at"),
    "due_on": N_("Result due on"),
    "decided_at": N_("Decided at"),
    "result": N_("Result"),
    "tree_size": N_("Entries in the log"),
    "root_hash": N_("Root hash"),
    "timestamp": N_("Time"),
    "mark": N_("Mark"),
    "converted_at": N_("Converted at"),
    "converter": N_("Converted by"),
    "title": N_("Title"),
    "content_sha256": N_("Content fingerprint (SHA-256)"),
    "original": N_("Original book"),
    "system": N_("System"),
    "printed_by": N_("Printed by"),
    "printed_at": N_("Printed at"),
}
DAYS = {"date_of_birth", "valid_from", "valid_to", "five_years_since", "due_on"}
MOMENTS = {"issued_at", "expires_at", "received_at", "decided_at", "converted_at", "printed_at", "timestamp"}
CODED = {"sex", "authority", "result"}
#: Where the moment of signing is, by preference; the book's own signing time before a printout's.
SIGNED_AT = ("issued_at", "decided_at", "received_at", "converted_at", "timestamp", "printed_at")

ONE_TIME, OFFLINE = N_("One-time, valid a few minutes"), N_("For use offline, valid to the card's end")

Format = Callable[[object, bool], str]


def verdict_view(result: Result, lang: str, gettext: Callable[[str], str], moment: Format) -> dict:
    """The page's view of ``result``; ``moment(value, with_time)`` writes a date or moment in Vietnam's time."""
    shows = result.shows or {}
    verdict = result.verdict.value
    signer = shows.get("authority")
    signed_at = next((shows[k] for k in SIGNED_AT if shows.get(k)), None)
    return {
        "tone": TONES.get(verdict, "bad"),
        "word": gettext(VERDICT_LABELS[verdict]),
        "advice": gettext(ADVICE[verdict]),
        "reason": gettext(result.reason) if result.reason else "",
        "kind": gettext(KIND_LABELS.get(result.kind, KIND_LABELS["unknown"])),
        "signer": gettext(VALUE_LABELS.get(signer, signer)) if signer else None,
        "signed_at": moment(signed_at, True) if signed_at else None,
        "rows": [
            {"key": key, "label": gettext(LABELS.get(key, key)), "value": _value(key, value, lang, gettext, moment)}
            for key, value in shows.items()
            if key != "log" and value is not None and value != ""
        ],
        "log": _log(shows.get("log"), moment),
    }


def _value(key: str, value: object, lang: str, gettext: Callable[[str], str], moment: Format) -> str:
    if key in DAYS or key in MOMENTS:
        return moment(value, key in MOMENTS)
    if key == "one_time":
        return gettext(ONE_TIME if value else OFFLINE)
    if key == "benefit_level" and isinstance(value, int):
        return f"{value} · {level_text(value, lang)}"
    if key == "result" and value in STATUS_LABELS:
        return gettext(STATUS_LABELS[value])
    if key in CODED and isinstance(value, str):
        return gettext(VALUE_LABELS.get(value, value))
    if isinstance(value, bool):
        return gettext(N_("Yes")) if value else gettext(N_("No"))
    if key == "tree_size" and isinstance(value, int):
        return f"{value:,}".replace(",", "." if lang == "vi" else ",")
    if isinstance(value, date | datetime):
        return moment(value, isinstance(value, datetime))
    return str(value)


def _log(log: dict | None, moment: Format) -> dict | None:
    if not log:
        return None
    return {
        "index": log["leaf_index"],
        "size": log["tree_size"],
        "checkpoint_time": moment(log["checkpoint_time"], True) if log.get("checkpoint_time") else None,
        "witnesses": [
            {"name": w["name"], "at": moment(w["cosigned_at"], True) if w.get("cosigned_at") else None}
            for w in log.get("witnesses", [])
        ],
        "quorum": log.get("witness_quorum") or 0,
    }
