"""A procedure's form as a page sends it (multipart fields and scans), read into the procedure's own fields: for
the pages that file any procedure from its form (the citizen's online services, the employer's other claims)."""

from __future__ import annotations

from typing import get_origin

from starlette.datastructures import FormData

from esibook.transactions.attachments import Upload
from esibook.transactions.conversion import MAX_BYTES as MAX_SCAN_BYTES


def page_form(data: FormData, proc) -> tuple[dict, list[Upload], str]:
    """A page's form as the procedure's fields (lists from repeated fields), its scans, and the idempotency key."""
    uploads = [
        Upload(f.filename or "", f.file.read(MAX_SCAN_BYTES + 1))
        for f in data.getlist("attachments")
        if hasattr(f, "read") and f.filename
    ]
    form = {}
    for name, field in proc.form.model_fields.items():
        values = [str(v).strip() for v in data.getlist(name) if not hasattr(v, "read") and str(v).strip()]
        if get_origin(field.annotation) is list:
            values = [part.strip() for v in values for part in v.split(",") if part.strip()]
            if values:
                form[name] = values
        elif values:  # an empty optional field is no answer
            form[name] = values[0]
    return form, uploads, str(data.get("idempotency_key", ""))


def employee_payout(method: str, bank_code: str, account_number: str, post_office: str) -> dict:
    """Where an employer's page says the employee's benefit is paid, as the claim form's payout fields (checked with
    the form: ``payout.*``); nothing when no way is chosen (the SI office arranges it)."""
    fields = {"method": method, "bank_code": bank_code, "account_number": account_number, "post_office": post_office}
    return {name: value.strip() for name, value in fields.items() if value.strip()} if method.strip() else {}
