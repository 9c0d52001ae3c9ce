"""Meetings for coordinators: /reunion CODE (who was invited, confirmed, declined, delegated,
came; by region and sex), marking attendance from the invitee list, agreements, the XLSX
"informe de la reunión", the check-in QR, and moving or cancelling it before it starts.

Callback data: ma:new | ma:xlsx:<m> | ma:qr:<m> | ma:att:<m>:<page> | ma:tog:<m>:<person>:<page> |
ma:agr:<m> | ma:edit:<m> | ma:cancel:<m> | ma:cancelok:<m> | ma:view:<m>.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton

from bot.i18n import N_
from bot.services import agreements, coverage
from bot.services import meeting_attendance as attendance
from bot.services import meetings as rules
from bot.services.agreements import shown_status
from bot.services.meeting_report import Counts, MeetingReport, build_report
from bot.services.quarter_close import its_quarter
from bot.services.roles import Role
from handlers import meeting_forms, workbooks
from handlers.agreements import line as agreement_line
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.invitations import StaffItems, tick_keyboard
from handlers.keyboards import as_number, button
from handlers.qr import send_qr
from handlers.registry import Buttons, Command, Feature
from storage.repositories import agreements as agreement_repo
from storage.repositories import meetings as repo
from storage.repositories.agreements import AgreementRecord
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.meetings import MeetingRecord

AGREEMENTS_FORM = "meeting_agreements"
AGREEMENTS_MAX = 3500
PER_PAGE = 8
EARLIER = 10  # overdue agreements of earlier meetings shown at the top of a report
MEETINGS = StaffItems("meeting", repo.list_all, repo.get_by_code, coverage.visible_meetings)


def _counts_line(ctx: Ctx, counts: Counts) -> str:
    return ctx._(
        "invited {invited} · confirmed {confirmed} · declined {declined} · "
        "representative {delegated} · no answer {pending} · attended {attended}"
    ).format(
        invited=ctx.t.number(counts.invited),
        confirmed=ctx.t.number(counts.confirmed),
        declined=ctx.t.number(counts.declined),
        delegated=ctx.t.number(counts.delegated),
        pending=ctx.t.number(counts.pending),
        attended=ctx.t.number(counts.attended),
    )


def report_text(
    ctx: Ctx,
    report: MeetingReport,
    overdue: Sequence[AgreementRecord] = (),
    earlier: Sequence[AgreementRecord] = (),
) -> str:
    """The report; `overdue`: this meeting's agreements past their due date, unfulfilled;
    `earlier`: those of earlier meetings of its kind, which it should take up first."""
    _ = ctx._
    meeting = report.meeting
    status = _("Cancelled") if meeting.status == "cancelled" else _("Scheduled")
    today = ctx.runtime.clock.now().astimezone(ctx.settings.timezone).date()
    lines = [
        f"<b>{esc(meeting.title)}</b> ({meeting.code}) — {status}",
        ctx.t.datetime(meeting.starts_at),
        "",
    ]
    if earlier:  # at the start: what this meeting should take up first
        lines += ["⚠️ <b>" + _("Overdue agreements of earlier meetings of this kind") + "</b>"]
        lines += [f"• {agreement_line(ctx.t, item, today)}" for item in earlier[:EARLIER]]
        if len(earlier) > EARLIER:
            lines.append(_("…and {count} more.").format(count=len(earlier) - EARLIER))
        lines.append("")
    lines += [
        "<b>" + _("Total") + "</b>: " + _counts_line(ctx, report.totals),
        "",
        "<b>" + _("By region") + "</b>",
    ]
    for group in report.by_region:
        lines.append(f"{esc(group.key or _('Not given'))}: {_counts_line(ctx, group.counts)}")
    if report.delegates:
        lines += ["", "<b>" + _("Representatives") + "</b>"]
        for delegate in report.delegates:
            position = f" ({esc(delegate.delegate_position)})" if delegate.delegate_position else ""
            lines.append(
                f"• {esc(delegate.delegate_name or '—')}{position} — "
                + _("for {name}").format(name=esc(delegate.name or "—"))
            )
    if report.agreements:
        lines += ["", "<b>" + _("Agreements") + "</b>", esc(report.agreements)]
    if overdue:
        lines += ["", "⚠️ <b>" + _("Overdue agreements") + "</b>"]
        lines += [f"• {agreement_line(ctx.t, agreement, today)}" for agreement in overdue]
    return cut_html("\n".join(lines))


def report_keyboard(ctx: Ctx, meeting: MeetingRecord) -> Keyboard:
    _ = ctx._
    keyboard = [
        [
            button(_("📊 Download XLSX"), f"ma:xlsx:{meeting.id}"),
            button(_("QR code"), f"ma:qr:{meeting.id}"),
        ],
        [
            button(_("✔ Mark attendance"), f"ma:att:{meeting.id}:0"),
            button(_("📝 Agreements"), f"ma:agr:{meeting.id}"),
        ],
        [button(_("📌 Follow-up of agreements"), f"ag:list:{meeting.id}")],
    ]
    if rules.closed(meeting, ctx.runtime.clock.now()) is None:
        keyboard.append(
            [
                button(_("✏️ Change time or place"), f"ma:edit:{meeting.id}"),
                button(_("🚫 Cancel meeting"), f"ma:cancel:{meeting.id}"),
            ]
        )
    return keyboard


async def meeting_command(ctx: Ctx) -> None:
    """/reunion: the meetings this coordinator covers; /reunion CODE: one of them."""
    _ = ctx._
    meeting = await MEETINGS.chosen(
        ctx,
        heading=_("<b>Meetings</b>"),
        empty=_("There are no meetings yet."),
        create=new_meeting_button(ctx),
        hint=_("Write /reunion CODE to see one."),
        unknown=_("I found no meeting with the code «{code}»."),
    )
    if meeting is not None:
        await _show_report(ctx, meeting, edit=False)


async def _show_report(ctx: Ctx, meeting: MeetingRecord, *, edit: bool) -> None:
    report = await build_report(ctx.session, meeting.id)
    assert report is not None
    today = ctx.runtime.clock.now().astimezone(ctx.settings.timezone).date()
    overdue = [
        agreement
        for agreement in await agreement_repo.of_meeting(ctx.session, meeting.id)
        if shown_status(agreement, today) == "overdue"
    ]
    earlier: list[AgreementRecord] = []
    if ctx.runtime.clock.now() < meeting.ends_at and meeting.status != "cancelled":
        earlier = await _visible(
            ctx, await agreements.overdue_before(ctx.session, meeting, None, today)
        )
    text = report_text(ctx, report, overdue, earlier)
    if edit:
        ctx.show(text, report_keyboard(ctx, meeting))
    else:
        ctx.reply(text, report_keyboard(ctx, meeting))


async def _visible(ctx: Ctx, items: list[AgreementRecord]) -> list[AgreementRecord]:
    """Only the agreements of meetings this coordinator may see (their coverage)."""
    if ctx.coverage.national or not items:
        return items
    meetings = [m for i in {a.meeting_id for a in items} if (m := await repo.get(ctx.session, i))]
    seen = {m.id for m in await coverage.visible_meetings(ctx.session, ctx.coverage, meetings)}
    return [item for item in items if item.meeting_id in seen]


async def _attendance(ctx: Ctx, meeting: MeetingRecord, page: int) -> None:
    _ = ctx._
    invitees = await repo.invitees(ctx.session, meeting.id)
    keyboard = tick_keyboard(
        ctx,
        [(person.person_id, person.name, person.attended) for person in invitees],
        page,
        PER_PAGE,
        tick=f"ma:tog:{meeting.id}",
        turn=f"ma:att:{meeting.id}",
        back=button(_("« Back to the report"), f"ma:view:{meeting.id}"),
    )
    ctx.show(
        _("<b>Attendance</b> — «{title}»\nPress a name to mark or unmark it.").format(
            title=esc(meeting.title)
        ),
        keyboard,
    )


def new_meeting_button(ctx: Ctx) -> InlineKeyboardButton:
    """The way on from an empty list of meetings, for those who may create one."""
    return button(ctx._("➕ New meeting"), "ma:new")


async def on_button(ctx: Ctx) -> None:
    _ = ctx._
    parts = ctx.data[1:]
    action = parts[0] if parts else ""
    if action == "new":
        await meeting_forms.new_meeting_command(ctx)
        return
    numbers = [as_number(part) for part in parts[1:]]
    meeting = await repo.get(ctx.session, numbers[0]) if numbers and numbers[0] else None
    if meeting is None:
        ctx.toast(_("That button is no longer valid."))
        return
    if await MEETINGS.out_of_scope(ctx, meeting):
        return
    now = ctx.runtime.clock.now()
    if action == "view":
        await _show_report(ctx, meeting, edit=True)
    elif action == "xlsx":
        report = await build_report(ctx.session, meeting.id)
        assert report is not None
        agreements = await agreement_repo.of_meeting(ctx.session, meeting.id)
        today = now.astimezone(ctx.settings.timezone).date()
        # In a worker process, after this update: no reply waits for it (handlers/workbooks.py).
        await workbooks.send_apart(
            ctx,
            "bot.services.meeting_xlsx:report_xlsx",
            (report, ctx.t, agreements, today),
            f"reunion-{meeting.code}.xlsx",
            esc(meeting.title),
        )
    elif action == "qr":
        link = (
            f"https://t.me/{ctx.context.bot.username}?start={rules.DEEP_LINK_PREFIX}{meeting.code}"
        )
        caption = _("QR code to record attendance at «{title}» ({code})").format(
            title=esc(meeting.title), code=meeting.code
        )
        send_qr(ctx, link, caption, f"reunion-{meeting.code}.png")
    elif action == "att" and len(numbers) == 2 and numbers[1] is not None:
        await _attendance(ctx, meeting, numbers[1])
    elif action == "tog" and len(numbers) == 3 and None not in numbers:
        person_id, page = numbers[1], numbers[2]
        assert person_id is not None and page is not None
        done = await attendance.toggle(ctx.session, meeting, person_id, now, ctx.t.timezone)
        if done is None:
            ctx.toast(_("That button is no longer valid."))
            return
        if not done:
            last = ctx.t.date(its_quarter(meeting.starts_at, ctx.t.timezone).last)
            ctx.toast(
                _("The attendance of this meeting can no longer change: its quarter ended on "
                  "{date}.").format(date=last)
            )  # fmt: skip
            return
        await _attendance(ctx, meeting, page)
    elif action == "agr":
        await set_state(ctx.session, ctx.user.id, AGREEMENTS_FORM, "text", {"meeting": meeting.id})
        ctx.reply(
            _("Write the meeting's agreements in one message (it replaces any earlier text).")
        )
    elif action in ("edit", "cancel", "cancelok"):
        await _change(ctx, meeting, action, now)
    else:
        ctx.toast(_("That button is no longer valid."))


async def _change(ctx: Ctx, meeting: MeetingRecord, action: str, now: datetime) -> None:
    """Move or cancel, only before the start (a stale or forged press is told why)."""
    _ = ctx._
    closed = rules.closed(meeting, now)
    if closed is not None:
        ctx.toast(_(closed), alert=True)
    elif action == "edit":
        await meeting_forms.EDIT_MEETING.begin(ctx, {"meeting": meeting.id})
    elif action == "cancel":
        ctx.reply(
            _("Cancel «{title}»? Every invitee will be told.").format(title=esc(meeting.title)),
            [[button(_("Yes, cancel it"), f"ma:cancelok:{meeting.id}")]],
        )
    else:
        await rules.cancel(ctx.session, meeting, now)
        ctx.show(_("The meeting was cancelled; invitees are being told."))


async def on_agreements_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    meeting = await repo.get(ctx.session, int(state.data["meeting"]))
    if meeting is None or await MEETINGS.out_of_scope(ctx, meeting):
        await clear_state(ctx.session, ctx.user.id)
        return
    value = text.strip()
    if not value or len(value) > AGREEMENTS_MAX:
        ctx.reply(_("The agreements must have between 1 and 3500 characters."))
        return
    await repo.set_agreements(ctx.session, meeting.id, value)
    await clear_state(ctx.session, ctx.user.id)
    ctx.reply(_("✅ Agreements saved."))
    await _show_report(ctx, meeting, edit=False)


FEATURE = Feature(
    commands=(
        Command(
            "reunion",
            meeting_command,
            N_("A meeting's invitees, answers and attendance: /reunion CODE"),
            Role.COORDINATOR,
        ),
    ),
    buttons=(Buttons("ma", on_button, Role.COORDINATOR),),
    forms={
        AGREEMENTS_FORM: on_agreements_text,
    },
    forms_role=Role.COORDINATOR,
)
