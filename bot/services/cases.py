"""Cases attended by the regional governments: the codes stored and the labels people read,
and the rules: what a case must contain, which changes are allowed, and who may see it.

Labels are msgids (English); the Spanish wording lives in the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services import coverage
from bot.services.provinces import belongs
from bot.services.roles import Role
from bot.services.text import clean_text
from storage.repositories import cases as repo
from storage.repositories.cases import CasePage, CaseRecord
from storage.repositories.regions import get_region

KINDS: dict[str, str] = {
    "formalization": N_("Formalization"),
    "fiscalization": N_("Fiscalization"),
    "environmental": N_("Environmental assessment"),
    "promotion": N_("Promotion"),
    "social_conflict": N_("Social conflict"),
    "technical_query": N_("Technical query"),
    "other": N_("Other type of case"),
}
STRATA: dict[str, str] = {
    "ppm": N_("Small-scale mining producer (PPM)"),
    "pma": N_("Artisanal mining producer (PMA)"),
    "in_formalization": N_("Miner in the formalization process"),
    "not_applicable": N_("Not applicable"),
}
# The formalization steps, in the order a miner goes through them.
STEPS: dict[str, str] = {
    "reinfo": N_("Registration in REINFO"),
    "environmental_instrument": N_("Environmental instrument (IGAFOM/IGAC)"),
    "surface_land": N_("Surface land"),
    "concession": N_("Concession or contract"),
    "start_authorization": N_("Authorization to start"),
    "formalized": N_("Formalized"),
}
STATUSES: dict[str, str] = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "referred": N_("Referred"),
    "archived": N_("Archived"),
}
# abierto → en trámite → resuelto / derivado / archivado; a case opened by mistake can be
# archived at once. Closed cases stay closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "archived"),
    "in_progress": ("resolved", "referred", "archived"),
}
CLOSED = ("resolved", "referred", "archived")
FORMALIZATION = "formalization"
DESCRIPTION_MAX = 500
NOTE_MAX = 500
NOTE_PROBLEM = N_("The note must have between 1 and {limit} characters.")
CENTRAL = coverage.CENTRAL  # MINEM's central level: not a region a case can belong to


class CaseError(ValueError):
    """A value or change that cannot be stored; `message` is an untranslated msgid explaining
    why, to be formatted with `params` once translated."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotAllowed(CaseError):
    """The case does not exist, or the person may neither see nor change it (the message does
    not tell which, so that case numbers reveal nothing)."""

    def __init__(self) -> None:
        super().__init__(N_("That case does not exist or is not among the cases you can see."))


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: their person id, effective role and the coverage an admin granted them
    (never their own profile region)."""

    person_id: int | None
    role: Role
    granted: str | None


def covered_regions(viewer: Viewer) -> frozenset[str] | None:
    """The regions whose cases `viewer` oversees: None means every region.

    Administrators and national coordinators cover all regions; a regional coordinator the
    regions granted to them. Officials and specialists cover none: they see and change only
    the cases they registered themselves. The rule lives in `bot.services.coverage`, shared
    with workshops, meetings and the indicators.
    """
    return coverage.covered_regions(viewer.role, viewer.granted)


def covers(viewer: Viewer, region_code: str) -> bool:
    regions = covered_regions(viewer)
    return regions is None or region_code in regions


def may_see(viewer: Viewer, case: CaseRecord) -> bool:
    """The person who registered the case, and the coordinators and admins covering its region,
    may see it and change it."""
    mine = viewer.person_id is not None and viewer.person_id == case.person_id
    return mine or covers(viewer, case.region_code)


def next_statuses(case: CaseRecord) -> tuple[str, ...]:
    return TRANSITIONS.get(case.status, ())


def step_updatable(case: CaseRecord) -> bool:
    return case.kind == FORMALIZATION and case.status not in CLOSED


async def visible(session: AsyncSession, case_id: int, viewer: Viewer) -> CaseRecord:
    """The case, when `viewer` may see it; otherwise `NotAllowed`."""
    case = await repo.get(session, case_id)
    if case is None or not may_see(viewer, case):
        raise NotAllowed()
    return case


async def mine(session: AsyncSession, viewer: Viewer, *, offset: int, limit: int) -> CasePage:
    if viewer.person_id is None:
        return CasePage([], 0)
    return await repo.list_for_person(session, viewer.person_id, offset=offset, limit=limit)


async def of_my_regions(
    session: AsyncSession, viewer: Viewer, *, offset: int, limit: int
) -> CasePage:
    regions = covered_regions(viewer)
    if regions is not None and not regions:
        return CasePage([], 0)
    return await repo.list_for_regions(session, regions, offset=offset, limit=limit)


def _text(value: str, limit: int, message: str) -> str:
    cleaned = clean_text(value or "")
    if not 1 <= len(cleaned) <= limit:
        raise CaseError(message, limit=limit)
    return cleaned


async def create(
    session: AsyncSession,
    *,
    person_id: int,
    region_code: str,
    province: str | None,
    kind: str,
    stratum: str,
    supported: bool,
    description: str,
    step: str | None,
    now: datetime,
) -> CaseRecord:
    """Register a case after checking every value (see the codes above)."""
    if kind not in KINDS:
        raise CaseError(N_("Unknown type of case."))
    region = await get_region(session, region_code) if region_code else None
    if region is None or region.code == CENTRAL:
        raise CaseError(N_("A case belongs to a region; MINEM's central level is not one."))
    if province is not None and not belongs(region.code, province):
        raise CaseError(N_("That province is not in the case's region."))
    if stratum not in STRATA:
        raise CaseError(N_("Unknown stratum."))
    if not isinstance(supported, bool):
        raise CaseError(N_("Please say whether the Regional Team supported the case."))
    text = _text(
        description,
        DESCRIPTION_MAX,
        N_("The description must have between 1 and {limit} characters."),
    )
    if kind == FORMALIZATION and step not in STEPS:
        raise CaseError(N_("A formalization case needs the step it reached."))
    if kind != FORMALIZATION and step is not None:
        raise CaseError(N_("Only formalization cases have a formalization step."))
    return await repo.create(
        session,
        person_id=person_id,
        region_code=region.code,
        province=province,
        kind=kind,
        stratum=stratum,
        supported=supported,
        description=text,
        formalization_step=step,
        now=now,
    )


async def change_status(
    session: AsyncSession,
    case_id: int,
    viewer: Viewer,
    *,
    status: str,
    note: str,
    now: datetime,
) -> CaseRecord:
    """Move the case along TRANSITIONS, with a note saying why; recorded with who and when."""
    case = await visible(session, case_id, viewer)
    if status not in next_statuses(case):
        raise CaseError(N_("That change of status is not possible for this case."))
    text = _text(note, NOTE_MAX, NOTE_PROBLEM)
    changed = await repo.change_status(
        session,
        case.id,
        from_status=case.status,
        to_status=status,
        closed=status in CLOSED,
        note=text,
        person_id=viewer.person_id,
        now=now,
    )
    if changed is None:
        raise CaseError(N_("The case changed in the meantime; please look at it again."))
    return changed


async def set_step(
    session: AsyncSession, case_id: int, viewer: Viewer, *, step: str, now: datetime
) -> CaseRecord:
    """Record the formalization step reached (open formalization cases only)."""
    case = await visible(session, case_id, viewer)
    if not step_updatable(case):
        raise CaseError(N_("Only open formalization cases have a step to update."))
    if step not in STEPS:
        raise CaseError(N_("Unknown formalization step."))
    if step == case.formalization_step:
        return case
    return await repo.set_step(session, case.id, step=step, person_id=viewer.person_id, now=now)
