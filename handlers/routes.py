"""One PTB handler for all of Minka's private commands and one for all its buttons, each
routing by name (a dict) to the feature's callback. PTB tries a group's handlers one after
the other: with one handler per command and per button prefix (36 and 33), every free-text
message was first checked against each command, and every press against the prefixes before
its own: 40 us to find a free text's handler, 73 us a meeting RSVP's, against 11 and 3 now
(load 6.7), of the 4-5 ms of CPU an update takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def commands(routes: Iterable[tuple[str, Callback]], only: filters.BaseFilter) -> CommandHandler:
    """`/name` (or `/name@bot`) to its callback, as one CommandHandler per name would: PTB
    checks the name, the bot's username and `only`, and sets `context.args`."""
    by_name: dict[str, Callback] = {}
    for name, callback in routes:
        by_name.setdefault(name.lower(), callback)  # PTB: the first handler registered wins

    async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text and message.entities  # checked by PTB
        name = message.text[1 : message.entities[0].length].split("@")[0].lower()
        await by_name[name](update, context)

    return CommandHandler(list(by_name), route, filters=only)


def buttons(routes: Iterable[tuple[str, Callback]]) -> CallbackQueryHandler:
    """Callback data `prefix:…` to the prefix's callback, as a handler per prefix with the
    pattern `^prefix:` would (no prefix holds a colon, so the part before the first one
    names it)."""
    by_prefix: dict[str, Callback] = {}
    for prefix, callback in routes:
        if ":" in prefix:
            raise ValueError(f"a button prefix with a colon: {prefix!r}")
        by_prefix.setdefault(prefix, callback)

    def known(data: object) -> bool:
        if not isinstance(data, str):
            return False
        prefix, colon, _rest = data.partition(":")
        return bool(colon) and prefix in by_prefix

    async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and isinstance(query.data, str)  # checked by `known`
        await by_prefix[query.data.partition(":")[0]](update, context)

    return CallbackQueryHandler(route, pattern=known)
