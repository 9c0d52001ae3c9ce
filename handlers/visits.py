"""Study visits for invitees: the invitation with «Acepto» / «No puedo» (the reason typed),
reminders before departure, changes and cancellation (all sent by the outbox).

Callback data: vi:<visit>:yes | vi:<visit>:no. Every press is checked: invited? not departed?
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.outgoing import Outgoing
from bot.services import visits as rules
from bot.services.invitations import Rsvp
from bot.services.roles import Role
from bot.services.text import clean_text
from handlers.base import Ctx, Keyboard, esc
from handlers.invitations import answerable, invitee_message
from handlers.keyboards import as_number, button
from handlers.registry import Buttons, Feature
from storage.repositories import visits as repo
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.outbox import OwedMessage
from storage.repositories.visits import ParticipantRecord, VisitRecord

REASON_FORM = "visit_reason"
DOCUMENTS = N_(
    "Check your documents (passport, visa or travel authorisation, tickets, insurance) and the "
    "schedule the coordination sent you."
)


def details(t: Translator, visit: VisitRecord) -> str:
    """What, where, departure and return (Lima time), and the coordination's instructions
    (schedule, documents to bring) when there are some."""
    lines = [
        f"<b>{esc(visit.title)}</b>",
        "📍 " + esc(visit.destination),
        "🛫 " + t.gettext("Departure: {date}").format(date=t.datetime(visit.starts_at)),
        "🛬 " + t.gettext("Return: {date}").format(date=t.datetime(visit.ends_at)),
    ]
    if visit.instructions:
        lines += ["", "📋 <b>" + t.gettext("Instructions") + "</b>", esc(visit.instructions)]
    return "\n".join(lines)


def answer_line(t: Translator, person: ParticipantRecord) -> str:
    text = t.gettext("Your answer: {answer}").format(answer=t.gettext(rules.ANSWERS[person.answer]))
    if person.answer == "declined" and person.reason:
        text += " — " + esc(person.reason)
    if person.confirmed:
        text += "\n" + t.gettext("✅ The coordination confirmed you in the delegation.")
    return text


def answer_keyboard(t: Translator, visit_id: int, current: str) -> Keyboard:
    def label(answer: str, text: str) -> str:
        return ("✓ " if current == answer else "") + t.gettext(text)

    return [
        [
            button(label("accepted", N_("✅ I accept")), f"vi:{visit_id}:yes"),
            button(label("declined", N_("❌ I cannot go")), f"vi:{visit_id}:no"),
        ]
    ]


def invitation_text(t: Translator, visit: VisitRecord, person: ParticipantRecord) -> str:
    heading = t.gettext("<b>You are invited to a study visit</b>")
    return invitee_message("✈️", heading, details(t, visit), answer_line(t, person))


async def _visit_and_person(
    session: AsyncSession, owed: OwedMessage
) -> tuple[VisitRecord, ParticipantRecord] | None:
    visit = await repo.get(session, int(owed.payload["visit_id"]))
    if visit is None:
        return None
    person = await repo.participant(session, visit.id, owed.person_id)
    return (visit, person) if person else None


async def render_invitation(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    found = await _visit_and_person(session, owed)
    if found is None or found[0].status == "cancelled" or now >= found[0].starts_at:
        return None
    visit, person = found
    return Outgoing(
        invitation_text(t, visit, person),
        InlineKeyboardMarkup(answer_keyboard(t, visit.id, person.answer)),
    )


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """To those who accepted, before departure: documents and schedule."""
    found = await _visit_and_person(session, owed)
    if found is None:
        return None
    visit, person = found
    offset = int(owed.payload.get("offset", 0))
    if not rules.current(visit, owed.payload) or not rules.reminder_wanted(
        visit, person, offset, now
    ):
        return None
    heading = t.gettext("<b>Reminder</b>: the study visit «{title}» leaves on {date}.").format(
        title=esc(visit.title), date=t.datetime(visit.starts_at)
    )
    text = invitee_message(
        "⏰", heading, details(t, visit), t.gettext(DOCUMENTS), answer_line(t, person)
    )
    return Outgoing(text, InlineKeyboardMarkup(answer_keyboard(t, visit.id, person.answer)))


async def render_confirmed(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """The coordination confirmed the person in the delegation: time to prepare the trip."""
    found = await _visit_and_person(session, owed)
    if found is None:
        return None
    visit, person = found
    if visit.status == "cancelled" or now >= visit.starts_at or not person.confirmed:
        return None
    heading = t.gettext("<b>You are in the delegation</b> of this study visit.")
    text = invitee_message("✈️", heading, details(t, visit), t.gettext(DOCUMENTS))
    return Outgoing(text, InlineKeyboardMarkup(answer_keyboard(t, visit.id, person.answer)))


async def render_changed(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """New dates or destination, with the answer buttons: someone who could not go may now."""
    found = await _visit_and_person(session, owed)
    if found is None or not rules.current(found[0], owed.payload) or now >= found[0].starts_at:
        return None  # changed again (the newer notice says it all), cancelled or departed
    visit, person = found
    heading = t.gettext("<b>The study visit changed</b>")
    text = invitee_message("🔄", heading, details(t, visit), answer_line(t, person))
    return Outgoing(text, InlineKeyboardMarkup(answer_keyboard(t, visit.id, person.answer)))


async def render_cancelled(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    found = await _visit_and_person(session, owed)
    if found is None:
        return None
    visit = found[0]
    return Outgoing(
        t.gettext("🚫 <b>Study visit cancelled</b>: «{title}», planned to leave on {date}.").format(
            title=esc(visit.title), date=t.datetime(visit.starts_at)
        )
    )


def _refusal(ctx: Ctx, status: Rsvp) -> str:
    _ = ctx._
    return {
        Rsvp.NOT_INVITED: _("You are not on this visit's invitation list."),
        Rsvp.STARTED: _("The delegation has already left; answers can no longer be changed."),
        Rsvp.CANCELLED: _("This visit was cancelled."),
    }.get(status, _("That visit no longer exists."))


async def on_answer(ctx: Ctx) -> None:
    """vi:<visit>:yes|no"""
    _ = ctx._
    parts = ctx.data[1:]
    visit_id = as_number(parts[0]) if len(parts) == 2 else None
    if visit_id is None or parts[1] not in ("yes", "no"):
        ctx.toast(_("That button is no longer valid."))
        return
    visit = await answerable(ctx, rules.can_answer, visit_id, _refusal, typed=False)
    if visit is None:
        return
    assert ctx.person is not None
    if parts[1] == "yes":
        await clear_state(ctx.session, ctx.user.id)
        now = ctx.runtime.clock.now()
        await repo.answer(ctx.session, visit_id, ctx.person.id, "accepted", now)
        ctx.toast(_("Answer saved: {answer}").format(answer=_(rules.ANSWERS["accepted"])))
        await _show(ctx, visit, edit=True)
    else:
        await set_state(ctx.session, ctx.user.id, REASON_FORM, "reason", {"visit": visit_id})
        ctx.reply(_("Please tell us briefly <b>why</b> you cannot go."))


async def on_reason_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    visit_id = int(state.data["visit"])
    visit = await answerable(ctx, rules.can_answer, visit_id, _refusal, typed=True)
    if visit is None:
        return
    assert ctx.person is not None
    reason = clean_text(text)
    if len(reason) < 3 or len(reason) > rules.REASON_MAX:
        ctx.reply(_("Please write between 3 and 500 characters."))
        return
    await clear_state(ctx.session, ctx.user.id)
    now = ctx.runtime.clock.now()
    await repo.answer(ctx.session, visit_id, ctx.person.id, "declined", now, reason=reason)
    await _show(ctx, visit, edit=False)


async def _show(ctx: Ctx, visit: VisitRecord, *, edit: bool) -> None:
    assert ctx.person is not None
    person = await repo.participant(ctx.session, visit.id, ctx.person.id)
    assert person is not None
    text = invitation_text(ctx.t, visit, person)
    keyboard = answer_keyboard(ctx.t, visit.id, person.answer)
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


FEATURE = Feature(
    buttons=(Buttons("vi", on_answer, Role.OFFICIAL),),
    forms={REASON_FORM: on_reason_text},
    forms_role=Role.OFFICIAL,
    outbox={
        "visit_invitation": render_invitation,
        "visit_reminder": render_reminder,
        "visit_changed": render_changed,
        "visit_confirmed": render_confirmed,
        "visit_cancelled": render_cancelled,
    },
)
