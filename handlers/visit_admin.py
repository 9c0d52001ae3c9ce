"""Study visits for coordinators (scoped by region): /visita lists them, /visita CODE shows
answers and the delegation by leaders/officials, region and sex; from it the coordinator
confirms who travels, corrects who counts as a regional leader, marks who travelled,
downloads the «Informe de visita» (XLSX), and, before departure, changes the dates or the
destination (handlers.visit_forms) or cancels the visit; invitees are told.

Callback data: va:view:<v> | va:del:<v>:<page> | va:conf:<v>:<person>:<page> |
va:lead:<v>:<person>:<page> | va:trv:<v>:<page> | va:tt:<v>:<person>:<page> | va:xlsx:<v> |
va:edit:<v> | va:cancel:<v> | va:cancelok:<v>.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.services import coverage
from bot.services import visits as rules
from bot.services.quarter_close import its_quarter
from bot.services.roles import Role
from bot.services.visit_report import (
    LEADER,
    Counts,
    SurveySummary,
    VisitReport,
    build_report,
    while_open,
)
from handlers import visit_forms, workbooks
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.invitations import StaffItems, tick_keyboard
from handlers.keyboards import as_number, button, page_bounds
from handlers.questions import pager
from handlers.registry import Buttons, Command, Feature
from storage.repositories import visits as repo
from storage.repositories.visits import ParticipantRecord, VisitRecord

PER_PAGE = 6
VISITS = StaffItems("visit", repo.list_all, repo.get_by_code, coverage.visible_visits)


def _words(ctx: Ctx) -> tuple[str, ...]:
    return rules.leader_words(ctx.runtime.settings.leader_position_words)


def _counts_line(ctx: Ctx, counts: Counts) -> str:
    return ctx._(
        "invited {invited} · accepted {accepted} · cannot go {declined} · "
        "no answer {pending} · delegation {confirmed} · travelled {travelled}"
    ).format(
        invited=ctx.t.number(counts.invited),
        accepted=ctx.t.number(counts.accepted),
        declined=ctx.t.number(counts.declined),
        pending=ctx.t.number(counts.pending),
        confirmed=ctx.t.number(counts.confirmed),
        travelled=ctx.t.number(counts.travelled),
    )


async def _report(ctx: Ctx, visit: VisitRecord) -> VisitReport:
    """The report as the coordinator may read it now (`while_open`)."""
    report = await build_report(ctx.session, visit, _words(ctx))
    return while_open(report, ctx.runtime.clock.now())


async def report_text(ctx: Ctx, visit: VisitRecord) -> str:
    _ = ctx._
    report = await _report(ctx, visit)
    cancelled = " — " + _("Cancelled") if visit.status == "cancelled" else ""
    lines = [
        f"<b>{esc(visit.title)}</b> ({visit.code}){cancelled}",
        "📍 " + esc(visit.destination),
        _("Departure {start} · return {end}").format(
            start=ctx.t.datetime(visit.starts_at), end=ctx.t.datetime(visit.ends_at)
        ),
        *([f"📋 {esc(visit.instructions)}"] if visit.instructions else []),
        "",
        "<b>" + _("Total") + "</b>: " + _counts_line(ctx, report.totals),
        "",
        "<b>" + _("Regional leaders and officials") + "</b>",
    ]
    for group in report.by_kind:
        label = _("Regional leaders") if group.key == LEADER else _("Officials")
        lines.append(f"{label}: {_counts_line(ctx, group.counts)}")
    lines += ["", "<b>" + _("By region") + "</b>"]
    for group in report.by_region:
        lines.append(f"{esc(group.key or _('Not given'))}: {_counts_line(ctx, group.counts)}")
    lines += _survey_lines(ctx, report.survey, ctx.t.datetime(rules.survey_closes(visit)))
    reasons = [p for p in report.people if p.answer == "declined" and p.reason]
    if reasons:
        lines += ["", "<b>" + _("Reasons for not going") + "</b>"]
        lines += [f"• {esc(p.name or '—')}: {esc(p.reason)}" for p in reasons]
    return cut_html("\n".join(lines))


def _survey_lines(ctx: Ctx, survey: SurveySummary, closes: str) -> list[str]:
    _ = ctx._
    if not survey.answered:
        return []
    lines = [
        "",
        "<b>"
        + _("Questionnaire")
        + "</b>: "
        + ctx.t.ngettext("{count} answer", "{count} answers", survey.answered).format(
            count=ctx.t.number(survey.answered)
        ),
    ]
    if survey.withheld:
        lines.append(
            _(
                "The answers are shown when the questionnaire closes, on {date}: until then "
                "they change with each answer, and two looks, subtracted, would give away "
                "the answers of whoever answered in between."
            ).format(date=closes)
        )
        return lines
    if survey.usefulness is None:
        lines.append(_("Results are shown once 3 people have answered."))
        return lines
    lines.append(
        _("Average usefulness: {value} of 5").format(value=ctx.t.number(survey.usefulness, 1))
    )
    if survey.equality_seen is not None:
        yes, no = survey.equality_seen
        lines.append(
            _("Saw equal-opportunity practices: Yes {yes} · No {no}").format(yes=yes, no=no)
        )
    if survey.practices:
        lines += ["<b>" + _("Practices they will apply") + "</b>"]
        lines += [f"• {esc(text)}" for text in survey.practices]
    return lines


def report_keyboard(ctx: Ctx, visit: VisitRecord) -> Keyboard:
    _ = ctx._
    keyboard = [
        [
            button(_("👥 Delegation"), f"va:del:{visit.id}:0"),
            button(_("🛬 Who travelled"), f"va:trv:{visit.id}:0"),
        ],
        [button(_("📊 Download XLSX"), f"va:xlsx:{visit.id}")],
    ]
    if rules.closed(visit, ctx.runtime.clock.now()) is None:
        keyboard.append(
            [
                button(_("✏️ Change dates or destination"), f"va:edit:{visit.id}"),
                button(_("🚫 Cancel the visit"), f"va:cancel:{visit.id}"),
            ]
        )
    return keyboard


async def visit_command(ctx: Ctx) -> None:
    """/visita: the visits this coordinator covers; /visita CODE: one of them."""
    _ = ctx._
    visit = await VISITS.chosen(
        ctx,
        heading=_("<b>Study visits</b>"),
        empty=_("There are no study visits yet."),
        create=button(_("➕ New study visit"), "va:new"),
        hint=_("Write /visita CODE to see one."),
        unknown=_("I found no visit with the code «{code}»."),
    )
    if visit is not None:
        ctx.reply(await report_text(ctx, visit), report_keyboard(ctx, visit))


def _row(ctx: Ctx, visit: VisitRecord, person: ParticipantRecord, page: int) -> list:
    _ = ctx._
    mark = {"accepted": "✅", "declined": "❌", "pending": "⏳"}[person.answer]
    in_delegation = "✈️ " if person.confirmed else ""
    kind = _("Leader") if rules.is_leader(person, _words(ctx)) else _("Official")
    return [
        button(
            f"{in_delegation}{mark} {person.name or '—'}",
            f"va:conf:{visit.id}:{person.person_id}:{page}",
        ),
        button(kind, f"va:lead:{visit.id}:{person.person_id}:{page}"),
    ]


async def _delegation(ctx: Ctx, visit: VisitRecord, page: int) -> None:
    _ = ctx._
    people = await repo.participants(ctx.session, visit.id)
    page, first, pages = page_bounds(len(people), page, PER_PAGE)
    keyboard: Keyboard = [_row(ctx, visit, p, page) for p in people[first : first + PER_PAGE]]
    keyboard.append(pager(ctx, page, pages, lambda n: f"va:del:{visit.id}:{n}"))
    keyboard.append([button(_("« Back to the visit"), f"va:view:{visit.id}")])
    ctx.show(
        _(
            "<b>Delegation</b> — «{title}»\n"
            "✅ accepted · ❌ cannot go · ⏳ no answer · ✈️ confirmed in the delegation.\n"
            "Press a name to confirm it in the delegation (or take it out); press "
            "«Leader»/«Official» to correct how the person is counted."
        ).format(title=esc(visit.title)),
        [row for row in keyboard if row],
    )


async def _travelled(ctx: Ctx, visit: VisitRecord, page: int) -> None:
    """The confirmed delegation; press a name to mark that the person travelled."""
    _ = ctx._
    people = [p for p in await repo.participants(ctx.session, visit.id) if p.confirmed]
    keyboard = tick_keyboard(
        ctx,
        [(p.person_id, p.name, p.travelled) for p in people],
        page,
        PER_PAGE,
        tick=f"va:tt:{visit.id}",
        turn=f"va:trv:{visit.id}",
        back=button(_("« Back to the visit"), f"va:view:{visit.id}"),
    )
    text = _("<b>Who travelled</b> — «{title}»\nPress a name to mark or unmark it.").format(
        title=esc(visit.title)
    )
    if not people:
        text += "\n\n" + _("Nobody is confirmed in the delegation yet.")
    ctx.show(text, keyboard)


async def _marked(ctx: Ctx, visit: VisitRecord, person: ParticipantRecord, mark: str) -> bool:
    """The staff's press on who travelled or who is a leader (`rules.toggle_mark`); once
    the visit's quarter has ended, a toast says why nothing changed."""
    now, zone = ctx.runtime.clock.now(), ctx.t.timezone
    if await rules.toggle_mark(ctx.session, visit, person, mark, now, zone, _words(ctx)):
        return True
    last = ctx.t.date(its_quarter(visit.starts_at, zone).last)
    ctx.toast(
        ctx._("Who travelled and who is a regional leader can no longer change: the visit's "
              "quarter ended on {date}.").format(date=last)
    )  # fmt: skip
    return False


