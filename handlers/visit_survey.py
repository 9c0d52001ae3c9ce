"""The questionnaire after a study visit, for its delegation: usefulness 1–5 (buttons), three
things learned and one practice to apply at home (typed), equal-opportunity practices seen
(Sí/No) and a comment (typed, or skipped). Sent by the outbox when the visit is over, with one
reminder to those who have not answered.

Callback data: vq:<visit>:u:<1-5> | vq:<visit>:e:<1|0> | vq:<visit>:skip. Every press and
typed answer is checked again: in the delegation, visit over, not answered yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from bot.outgoing import Outgoing
from bot.services import visits as rules
from bot.services.roles import Role
from bot.services.text import clean_text
from handlers.base import Ctx, Keyboard, esc
from handlers.keyboards import as_number, button
from handlers.registry import Buttons, Feature
from storage.repositories import visits as repo
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.outbox import OwedMessage
from storage.repositories.visits import SurveyAnswers, VisitRecord

SURVEY_FORM = "visit_survey"
TEXT_MAX = 500
LEARNED = 3


def _usefulness_keyboard(visit_id: int) -> Keyboard:
    return [[button(str(n), f"vq:{visit_id}:u:{n}") for n in range(1, 6)]]


def _question(t: Translator, visit: VisitRecord) -> str:
    return (
        "📝 "
        + t.gettext("<b>Questionnaire on the study visit</b> «{title}»").format(
            title=esc(visit.title)
        )
        + "\n\n"
        + t.gettext(
            "Overall, how useful was the visit for your work? (1 = not useful, 5 = very useful)"
        )
        + "\n"
        + t.gettext("You can answer until {date}.").format(
            date=t.datetime(rules.survey_closes(visit))
        )
    )


async def _render(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime, reminder: bool
) -> Outgoing | None:
    visit = await repo.get(session, int(owed.payload["visit_id"]))
    person = await repo.participant(session, visit.id, owed.person_id) if visit else None
    if visit is None or person is None or not rules.survey_open(visit, person, now):
        return None
    if not rules.current(visit, owed.payload):
        return None  # owed for dates since changed: the one owed for the new return goes
    text = _question(t, visit)
    if reminder:
        text = "⏰ " + t.gettext("Reminder: your answers help report on the visit.") + "\n" + text
    return Outgoing(text, InlineKeyboardMarkup(_usefulness_keyboard(visit.id)))


async def render_survey(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    return await _render(session, owed, t, now, reminder=False)


async def render_reminder(
    session: AsyncSession, owed: OwedMessage, t: Translator, now: datetime
) -> Outgoing | None:
    return await _render(session, owed, t, now, reminder=True)


async def _open_visit(ctx: Ctx, visit_id: int) -> VisitRecord | None:
    """The visit when this person may answer its questionnaire now; otherwise says why."""
    visit = await repo.get(ctx.session, visit_id)
    person = (
        await repo.participant(ctx.session, visit_id, ctx.person.id)
        if visit and ctx.person
        else None
    )
    if (
        visit is None
        or person is None
        or not rules.survey_open(visit, person, ctx.runtime.clock.now())
    ):
        text = ctx._("This questionnaire is not open for you (or you already answered it).")
        if ctx.query is not None:
            ctx.toast(text, alert=True)
        else:
            ctx.reply(text)
        await clear_state(ctx.session, ctx.user.id)
        return None
    return visit


def _learned_prompt(ctx: Ctx, number: int) -> str:
    return ctx._("({number} of 3) Write <b>one thing you learned</b> on the visit.").format(
        number=number
    )


async def on_button(ctx: Ctx) -> None:
    """vq:<visit>:u:<n> | vq:<visit>:e:<1|0> | vq:<visit>:skip"""
    _ = ctx._
    parts = ctx.data[1:]
    visit_id = as_number(parts[0]) if parts else None
    if visit_id is None or len(parts) not in (2, 3):
        ctx.toast(_("That button is no longer valid."))
        return
    visit = await _open_visit(ctx, visit_id)
    if visit is None:
        return
    state = await get_state(ctx.session, ctx.user.id)
    ours = state is not None and state.flow == SURVEY_FORM and state.data.get("visit") == visit_id
    value = as_number(parts[2]) if len(parts) == 3 else None
    if parts[1] == "u" and value is not None and 1 <= value <= 5:
        await set_state(
            ctx.session,
            ctx.user.id,
            SURVEY_FORM,
            "learned",
            {"visit": visit_id, "usefulness": value, "learned": []},
        )
        ctx.toast(_("Saved."))
        ctx.reply(_learned_prompt(ctx, 1))
    elif parts[1] == "e" and value in (0, 1) and ours and state and state.step == "equality":
        await set_state(
            ctx.session, ctx.user.id, SURVEY_FORM, "comment", {**state.data, "equality": value}
        )
        ctx.reply(
            _("Any comment on those equal-opportunity practices?"),
            [[button(_("Skip"), f"vq:{visit_id}:skip")]],
        )
    elif parts[1] == "skip" and ours and state and state.step == "comment":
        await _save(ctx, visit, state.data, None)
    else:
        ctx.toast(_("That button is no longer valid."))


async def on_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None:
        return
    visit = await _open_visit(ctx, int(state.data["visit"]))
    if visit is None:
        return
    if state.step == "equality":
        ctx.reply(_("Please answer with the buttons «Sí» or «No»."), _equality_keyboard(ctx, visit))
        return
    value = clean_text(text)
    if len(value) < 2 or len(value) > TEXT_MAX:
        ctx.reply(_("Please write between 2 and 500 characters."))
        return
    data = dict(state.data)
    if state.step == "learned":
        data["learned"] = [*data["learned"], value]
        if len(data["learned"]) < LEARNED:
            await set_state(ctx.session, ctx.user.id, SURVEY_FORM, "learned", data)
            ctx.reply(_learned_prompt(ctx, len(data["learned"]) + 1))
        else:
            await set_state(ctx.session, ctx.user.id, SURVEY_FORM, "practice", data)
            ctx.reply(_("Which <b>one practice</b> will you apply in your region?"))
    elif state.step == "practice":
        await set_state(
            ctx.session, ctx.user.id, SURVEY_FORM, "equality", {**data, "practice": value}
        )
        ctx.reply(
            _("Did you see practices of equal opportunities between women and men?"),
            _equality_keyboard(ctx, visit),
        )
    elif state.step == "comment":
        await _save(ctx, visit, data, value)


def _equality_keyboard(ctx: Ctx, visit: VisitRecord) -> Keyboard:
    return [
        [
            button(ctx._("Yes"), f"vq:{visit.id}:e:1"),
            button(ctx._("No"), f"vq:{visit.id}:e:0"),
        ]
    ]


async def _save(ctx: Ctx, visit: VisitRecord, data: dict, comment: str | None) -> None:
    assert ctx.person is not None
    answers = SurveyAnswers(
        usefulness=int(data["usefulness"]),
        learned=tuple(data["learned"]),
        practice=str(data["practice"]),
        equality_seen=bool(data["equality"]),
        equality_comment=comment,
    )
    await repo.save_survey(ctx.session, visit.id, ctx.person.id, answers, ctx.runtime.clock.now())
    await clear_state(ctx.session, ctx.user.id)
    ctx.reply(ctx._("Thank you! Your answers were saved."))


FEATURE = Feature(
    buttons=(Buttons("vq", on_button, Role.OFFICIAL),),
    forms={SURVEY_FORM: on_text},
    forms_role=Role.OFFICIAL,
    outbox={"visit_survey": render_survey, "visit_survey_reminder": render_reminder},
)
