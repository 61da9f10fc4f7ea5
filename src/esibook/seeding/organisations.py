"""The employers (spread over provinces, regions and authorities) and the clinics of a seed run; a part of
:class:`~esibook.seeding.generator.Generator`."""

from __future__ import annotations

from collections.abc import Iterator

from esibook.access.authorities import Authority
from esibook.employers.identifiers import make_tax_code, make_unit_code
from esibook.people.identifiers import PROVINCES
from esibook.people.names import fold_name, search_key
from esibook.seeding import vocab
from esibook.seeding.plan import (
    BUSINESS_TYPES,
    EMPLOYER_PROVINCES,
    PROVINCE_CODES,
    REGION_I_PROVINCES,
    REGION_II_PROVINCES,
    EmployerInfo,
    agency_prefix,
)

#: Central hospitals (tuyến trung ương) at their published street addresses; their 5-digit codes here are the
#: demo's (province + 9xx), not the national register's. They take referrals, not initial registrations.
CENTRAL_HOSPITALS: tuple[tuple[str, str, str], ...] = (
    ("001", "Bệnh viện Bạch Mai", "78 Giải Phóng, Đống Đa, Hà Nội"),
    ("001", "Bệnh viện Hữu nghị Việt Đức", "40 Tràng Thi, Hoàn Kiếm, Hà Nội"),
    ("046", "Bệnh viện Trung ương Huế", "16 Lê Lợi, Thành phố Huế"),
    ("079", "Bệnh viện Chợ Rẫy", "201B Nguyễn Chí Thanh, Quận 5, Thành phố Hồ Chí Minh"),
)


class Organisations:
    """Employers and clinics (mixed into the generator, whose random source and plan they use)."""

    # --- employers and clinics ------------------------------------------------------------------------------

    def employers(self) -> Iterator[dict]:
        plan, rng = self.plan, self.rng
        armed = max(2, plan.employers // 100)
        next_unit_number: dict[str, int] = {}
        tax_prefix = 10_000_000 + plan.seed % 1000 * 1000
        for employer_id in range(1, plan.employers + 1):
            authority = self._employer_authority(employer_id, plan.employers, armed)
            province = EMPLOYER_PROVINCES.draw(rng)
            business = "lltv" if authority != Authority.CIVIL else BUSINESS_TYPES.draw(rng)
            region = self._region(province)
            prefix = agency_prefix(province)
            next_unit_number[prefix] = next_unit_number.get(prefix, 0) + 1
            tax_code = None
            while tax_code is None:
                tax_prefix += 1
                tax_code = make_tax_code(tax_prefix)
            name = self._employer_name(business, authority, province)
            arrears = (
                rng.choice((1, 2, 2, 3, 4))
                if authority == Authority.CIVIL and (employer_id == 1 or rng.random() < 0.05)
                else 0
            )
            if plan.history and employer_id == 1:  # the demo citizen's employer: a few months behind, not one
                arrears = max(arrears, 3)
            address = self.address(province)
            info = EmployerInfo(employer_id, province, region, authority, business, address, arrears)
            self.employer_infos.append(info)
            self.employers_by_authority[authority].append(info)
            yield {
                "id": employer_id,
                "unit_code": make_unit_code(prefix, next_unit_number[prefix]),
                "name": name,
                "name_key": fold_name(name),
                "tax_code": tax_code,
                "business_type": business,
                "address": address,
                "province_code": province,
                "region": region,
                "representative_name": self.full_name(rng.choice(("male", "female"))),
                "representative_id": None,
                "contact_phone": self.phone(),
                "contact_email": f"nhansu{employer_id}@congty{employer_id}.vn",
                "managing_agency": f"Bảo hiểm xã hội {PROVINCES[province]}",
                "reduced_oad_rate": rng.random() < 0.1,
                "authority": authority.value,
                "created_at": self.created_at,
            }

    @staticmethod
    def _employer_authority(employer_id: int, total: int, armed: int) -> Authority:
        if employer_id > total - armed:
            return Authority.DEFENCE if (total - employer_id) % 2 == 0 else Authority.SECURITY
        return Authority.CIVIL

    def _region(self, province: str) -> int:
        if province in REGION_I_PROVINCES:
            main = 1
        elif province in REGION_II_PROVINCES:
            main = 2
        else:
            main = 3 if int(province) % 2 else 4
        return main if self.rng.random() < 0.8 else min(4, main + 1)

    def _employer_name(self, business: str, authority: Authority, province: str) -> str:
        rng = self.rng
        if authority == Authority.DEFENCE:
            return rng.choice(vocab.MILITARY_UNITS).replace("tỉnh", f"tỉnh {PROVINCES[province]}")
        if authority == Authority.SECURITY:
            return f"{rng.choice(vocab.POLICE_UNITS)} ({PROVINCES[province]})"
        prefix = rng.choice(vocab.COMPANY_PREFIXES[business])
        core = rng.choice(vocab.COMPANY_CORES)
        if business in ("tnhh", "co_phan", "dnnn", "fdi") and rng.random() < 0.6:
            return f"{prefix} {rng.choice(vocab.COMPANY_SECTORS)[0]} {core}"
        return f"{prefix} {core}"

    def clinics(self) -> Iterator[dict]:
        """Four facilities per province: the provincial hospital, a district centre, a commune station and a
        private clinic, coded like MA_CSKCB (2-digit province + 3 digits)."""
        clinic_id = 0
        for province in PROVINCE_CODES:
            name = PROVINCES[province]
            kinds = (
                ("province", f"Bệnh viện Đa khoa {name}"),
                ("district", f"Trung tâm Y tế khu vực {self.rng.choice(vocab.COMPANY_CORES)}"),
                ("commune", f"Trạm Y tế {self.rng.choice(vocab.WARD_NAMES)}"),
                ("private", f"Phòng khám Đa khoa {self.rng.choice(vocab.COMPANY_CORES)}"),
            )
            for number, (level, clinic_name) in enumerate(kinds, start=1):
                clinic_id += 1
                code = f"{province[1:]}{number:03d}"
                self.clinics_by_province.setdefault(province, []).append(code)
                yield {
                    "id": clinic_id,
                    "code": code,
                    "name": clinic_name,
                    "name_key": search_key(clinic_name),
                    "province_code": province,
                    "level": level,
                    "address": self.address(province),
                    "accepts_initial_registration": level != "province" or number == 1,
                }
        yield from self._central_hospitals(clinic_id)

    @staticmethod
    def _central_hospitals(last_id: int) -> Iterator[dict]:
        """The central level, after every province's four (no random draw, so the rest of a seed is unchanged)."""
        numbers: dict[str, int] = {}
        for offset, (province, name, address) in enumerate(CENTRAL_HOSPITALS, start=1):
            numbers[province] = numbers.get(province, 900) + 1
            yield {
                "id": last_id + offset,
                "code": f"{province[1:]}{numbers[province]:03d}",
                "name": name,
                "name_key": search_key(name),
                "province_code": province,
                "level": "central",
                "address": address,
                "accepts_initial_registration": False,
            }
