"""«⚠️ Reportar un error» under every article: the official writes what is wrong, the report
reaches the specialists' /preguntas with the article named, and their answer comes back here.

Callback data: rep:<article> (start a report) | rep:cancel.
"""

from __future__ import annotations

from bot.services import toolkit
from bot.services.toolkit import REPORT_MAX
from handlers.base import Ctx, esc
from handlers.consent import ask_consent
from handlers.keyboards import button
from handlers.registry import Buttons, Feature
from storage.repositories.conversations import clear_state, get_state, set_state

REPORTING = "kb_report"
REPORT_MIN = 3


def report_row(ctx: Ctx, article_id: str) -> list:
    return [button(ctx._("⚠️ Report an error"), f"rep:{article_id}")]


async def on_button(ctx: Ctx) -> None:
    """rep:<article> | rep:cancel"""
    _ = ctx._
    argument = ctx.data[1] if len(ctx.data) > 1 else ""
    if argument == "cancel":
        state = await get_state(ctx.session, ctx.user.id)
        if state is not None and state.flow == REPORTING:
            await clear_state(ctx.session, ctx.user.id)
        ctx.show(_("Report cancelled. Nothing was sent."))
        return
    article = ctx.runtime.knowledge.kit.articles.get(argument)
    if article is None:
        ctx.toast(_("That button is no longer valid."))
        return
    if ctx.person is None:
        ask_consent(
            ctx,
            lead=_(
                "To report an error and receive the specialists' answer, Minka needs to store "
                "your data. Then press «⚠️ Report an error» again."
            ),
        )
        return
    await set_state(ctx.session, ctx.user.id, REPORTING, "text", {"article": article.id})
    ctx.reply(
        _(
            "⚠️ <b>Report an error in «{title}»</b>\nWrite what is wrong or missing: for "
            "example a norm that changed, a deadline that passed or a wrong figure. A "
            "specialist will review it and answer you in this chat."
        ).format(title=esc(article.title)),
        [[button(_("Cancel"), "rep:cancel")]],
    )


async def on_report_text(ctx: Ctx, text: str) -> None:
    _ = ctx._
    state = await get_state(ctx.session, ctx.user.id)
    article_id = state.data.get("article") if state is not None else None
    article = ctx.runtime.knowledge.kit.articles.get(str(article_id))
    if ctx.person is None or article is None:
        await clear_state(ctx.session, ctx.user.id)
        ctx.reply(_("That article is no longer available. Nothing was sent."))
        return
    report = text.strip()
    if not REPORT_MIN <= len(report) <= REPORT_MAX:
        ctx.reply(
            _("Please describe the error in 3 to 1,000 characters, or press Cancel."),
            [[button(_("Cancel"), "rep:cancel")]],
        )
        return
    await toolkit.report_error(ctx.session, ctx.person, article.id, report, ctx.now)
    await clear_state(ctx.session, ctx.user.id)
    ctx.reply(
        _(
            "✅ Thank you! Your report on «{title}» was sent to the programme's specialists. "
            "Their answer will arrive in this chat; see it with /mis_preguntas."
        ).format(title=esc(article.title))
    )


FEATURE = Feature(buttons=(Buttons("rep", on_button, None),), forms={REPORTING: on_report_text})
