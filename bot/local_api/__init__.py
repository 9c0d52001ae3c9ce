"""A local, faithful Telegram Bot API server for tests and the token-free demo.

Point python-telegram-bot at :attr:`LocalBotApi.base_url`; the server answers over real HTTP with
Telegram's JSON shapes, validation rules and error descriptions.
"""

from bot.local_api.api import LocalBotApi
from bot.local_api.events import BotEvent, Refusal
from bot.local_api.faults import Fault

__all__ = ["BotEvent", "Fault", "LocalBotApi", "Refusal"]
