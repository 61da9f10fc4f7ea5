"""Employee lists as employers write them: Vietnamese or English headings, accents or not, amounts in any usual
form; the templates read back as an empty list."""

from __future__ import annotations

import pytest

from esibook.errors import DomainError
from esibook.transactions.uploads import read_employee_list, read_employee_rows, template_csv, template_xlsx

ROW = "001090012345,Công nhân may,{salary},11/2026\n"


@pytest.mark.parametrize(
    "heading",
    [
        "Số định danh cá nhân,Chức danh nghề,Mức lương (đồng),Từ tháng (MM/YYYY)",
        "SỐ ĐỊNH DANH,CHỨC DANH,MỨC LƯƠNG,TỪ THÁNG",
        "so dinh danh,chuc danh,muc luong,tu thang",
        "so_dinh_danh,chuc_danh,muc_luong,tu_thang",
        "Personal ID number,Job title,Salary (VND),From month",
        "personal_id,job_title,salary,from_month",
    ],
)
def test_a_list_with_vietnamese_or_english_headings_is_read(heading):
    listed = read_employee_list(f"{heading}\n{ROW.format(salary='7200000')}".encode())
    assert listed == [
        {"personal_id": "001090012345", "job_title": "Công nhân may", "salary": 7_200_000, "from_month": "11/2026"}
    ]


@pytest.mark.parametrize("typed", ['"5,310,000"', "5.310.000", "5310000", "5.310.000 đ"])
def test_amounts_are_read_as_people_write_them(typed):
    text = "Số định danh cá nhân,Chức danh nghề,Mức lương (đồng),Từ tháng\n" + ROW.format(salary=typed)
    assert read_employee_list(text.encode())[0]["salary"] == 5_310_000


def test_a_missing_column_is_named_in_vietnamese():
    with pytest.raises(DomainError) as refused:
        read_employee_list("Số định danh cá nhân,Chức danh nghề\n001090012345,Thợ\n".encode())
    assert refused.value.message("vi") == "thiếu cột: Mức lương (đồng), Từ tháng (MM/YYYY) (hãy tải tệp mẫu)"


@pytest.mark.parametrize("template", [template_csv, template_xlsx])
def test_a_template_uploaded_unchanged_lists_nobody(template):
    with pytest.raises(DomainError) as refused:
        read_employee_rows(template())
    assert refused.value.code == "upload.no_rows"
