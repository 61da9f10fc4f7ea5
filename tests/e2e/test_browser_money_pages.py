"""Every page of Step 5 opens on a 360 px phone for the role it serves, in Vietnamese, without sideways scrolling:
the citizen's contributions (with the salary chart), the employer's dues, the officer's payments and parameters,
and the public list of employers in arrears."""

from __future__ import annotations

import pytest
from test_browser_login import no_horizontal_scroll

from support.signed_in import sign_in

pytestmark = pytest.mark.browser


def test_the_citizen_sees_every_month_with_its_funds_and_a_salary_chart(phone, site):
    sign_in(phone, site, "citizen-l2", "/me/contributions")
    assert phone.locator("h1").inner_text() == "Quá trình đóng của tôi"
    assert phone.get_by_test_id("timeline").locator("li").count() > 0
    assert phone.get_by_test_id("salary-chart").is_visible()
    assert no_horizontal_scroll(phone)


def test_the_employer_sees_its_dues_month_by_month(phone, site, identities):
    employer_id = identities["employer-rep"].grant[3]
    sign_in(phone, site, "employer-rep", f"/employer/{employer_id}/dues")
    rows = phone.get_by_test_id("dues").locator("tbody tr")
    assert rows.count() > 0 and "/" in rows.first.inner_text(), "each month shows its due date"
    assert no_horizontal_scroll(phone)


def test_an_officer_records_a_payment_and_sees_the_parameters(phone, site, identities, site_data):
    from sqlalchemy.orm import Session

    from esibook.db import make_engine
    from esibook.employers.models import Employer

    with Session(make_engine(site_data[0])) as session:
        unit = session.get(Employer, identities["employer-rep"].grant[3]).unit_code
    sign_in(phone, site, "officer-civil", "/officer/payments")
    phone.locator("#unit_code").fill(unit)
    phone.locator("#amount").fill("1.000.000")
    phone.locator("#paid_on").fill("2026-11-20")
    phone.get_by_role("button", name="Ghi nhận").click()
    assert "1.000.000" in phone.get_by_test_id("payment-done").inner_text()
    assert no_horizontal_scroll(phone)
    phone.goto(f"{site}/officer/parameters")
    assert phone.get_by_test_id("parameters-version").inner_text().startswith("2026-")
    assert phone.get_by_test_id("parameter-versions").locator("li").count() >= 1


def test_anyone_sees_the_employers_in_arrears(phone, site, site_data):
    """After the watchdog's run, the public page lists each employer behind, with its days and, from 60 days, the
    word evasion."""
    from sqlalchemy.orm import Session

    from esibook.contributions.arrears import public_list, run
    from esibook.dates import vietnam_today
    from esibook.db import make_engine

    with Session(make_engine(site_data[0])) as session:
        assert run(session, vietnam_today()).employers_in_arrears > 0, "the seed has employers behind"
        _, listed = public_list(session)
    employer, arrears = listed[0]
    phone.goto(f"{site}/arrears")
    assert phone.locator("h1").inner_text() == "Đơn vị nợ đóng"
    assert phone.get_by_test_id("arrears").locator("tbody tr").count() == len(listed)
    row = phone.get_by_test_id("arrears").locator("tr", has_text=employer.unit_code).inner_text()
    assert str(arrears.days_behind) in row and ("trốn đóng" in row) == arrears.evasion
    assert no_horizontal_scroll(phone)
