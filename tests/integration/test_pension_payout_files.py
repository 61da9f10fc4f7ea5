"""Payout files (danh sách chi trả): after a month's run, the command and the approving officer's page give the
banks' list (full account numbers) and the post offices' list (who collects the cash), CSV in UTF-8 with BOM and
Vietnamese headers, amounts in đồng, one line per month paid (back pay marked) and a total; a month with no run is
refused with one clear line."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date

from sqlalchemy.orm import Session

from esibook.benefits.models import Pension, PensionPaymentMethod
from esibook.benefits.pensions import pay_month
from esibook.dates import vietnam_today
from esibook.periods import Month
from support.retirees import add_retiree

NOW = Month.from_date(vietnam_today())
BOM = "\ufeff".encode()


def pensioner(engine, serial: int, born: date, monthly: int, method: dict) -> str:
    person_id, personal_id = add_retiree(engine, serial=serial, born=born, years=36)
    with Session(engine) as session, session.begin():
        session.add(Pension(person_id=person_id, first_month=(NOW - 1).as_int(), monthly_amount=monthly,
                            lump_sum=0, decision_no=f"QD-FILE-{serial}", decided_on=(NOW - 1).first_day(),
                            authority="civil"))
        session.add(PensionPaymentMethod(person_id=person_id, seq=1, from_month=(NOW - 1).as_int(),
                                         authority="civil", **method))
    return personal_id


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM), "UTF-8 with a byte-order mark, for spreadsheets"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def run_cli(signed, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ESIBOOK_DATABASE_URL": signed.engine.url.render_as_string(hide_password=False)}
    return subprocess.run([sys.executable, "-m", "esibook", "pension", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_bank_and_post_files_of_a_run(signed, signed_app, signed_identities, signed_bearer, tmp_path):
    by_bank = pensioner(signed.engine, 918_001, date(1961, 4, 4), 7_100_000,
                        {"method": "bank", "bank_code": "CTG", "account_number": "107000555123"})
    by_post = pensioner(signed.engine, 918_002, date(1961, 9, 9), 4_300_000,
                        {"method": "cash", "post_office": "Bưu điện Long Biên"})
    pay_month(Session(signed.engine), NOW)  # last month as back pay, and this month

    out = tmp_path / "bank.csv"
    made = run_cli(signed, "payout-file", "--month", str(NOW), "--channel", "bank", "--output", str(out))
    assert made.returncode == 0, made.stderr
    rows = rows_of(out.read_bytes())
    assert rows[0] == ["STT", "Số định danh cá nhân", "Họ và tên", "Tháng hưởng", "Truy lĩnh", "Lương hưu (đồng)",
                       "Trợ cấp một lần (đồng)", "Tổng số tiền (đồng)", "Ngân hàng", "Số tài khoản",
                       "Người nhận thay theo ủy quyền"]
    mine = [r for r in rows if len(r) > 1 and r[1] == by_bank]
    last, this = f"{(NOW - 1).month:02d}/{(NOW - 1).year}", f"{NOW.month:02d}/{NOW.year}"
    assert [(r[3], r[4], r[7], r[8], r[9]) for r in mine] == [
        (last, "Có", "7100000", "VietinBank", "107000555123"), (this, "", "7100000", "VietinBank", "107000555123")
    ], "one line a month, back pay marked; the bank's file has the account number in full"
    assert not [r for r in rows if len(r) > 1 and r[1] == by_post], "cash is not in the banks' file"
    total = rows[-1]
    assert total[2] == "Tổng cộng" and int(total[7]) == sum(int(r[7]) for r in rows[1:-1])
    assert f"{len(rows) - 2} lines" in made.stdout

    page = signed_app.get("/officer/pension-payouts/file", params={"month": str(NOW), "channel": "post"},
                          headers=signed_bearer(signed_identities["officer-civil"].personal_id))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
    assert f"chi-tra-luong-huu-{NOW}-post.csv" in page.headers["content-disposition"]
    post = [r for r in rows_of(page.content) if len(r) > 1 and r[1] == by_post]
    assert [(r[4], r[7], r[8], r[10]) for r in post] == [("Có", "4300000", "Bưu điện Long Biên", by_post),
                                                         ("", "4300000", "Bưu điện Long Biên", by_post)]


def test_a_month_with_no_run_is_refused_clearly(signed, signed_app, signed_identities, signed_bearer):
    never = str(Month(2001, 1))
    made = run_cli(signed, "payout-file", "--month", never, "--channel", "post")
    assert made.returncode == 2 and "pension.no_run" in made.stderr and "esibook pension pay" in made.stderr
    assert made.stderr.count("\n") == 1, "one line"
    bad = run_cli(signed, "payout-file", "--month", never, "--channel", "atm")
    assert bad.returncode == 2 and "pension.channel" in bad.stderr
    officer = signed_bearer(signed_identities["officer-civil"].personal_id)
    page = signed_app.get("/officer/pension-payouts/file", params={"month": never, "channel": "bank"},
                          headers=officer)
    assert page.status_code == 400 and 'data-testid="payout-error"' in page.text
    reviewer_only = signed_bearer(signed_identities["officer-defence"].personal_id)
    refused = signed_app.get("/officer/pension-payouts/file", params={"month": str(NOW), "channel": "bank"},
                             headers=reviewer_only)
    assert refused.status_code == 403, "payout files need the approver permission"
    assert signed_app.get("/officer/pension-payouts", headers=officer).status_code == 200
