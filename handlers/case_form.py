"""«Registrar caso»: the guided form of the case register. Type, region (the person's own
first), province (pressed, or typed with small typos; optional), stratum, the Regional Team's
support, a short description and, for formalization cases, the step reached; then a summary.

Nothing is stored before «Registrar caso» is pressed: until then the answers live only in the
conversation state, so /cancelar or walking away leaves no case behind.
Callback data (see handlers/guided.py): nc:<step>:<value> | nc:page:<n> | nc:confirm | nc:cancel.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_
from bot.services import cases as rules
from bot.services.cases import DESCRIPTION_MAX, FORMALIZATION, KINDS, STEPS, STRATA, CaseError
from bot.services.provinces import match_province, provinces_of
from handlers.base import Ctx
from handlers.guided import GuidedForm, Step
from handlers.keyboards import button
from handlers.registry import Buttons, Feature
from storage.repositories.regions import get_region

CASE_FORM = "new_case"


def _provinces(data: dict[str, Any]) -> dict[str, str]:
    return {name: name for name in provinces_of(data.get("region"))}


def _typed_province(data: dict[str, Any], text: str) -> str | None:
    return match_province(data.get("region"), text).province


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    region = await get_region(ctx.session, data["region"])
    lines: list[tuple[str, Any]] = [
        (_("Kind"), _(KINDS[data["kind"]])),
        (_("Region"), region.name if region else data["region"]),
        (_("Province"), data.get("province")),
        (_("Stratum"), _(STRATA[data["stratum"]])),
        (_("Regional Team support"), _("Yes") if data["supported"] else _("No")),
        (_("Description"), data["description"]),
    ]
    if data["kind"] == FORMALIZATION:
        lines.append((_("Formalization step"), _(STEPS[data["step"]])))
    return lines


async def _register(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    if ctx.person is None or not ctx.person.is_registered:
        ctx.show(_("To use the case register, first register with /start."))
        return
    try:
        case = await rules.create(
            ctx.session,
            person_id=ctx.person.id,
            region_code=data["region"],
            province=data.get("province"),
            kind=data["kind"],
            stratum=data["stratum"],
            supported=bool(data["supported"]),
            description=data["description"],
            step=data.get("step") if data["kind"] == FORMALIZATION else None,
            now=ctx.runtime.clock.now(),
        )
    except CaseError as error:
        ctx.show(_(error.message).format(**error.params))
        return
    ctx.show(
        _("✅ Case <b>No. {number}</b> registered. You can follow it in «My cases».").format(
            number=case.id
        ),
        [
            [button(_("📄 See the case"), f"cs:view:{case.id}")],
            [button(_("📁 My cases"), "cs:mine:0")],
        ],
    )


NEW_CASE = GuidedForm(
    flow=CASE_FORM,
    prefix="nc",
    heading=N_("<b>Register a case</b>\nAnswer each question; /cancelar stops at any time."),
    steps=(
        Step("kind", N_("What <b>type</b> of case is it?"), kind="choice", choices=KINDS),
        Step(
            "region",
            N_("In which <b>region</b> is the case? Choose it or type its name."),
            kind="region",
            national=False,
            own_first=True,
        ),
        Step(
            "province",
            N_("In which <b>province</b>? Choose it or type its name (optional)."),
            kind="choice",
            optional=True,
            options=_provinces,
            match=_typed_province,
            per_row=2,
            asked_if=lambda data: bool(provinces_of(data.get("region"))),
        ),
        Step(
            "stratum",
            N_("Which <b>stratum</b> does the miner belong to?"),
            kind="choice",
            choices=STRATA,
        ),
        Step(
            "supported",
            N_("Was the case attended with the <b>support of the Regional Team</b>?"),
            kind="yesno",
        ),
        Step(
            "description",
            N_("Write a <b>short description</b> of the case (up to 500 characters)."),
            limit=DESCRIPTION_MAX,
        ),
        Step(
            "step",
            N_("Which <b>step of formalization</b> has the miner reached?"),
            kind="choice",
            choices=STEPS,
            asked_if=lambda data: data.get("kind") == FORMALIZATION,
        ),
    ),
    summary=_summary,
    confirm_label=N_("✅ Register the case"),
    on_confirm=_register,
    cancelled=N_("Cancelled. No case was registered."),
)


FEATURE = Feature(
    buttons=(Buttons("nc", NEW_CASE.on_button, None),),
    forms={CASE_FORM: NEW_CASE.on_text},
)
