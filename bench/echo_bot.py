"""The framework's ceiling for bench.throughput: a bare python-telegram-bot bot on the same
server, with the same concurrency, that echoes text (with one button) and answers a button by
editing its message. No database, no logic. With BENCH_TRANSPORT=aiohttp it uses Minka's HTTP
client (bot.transport) instead of PTB's default (httpx): the ceiling of Minka's own stack."""

from __future__ import annotations

import asyncio
import os
import signal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.transport import AiohttpRequest

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("otra vez", callback_data="echo")]])


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "", reply_markup=KEYBOARD)


async def press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"{query.data} {query.id}", reply_markup=KEYBOARD)


async def main() -> None:
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(64)
    )
    if os.environ.get("BENCH_TRANSPORT") == "aiohttp":
        builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(press))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        await application.start()
        await stop.wait()
        await application.updater.stop()
        await application.stop()


if __name__ == "__main__":
    asyncio.run(main())
