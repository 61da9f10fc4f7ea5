"""The HI card code (mã thẻ BHYT): 15 characters, Decision 1351/QĐ-BHXH (2015).

``DN 4 79 7912345678`` written ``DN4797912345678``:

- characters 1–2: the beneficiary group (mã đối tượng), see :data:`BENEFICIARY_GROUPS`;
- character 3: the benefit level (mức hưởng) 1–5, see :data:`BENEFIT_LEVELS`;
- characters 4–5: the province that issued the card (mã tỉnh), see :data:`HI_PROVINCES`;
- characters 6–15: the 10-digit SI code (mã số BHXH).

Decision 1351 also fixes which level each group normally gets (e.g. TE and CC level 1, HT level 3, DN level 4,
QN/CA/CY level 5); the pairing is not enforced here because later rules moved some groups between levels.
"""

from __future__ import annotations

from dataclasses import dataclass

from esibook.errors import InvalidIdentifier
from esibook.people.identifiers import PROVINCES

#: Beneficiary group code -> (Vietnamese name, English name), Decision 1351/QĐ-BHXH.
BENEFICIARY_GROUPS: dict[str, tuple[str, str]] = {
    # paid by the employee and the employer
    "DN": ("Người lao động trong doanh nghiệp", "Employee of an enterprise"),
    "HX": ("Người lao động trong hợp tác xã, liên hiệp hợp tác xã", "Employee of a cooperative"),
    "CH": (
        "Người lao động trong cơ quan nhà nước, đơn vị sự nghiệp, lực lượng vũ trang, tổ chức chính trị - xã hội",
        "Employee of a state agency, public service unit, armed force or political-social body",
    ),
    "NN": (
        "Người lao động trong cơ quan, tổ chức nước ngoài, tổ chức quốc tế tại Việt Nam",
        "Employee of a foreign or international organisation in Vietnam",
    ),
    "TK": ("Người lao động trong tổ chức khác có sử dụng lao động", "Employee of another employing organisation"),
    "HC": ("Cán bộ, công chức, viên chức", "Civil servant or public employee"),
    "XK": (
        "Người hoạt động không chuyên trách ở xã, phường, thị trấn",
        "Part-time official of a commune, ward or township",
    ),
    # paid by the social insurance agency
    "HT": (
        "Người hưởng lương hưu, trợ cấp mất sức lao động hằng tháng",
        "Pensioner or recipient of a monthly work-incapacity allowance",
    ),
    "TB": (
        "Người hưởng trợ cấp BHXH hằng tháng do tai nạn lao động, bệnh nghề nghiệp",
        "Recipient of a monthly occupational accident or disease allowance",
    ),
    "NO": ("Người lao động nghỉ việc hưởng chế độ ốm đau dài ngày", "Worker on long-term sickness benefit"),
    "CT": (
        "Người từ đủ 80 tuổi trở lên hưởng trợ cấp tuất hằng tháng",
        "Person aged 80 or over receiving a monthly survivor allowance",
    ),
    "XB": (
        "Cán bộ xã, phường, thị trấn đã nghỉ việc hưởng trợ cấp BHXH hằng tháng",
        "Retired commune official receiving a monthly social insurance allowance",
    ),
    "TN": ("Người hưởng trợ cấp thất nghiệp", "Recipient of unemployment benefit"),
    "CS": (
        "Công nhân cao su nghỉ việc hưởng trợ cấp hằng tháng",
        "Retired rubber plantation worker receiving a monthly allowance",
    ),
    # paid by the state budget
    "QN": (
        "Sĩ quan, quân nhân chuyên nghiệp, hạ sĩ quan, binh sĩ quân đội nhân dân đang tại ngũ",
        "Serving officer, professional soldier, NCO or private of the People's Army",
    ),
    "CA": (
        "Sĩ quan, hạ sĩ quan, chiến sĩ công an nhân dân đang công tác",
        "Serving officer, NCO or soldier of the People's Public Security",
    ),
    "CY": ("Người làm công tác cơ yếu", "Member of the cipher (cryptography) service"),
    "XN": (
        "Cán bộ xã, phường, thị trấn đã nghỉ việc hưởng trợ cấp hằng tháng từ ngân sách nhà nước",
        "Retired commune official receiving a monthly state-budget allowance",
    ),
    "MS": (
        "Người đã thôi hưởng trợ cấp mất sức lao động, hưởng trợ cấp hằng tháng từ ngân sách nhà nước",
        "Former work-incapacity allowance recipient receiving a monthly state-budget allowance",
    ),
    "CC": (
        "Người có công với cách mạng (Bà mẹ Việt Nam anh hùng, thương binh, bệnh binh suy giảm từ 81%, …)",
        "Person with meritorious service to the revolution (Heroic Mother, war invalid 81%+, …)",
    ),
    "CK": ("Người có công với cách mạng khác", "Other person with meritorious service to the revolution"),
    "CB": ("Cựu chiến binh", "Veteran"),
    "KC": (
        "Người trực tiếp tham gia kháng chiến, bảo vệ Tổ quốc, làm nhiệm vụ quốc tế",
        "Participant in the resistance wars, the defence of the Fatherland or international duty",
    ),
    "HD": (
        "Đại biểu Quốc hội, đại biểu Hội đồng nhân dân đương nhiệm",
        "Serving deputy of the National Assembly or a People's Council",
    ),
    "TE": ("Trẻ em dưới 6 tuổi", "Child under 6"),
    "BT": ("Người hưởng trợ cấp bảo trợ xã hội hằng tháng", "Recipient of monthly social assistance"),
    "HN": ("Người thuộc hộ gia đình nghèo", "Member of a poor household"),
    "DT": (
        "Người dân tộc thiểu số sinh sống tại vùng có điều kiện kinh tế - xã hội khó khăn",
        "Ethnic minority person living in a disadvantaged area",
    ),
    "DK": (
        "Người sinh sống tại vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn",
        "Resident of an extremely disadvantaged area",
    ),
    "XD": ("Người sinh sống tại xã đảo, huyện đảo", "Resident of an island commune or district"),
    "TS": (
        "Thân nhân liệt sĩ; người có công nuôi dưỡng liệt sĩ",
        "Relative of a fallen soldier (martyr), or the person who raised one",
    ),
    "TC": ("Thân nhân của người có công với cách mạng", "Relative of a person with meritorious service"),
    "TQ": ("Thân nhân của quân nhân (mã QN)", "Relative of a People's Army member (group QN)"),
    "TA": ("Thân nhân của công an nhân dân (mã CA)", "Relative of a People's Public Security member (group CA)"),
    "TY": ("Thân nhân của người làm công tác cơ yếu (mã CY)", "Relative of a cipher service member (group CY)"),
    "HG": ("Người đã hiến bộ phận cơ thể người", "Person who has donated a body part (organ donor)"),
    "LS": (
        "Người nước ngoài học tập tại Việt Nam được cấp học bổng từ ngân sách nhà nước Việt Nam",
        "Foreign student in Vietnam on a Vietnamese state scholarship",
    ),
    "PV": ("Người phục vụ người có công với cách mạng", "Carer of a person with meritorious service"),
    # partly paid by the state budget
    "CN": ("Người thuộc hộ gia đình cận nghèo", "Member of a near-poor household"),
    "HS": ("Học sinh", "Pupil"),
    "SV": ("Sinh viên", "Student"),
    "GB": (
        "Người thuộc hộ gia đình làm nông nghiệp, lâm nghiệp, ngư nghiệp, diêm nghiệp có mức sống trung bình",
        "Member of an average-income farming, forestry, fishing or salt-making household",
    ),
    # paid by the household
    "GD": ("Người tham gia BHYT theo hộ gia đình", "Household-based health insurance participant"),
}

