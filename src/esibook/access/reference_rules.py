"""Who may load national reference data (the register of clinics that treat HI card holders): an officer at
VNeID level 2 holding the ``reference_data`` permission, of the civil authority (Vietnam Social Security, which
publishes the register for the whole country; defence and security officers act on their own persons and
dossiers, not on the country's lists). Asked through :mod:`esibook.access.policy`."""

from __future__ import annotations

from esibook.access.errors import Forbidden, forbidden
from esibook.access.principal import Principal

REFERENCE_DATA = "reference_data"
#: The authority that owns national reference data.
REFERENCE_AUTHORITY = "civil"


def reference_data_refusal(caller: Principal) -> Forbidden | None:
    """None when the caller may load national reference data, else the refusal (403)."""
    if caller.kind != "person" or not caller.is_officer or caller.level < 2:
        return forbidden("access.officer_only", "Only a social insurance officer may do this.",
                         "Chỉ cán bộ bảo hiểm xã hội mới thực hiện được việc này.")
    if REFERENCE_DATA not in caller.officer_permissions:
        return forbidden("access.reference_data_permission",
                         "Loading national reference data needs the reference_data permission.",
                         "Cập nhật danh mục dùng chung toàn quốc cần quyền quản lý danh mục (reference_data).")
    if caller.officer_authority != REFERENCE_AUTHORITY:
        return forbidden("access.reference_data_authority",
                         "National reference data is kept by Vietnam Social Security's officers.",
                         "Danh mục dùng chung toàn quốc do cán bộ Bảo hiểm xã hội Việt Nam quản lý.")
    return None
