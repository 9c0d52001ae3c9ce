"""Workshops for coordinators: /nuevo_taller (guided, with a summary to confirm; its last step
takes a material sent as a file, or is skipped), /taller CODE (attendance, ratings by
criterion, sex and region, comments), the XLSX and the QR code.

Callback data: nw:<step>:<value> | nw:page:<n> | nw:confirm | nw:cancel (the form);
ws:xlsx:<workshop> | ws:qr:<workshop> (a workshop's report).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.error import TelegramError

from bot.i18n import N_
from bot.services import coverage
from bot.services import workshops as rules
from bot.services.roles import Role
from bot.services.workshop_report import (
    CRITERION_LABELS,
    WorkshopReport,
    build_report,
    while_open,
)
from handlers import workbooks
from handlers.base import Ctx, cut_html, esc
from handlers.guided import GuidedForm, Step
from handlers.keyboards import as_number, button
from handlers.qr import send_qr
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Command, Feature
from storage.repositories import materials as material_repo
from storage.repositories import workshops as repo
from storage.repositories.regions import get_region
from storage.repositories.workshops import CRITERIA, WorkshopRecord

log = logging.getLogger(__name__)
FORM = "new_workshop"


def _lima(ctx: Ctx, iso: str) -> str:
    return ctx.t.datetime(datetime.fromisoformat(iso))


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    region = await get_region(ctx.session, data["region"]) if data.get("region") else None
    return [
        (_("Title"), data["title"]),
        (_("Topic"), data.get("topic")),
        (_("Starts"), _lima(ctx, data["start"])),
        (_("Ends"), _lima(ctx, data["end"])),
        (_("Region"), region.name if region else _("National / virtual")),
        (_("Place"), data.get("place")),
        (_("Facilitator"), data.get("facilitator")),
        (_("Capacity"), data.get("capacity")),
        (_("Material"), (data.get("material") or {}).get("name")),
    ]


async def _create(ctx: Ctx, data: dict[str, Any]) -> None:
    _ = ctx._
    if not ctx.coverage.covers(data.get("region")):  # national/virtual needs national coverage
        await coverage.refused(
            ctx.session,
            telegram_id=ctx.user.id,
            action="new workshop",
            target=f"region:{data.get('region') or 'national'}",
            now=ctx.now,
        )
        ctx.show(
            _(
                "You can only create workshops in the regions you coordinate. No workshop was "
                "created."
            )
        )
        return
    material = data.get("material")
    content = await _download(ctx, material["file_id"]) if material else None
    start, end = datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"])
    workshop = await repo.create(
        ctx.session,
        code=await rules.new_code(ctx.session),
        created_by=ctx.person.id if ctx.person else None,
        title=data["title"],
        topic=data.get("topic"),
        starts_at=start,
        ends_at=end,
        survey_closes_at=end + rules.SURVEY_OPEN_FOR,
        region_code=data.get("region"),
        place=data.get("place"),
        facilitator=data.get("facilitator"),
        capacity=data.get("capacity"),
    )
    link = rules.deep_link(ctx.context.bot.username, workshop.code)
    ctx.show(
        _(
            "✅ Workshop created: «{title}»\nCode: <b>{code}</b>\nCheck-in link: {link}\n"
            "Project the QR code below at the start; participants scan it, or write "
            "/asistencia {code}."
        ).format(title=esc(workshop.title), code=workshop.code, link=link)
    )
    if material and content:
        material_id = await material_repo.add(ctx.session, workshop.id, material["name"], content)
        await material_repo.remember_file_id(ctx.session, material_id, material["file_id"])
        ctx.reply(
            _(
                "📎 Material «{name}» added: participants who check in receive it with the "
                "survey and in /talleres."
            ).format(name=esc(material["name"]))
        )
    elif material:
        ctx.reply(
            _(
                "⚠️ I could not fetch «{name}» from Telegram, so the workshop has no material "
                "yet. Add it from the server with <code>python -m bot talleres material {code} "
                "FILE</code>."
            ).format(name=esc(material["name"]), code=workshop.code)
        )
    _send_qr(ctx, workshop, link)


async def _download(ctx: Ctx, file_id: str) -> bytes | None:
    """The file the coordinator sent, kept in the database like the CLI's materials (so it
    can be uploaded again if Telegram ever forgets the file_id); None if Telegram fails."""
    try:
        file = await ctx.context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray()) or None
    except TelegramError as error:
        log.warning("workshop material: could not download the file: %s", error)
        return None


NEW_WORKSHOP = GuidedForm(
    flow=FORM,
    prefix="nw",
    heading=N_("<b>New workshop</b>\nAnswer each question; /cancelar stops at any time."),
    steps=(
        Step("title", N_("What is the workshop's <b>title</b>?")),
        Step("topic", N_("What is its <b>topic</b>? (optional)"), optional=True),
        Step(
            "start",
            N_(
                "When does the workshop <b>start</b>? Lima time, for example "
                "<code>15/01 09:00</code>."
            ),
            kind="start",
        ),
        Step(
            "end",
            N_(
                "When does it <b>end</b>? A time on the same day (<code>13:00</code>), a duration "
                "(<code>4h</code>) or a date and time."
            ),
            kind="end",
        ),
        Step(
            "region",
            N_("In which <b>region</b>? Choose it, type it, or choose «National / virtual»."),
            kind="region",
            covered_only=True,
        ),
        Step("place", N_("<b>Place</b> or video link? (optional)"), optional=True, limit=300),
        Step("facilitator", N_("Who <b>facilitates</b> it? (optional)"), optional=True),
        Step(
            "capacity",
            N_("<b>Capacity</b> (number of places)? (optional)"),
            kind="number",
            optional=True,
        ),
        Step(
            "material",
            N_(
                "A <b>material</b> for the participants (a presentation, a PDF)? Send it here "
                "as a file (📎), or press «Skip». Those who check in receive it with the survey "
                "and in /talleres. (optional)"
            ),
            kind="document",
            optional=True,
        ),
    ),
    summary=_summary,
    confirm_label=N_("✅ Create workshop"),
    on_confirm=_create,
    cancelled=N_("Cancelled. No workshop was created."),
)


async def new_workshop_command(ctx: Ctx) -> None:
    await NEW_WORKSHOP.begin(ctx)


def _send_qr(ctx: Ctx, workshop: WorkshopRecord, link: str) -> None:
    caption = ctx._("QR code to check in to «{title}» ({code})").format(
        title=esc(workshop.title), code=workshop.code
    )
    send_qr(ctx, link, caption, f"taller-{workshop.code}.png")


# --- /taller CODE ----------------------------------------------------------------------------


def _decimal(ctx: Ctx, value: float | None) -> str:
    return "—" if value is None else ctx.t.number(value, 1)


def report_text(ctx: Ctx, report: WorkshopReport) -> str:
    _ = ctx._
    workshop = report.workshop
    rate = "—" if report.response_rate is None else ctx.t.share(report.response_rate, 0)
    where = workshop.region_name or _("National / virtual")
    lines = [
        f"<b>{esc(workshop.title)}</b> ({workshop.code})",
        f"{ctx.t.datetime(workshop.starts_at)} · {esc(where)}",
        "",
        _("Attendees: {attendees} · Responses: {responses} · Response rate: {rate}").format(
            attendees=ctx.t.number(report.attendees),
            responses=ctx.t.number(report.responses),
            rate=rate,
        ),
        "",
        _("<b>Averages (1–5) and distribution 1·2·3·4·5</b>"),
    ]
    for criterion in CRITERIA:
        stats = report.criteria[criterion]
        spread = "—" if stats.distribution is None else "·".join(map(str, stats.distribution))
        label, average = _(CRITERION_LABELS[criterion]), _decimal(ctx, stats.average)
        lines.append(f"{label}: <b>{average}</b> ({spread})")
    lines += ["", _("<b>Overall rating by region</b>")]
    for cell in report.by_region:
        label = cell.label_code or _("Not given")
        lines.append(f"{esc(label)}: {_decimal(ctx, cell.average_overall)} ({cell.responses})")
    lines += [
        "",
        _withheld_note(ctx, report)
        if report.withheld
        else _(
            "«—»: not shown so that nobody can be singled out (fewer than 3 responses, or it "
            "would let a hidden figure be worked out from the others)."
        ),
    ]
    if report.comments:
        lines += ["", _("<b>Comments</b>")]
        lines += [f"• {esc(comment)}" for comment in report.comments[:20]]
    return cut_html("\n".join(lines))


def _withheld_note(ctx: Ctx, report: WorkshopReport) -> str:
    return ctx._(
        "⏳ The answers are shown when the survey closes, on {date}: until then they change "
        "with each response, and two looks, subtracted, would give away the rating of whoever "
        "answered in between."
    ).format(date=ctx.t.datetime(report.workshop.survey_closes_at))


async def _report(ctx: Ctx, workshop_id: int) -> WorkshopReport:
    """The report as the coordinator may read it now (`while_open`)."""
    report = await build_report(ctx.session, workshop_id)
    assert report is not None
    return while_open(report, ctx.runtime.clock.now())


async def all_workshops_lines(ctx: Ctx, limit: int = 30) -> list[str]:
    """Every workshop the person covers (the latest `limit`), with attendees and completed
    responses."""
    _ = ctx._
    workshops = coverage.visible_workshops(ctx.coverage, await repo.list_all(ctx.session))
    if not workshops:
        return [_("There are no workshops yet. Create one with /nuevo_taller.")]
    counts = await repo.counts(ctx.session)
    lines = [_("<b>Workshops</b> (attendees · responses)")]
    for workshop in workshops[-limit:]:
        attendees, responses = counts.get(workshop.id, (0, 0))
        lines.append(
            f"<code>{workshop.code}</code> {esc(workshop.title)} — "
            f"{ctx.t.datetime(workshop.starts_at)} ({attendees} · {responses})"
        )
    lines.append(_("Write /taller CODE to see one."))
    return lines


async def workshop_command(ctx: Ctx) -> None:
    _ = ctx._
    if not ctx.args:
        ctx.reply("\n".join(await all_workshops_lines(ctx)))
        return
    workshop = await repo.get_by_code(ctx.session, rules.normalize_code(ctx.args[0]))
    if workshop is None:
        ctx.reply(
            _("I found no workshop with the code «{code}». Please check it and try again.").format(
                code=esc(ctx.args[0][:20])
            )
        )
        return
    if not coverage.may_see_workshop(ctx.coverage, workshop):
        await refuse_scope(ctx, f"workshop:{workshop.id}")
        return
    report = await _report(ctx, workshop.id)
    ctx.reply(
        cut_html(report_text(ctx, report) + await _materials(ctx, workshop.id)),
        [
            [
                button(_("📊 Download XLSX"), f"ws:xlsx:{workshop.id}"),
                button(_("QR code"), f"ws:qr:{workshop.id}"),
            ]
        ],
    )


async def _materials(ctx: Ctx, workshop_id: int) -> str:
    """The workshop's materials and how many people received each (counted once each)."""
    items = await material_repo.of_workshops(ctx.session, [workshop_id])
    if not items:
        return ""
    reached = await material_repo.recipients(ctx.session, workshop_id)
    lines = ["", "📎 <b>" + ctx._("Materials") + "</b>"]
    for item in items[:10]:
        count = reached.get(item.id, 0)
        lines.append(
            "• "
            + ctx.t.ngettext(
                "«{name}»: received by {count} person",
                "«{name}»: received by {count} people",
                count,
            ).format(name=esc(item.filename), count=count)
        )
    return "\n".join(lines)


