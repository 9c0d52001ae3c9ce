"""Following meeting agreements: in /reunion CODE «📌 Follow-up of agreements» lists them
with their responsible, due date and status, records new ones (a guided form: the agreement,
a responsible invitee, the due date) and moves them; the responsible gets a reminder before
the due date (outbox) with buttons to mark progress.

Callback data: ag:list:<meeting>[:<page>] | ag:new:<meeting> | ag:set:<agreement>:<status>[:r]
(r: pressed under the reminder); the form's: na:<step>:<value> | na:confirm | na:cancel.
Changing an agreement's responsible or due date: handlers.agreement_edit (ae:).
A status is changed by the responsible person, or by a coordinator who covers the meeting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.outgoing import Outgoing
from bot.services import agreements as rules
from bot.services import coverage
from bot.services.regions import normalize
from bot.services.roles import Role, allows
from handlers.base import Ctx, Keyboard, cut_html, esc
from handlers.guided import GuidedForm, Step
from handlers.keyboards import as_number, button, page_bounds
from handlers.questions import pager
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Feature
from storage.repositories import agreements as repo
from storage.repositories import audit
from storage.repositories import meetings as meeting_repo
from storage.repositories.agreements import AgreementRecord
from storage.repositories.meetings import MeetingRecord
from storage.repositories.outbox import OwedMessage

FORM = "agreement"
# The responsible is one of the invitees (up to MAX_CHOICES of them); the first SHOWN are
# buttons and any of them can be typed: Telegram refuses a keyboard of more than 100 buttons
# or of more than about 8 KB, and 90 names of 48 characters were past it. The follow-up list
# shows PER_PAGE agreements a page, three buttons each.
MAX_CHOICES = 1000
SHOWN = 60
PER_PAGE = 5
ICONS = {"pending": "🕓", "in_progress": "⏳", "done": "✅", "overdue": "⚠️"}


def status_label(t: Translator, agreement: AgreementRecord, today: Any) -> str:
    code = rules.shown_status(agreement, today)
    return f"{ICONS[code]} {t.gettext(rules.STATUSES[code])}"


def line(t: Translator, agreement: AgreementRecord, today: Any) -> str:
    """«text» — responsible — due date — status."""
    return t.gettext("«{text}» — {who} — due {date} — {status}").format(
        text=esc(agreement.text),
        who=esc(agreement.responsible_name or "—"),
        date=t.date(agreement.due_on),
        status=status_label(t, agreement, today),
    )


def progress_buttons(t: Translator, agreement: AgreementRecord, suffix: str = "") -> list:
    return [
        button("⏳ " + t.gettext("Under way"), f"ag:set:{agreement.id}:in_progress{suffix}"),
        button("✅ " + t.gettext("Fulfilled"), f"ag:set:{agreement.id}:done{suffix}"),
    ]


async def show_list(
    ctx: Ctx, meeting: MeetingRecord, *, edit: bool, page: int = 0, showing: int | None = None
) -> None:
    """A page of the meeting's agreements (the page of agreement `showing`, if given)."""
    _ = ctx._
    today = ctx.today
    agreements = await repo.of_meeting(ctx.session, meeting.id)
    ids = [agreement.id for agreement in agreements]
    if showing in ids:
        page = ids.index(showing) // PER_PAGE
    page, first, pages = page_bounds(len(agreements), page, PER_PAGE)
    lines = [
        _("<b>Follow-up of agreements</b> — «{title}» ({code})").format(
            title=esc(meeting.title), code=meeting.code
        )
    ]
    if pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page + 1, pages=pages))
    keyboard: Keyboard = []
    shown = agreements[first : first + PER_PAGE]
    for number, agreement in enumerate(shown, start=first + 1):
        lines.append(f"{number}. {line(ctx.t, agreement, today)}")
        keyboard.append(
            [
                button(f"{number} · ⏳", f"ag:set:{agreement.id}:in_progress"),
                button(f"{number} · ✅", f"ag:set:{agreement.id}:done"),
                button(f"{number} · ✏️", f"ae:begin:{agreement.id}"),
            ]
        )
    if not agreements:
        lines.append(_("No agreements recorded for follow-up yet."))
    else:
        lines.append(_("⏳ in progress · ✅ fulfilled · ✏️ change responsible or due date"))
    nav = pager(ctx, page, pages, lambda number: f"ag:list:{meeting.id}:{number}")
    if nav:
        keyboard.append(nav)
    keyboard.append([button(_("➕ New agreement"), f"ag:new:{meeting.id}")])
    keyboard.append([button(_("« Back to the report"), f"ma:view:{meeting.id}")])
    text = cut_html("\n".join(lines))
    if edit:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def staff_meeting(ctx: Ctx, meeting: MeetingRecord) -> bool:
    """A coordinator who covers the meeting; anyone else is refused (and audited)."""
    if not allows(ctx.role, Role.COORDINATOR):
        await audit.append(
            ctx.session,
            actor_telegram_id=ctx.user.id,
            action="button ag",
            outcome="denied",
            target=f"meeting:{meeting.id}",
            at=ctx.now,
        )
        ctx.toast(ctx._("Only coordinators can do that."), alert=True)
        return False
    if await coverage.may_see_meeting(ctx.session, ctx.coverage, meeting):
        return True
    await refuse_scope(ctx, f"meeting:{meeting.id}")
    return False


