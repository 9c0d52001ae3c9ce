"""Minka, the Telegram assistant (see README.md for the map of the code)."""

import os

# python-telegram-bot 22.2+ gives durations (RetryAfter.retry_after...) as timedelta when
# PTB_TIMEDELTA is set, its documented opt-in; without it every read warns that ints are
# deprecated. Minka reads them as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