async def on_report_button(ctx: Ctx) -> None:
    """ws:xlsx:<workshop> | ws:qr:<workshop>"""
    _ = ctx._
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    workshop_id = as_number(ctx.data[2]) if len(ctx.data) > 2 else None
    workshop = await repo.get(ctx.session, workshop_id) if workshop_id is not None else None
    if workshop is None:
        ctx.toast(_("That button is no longer valid."))
        return
    if not coverage.may_see_workshop(ctx.coverage, workshop):
        await refuse_scope(ctx, f"workshop:{workshop.id}")
        return
    if action == "xlsx":
        report = await _report(ctx, workshop.id)
        # In a worker process, after this update: no reply waits for it (handlers/workbooks.py).
        await workbooks.send_apart(
            ctx,
            "bot.services.workshop_xlsx:report_xlsx",
            (report, ctx.t),
            f"taller-{workshop.code}.xlsx",
            esc(workshop.title),
        )
    elif action == "qr":
        _send_qr(ctx, workshop, rules.deep_link(ctx.context.bot.username, workshop.code))
    else:
        ctx.toast(_("That button is no longer valid."))


FEATURE = Feature(
    commands=(
        Command("nuevo_taller", new_workshop_command, N_("Create a workshop"), Role.COORDINATOR),
        Command(
            "taller",
            workshop_command,
            N_("A workshop's attendance and ratings: /taller CODE"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(
        Buttons("nw", NEW_WORKSHOP.on_button, Role.COORDINATOR),
        Buttons("ws", on_report_button, Role.COORDINATOR),
    ),
    forms={FORM: NEW_WORKSHOP.on_text},
    forms_role=Role.COORDINATOR,
)
