"""A workshop's survey: five questions from 1 to 5 and a comment, /calificar, and the
messages the outbox sends about it (the survey, its reminder, the results).

Callback data: rate:<workshop>:start | rate:<workshop>:<criterion>:<1-5> | rate:<workshop>:skip.
Every press is checked again (attended? ended? still open?), so old or forged buttons are safe.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.outgoing import Outgoing
from bot.services import workshops as rules
from bot.services.access import Needs
from bot.services.small_cells import SMALL_CELL
from bot.services.text import clean_text
from bot.services.workshop_report import CRITERION_LABELS
from bot.services.workshops import CanRate
from handlers.base import Ctx, Keyboard, esc
from handlers.keyboards import as_number, button, main_menu_row
from handlers.registry import Buttons, Command, Feature
from storage.repositories import workshops as repo
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.outbox import OwedMessage
from storage.repositories.workshops import CRITERIA, WorkshopRecord

COMMENT_FORM = "workshop_comment"
COMMENT_MAX = 1000
QUESTIONS: dict[str, str] = {
    "overall": N_("How do you rate the workshop <b>overall</b>?"),
    "content": N_("How do you rate its <b>content</b>?"),
    "facilitation": N_("How do you rate the <b>facilitation</b>?"),
    "usefulness": N_("How <b>useful</b> is it for your work?"),
    "organization": N_("How do you rate the <b>organisation</b>?"),
}


def when(t: Translator, workshop: WorkshopRecord) -> str:
    return t.datetime(workshop.starts_at)


def scale_keyboard(workshop_id: int, criterion: str) -> Keyboard:
    return [[button(str(n), f"rate:{workshop_id}:{criterion}:{n}") for n in range(1, 6)]]


def question_text(t: Translator, workshop: WorkshopRecord, criterion: str) -> str:
    _ = t.gettext
    step = _("Question {number} of {total}").format(
        number=CRITERIA.index(criterion) + 1, total=len(CRITERIA) + 1
    )
    return f"📝 «{esc(workshop.title)}»\n<i>{step}</i>\n\n{_(QUESTIONS[criterion])}\n" + _(
        "1 = very poor · 5 = excellent"
    )


async def on_rate(ctx: Ctx) -> None:
    _ = ctx._
    parts = ctx.data[1:]
    workshop_id = as_number(parts[0]) if parts else None
    if workshop_id is None:
        ctx.toast(_("That button is no longer valid."))
        return
    can, workshop = await rules.can_rate(
        ctx.session, ctx.person, workshop_id, ctx.runtime.clock.now()
    )
    if can is not CanRate.YES:
        ctx.toast(_refusal(ctx, can), alert=True)
        return
    assert workshop is not None and ctx.person is not None
    action = parts[1] if len(parts) > 1 else ""
    if action == "start":
        ctx.show(
            question_text(ctx.t, workshop, CRITERIA[0]), scale_keyboard(workshop_id, CRITERIA[0])
        )
    elif action in CRITERIA and len(parts) == 3 and parts[2] in {"1", "2", "3", "4", "5"}:
        await rules.rate(ctx.session, workshop_id, ctx.person.id, action, int(parts[2]))
        following = rules.next_criterion(action)
        if following is not None:  # the rest may be left: two taps rate a workshop
            send = button(_("✅ Send it as it is"), f"rate:{workshop_id}:skip")
            ctx.show(
                question_text(ctx.t, workshop, following),
                [*scale_keyboard(workshop_id, following), [send]],
            )
        else:
            await set_state(
                ctx.session, ctx.user.id, COMMENT_FORM, "comment", {"workshop": workshop_id}
            )
            ctx.show(
                f"📝 «{esc(workshop.title)}»\n\n"
                + _("Any comment? Write it here (it is shown without your name), or press «Skip»."),
                [[button(_("Skip"), f"rate:{workshop_id}:skip")]],
            )
    elif action == "skip" and await _rated_overall(ctx, workshop_id):
        await _finish(ctx, workshop, None)
    else:
        ctx.toast(_("That button is no longer valid."))


async def _rated_overall(ctx: Ctx, workshop_id: int) -> bool:
    """«Enviar así» and «Omitir» are offered only after the overall rating: pressed before it
    (a forged button) they would record a response without one."""
    assert ctx.person is not None
    rating = await repo.get_rating(ctx.session, workshop_id, ctx.person.id)
    return rating is not None and rating.overall is not None


def _refusal(ctx: Ctx, can: CanRate) -> str:
    _ = ctx._
    return {
        CanRate.NOT_ENDED: _("You can rate the workshop when it has ended."),
        CanRate.NOT_ATTENDED: _("Only people who attended the workshop can rate it."),
        CanRate.CLOSED: _("The survey for this workshop is closed."),
        CanRate.UNKNOWN: _("That workshop no longer exists."),
    }.get(can, _("That button is no longer valid."))


async def on_comment(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    workshop_id = int(state.data["workshop"])
    can, workshop = await rules.can_rate(
        ctx.session, ctx.person, workshop_id, ctx.runtime.clock.now()
    )
    if can is not CanRate.YES or workshop is None:
        await clear_state(ctx.session, ctx.user.id)
        ctx.reply(_refusal(ctx, can))
        return
    if not await _rated_overall(ctx, workshop_id):  # reached by forged presses: ask it first
        await clear_state(ctx.session, ctx.user.id)
        ctx.reply(
            question_text(ctx.t, workshop, CRITERIA[0]), scale_keyboard(workshop_id, CRITERIA[0])
        )
        return
    comment = clean_text(text)
    if len(comment) > COMMENT_MAX:
        ctx.reply(_("The comment is too long; please use at most 1000 characters."))
        return
    await _finish(ctx, workshop, comment or None)


async def _finish(ctx: Ctx, workshop: WorkshopRecord, comment: str | None) -> None:
    _ = ctx._
    assert ctx.person is not None
    await clear_state(ctx.session, ctx.user.id)
    await rules.finish_survey(
        ctx.session, workshop.id, ctx.person.id, comment, ctx.runtime.clock.now()
    )
    rating = await repo.get_rating(ctx.session, workshop.id, ctx.person.id)
    assert rating is not None
    lines = [
        f"{_(CRITERION_LABELS[criterion])}: {rating.value(criterion) or '—'}"
        for criterion in CRITERIA
    ]
    text = (
        _("🙏 Thank you! Your rating of «{title}» was recorded:").format(title=esc(workshop.title))
        + "\n"
        + "\n".join(lines)
        + "\n\n"
        + _("You can change it until {date}.").format(
            date=ctx.t.datetime(workshop.survey_closes_at)
        )
    )
    keyboard = [[button(_("Change my rating"), f"rate:{workshop.id}:start")]]
    if ctx.query is not None:
        ctx.show(text, keyboard)
    else:
        ctx.reply(text, keyboard)


async def rate_command(ctx: Ctx) -> None:
    """/calificar: the person's open surveys."""
    _ = ctx._
    now = ctx.runtime.clock.now()
    open_ones = await repo.open_surveys(ctx.session, ctx.person.id, now) if ctx.person else []
    if not open_ones:  # a way on: the workshops (check-in, materials) and the menu
        keyboard = [[button(_("🎓 Workshops"), "menu:workshops")], main_menu_row(_)]
        ctx.reply(_("You have no workshop surveys to answer."), keyboard)
        return
    keyboard = [[button(w.title, f"rate:{w.id}:start")] for w in open_ones]
    ctx.reply(_("<b>Open surveys</b>\nChoose a workshop to rate it:"), keyboard)


