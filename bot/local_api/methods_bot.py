"""Bot API methods about the bot itself: identity, updates, webhook, commands, profile, files."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.local_api.errors import bad_request, conflict
from bot.local_api.methods_messages import Handler
from bot.local_api.state import BotState
from bot.local_api.validation import (
    check_language_code,
    parse_commands,
    parse_menu_button,
    parse_scope,
    private_chat_id,
    scope_key,
)

_WEBHOOK_PORTS = (80, 88, 443, 8443)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_DESCRIPTION_LIMITS = {"description": 512, "short_description": 120}
# getFile: "For the moment, bots can download files of up to 20MB in size."
DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class Described:
    """A result that Telegram accompanies with a top-level ``description`` (webhook methods)."""

    result: Any
    description: str


class BotMethods:
    """Handlers that do not touch chats, so they never produce BotEvents."""

    def __init__(self, state: BotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Handler]:
        return {
            "getMe": self.get_me,
            "logOut": self.ok,
            "close": self.ok,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self.set_my_description,
            "getMyDescription": self.get_my_description,
            "setMyShortDescription": self.set_my_short_description,
            "getMyShortDescription": self.get_my_short_description,
            "getFile": self.get_file,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
        }

    async def get_me(self, p: dict[str, Any]) -> dict[str, Any]:
        return dict(self.state.bot_user)

    async def ok(self, p: dict[str, Any]) -> bool:
        return True

    async def get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.state.webhook is not None:
            raise conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first"
            )
        if "allowed_updates" in p:
            self.state.updates.set_allowed(p["allowed_updates"])
        limit = min(max(p.get("limit", 100), 1), 100)
        timeout = min(max(p.get("timeout", 0), 0), 50)
        return await self.state.updates.poll(p.get("offset", 0), limit, timeout)

    async def set_webhook(self, p: dict[str, Any]) -> Described:
        """Stores the webhook; `LocalBotApi.deliver_webhooks` then pushes updates to it."""
        url = p.get("url", "")
        if not url:
            return await self.delete_webhook(p)
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        if "secret_token" in p and not _SECRET_TOKEN.fullmatch(p["secret_token"]):
            raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in p:
            self.state.updates.set_allowed(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self.state.updates.clear()
        already = self.state.webhook is not None and self.state.webhook["url"] == url
        self.state.webhook = {
            "url": url,
            "max_connections": min(max(p.get("max_connections", 40), 1), 100),
            **({"ip_address": p["ip_address"]} if "ip_address" in p else {}),
            **({"secret_token": p["secret_token"]} if p.get("secret_token") else {}),
        }
        return Described(True, "Webhook is already set" if already else "Webhook was set")

    async def delete_webhook(self, p: dict[str, Any]) -> Described:
        if p.get("drop_pending_updates"):
            self.state.updates.clear()
        was_set = self.state.webhook is not None
        self.state.webhook = None
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates.updates),
        }
        if self.state.webhook is not None:
            info.update(
                {k: v for k, v in self.state.webhook.items() if k != "secret_token"}
            )  # Telegram never reveals the secret
            if self.state.updates.allowed:
                info["allowed_updates"] = sorted(self.state.updates.allowed)
        return info

    def _commands_key(self, p: dict[str, Any]) -> tuple[str, str]:
        scope = parse_scope(p.get("scope"))
        language = check_language_code(p.get("language_code", ""))
        if "chat_id" in scope:
            self.state.find_chat(scope["chat_id"])
        if "user_id" in scope and self.state.resolve_user(scope["user_id"]) is None:
            raise bad_request("user not found")
        return scope_key(scope), language

    async def set_my_commands(self, p: dict[str, Any]) -> bool:
        commands = parse_commands(p["commands"])
        key = self._commands_key(p)
        if commands:
            self.state.commands[key] = commands
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, p: dict[str, Any]) -> list[dict[str, str]]:
        return copy.deepcopy(self.state.commands.get(self._commands_key(p), []))

    async def delete_my_commands(self, p: dict[str, Any]) -> bool:
        self.state.commands.pop(self._commands_key(p), None)
        return True

    def _menu_chat(self, p: dict[str, Any]) -> int:
        """0 (the bot's default button) or a user the bot knows."""
        if not p.get("chat_id"):
            return 0
        user_id = private_chat_id(p["chat_id"])
        if self.state.resolve_user(user_id) is None:
            raise bad_request("user not found")
        return user_id

    async def set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        button = parse_menu_button(p.get("menu_button"))
        chat = self._menu_chat(p)
        if button["type"] == "default":  # no specific choice: the chat's own is removed
            self.state.menu_buttons.pop(chat, None)
        else:
            self.state.menu_buttons[chat] = button
        return True

    async def get_chat_menu_button(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._menu_chat(p)
        return copy.deepcopy(self.state.menu_buttons.get(chat, {"type": "default"}))

    async def set_my_description(self, p: dict[str, Any]) -> bool:
        return self._set_description("description", p)

    async def set_my_short_description(self, p: dict[str, Any]) -> bool:
        return self._set_description("short_description", p)

    def _set_description(self, field: str, p: dict[str, Any]) -> bool:
        """An empty text removes the description for that language, as in Telegram."""
        text = p.get(field, "")
        if len(text) > _DESCRIPTION_LIMITS[field]:
            raise bad_request(f"{field.replace('_', ' ')} is too long")
        key = (field, check_language_code(p.get("language_code", "")))
        if text:
            self.state.descriptions[key] = text
        else:
            self.state.descriptions.pop(key, None)
        return True

    async def get_my_description(self, p: dict[str, Any]) -> dict[str, str]:
        return {"description": self._description("description", p)}

    async def get_my_short_description(self, p: dict[str, Any]) -> dict[str, str]:
        return {"short_description": self._description("short_description", p)}

    def _description(self, field: str, p: dict[str, Any]) -> str:
        language = check_language_code(p.get("language_code", ""))
        return self.state.descriptions.get((field, language), "")

    async def get_file(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self.state.files.get(p["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > DOWNLOAD_LIMIT:  # the bot could tell from the file's file_size
            raise bad_request("file is too big")
        return {
            "file_id": p["file_id"],
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
