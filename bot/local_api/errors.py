"""Telegram-shaped API errors.

Every failure the local server reports goes through :class:`ApiError`, so the JSON body always has
the exact shape Telegram uses (``ok``/``error_code``/``description`` and, for flood control,
``parameters.retry_after``) and client libraries map it to the same exceptions they would raise in
production.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error response: HTTP status plus Telegram's human-readable description."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: float | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        parameters = {
            key: value
            for key, value in (
                ("migrate_to_chat_id", self.migrate_to_chat_id),
                ("retry_after", self.retry_after),
            )
            if value is not None
        }
        if parameters:
            body["parameters"] = parameters  # Telegram's ResponseParameters
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """403 with Telegram's ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    """409, used by getUpdates when another poller or a webhook is active."""
    return ApiError(409, f"Conflict: {reason}")


def migrated(new_chat_id: int) -> ApiError:
    """400 for a basic group that became a supergroup: the new id in
    ``parameters.migrate_to_chat_id`` (as Telegram answers, e.g. TwiN/gatus#179)."""
    return ApiError(400, f"Bad Request: {MIGRATED}", migrate_to_chat_id=new_chat_id)


def too_many_requests(retry_after: float) -> ApiError:
    """429 flood-control error; ``retry_after`` is whole seconds, as Telegram sends it (a
    test may ask for a fraction of one: as many refusals, and less waiting for them)."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def not_found() -> ApiError:
    """404 for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """401 for a well-formed token that is not this bot's."""
    return ApiError(401, "Unauthorized")


def server_error(status: int) -> ApiError:
    """5xx with the HTTP reason phrase as description, like Telegram's gateway errors."""
    phrases = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return ApiError(status, phrases.get(status, "Internal Server Error"))


MIGRATED = "group chat was upgraded to a supergroup chat"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
# Refusals caused by the state of the world (a message deleted or too old, a press answered
# late, a chat that does not exist), not by the form of the request: a bot meets them in
# production however correct its requests are. Every other 400 means the request itself broke
# a Bot API rule (a limit, a type, the HTML), which a correct bot never does.
_STATE_REASONS = (
    QUERY_INVALID,
    NOT_MODIFIED,
    MIGRATED,
    "chat not found",
    "user not found",
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
    "message to delete not found",
    "message can't be deleted",
    "message to be replied not found",
    "MESSAGE_ID_INVALID",
    "wrong file identifier/HTTP URL specified",
    "failed to get HTTP URL content",
    "invalid file_id",
)


def about_state(error: ApiError) -> bool:
    """True when `error` is not the request's fault (see _STATE_REASONS)."""
    if error.status == 413:  # an upload over the limit
        return False
    if error.status != 400:
        return True
    reason = error.description.removeprefix("Bad Request: ")
    return reason in _STATE_REASONS
