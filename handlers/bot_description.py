"""The bot's description (what a newcomer reads in the empty chat, «¿Qué puede hacer este
bot?», before pressing Iniciar) and short description (its profile page and shared links), in
BOT_LOCALE for every app's language, as the command menus are. Set at start-up by a job, only
where none is set (Telegram answers ""): one an operator wrote at @BotFather stays; under
flood control past the rate limiter's retries the job runs again when Telegram allows."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, JobQueue

from bot import metrics
from bot.i18n import N_, translator
from bot.ratelimit import retry_after
from bot.runtime import Runtime

log = logging.getLogger(__name__)
START_UP = "bot description"  # the start-up job's name
# At most 512 and 120 characters (Bot API, setMyDescription and setMyShortDescription).
DESCRIPTION = N_(
    "Minka is the assistant of the small-scale and artisanal mining programme of MINEM and "
    "the regional governments. It answers questions about the Mining Tool Kit and helps "
    "officials with workshops, meetings and the cases they attend.\n\n"
    "Press Start to begin: before storing any data, Minka asks for your consent."
)
SHORT_DESCRIPTION = N_(
    "The small-scale mining programme's assistant: Tool Kit, workshops, meetings and cases."
)


def set_at_start(application: Application) -> None:
    assert application.job_queue is not None
    _schedule(application.job_queue, 0.0)


def _schedule(job_queue: JobQueue, delay: float) -> None:
    # No misfire grace: scheduled before the job queue starts (post_init), it must still run.
    job_queue.run_once(_set, delay, name=START_UP, job_kwargs={"misfire_grace_time": None})


async def _set(context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime: Runtime = context.bot_data["runtime"]
    t = translator(runtime.settings.bot_locale, ZoneInfo("UTC"))  # no dates in them
    bot = context.bot
    try:
        if not (await bot.get_my_description()).description:
            await bot.set_my_description(t.gettext(DESCRIPTION))
        if not (await bot.get_my_short_description()).short_description:
            await bot.set_my_short_description(t.gettext(SHORT_DESCRIPTION))
    except RetryAfter as error:
        wait = retry_after(error).total_seconds()
        metrics.flood_round("start_description")
        log.info("bot description: flood control, trying again in %g s", wait)
        assert context.job_queue is not None
        _schedule(context.job_queue, wait)
    except TelegramError as error:
        log.warning("could not set the bot's description: %s", error)
