"""Questions for the specialists: sending one, answering from /preguntas, /mis_preguntas.

Callback data: ask:<question> | ask:consent (the asker);
ex:ans:<escalation> | ex:cancel (specialists).
"""

from __future__ import annotations

from bot import held
from bot.i18n import N_, translator
from bot.services import coverage, toolkit
from bot.services.roles import Role, allows
from bot.telegram_entities import utf16_len
from handlers import teaching
from handlers.base import Ctx, cut_html, esc
from handlers.consent import ask_consent
from handlers.keyboards import as_number, button, main_menu_row
from handlers.refusals import refuse_scope
from handlers.registry import Buttons, Command, Feature
from handlers.update_keys import update_key
from storage.repositories import toolkit as usage
from storage.repositories.conversations import clear_state, get_state, set_state
from storage.repositories.toolkit import EscalationRecord

ANSWERING = "expert_answer"
ANSWER_MAX = 3500  # leaves room for the quoted question within Telegram's 4096
MESSAGE_LIMIT = 4096  # Bot API: a message's text, after entities are parsed (UTF-16 units)


async def on_ask(ctx: Ctx) -> None:
    """ask:<question id>: the asker sends their question to the specialists. Someone who has
    not accepted the notice gets ask:consent (their question was not stored) and is asked."""
    _ = ctx._
    if ctx.person is None:
        ask_consent(
            ctx,
            lead=_(
                "To send your question to a specialist and receive the answer, Minka needs to "
                "store your data. Then write your question again."
            ),
        )
        return
    question_id = as_number(ctx.data[1]) if len(ctx.data) > 1 else None
    if question_id is None:
        ctx.toast(_("That button is no longer valid."))
        return
    try:
        escalation_id = await toolkit.escalate(ctx.session, ctx.person, question_id, ctx.now)
    except PermissionError:
        ctx.toast(_("That button is no longer valid."))
        return
    if escalation_id is None:
        ctx.toast(_("This question was already sent."), alert=True)
        return
    ctx.toast(_("Sent."))
    ctx.show(
        _(
            "📨 Your question was sent to the programme's specialists. "
            "The answer will arrive in this chat; see your questions with /mis_preguntas."
        )
    )


async def pending_command(ctx: Ctx) -> None:
    _ = ctx._
    regions = coverage.questions_of(ctx.role, ctx.coverage)
    pending = await usage.pending_escalations(ctx.session, 10, regions)
    total = await usage.count_pending(ctx.session, regions)
    if not pending:
        ctx.reply(_("There are no pending questions. Thank you!"), [main_menu_row(_)])
        return
    ctx.reply(
        ctx.t.ngettext(
            "<b>{count} pending question</b>, oldest first:",
            "<b>{count} pending questions</b>, oldest first:",
            total,
        ).format(count=total)
    )
    for item in pending:
        who = esc(item.asker_name or _("(name not given)"))
        region = esc(item.region_name or _("(region not given)"))
        when = esc(ctx.t.datetime(item.created_at))
        ctx.reply(
            f"{_headline(ctx, item)}\n<i>— {who}, {region} · {when}</i>",
            [[button(_("Answer"), f"ex:ans:{item.id}")]],
        )


def _article_title(ctx: Ctx, article_id: str) -> str:
    article = ctx.runtime.knowledge.kit.articles.get(article_id)
    return article.title if article is not None else article_id


def _headline(ctx: Ctx, item: EscalationRecord) -> str:
    """❓ the question, or ⚠️ the error reported with the article it is about."""
    if item.article_id is None:
        return f"❓ {esc(item.text)}"
    title = ctx._("Error reported in «{title}»:").format(
        title=esc(_article_title(ctx, item.article_id))
    )
    return f"⚠️ <b>{title}</b>\n{esc(item.text)}"


async def on_button(ctx: Ctx) -> None:
    """ex:ans:<escalation id> | ex:cancel"""
    _ = ctx._
    action = ctx.data[1] if len(ctx.data) > 1 else ""
    escalation_id = as_number(ctx.data[2]) if len(ctx.data) > 2 else None
    if action == "cancel":
        await clear_state(ctx.session, ctx.user.id)
        ctx.show(_("Answer cancelled. The question is still pending."))
        return
    if action != "ans" or escalation_id is None:
        ctx.toast(_("That button is no longer valid."))
        return
    if ctx.person is None:
        ctx.toast(_("To answer questions, first register with /start."), alert=True)
        return
    item = await usage.get_escalation(ctx.session, escalation_id)
    if item is None or item.status != "pending":
        ctx.toast(_("This question has already been answered."), alert=True)
        return
    if not await _may_answer(ctx, item):
        return
    await set_state(ctx.session, ctx.user.id, ANSWERING, "text", {"escalation": item.id})
    ctx.reply(
        _("Write your answer to:\n«{question}»").format(question=esc(item.text)),
        [[button(_("Cancel"), "ex:cancel")]],
    )


