"""The three authorities that manage social insurance records.

- ``civil``: Vietnam Social Security (Bảo hiểm xã hội Việt Nam), under the Ministry of Finance;
- ``defence``: the Ministry of Defence (Bộ Quốc phòng);
- ``security``: the Ministry of Public Security (Bộ Công an).

Each person, employer and record is managed by exactly one of them.
"""

from __future__ import annotations

from enum import StrEnum


class Authority(StrEnum):
    CIVIL = "civil"
    DEFENCE = "defence"
    SECURITY = "security"


AUTHORITY_NAMES = {
    Authority.CIVIL: ("Bảo hiểm xã hội Việt Nam", "Vietnam Social Security"),
    Authority.DEFENCE: ("Bộ Quốc phòng", "Ministry of Defence"),
    Authority.SECURITY: ("Bộ Công an", "Ministry of Public Security"),
}
