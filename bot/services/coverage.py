"""Which regions a coordinator answers for: the cases they see and the indicators they get.

Administrators, and coordinators at MINEM's central level (or with no region), cover every
region; a coordinator of a regional government (DREM/GREM) covers that region only. Other roles
cover none: they see what they registered themselves.
"""

from __future__ import annotations

from bot.services.roles import Role, allows

CENTRAL = "minem"


def covered_regions(role: Role, region_code: str | None) -> frozenset[str] | None:
    """None: every region; otherwise the set of region codes (empty for non-coordinators)."""
    if role is Role.ADMIN:
        return None
    if not allows(role, Role.COORDINATOR):
        return frozenset()
    if region_code is None or region_code == CENTRAL:
        return None
    return frozenset({region_code})


def covers(role: Role, region_code: str | None, region: str | None) -> bool:
    """True when the person may see `region` (None: all regions together)."""
    regions = covered_regions(role, region_code)
    if regions is None:
        return True
    return region is not None and region in regions