async def _may_answer(ctx: Ctx, item: EscalationRecord) -> bool:
    """A regional coordinator answers only the questions of the regions they cover (checked
    on the button and again on the answer: the grant may change in between); refused and
    audited otherwise."""
    regions = coverage.questions_of(ctx.role, ctx.coverage)
    if regions is None or item.region_code in regions:
        return True
    await refuse_scope(ctx, f"question:{item.id}")
    return False


async def on_answer_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    if state is None or ctx.person is None or not allows(ctx.role, Role.SPECIALIST):
        await clear_state(ctx.session, ctx.user.id)
        return
    answer = text.strip()
    if not answer or utf16_len(answer) > ANSWER_MAX:  # as Telegram counts: an emoji is 2
        ctx.reply(_("The answer must have between 1 and 3500 characters. Please write it again."))
        return
    asked = await usage.get_escalation(ctx.session, int(state.data["escalation"]))
    if asked is not None and not await _may_answer(ctx, asked):
        await clear_state(ctx.session, ctx.user.id)
        return
    item = await toolkit.answer_escalation(
        ctx.session, int(state.data["escalation"]), answer, ctx.person, ctx.now
    )
    await clear_state(ctx.session, ctx.user.id)
    if item is None:
        ctx.reply(_("Someone else already answered this question. Yours was not sent."))
        return
    if item.asker_telegram_id is not None:
        # Kept in the outbox for the asker's chat (`held.tell`): at once, whatever waits in
        # the specialist's own chat.
        title = _article_title(ctx, item.article_id) if item.article_id else None
        ctx.later(
            lambda: _deliver(
                ctx, item.asker_telegram_id, item.asker_locale, item.text, answer, title
            ),
            chat=False,
        )
    ctx.reply(_("✅ Answer sent. Thank you!"))
    teaching.offer(ctx, item, answer)


async def _deliver(
    ctx: Ctx, chat_id: int, language: str, question: str, answer: str, article: str | None
) -> None:
    t = translator(language, ctx.settings.timezone)
    if article is None:
        heading = t.gettext("📬 <b>A specialist answered your question</b>")
    else:
        heading = t.gettext("📬 <b>A specialist answered your report on «{title}»</b>").format(
            title=esc(article)
        )
    # The answer whole (at most ANSWER_MAX), the quoted question shortened to what is left of
    # Telegram's 4,096 characters: a report of 1,000 plus an answer of 3,500 would not fit.
    room = MESSAGE_LIMIT - len(heading) - utf16_len(answer) - 6
    text = f"{heading}\n«{cut_html(esc(question), room)}»\n\n{esc(answer)}"
    key = f"{update_key(ctx.update, ctx.settings.pseudonym_secret)}:answer"
    await held.tell(ctx.context.application, chat_id=chat_id, text=text, key=key)


async def my_questions_command(ctx: Ctx) -> None:
    _ = ctx._
    items = await usage.person_escalations(ctx.session, ctx.person.id) if ctx.person else []
    if not items:  # a way on: the Tool Kit, where questions are asked
        ctx.reply(
            _(
                "You have not sent questions to the specialists. When Minka has no sure answer, "
                "it offers to send your question."
            ),
            [[button(_("📚 Consult the Tool Kit"), "kb:topics")], main_menu_row(_)],
        )
        return
    blocks = [_("<b>My questions to the specialists</b>")]
    for item in items[:10]:
        when = esc(ctx.t.datetime(item.created_at))
        if item.answer:
            status = _("Answered: {answer}").format(answer=esc(item.answer))
        else:
            status = _("Pending")
        blocks.append(f"{_headline(ctx, item)}\n<i>{when}</i>\n{status}")
    ctx.reply(cut_html("\n\n".join(blocks)))


FEATURE = Feature(
    commands=(
        Command("mis_preguntas", my_questions_command, N_("My questions to the specialists"), None),
        Command(
            "preguntas", pending_command, N_("Pending questions for specialists"), Role.SPECIALIST
        ),
    ),
    buttons=(Buttons("ask", on_ask, None), Buttons("ex", on_button, Role.SPECIALIST)),
    forms={ANSWERING: on_answer_text},
    forms_role=Role.SPECIALIST,
)
