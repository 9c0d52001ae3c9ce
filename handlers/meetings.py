"""Meetings for invitees: the invitation with RSVP buttons and a calendar file, reminders,
changes and cancellations (all sent by the outbox), /reuniones. Check-in at the door:
handlers.meeting_checkin.

Callback data: mt:<meeting>:yes | mt:<meeting>:no | mt:<meeting>:delegate | mt:<meeting>:skip
(the delegate's position). Every press is checked: invited? not started? not cancelled?
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.outgoing import Outgoing
from bot.services import agreements
from bot.services import meetings as rules
from bot.services.access import Needs
from bot.services.ics import meeting_ics
from bot.services.invitations import Rsvp, closer_reminder_due
from bot.services.meetings import KINDS
from bot.services.roles import Role, allows
from bot.services.text import clean_text
from handlers import meeting_admin
from handlers.agreements import line as agreement_line
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.invitations import answerable, invitee_message
from handlers.keyboards import as_number, button, main_menu_row
from handlers.registry import Buttons, Command, Feature
from storage.repositories import meetings as repo
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.meetings import InvitationRecord, MeetingRecord
from storage.repositories.outbox import OwedMessage

log = logging.getLogger(__name__)
DELEGATE_FORM = "meeting_delegate"
SHOWN = 5  # /reuniones: the next meetings, one message each
NAME_MAX = 120
ANSWERS: dict[str, str] = {
    "pending": N_("no answer yet"),
    "yes": N_("I will attend"),
    "no": N_("I cannot attend"),
    "delegate": N_("I will send a representative"),
}


def details(t: Translator, meeting: MeetingRecord) -> str:
    """What, when (Lima time, in words), where, agenda."""
    _ = t.gettext
    lines = [
        f"<b>{esc(meeting.title)}</b>",
        f"<i>{esc(_(KINDS.get(meeting.kind, KINDS['otra'])))}</i>",
        "🗓 "
        + _("{start} to {end} (Lima time)").format(
            start=t.datetime(meeting.starts_at), end=t.until(meeting.starts_at, meeting.ends_at)
        ),
    ]
    if meeting.place:
        lines.append("📍 " + esc(meeting.place))
    if meeting.link:
        lines.append("🔗 " + esc(meeting.link))
    if meeting.agenda:
        lines += ["", "<b>" + _("Agenda") + "</b>", esc(meeting.agenda)]
    return "\n".join(lines)


def rsvp_keyboard(t: Translator, meeting_id: int, current: str) -> Keyboard:
    def label(answer: str, text: str) -> str:
        return ("✓ " if current == answer else "") + t.gettext(text)

    return [
        [button(label("yes", N_("✅ I will attend")), f"mt:{meeting_id}:yes")],
        [button(label("no", N_("❌ I cannot attend")), f"mt:{meeting_id}:no")],
        [
            button(
                label("delegate", N_("👤 I will send a representative")),
                f"mt:{meeting_id}:delegate",
            )
        ],
    ]


def answer_line(t: Translator, invitation: InvitationRecord) -> str:
    text = t.gettext("Your answer: {answer}").format(answer=t.gettext(ANSWERS[invitation.rsvp]))
    if invitation.rsvp == "delegate" and invitation.delegate_name:
        who = invitation.delegate_name
        if invitation.delegate_position:
            who += f" ({invitation.delegate_position})"
        text += " — " + esc(who)
    return text


def invitation_text(t: Translator, meeting: MeetingRecord, invitation: InvitationRecord) -> str:
    heading = t.gettext("<b>You are invited</b>")
    return invitee_message("📨", heading, details(t, meeting), answer_line(t, invitation))


# --- what the outbox sends -------------------------------------------------------------------


async def _meeting_and_invitation(
    session: AsyncSession, owed: OwedMessage
) -> tuple[MeetingRecord, InvitationRecord] | None:
    meeting = await repo.get(session, int(owed.payload["meeting_id"]))
    if meeting is None:
        return None
    invitation = await repo.invitation(session, meeting.id, owed.person_id)
    return (meeting, invitation) if invitation else None


def _calendar(meeting: MeetingRecord, now: datetime) -> tuple[str, bytes]:
    """The .ics file that puts the meeting (or its cancellation) in the phone's calendar."""
    return f"reunion-{meeting.code}.ics", meeting_ics(meeting, now=now)


