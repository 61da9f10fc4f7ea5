"""National reference lists the pages name codes with: the 54 ethnic groups, the nationalities and the
relationships to the head of a household.

Pure data. A record stores the code (``ethnicity_code`` "01", ``nationality`` "VN"); a person reads the name.
"""

from __future__ import annotations

#: The 54 ethnic groups: (GSO code, name, weight per ten thousand from the 2019 census, minimum 1).
ETHNICITIES: tuple[tuple[str, str, int], ...] = (
    ("01", "Kinh", 8532),
    ("02", "Tày", 192),
    ("03", "Thái", 189),
    ("04", "Hoa", 78),
    ("05", "Khơ-me", 137),
    ("06", "Mường", 151),
    ("07", "Nùng", 113),
    ("08", "Hmông", 145),
    ("09", "Dao", 93),
    ("10", "Gia-rai", 53),
    ("11", "Ngái", 1),
    ("12", "Ê-đê", 41),
    ("13", "Ba-na", 30),
    ("14", "Xơ-đăng", 22),
    ("15", "Sán Chay", 21),
    ("16", "Cơ-ho", 21),
    ("17", "Chăm", 19),
    ("18", "Sán Dìu", 19),
    ("19", "Hrê", 15),
    ("20", "Mnông", 13),
    ("21", "Ra-glai", 15),
    ("22", "Xtiêng", 10),
    ("23", "Bru-Vân Kiều", 10),
    ("24", "Thổ", 9),
    ("25", "Giáy", 7),
    ("26", "Cơ-tu", 8),
    ("27", "Gié-Triêng", 7),
    ("28", "Mạ", 5),
    ("29", "Khơ-mú", 9),
    ("30", "Co", 4),
    ("31", "Tà-ôi", 5),
    ("32", "Chơ-ro", 3),
    ("33", "Kháng", 2),
    ("34", "Xinh-mun", 3),
    ("35", "Hà Nhì", 3),
    ("36", "Chu-ru", 2),
    ("37", "Lào", 2),
    ("38", "La Chí", 2),
    ("39", "La Ha", 1),
    ("40", "Phù Lá", 1),
    ("41", "La Hủ", 1),
    ("42", "Lự", 1),
    ("43", "Lô Lô", 1),
    ("44", "Chứt", 1),
    ("45", "Mảng", 1),
    ("46", "Pà Thẻn", 1),
    ("47", "Cờ Lao", 1),
    ("48", "Cống", 1),
    ("49", "Bố Y", 1),
    ("50", "Si La", 1),
    ("51", "Pu Péo", 1),
    ("52", "Brâu", 1),
    ("53", "Ơ Đu", 1),
    ("54", "Rơ-măm", 1),
)

#: (ISO 3166-1 alpha-2, Vietnamese name, English name). Viet Nam first, then the nationalities foreign
#: workers in Viet Nam most commonly hold.
NATIONALITIES: tuple[tuple[str, str, str], ...] = (
    ("VN", "Việt Nam", "Viet Nam"),
    ("CN", "Trung Quốc", "China"),
    ("KR", "Hàn Quốc", "Republic of Korea"),
    ("JP", "Nhật Bản", "Japan"),
    ("TW", "Đài Loan (Trung Quốc)", "Taiwan (China)"),
    ("TH", "Thái Lan", "Thailand"),
    ("PH", "Phi-líp-pin", "Philippines"),
    ("IN", "Ấn Độ", "India"),
    ("US", "Hoa Kỳ", "United States"),
    ("FR", "Pháp", "France"),
    ("GB", "Vương quốc Anh", "United Kingdom"),
    ("LA", "Lào", "Lao PDR"),
    ("KH", "Campuchia", "Cambodia"),
    ("SG", "Xin-ga-po", "Singapore"),
    ("MY", "Ma-lai-xi-a", "Malaysia"),
    ("DE", "Đức", "Germany"),
    ("AU", "Ô-xtrây-li-a", "Australia"),
)

#: (code, name_vi, name_en): relationship of a household member to the head of household.
RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    ("chu_ho", "Chủ hộ", "Head of household"),
    ("vo", "Vợ", "Wife"),
    ("chong", "Chồng", "Husband"),
    ("con", "Con", "Child"),
    ("con_dau", "Con dâu", "Daughter-in-law"),
    ("con_re", "Con rể", "Son-in-law"),
    ("bo", "Bố", "Father"),
    ("me", "Mẹ", "Mother"),
    ("ong", "Ông", "Grandfather"),
    ("ba", "Bà", "Grandmother"),
    ("chau", "Cháu", "Grandchild"),
    ("anh", "Anh", "Elder brother"),
    ("chi", "Chị", "Elder sister"),
    ("em", "Em", "Younger sibling"),
    ("khac", "Khác", "Other"),
)

ETHNICITY_NAMES: dict[str, str] = {code: name for code, name, _ in ETHNICITIES}
NATIONALITY_NAMES: dict[str, tuple[str, str]] = {code: (vi, en) for code, vi, en in NATIONALITIES}


def ethnicity_name(code: str | None) -> str | None:
    """The ethnic group's name ("Kinh" for "01"); an unknown code as it is."""
    return ETHNICITY_NAMES.get(code, code) if code else None


def nationality_name(code: str | None, lang: str = "vi") -> str | None:
    """The nationality's name in the reader's language ("Việt Nam" or "Viet Nam" for "VN")."""
    if not code:
        return None
    names = NATIONALITY_NAMES.get(code)
    return (names[0] if lang == "vi" else names[1]) if names else code