#: Benefit level (mức hưởng) -> (Vietnamese meaning, English meaning).
BENEFIT_LEVELS: dict[int, tuple[str, str]] = {
    1: (
        "100% chi phí khám chữa bệnh, không giới hạn tỷ lệ thanh toán thuốc, vật tư y tế, dịch vụ kỹ thuật",
        "100% of treatment costs, with no cap on drugs, medical supplies and technical services",
    ),
    2: (
        "100% chi phí khám chữa bệnh, có giới hạn tỷ lệ thanh toán một số thuốc, vật tư y tế, dịch vụ kỹ thuật",
        "100% of treatment costs, within the caps on some drugs, medical supplies and technical services",
    ),
    3: ("95% chi phí khám chữa bệnh, có giới hạn tỷ lệ thanh toán", "95% of treatment costs, within the caps"),
    4: ("80% chi phí khám chữa bệnh, có giới hạn tỷ lệ thanh toán", "80% of treatment costs, within the caps"),
    5: (
        "100% chi phí khám chữa bệnh, kể cả một số chi phí ngoài phạm vi chi trả BHYT",
        "100% of treatment costs, including some costs outside the HI scope",
    ),
}

#: The 2-digit province code of the card: the last two digits of the personal-ID province code.
HI_PROVINCES: dict[str, str] = {code[1:]: name for code, name in PROVINCES.items()}