async def on_button(ctx: Ctx) -> None:
    """ag:list:<m> | ag:new:<m> | ag:set:<a>:<status>[:r]"""
    _ = ctx._
    data = ctx.data
    action = data[1] if len(data) > 2 else ""
    number = as_number(data[2]) if len(data) > 2 else None
    if number is None or action not in ("list", "new", "set"):
        ctx.toast(_("That button is no longer valid."))
        return
    if action == "set":
        await _set(ctx, number, data[3:])
        return
    meeting = await meeting_repo.get(ctx.session, number)
    if meeting is None:
        ctx.toast(_("That button is no longer valid."))
        return
    if not await staff_meeting(ctx, meeting):
        return
    if action == "list":
        page = as_number(data[3]) if len(data) > 3 else 0
        await show_list(ctx, meeting, edit=True, page=page or 0)
        return
    choices = await invitee_choices(ctx.session, meeting.id)
    if not choices:
        ctx.toast(_("This meeting has no invitees to be responsible."), alert=True)
        return
    await AGREEMENT.begin(ctx, {"meeting": meeting.id, "title": meeting.title, "invitees": choices})


async def invitee_choices(session: AsyncSession, meeting_id: int) -> dict[str, str]:
    """Who may answer for an agreement: the invitees who came (or said they would), or all
    the invitees when nobody did; person id -> name."""
    invitees = await meeting_repo.invitees(session, meeting_id)
    came = [i for i in invitees if i.attended or i.rsvp in ("yes", "delegate")]
    return {str(i.person_id): i.name or "—" for i in (came or invitees)[:MAX_CHOICES]}


async def _set(ctx: Ctx, agreement_id: int, rest: list[str]) -> None:
    _ = ctx._
    agreement = await repo.get(ctx.session, agreement_id)
    status = rest[0] if rest else ""
    if agreement is None or status not in rules.SETTABLE or len(rest) > 2:
        ctx.toast(_("That button is no longer valid."))
        return
    from_reminder = rest[1:] == ["r"]
    responsible = ctx.person is not None and ctx.person.id == agreement.responsible_id
    if not responsible:
        meeting = await meeting_repo.get(ctx.session, agreement.meeting_id)
        if meeting is None or not await staff_meeting(ctx, meeting):
            return
    updated = await rules.change_status(ctx.session, agreement, status, ctx.runtime.clock.now())
    toast = _("Agreement: {status}").format(status=_(rules.STATUSES[status]))
    if rules.closed_quarter(agreement, ctx.today) is not None:
        toast += ". " + _("Its quarter has ended: its reports keep it as it stood then.")
    ctx.toast(toast)
    if from_reminder or responsible:
        ctx.show(reminder_text(ctx.t, updated, ctx.today), [progress_buttons(ctx.t, updated, ":r")])
        return
    meeting = await meeting_repo.get(ctx.session, agreement.meeting_id)
    assert meeting is not None
    await show_list(ctx, meeting, edit=True, showing=agreement.id)