# --- what the outbox sends -------------------------------------------------------------------


async def render_survey(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    workshop = await repo.get(session, int(owed.payload["workshop_id"]))
    if workshop is None:
        return None
    intro = t.gettext(
        "📝 <b>Workshop survey</b>\n«{title}» ({date})\nFive questions from 1 to 5 and an "
        "optional comment: less than a minute."
    ).format(title=esc(workshop.title), date=when(t, workshop))
    first = t.gettext(QUESTIONS[CRITERIA[0]]) + "\n" + t.gettext("1 = very poor · 5 = excellent")
    return Outgoing(
        intro + "\n\n" + first, InlineKeyboardMarkup(scale_keyboard(workshop.id, CRITERIA[0]))
    )


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    workshop = await repo.get(session, int(owed.payload["workshop_id"]))
    rating = await repo.get_rating(session, int(owed.payload["workshop_id"]), owed.person_id)
    if workshop is None or (rating is not None and rating.completed_at is not None):
        return None
    text = t.gettext(
        "⏰ You have not rated «{title}» yet. Your opinion improves the next workshops; "
        "it takes less than a minute."
    ).format(title=esc(workshop.title))
    return Outgoing(
        text, InlineKeyboardMarkup([[button(t.gettext("Rate now"), f"rate:{workshop.id}:start")]])
    )


async def render_results(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    workshop = await repo.get(session, int(owed.payload["workshop_id"]))
    if workshop is None:
        return None
    average, responses = await repo.overall_summary(session, workshop.id)
    if average is None or responses < SMALL_CELL:
        text = t.ngettext(
            "📊 The survey of «{title}» closed with {count} response. Thank you for taking part!",
            "📊 The survey of «{title}» closed with {count} responses. Thank you for taking part!",
            responses,
        ).format(title=esc(workshop.title), count=responses)
    else:
        text = t.gettext(
            "📊 Results of «{title}»: overall rating {average} out of 5, from {count} responses. "
            "Thank you for taking part!"
        ).format(title=esc(workshop.title), average=t.number(average, 1), count=responses)
    return Outgoing(text)


FEATURE = Feature(
    commands=(
        Command(
            "calificar",
            rate_command,
            N_("Rate the workshops I attended"),
            None,
            needs=Needs.REGISTERED,
        ),
    ),
    buttons=(Buttons("rate", on_rate, None),),
    forms={COMMENT_FORM: on_comment},
    outbox={
        "workshop_survey": render_survey,
        "workshop_reminder": render_reminder,
        "workshop_results": render_results,
    },
)
