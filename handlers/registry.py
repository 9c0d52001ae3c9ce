"""The shape of a feature module: its commands, its button prefixes and its text forms.

Each feature module exposes one `FEATURE`; `handlers.register` wires them all in one place,
so the role needed by every command and button is visible (and testable) in one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.outbox import AfterSend, Renderer, Withhold
from bot.services.access import Needs
from bot.services.roles import Role
from handlers.base import HandlerFn


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # 1-32 chars: lowercase letters, digits, underscores (Bot API)
    handler: HandlerFn
    description: str  # untranslated msgid, shown in Telegram's command menu and /ayuda
    role: Role | None  # None: anyone, even before accepting the privacy notice
    in_menu: bool = True
    # Besides the role: a finished registration, or an Equipo Regional (bot/services/access.py);
    # /ayuda and the command menus list the command only to those who can use it.
    needs: Needs = Needs.ANYONE


@dataclass(frozen=True, slots=True)
class Buttons:
    prefix: str  # callback data is "<prefix>:<action>[:<argument>...]"
    handler: HandlerFn
    role: Role | None


@dataclass(frozen=True, slots=True)
class Feature:
    commands: tuple[Command, ...] = ()
    buttons: tuple[Buttons, ...] = ()
    forms: Mapping[str, HandlerFn] = field(default_factory=dict)  # flow name -> typed-text handler
    # The role every typed answer to these forms needs: checked again when each message
    # arrives, so a role taken away in the middle of a form stops it.
    forms_role: Role | None = None
    outbox: Mapping[str, Renderer] = field(default_factory=dict)  # owed message kind -> renderer
    after_send: Mapping[str, AfterSend] = field(default_factory=dict)  # kind -> progress hook
    # kind -> whether a message must not go, asked when it is sent (its author's authority)
    withhold: Mapping[str, Withhold] = field(default_factory=dict)
