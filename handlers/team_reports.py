"""Regional Team monthly reports. Members (appointed by a coordinator with /equipo or by an
administrator, never taken from the profile) send theirs with /informe_mensual, a guided
form whose case count is prefilled from the month's case register for their region (shown
with the question, kept with «Skip», changed by typing another number); reminders come on
the 25th and, to those still missing, on the 3rd. Coordinators see in /informes_equipos, for
the regions they cover, who reported (on time or late) and who has not, and download the
month's reports as XLSX.

Callback data: tr:<step>:<value> | tr:confirm | tr:cancel (the form);
te:month:<YYYY-MM> | te:xlsx:<YYYY-MM> (coordinators).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Translator
from bot.outgoing import Outgoing
from bot.services import team_reports as rules
from bot.services.access import Needs
from bot.services.dates import FIRST_YEAR, LAST_YEAR
from bot.services.roles import Role
from bot.services.team_reports import month_name
from handlers import workbooks
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.guided import GuidedForm, Step
from handlers.keyboards import button
from handlers.registry import Buttons, Command, Feature
from storage.repositories.outbox import OwedMessage
from storage.repositories.regions import list_regions

FORM = "team_report"
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])", re.ASCII)


def _months(ctx: Ctx) -> tuple[str, str]:
    this = rules.month_of(ctx.runtime.clock.now().astimezone(ctx.settings.timezone).date())
    return this, rules.previous(this)


async def _member(ctx: Ctx) -> rules.Member | None:
    person = ctx.person
    if person is None or not person.is_registered:
        return None
    found = [m for m in await rules.members(ctx.session) if m.person_id == person.id]
    return found[0] if found else None


async def report_command(ctx: Ctx) -> None:
    member = await _member(ctx)
    if member is None:
        ctx.reply(
            ctx._(
                "The monthly report is for the Regional Teams, whose members their coordinators "
                "appoint. If you belong to one, ask your coordinator."
            )
        )
        return
    zone = ctx.settings.timezone
    months = {month: month_name(ctx.t, month) for month in _months(ctx)}
    counts = {
        month: await rules.cases_registered(ctx.session, member.region_code, month, zone)
        for month in months
    }
    await REPORT.begin(ctx, {"months": months, "counts": counts})


def _registered_hint(ctx: Ctx, data: dict[str, Any]) -> str:
    """The prefilled count, shown with the question: kept with «Skip», changed by typing.
    With its noun, in number: «0 casos», «1 caso» (a bare «tiene 0 para su región» read
    oddly)."""
    count = data["counts"][data["month"]]
    return ctx.t.ngettext(
        "The case register has <b>{count} case</b> for your region that month. «Skip» keeps "
        "that number; write another to change it.",
        "The case register has <b>{count} cases</b> for your region that month. «Skip» keeps "
        "that number; write another to change it.",
        count,
    ).format(count=ctx.t.number(count))


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    month = data["month"]
    registered = data["counts"][month]
    cases = data.get("cases")
    return [
        (_("Month"), data["months"][month]),
        (
            _("Cases attended"),
            f"{registered} " + _("(from the case register)") if cases is None else cases,
        ),
        (_("Activities"), data["activities"]),
        (_("Difficulties"), data.get("difficulties")),
        (_("Support requested"), data.get("support")),
        (_("Next steps"), data.get("next_steps")),
    ]


async def _confirm(ctx: Ctx, data: dict[str, Any]) -> None:
    member = await _member(ctx)
    month = data["month"]
    if member is None or month not in _months(ctx):
        ctx.show(ctx._("That button is no longer valid."))
        return
    cases = data.get("cases")
    await rules.save(
        ctx.session,
        member,
        month,
        cases=int(data["counts"][month] if cases is None else cases),
        texts={field: data.get(field) for field in rules.FIELDS},
        now=ctx.runtime.clock.now(),
    )
    ctx.show(ctx._("✅ Report for {month} sent. Thank you.").format(month=data["months"][month]))


REPORT = GuidedForm(
    flow=FORM,
    prefix="tr",
    heading=N_(
        "<b>Monthly report of the Regional Team</b>\nA few questions; /cancelar stops at any time."
    ),
    steps=(
        Step(
            "month",
            N_("Which <b>month</b> is it for?"),
            kind="choice",
            options=lambda data: data["months"],
        ),
        Step(
            "cases",
            N_("How many <b>cases</b> did the team attend that month?"),
            kind="number",
            optional=True,
            hint=_registered_hint,
        ),
        Step("activities", N_("Main <b>activities</b> of the month:"), limit=rules.TEXT_LIMIT),
        Step(
            "difficulties",
            N_("<b>Difficulties</b> met (optional):"),
            optional=True,
            limit=rules.TEXT_LIMIT,
        ),
        Step(
            "support",
            N_("<b>Support requested</b> from MINEM or the programme (optional):"),
            optional=True,
            limit=rules.TEXT_LIMIT,
        ),
        Step(
            "next_steps",
            N_("<b>Next steps</b> (optional):"),
            optional=True,
            limit=rules.TEXT_LIMIT,
        ),
    ),
    summary=_summary,
    confirm_label=N_("📝 Send the report"),
    on_confirm=_confirm,
    cancelled=N_("Cancelled. The report was not sent."),
)


# --- coordinators ------------------------------------------------------------------------------


def _month_keyboard(ctx: Ctx) -> Keyboard:
    return [[button(month_name(ctx.t, month), f"te:month:{month}")] for month in _months(ctx)]


async def reports_command(ctx: Ctx) -> None:
    ctx.reply(ctx._("<b>Regional Team reports</b>\nWhich month?"), _month_keyboard(ctx))


async def on_button(ctx: Ctx) -> None:
    """te:month:<YYYY-MM> | te:xlsx:<YYYY-MM>"""
    data = ctx.data
    month = data[2] if len(data) == 3 else ""
    # Forged data may name any month: year 0 has no first day, 9999's has no next month.
    if (
        data[1:2] not in (["month"], ["xlsx"])
        or not _MONTH.fullmatch(month)
        or not FIRST_YEAR <= int(month[:4]) <= LAST_YEAR
    ):
        ctx.toast(ctx._("That button is no longer valid."))
        return
    regions = ctx.coverage.regions  # None: every region
    members = await rules.members(ctx.session, regions)
    sent = {report.person_id: report for report in await rules.reports(ctx.session, month, regions)}
    names = {region.code: region.name for region in await list_regions(ctx.session)}
    if data[1] == "xlsx":
        # In a worker process, after this update: no reply waits for it (handlers/workbooks.py).
        await workbooks.send_apart(
            ctx,
            "bot.services.team_report_xlsx:reports_xlsx",
            (ctx.t, ctx.settings.timezone, month, members, sent, names),
            f"informes-equipos-{month}.xlsx",
        )
        return
    ctx.show(
        _overview(ctx, month, members, sent, names),
        [
            [button(ctx._("📊 Download XLSX"), f"te:xlsx:{month}")],
            *_month_keyboard(ctx),
        ],
    )


def _overview(
    ctx: Ctx,
    month: str,
    members: list[rules.Member],
    sent: dict[int, rules.ReportRecord],
    names: dict[str, str],
) -> str:
    _ = ctx._
    zone = ctx.settings.timezone
    lines = [_("<b>Regional Team reports</b> — {month}").format(month=month_name(ctx.t, month))]
    if not members:
        lines.append(_("No Regional Team members in your regions."))
    for region in sorted({m.region_code for m in members}, key=lambda code: names.get(code, code)):
        team = [m for m in members if m.region_code == region]
        done = [m for m in team if m.person_id in sent]
        lines.append(
            f"\n<b>{esc(names.get(region, region))}</b>: "
            + ctx.t.ngettext(  # «1 de 3 envió», «0 de 1 enviaron»
                "{sent} of {members} reported", "{sent} of {members} reported", len(done)
            ).format(sent=len(done), members=len(team))
        )
        for member in team:
            report = sent.get(member.person_id)
            if report is None:
                mark = "⏳ " + _("missing")
            elif rules.on_time(report, zone):
                mark = "✅ " + _("on time")
            else:
                mark = "🕓 " + _("late")
            lines.append(f"• {esc(member.name or '—')}: {mark}")
    return cut_html("\n".join(lines))


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """Not sent to someone who reported meanwhile."""
    month = str(owed.payload["month"])
    if await rules.has_reported(session, owed.person_id, month):
        return None
    text = (
        t.gettext(
            "📝 <b>Monthly report</b>: please send the Regional Team's report for {month} "
            "with /informe_mensual."
        )
        if owed.payload.get("round") == 1
        else t.gettext(
            "📝 <b>Second reminder</b>: your Regional Team report for {month} is "
            "still missing. Send it with /informe_mensual."
        )
    ).format(month=month_name(t, month))
    return Outgoing(text)


FEATURE = Feature(
    commands=(
        Command(
            "informe_mensual",
            report_command,
            N_("Monthly report of the Regional Team"),
            Role.OFFICIAL,
            needs=Needs.TEAM,
        ),
        Command(
            "informes_equipos",
            reports_command,
            N_("Regional Team reports: who sent theirs"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(
        Buttons("tr", REPORT.on_button, Role.OFFICIAL),
        Buttons("te", on_button, Role.COORDINATOR),
    ),
    forms={FORM: REPORT.on_text},
    forms_role=Role.OFFICIAL,
    outbox={rules.KIND: render_reminder},
)
