"""ICD-10 diagnosis codes (mã bệnh ICD-10) as clinics write them in MA_BENH_CHINH: a letter, two digits, and an
optional subdivision (``J18``, ``J18.9``, ``J189``). The chapter gives a citizen a plain idea of what a code is
about without a full catalogue of names.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?")

#: (first code, last code, Vietnamese name, English name) of each ICD-10 chapter (WHO, Bộ Y tế's translation).
CHAPTERS: tuple[tuple[str, str, str, str], ...] = (
    ("A00", "B99", "Bệnh nhiễm trùng và ký sinh trùng", "Infectious and parasitic diseases"),
    ("C00", "D48", "Bướu tân sinh", "Neoplasms"),
    ("D50", "D89", "Bệnh của máu, cơ quan tạo máu và rối loạn miễn dịch", "Diseases of the blood and immune system"),
    ("E00", "E90", "Bệnh nội tiết, dinh dưỡng và chuyển hóa", "Endocrine, nutritional and metabolic diseases"),
    ("F00", "F99", "Rối loạn tâm thần và hành vi", "Mental and behavioural disorders"),
    ("G00", "G99", "Bệnh hệ thần kinh", "Diseases of the nervous system"),
    ("H00", "H59", "Bệnh mắt và phần phụ", "Diseases of the eye"),
    ("H60", "H95", "Bệnh tai và xương chũm", "Diseases of the ear"),
    ("I00", "I99", "Bệnh hệ tuần hoàn", "Diseases of the circulatory system"),
    ("J00", "J99", "Bệnh hệ hô hấp", "Diseases of the respiratory system"),
    ("K00", "K93", "Bệnh hệ tiêu hóa", "Diseases of the digestive system"),
    ("L00", "L99", "Bệnh da và mô dưới da", "Diseases of the skin"),
    ("M00", "M99", "Bệnh hệ cơ, xương, khớp và mô liên kết", "Diseases of the musculoskeletal system"),
    ("N00", "N99", "Bệnh hệ sinh dục, tiết niệu", "Diseases of the genitourinary system"),
    ("O00", "O99", "Thai nghén, sinh đẻ và hậu sản", "Pregnancy, childbirth and the puerperium"),
    ("P00", "P96", "Bệnh lý xuất phát trong thời kỳ chu sinh", "Conditions of the perinatal period"),
    ("Q00", "Q99", "Dị tật bẩm sinh và bất thường nhiễm sắc thể", "Congenital malformations"),
    ("R00", "R99", "Triệu chứng, dấu hiệu và phát hiện bất thường", "Symptoms, signs and abnormal findings"),
    ("S00", "T98", "Vết thương, ngộ độc và hậu quả của nguyên nhân bên ngoài", "Injury and poisoning"),
    ("U00", "U99", "Mã dành cho mục đích đặc biệt", "Codes for special purposes"),
    ("V01", "Y98", "Nguyên nhân bên ngoài của bệnh tật và tử vong", "External causes of illness and death"),
    ("Z00", "Z99", "Yếu tố ảnh hưởng đến sức khỏe và tiếp xúc dịch vụ y tế", "Factors influencing health status"),
)


def normalize_icd10(value: str) -> str | None:
    """The code in capitals without spaces, or None when it is not an ICD-10 code."""
    code = value.strip().upper().replace(" ", "")
    return code if _CODE.fullmatch(code) and len(code) <= 10 else None


def chapter_of(code: str) -> tuple[str, str] | None:
    """(Vietnamese, English) name of the chapter the code belongs to."""
    head = code[:3].upper()
    for first, last, vi, en in CHAPTERS:
        if first <= head <= last:
            return vi, en
    return None
