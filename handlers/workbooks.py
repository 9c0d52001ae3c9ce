"""A workbook a press asks for (a meeting's, a visit's, a workshop's, the Regional Teams'),
built in a worker process after the update, not inside it.

One person's updates are handled in order (bot/updates.py): built inside the update, a
workbook held the person's next press until it was done (a cold worker spawns and imports
openpyxl: seconds on a busy machine), and Telegram refuses a press's answer after a few
seconds («query is too old»), the button spinning. Built apart (`Ctx.apart`, as the
indicator report), the press is answered and the update ends at once; the file follows in
the chat's turn, kept in the outbox under flood control, and if Minka stops meanwhile the
person is told, with a button that asks again.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile

from bot import held_send, refused, workers
from bot import telegram_limits as limits
from bot.reply_data import Reply
from handlers.base import Ctx, esc
from handlers.keyboards import button


async def send_apart(
    ctx: Ctx, target: str, args: tuple[Any, ...], filename: str, caption: str = ""
) -> None:
    """`target(*args)` (bot/workers.py) sent as the document `filename` with `caption`
    (HTML), after this update; the press is answered with «Preparing the file…»."""
    _ = ctx._
    ctx.toast(_("Preparing the file…"))
    bot, chat_id, what = ctx.context.bot, ctx.chat_id, f"a file ({ctx.action})"
    cut = limits.cut_html(caption, limits.CAPTION_LIMIT) if caption else ""

    async def prepare() -> list[held_send.Part]:
        content = await workers.run(target, *args)

        def send(body: str, mode: str | None, _keys: object) -> Awaitable[Any]:
            return bot.send_document(
                chat_id,
                InputFile(content, filename=filename),
                caption=body or None,
                parse_mode=mode,
            )

        def run() -> Awaitable[Any]:
            return refused.send(send, cut, None, what)

        return [(run, Reply(cut, document=(filename, content)))]

    again = ctx.query.data if ctx.query is not None and ctx.query.data else None
    notice = "⚠️ " + _(
        "Your file {name} was cut short: Minka restarted while preparing it. Press the button "
        "to ask for it again."
    ).format(name=esc(filename))
    markup = (
        InlineKeyboardMarkup([[button(_("🔁 Ask for the file again"), again)]]) if again else None
    )
    await ctx.apart(prepare, notice, markup)