def reminder_text(t: Translator, agreement: AgreementRecord, today: Any) -> str:
    return cut_html(
        "📌 "
        + t.gettext("<b>Agreement to fulfil</b> — meeting «{title}» ({code})").format(
            title=esc(agreement.meeting_title), code=agreement.meeting_code
        )
        + f"\n\n«{esc(agreement.text)}»\n\n"
        + t.gettext("Due: {date}").format(date=t.date(agreement.due_on))
        + "\n"
        + t.gettext("Status: {status}").format(status=status_label(t, agreement, today))
        + "\n\n"
        + t.gettext("You are responsible for it. Mark how it is going:")
    )


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    """Skipped when the agreement is fulfilled already or its meeting was cancelled."""
    agreement = await repo.get(session, int(owed.payload["agreement_id"]))
    if agreement is None or agreement.status == "done":
        return None
    meeting = await meeting_repo.get(session, agreement.meeting_id)
    if meeting is None or meeting.status == "cancelled":
        return None
    today = now.astimezone(t.timezone).date()
    markup = InlineKeyboardMarkup([progress_buttons(t, agreement, ":r")])
    return Outgoing(reminder_text(t, agreement, today), markup)


def match_invitee(data: dict[str, Any], value: str) -> str | None:
    """A typed name: the one invitee whose name contains it."""
    wanted = normalize(value)
    found = [code for code, name in data.get("invitees", {}).items() if wanted in normalize(name)]
    return found[0] if len(found) == 1 else None


async def due_problem(ctx: Ctx, value: str) -> str | None:
    """A due date (read by the form as ISO) may be today or later, Lima's date."""
    due = rules.parse_due(value)
    if due is not None and due < ctx.today:
        return ctx._(
            "That date has already passed: today is {today}. The due date may be today or a "
            "later day."
        ).format(today=ctx.t.date(ctx.today))
    return None


async def _summary(ctx: Ctx, data: dict[str, Any]) -> list[tuple[str, Any]]:
    _ = ctx._
    due = rules.parse_due(data["due"])
    return [
        (_("Meeting"), data["title"]),
        (_("Agreement"), data["text"]),
        (_("Responsible"), data["invitees"].get(str(data["responsible"]), "—")),
        (_("Due date"), ctx.t.date(due) if due else "—"),
    ]


async def _confirm(ctx: Ctx, data: dict[str, Any]) -> None:
    meeting = await meeting_repo.get(ctx.session, int(data["meeting"]))
    due = rules.parse_due(data["due"])
    if meeting is None or due is None or not await staff_meeting(ctx, meeting):
        return
    try:
        await rules.record(
            ctx.session,
            meeting,
            text=data["text"],
            responsible_id=int(data["responsible"]),
            due_on=due,
            created_by=ctx.person.id if ctx.person else None,
            now=ctx.runtime.clock.now(),
            zone=ctx.settings.timezone,
        )
    except rules.AgreementError as error:
        ctx.show(ctx._(str(error)))
        return
    ctx.show(ctx._("✅ Agreement recorded; its responsible will be reminded before the due date."))
    await show_list(ctx, meeting, edit=False)


# The new-agreement form and the edit form (handlers/agreement_edit.py) ask these the same way.
RESPONSIBLE = Step(
    "responsible",
    N_("Who is <b>responsible</b>? Choose an invitee, or write part of their name."),
    kind="choice",
    options=lambda data: data.get("invitees", {}),
    match=match_invitee,
    shown=SHOWN,
)
DUE = Step(
    "due",
    N_(
        "By when? Write the <b>due date</b>, for example <code>15/01</code>, "
        "<code>15 de enero</code> or <code>el viernes</code>."
    ),
    kind="date",
    check=due_problem,
)

AGREEMENT = GuidedForm(
    flow=FORM,
    prefix="na",
    heading=N_("<b>New agreement to follow up</b>\n/cancelar stops at any time."),
    steps=(
        Step("text", N_("Write the <b>agreement</b> (up to 500 characters):"), limit=500),
        RESPONSIBLE,
        DUE,
    ),
    summary=_summary,
    confirm_label=N_("📌 Record the agreement"),
    on_confirm=_confirm,
    cancelled=N_("Cancelled. No agreement was recorded."),
)

FEATURE = Feature(
    buttons=(
        Buttons("ag", on_button, Role.OFFICIAL),
        Buttons("na", AGREEMENT.on_button, Role.COORDINATOR),
    ),
    forms={FORM: AGREEMENT.on_text},
    forms_role=Role.COORDINATOR,
    outbox={rules.KIND: render_reminder},
)