async def render_invitation(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    found = await _meeting_and_invitation(session, owed)
    if found is None or found[0].status == "cancelled":
        return None
    meeting, invitation = found
    return Outgoing(
        invitation_text(t, meeting, invitation),
        InlineKeyboardMarkup(rsvp_keyboard(t, meeting.id, invitation.rsvp)),
        _calendar(meeting, now),
    )


async def render_changed(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    found = await _meeting_and_invitation(session, owed)
    if found is None or found[0].version != owed.payload.get("version"):
        return None  # changed again since: the newer notice says it all
    meeting, invitation = found
    heading = t.gettext("<b>The meeting changed</b>")
    text = invitee_message("🔄", heading, details(t, meeting), answer_line(t, invitation))
    return Outgoing(
        text,
        InlineKeyboardMarkup(rsvp_keyboard(t, meeting.id, invitation.rsvp)),
        _calendar(meeting, now),
    )


async def render_cancelled(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    found = await _meeting_and_invitation(session, owed)
    if found is None:
        return None
    meeting, _invitation = found
    text = t.gettext("🚫 <b>Meeting cancelled</b>: «{title}», planned for {date}.").format(
        title=esc(meeting.title), date=t.datetime(meeting.starts_at)
    )
    return Outgoing(text, None, _calendar(meeting, now))


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """Only while still useful: not cancelled, not started, same version, not declined."""
    found = await _meeting_and_invitation(session, owed)
    if found is None:
        return None
    meeting, invitation = found
    if (
        meeting.status == "cancelled"
        or meeting.version != owed.payload.get("version")
        or invitation.rsvp == "no"
    ):
        return None
    if now >= meeting.starts_at:
        log.warning("reminder %s dropped: meeting %s already started", owed.id, meeting.code)
        return None
    offset = int(owed.payload.get("offset", 0))
    if closer_reminder_due(meeting, offset, now):
        return None  # send only that closer one
    last = offset == min(meeting.reminder_offsets, default=0)
    text = "⏰ " + t.gettext("<b>Reminder</b>: «{title}», {date}.").format(
        title=esc(meeting.title), date=t.datetime(meeting.starts_at)
    )
    if meeting.place:
        text += "\n📍 " + esc(meeting.place)
    if last and meeting.link:
        text += "\n🔗 " + esc(meeting.link)
    text += "\n\n" + answer_line(t, invitation)
    today = now.astimezone(t.timezone).date()
    overdue = await agreements.overdue_before(session, meeting, owed.person_id, today)
    if overdue:  # what this meeting should take up first
        text += "\n\n⚠️ " + t.gettext("<b>Overdue agreements of earlier meetings</b>:")
        text += "".join(f"\n• {agreement_line(t, item, today)}" for item in overdue[:10])
    return Outgoing(
        cut_html(text), InlineKeyboardMarkup(rsvp_keyboard(t, meeting.id, invitation.rsvp))
    )


# --- answers ---------------------------------------------------------------------------------


async def on_rsvp(ctx: Ctx) -> None:
    """mt:<meeting>:yes|no|delegate|skip"""
    _ = ctx._
    parts = ctx.data[1:]
    meeting_id = as_number(parts[0]) if len(parts) == 2 else None
    if meeting_id is None:
        ctx.toast(_("That button is no longer valid."))
        return
    answer = parts[1]
    meeting = await answerable(ctx, rules.can_answer, meeting_id, _refusal, typed=False)
    if meeting is None:
        return
    assert ctx.person is not None
    now = ctx.runtime.clock.now()
    if answer in ("yes", "no"):
        if ctx.form is not None:  # a representative's name half given: dropped
            await clear_state(ctx.session, ctx.user.id)
        invitation = await repo.answer(ctx.session, meeting_id, ctx.person.id, answer, now)
        ctx.toast(_("Answer saved: {answer}").format(answer=_(ANSWERS[answer])))
        _show_invitation(ctx, meeting, invitation, edit=True)
    elif answer == "delegate":
        await set_state(ctx.session, ctx.user.id, DELEGATE_FORM, "name", {"meeting": meeting_id})
        ctx.reply(_("What is your representative's <b>full name</b>?"))
    elif answer == "skip":
        state = await get_state(ctx.session, ctx.user.id)
        if state is None or state.flow != DELEGATE_FORM or state.step != "position":
            ctx.toast(_("That button is no longer valid."))
            return
        ctx.show(_("And their <b>position</b>?") + "\n✔️ <b>" + _("Skipped") + "</b>")
        await _save_delegate(ctx, meeting, state.data["name"], None)
    else:
        ctx.toast(_("That button is no longer valid."))


def _refusal(ctx: Ctx, status: Rsvp) -> str:
    _ = ctx._
    return {
        Rsvp.NOT_INVITED: _("You are not on this meeting's invitation list."),
        Rsvp.STARTED: _("The meeting has already started; answers can no longer be changed."),
        Rsvp.CANCELLED: _("This meeting was cancelled."),
    }.get(status, _("That meeting no longer exists."))


async def on_delegate_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    meeting_id = int(state.data["meeting"])
    meeting = await answerable(ctx, rules.can_answer, meeting_id, _refusal, typed=True)
    if meeting is None:
        return
    value = clean_text(text)
    if not value or len(value) > NAME_MAX or sum(ch.isalpha() for ch in value) < 2:
        ctx.reply(_("Please write between 2 and 120 characters."))
        return
    if state.step == "name":
        await set_state(
            ctx.session, ctx.user.id, DELEGATE_FORM, "position", {**state.data, "name": value}
        )
        ctx.reply(
            _("And their <b>position</b>?"),
            [[button(_("Skip"), f"mt:{meeting_id}:skip")]],
        )
    else:
        await _save_delegate(ctx, meeting, state.data["name"], value)


async def _save_delegate(ctx: Ctx, meeting: MeetingRecord, name: str, position: str | None) -> None:
    assert ctx.person is not None
    await clear_state(ctx.session, ctx.user.id)
    invitation = await repo.answer(
        ctx.session,
        meeting.id,
        ctx.person.id,
        "delegate",
        ctx.runtime.clock.now(),
        delegate_name=name,
        delegate_position=position,
    )
    ctx.toast(ctx._("Saved."))
    _show_invitation(ctx, meeting, invitation, edit=False)


def _show_invitation(
    ctx: Ctx, meeting: MeetingRecord, invitation: InvitationRecord, *, edit: bool
) -> None:
    text = invitation_text(ctx.t, meeting, invitation)
    keyboard = rsvp_keyboard(ctx.t, meeting.id, invitation.rsvp)
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def meetings_command(ctx: Ctx) -> None:
    """/reuniones: the person's coming meetings, each with its answer and buttons."""
    _ = ctx._
    mine = []
    if ctx.person is not None:
        mine = await repo.for_person(ctx.session, ctx.person.id, ctx.runtime.clock.now())
        mine = [(m, i) for m, i in mine if m.status != "cancelled"]
    if not mine:  # a way on: the menu, and a new meeting for those who may create one
        keyboard = [main_menu_row(_)]
        if allows(ctx.role, Role.COORDINATOR):
            keyboard.insert(0, [meeting_admin.new_meeting_button(ctx)])
        ctx.reply(_("You have no upcoming meetings."), keyboard)
        return
    now = ctx.runtime.clock.now()
    for meeting, invitation in mine[:SHOWN]:
        started = meeting.starts_at <= now  # answers are closed: no buttons that only refuse
        ctx.reply(
            invitation_text(ctx.t, meeting, invitation),
            None if started else rsvp_keyboard(ctx.t, meeting.id, invitation.rsvp),
        )
    if (later := len(mine) - SHOWN) > 0:  # said, not dropped: they come as these pass
        ctx.reply(
            ctx.t.ngettext(
                "You have {count} more meeting after these; /reuniones shows it once these "
                "have passed.",
                "You have {count} more meetings after these; /reuniones shows them once these "
                "have passed.",
                later,
            ).format(count=later)
        )


FEATURE = Feature(
    commands=(
        Command(
            "reuniones",
            meetings_command,
            N_("My upcoming meetings and my answers"),
            None,
            needs=Needs.REGISTERED,
        ),
    ),
    buttons=(Buttons("mt", on_rsvp, None),),
    forms={DELEGATE_FORM: on_delegate_text},
    outbox={
        "meeting_invitation": render_invitation,
        "meeting_changed": render_changed,
        "meeting_cancelled": render_cancelled,
        "meeting_reminder": render_reminder,
    },
)