CODE_LENGTH = 15


@dataclass(frozen=True)
class HICardCode:
    """A parsed HI card code (mã thẻ BHYT)."""

    code: str
    group: str
    group_name_vi: str
    group_name_en: str
    benefit_level: int
    province_code: str
    si_code: str

    @property
    def province_name(self) -> str:
        return HI_PROVINCES[self.province_code]

    def __str__(self) -> str:
        return self.code


def parse_hi_card_code(value: str) -> HICardCode:
    """Read a 15-character HI card code; lower-case letters and surrounding spaces are accepted."""
    code = str(value).strip().upper()
    if len(code) != CODE_LENGTH:
        raise InvalidIdentifier(
            "hi_card.format",
            f"the HI card code must have {CODE_LENGTH} characters; '{code}' has {len(code)}",
            f"mã thẻ BHYT phải có {CODE_LENGTH} ký tự; '{code}' có {len(code)} ký tự",
            field="hi_card_code",
        )
    group = _check_group(code[:2])
    level = _check_benefit_level(code[2])
    _check_province(code[3:5])
    _check_si_code(code[5:])
    vi, en = BENEFICIARY_GROUPS[group]
    return HICardCode(
        code=code,
        group=group,
        group_name_vi=vi,
        group_name_en=en,
        benefit_level=level,
        province_code=code[3:5],
        si_code=code[5:],
    )


def make_hi_card_code(group: str, benefit_level: int, province_code2: str, si_code10: str) -> str:
    """Write an HI card code from its four parts, each checked."""
    group = _check_group(str(group).upper())
    level = _check_benefit_level(str(benefit_level))
    _check_province(province_code2)
    _check_si_code(si_code10)
    return f"{group}{level}{province_code2}{si_code10}"


def _check_group(group: str) -> str:
    if group not in BENEFICIARY_GROUPS:
        raise InvalidIdentifier(
            "hi_card.group",
            f"characters 1–2 of the HI card code ({group}) are not a beneficiary group code",
            f"ký tự thứ 1–2 của mã thẻ BHYT ({group}) không phải mã đối tượng tham gia BHYT",
            field="hi_card_code",
        )
    return group


def _check_benefit_level(char: str) -> int:
    if char not in {"1", "2", "3", "4", "5"}:
        raise InvalidIdentifier(
            "hi_card.benefit_level",
            f"character 3 of the HI card code ({char}) must be a benefit level 1–5",
            f"ký tự thứ 3 của mã thẻ BHYT ({char}) phải là mức hưởng từ 1 đến 5",
            field="hi_card_code",
        )
    return int(char)


def _check_province(code: str) -> None:
    if code not in HI_PROVINCES:
        raise InvalidIdentifier(
            "hi_card.province",
            f"characters 4–5 of the HI card code ({code}) are not a province code",
            f"ký tự thứ 4–5 của mã thẻ BHYT ({code}) không phải mã tỉnh",
            field="hi_card_code",
        )


def _check_si_code(si_code: str) -> None:
    if len(si_code) != 10 or not all("0" <= char <= "9" for char in si_code):
        raise InvalidIdentifier(
            "hi_card.si_code",
            f"characters 6–15 of the HI card code ({si_code}) must be the 10-digit SI code",
            f"ký tự thứ 6–15 của mã thẻ BHYT ({si_code}) phải là mã số BHXH gồm 10 chữ số",
            field="hi_card_code",
        )