async def on_button(ctx: Ctx) -> None:
    _ = ctx._
    parts = ctx.data[1:]
    action = parts[0] if parts else ""
    if action == "new":  # from an empty list of visits
        await visit_forms.new_visit_command(ctx)
        return
    numbers = [as_number(part) for part in parts[1:]]
    visit = await repo.get(ctx.session, numbers[0]) if numbers and numbers[0] else None
    if visit is None or None in numbers:
        ctx.toast(_("That button is no longer valid."))
        return
    if await VISITS.out_of_scope(ctx, visit):
        return
    if action == "view":
        ctx.show(await report_text(ctx, visit), report_keyboard(ctx, visit))
    elif action == "del" and len(numbers) == 2:
        await _delegation(ctx, visit, numbers[1] or 0)
    elif action == "trv" and len(numbers) == 2:
        await _travelled(ctx, visit, numbers[1] or 0)
    elif action == "tt" and len(numbers) == 3:
        person = await repo.participant(ctx.session, visit.id, numbers[1] or 0)
        if person is None or not person.confirmed:
            ctx.toast(_("That button is no longer valid."))
            return
        if not await _marked(ctx, visit, person, "travelled"):
            return
        await _travelled(ctx, visit, numbers[2] or 0)
    elif action == "xlsx":
        report = await _report(ctx, visit)
        # In a worker process, after this update: no reply waits for it (handlers/workbooks.py).
        await workbooks.send_apart(
            ctx,
            "bot.services.visit_xlsx:report_xlsx",
            (report, ctx.t, ctx.runtime.clock.now()),
            f"informe-visita-{visit.code}.xlsx",
            esc(visit.title),
        )
    elif action in ("edit", "cancel", "cancelok") and len(numbers) == 1:
        await _change(ctx, visit, action)
    elif action in ("conf", "lead") and len(numbers) == 3:
        person = await repo.participant(ctx.session, visit.id, numbers[1] or 0)
        if person is None:
            ctx.toast(_("That button is no longer valid."))
            return
        if action == "lead":
            if not await _marked(ctx, visit, person, "leader"):
                return
        elif person.confirmed:
            await repo.set_flag(ctx.session, visit.id, person.person_id, confirmed_at=None)
        else:
            done, _refused = await rules.confirm(
                ctx.session, visit, [person.person_id], ctx.runtime.clock.now()
            )
            if not done:
                ctx.toast(_("Only someone who accepted can be confirmed."), alert=True)
                return
        await _delegation(ctx, visit, numbers[2] or 0)
    else:
        ctx.toast(_("That button is no longer valid."))


async def _change(ctx: Ctx, visit: VisitRecord, action: str) -> None:
    """Change or cancel, only before departure (a stale or forged press is told why)."""
    _ = ctx._
    now = ctx.runtime.clock.now()
    closed = rules.closed(visit, now)
    if closed is not None:
        ctx.toast(_(closed), alert=True)
    elif action == "edit":
        await visit_forms.EDIT_VISIT.begin(ctx, {"visit": visit.id})
    elif action == "cancel":
        ctx.reply(
            _("Cancel the study visit «{title}»? Every invitee will be told.").format(
                title=esc(visit.title)
            ),
            [[button(_("Yes, cancel it"), f"va:cancelok:{visit.id}")]],
        )
    else:
        _visit, told = await rules.cancel(ctx.session, visit, now, actor=ctx.user.id)
        ctx.show(
            ctx.t.ngettext(
                "The study visit was cancelled; {count} invitee is being told.",
                "The study visit was cancelled; {count} invitees are being told.",
                told,
            ).format(count=ctx.t.number(told))
        )


FEATURE = Feature(
    commands=(
        Command(
            "visita",
            visit_command,
            N_("A study visit's answers and delegation: /visita CODE"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(Buttons("va", on_button, Role.COORDINATOR),),
)
