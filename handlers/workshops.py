"""/talleres: the workshops under way and upcoming in the person's region, those they
attended with their materials, and (for coordinators) every workshop. Check-in is in
`workshop_checkin`, the survey and /calificar in `workshop_survey`."""

from __future__ import annotations

from bot.i18n import N_
from bot.services.roles import Role, allows
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.keyboards import main_menu_row
from handlers.materials import material_button
from handlers.registry import Command, Feature
from handlers.workshop_admin import all_workshops_lines
from storage.repositories import materials as material_repo
from storage.repositories import workshops as repo
from storage.repositories.workshops import WorkshopRecord


async def workshops_command(ctx: Ctx) -> None:
    _ = ctx._
    now = ctx.runtime.clock.now()
    region = ctx.person.region_code if ctx.person else None
    listed = await repo.upcoming(ctx.session, now, region)  # not ended yet
    under_way = [w for w in listed if w.starts_at <= now]
    lines = []
    if under_way:  # started: no longer «upcoming», and check-in is open
        lines += [_("<b>Under way now</b>"), *[_under_way_line(ctx, w) for w in under_way], ""]
    lines.append(_("<b>Upcoming workshops</b>"))
    lines += [_line(ctx, w) for w in listed if w.starts_at > now] or [
        _("No other workshops announced.") if under_way else _("No workshops announced yet.")
    ]
    keyboard: Keyboard = []
    if ctx.person is not None:
        attended = await repo.attended(ctx.session, ctx.person.id)
        lines += ["", _("<b>Workshops you attended</b>")]
        lines += [_line(ctx, w) for w in attended] or [_("None yet.")]
        files = await material_repo.of_workshops(ctx.session, [w.id for w in attended])
        if files:  # the newest workshops' materials, within Telegram's buttons per message
            lines += ["", _("📎 Materials of your workshops: press one to receive it.")]
            keyboard = [[material_button(m)] for m in files[-20:]]
    if allows(ctx.role, Role.COORDINATOR):
        lines += ["", *await all_workshops_lines(ctx)]
    ctx.reply(cut_html("\n".join(lines)), [*keyboard, main_menu_row(_)])


def _line(ctx: Ctx, workshop: WorkshopRecord) -> str:
    place = esc(workshop.region_name or ctx._("National / virtual"))
    return f"• <b>{esc(workshop.title)}</b> — {ctx.t.datetime(workshop.starts_at)} · {place}"


def _under_way_line(ctx: Ctx, workshop: WorkshopRecord) -> str:
    """A workshop that has started: until when, on Lima's clock (its code is not shown: it is
    given in the room, so that checking in means being there)."""
    place = esc(workshop.region_name or ctx._("National / virtual"))
    zone = ctx.settings.timezone
    if workshop.ends_at.astimezone(zone).date() == ctx.today:
        until = ctx._("until {time}").format(time=ctx.t.until(workshop.ends_at, workshop.ends_at))
    else:
        until = ctx._("until {date}").format(date=ctx.t.datetime(workshop.ends_at))
    return f"• <b>{esc(workshop.title)}</b> — {until} · {place}"


FEATURE = Feature(
    commands=(
        Command("talleres", workshops_command, N_("Upcoming workshops and those I attended"), None),
    ),
)
