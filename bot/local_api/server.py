"""HTTP front of the local Bot API: routing, request parsing, faults and JSON responses.

Requests look exactly like Telegram's: ``/bot<token>/<method>`` with parameters in the query
string and/or a JSON, form-urlencoded or multipart body, and ``/file/bot<token>/<path>`` for
downloads.  Responses are ``{"ok": true, "result": ...}`` or Telegram's error object.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import web

from bot.local_api.errors import ApiError, about_state, bad_request, not_found, unauthorized
from bot.local_api.events import CallLog, Refusal
from bot.local_api.faults import Fault, FaultInjector, RateLimiter
from bot.local_api.methods_bot import Described
from bot.local_api.methods_messages import Handler
from bot.local_api.schema import CANONICAL_NAMES, METHODS, UploadedFile, ignored_parameters
from bot.local_api.state import BotState
from bot.local_api.validation import coerce_params

_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
_MAX_BODY = 60 * 1024 * 1024  # above Telegram's 50 MB upload limit
# Methods that count against flood control: they create or change messages (bench.broadcast
# counts them too).
RATE_LIMITED = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)


class ApiServer:
    """aiohttp application serving one bot token."""

    def __init__(
        self,
        token: str,
        state: BotState,
        handlers: dict[str, Handler],
        calls: CallLog,
        faults: FaultInjector,
        limiter: RateLimiter,
    ) -> None:
        self.token = token
        self.state = state
        self.handlers = handlers
        self.calls = calls
        self.faults = faults
        self.limiter = limiter
        self.refusals: list[Refusal] = []
        self.ignored: list[tuple[str, str]] = []  # (method, parameter Telegram would not read)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Bind and serve; returns the actual port (useful with port 0)."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = self._runner.addresses[0][1]
        return self.port

    async def stop(self) -> None:
        self.state.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _check_token(self, token: str) -> None:
        if not _TOKEN.fullmatch(token):
            raise not_found()
        if token != self.token:
            raise unauthorized()

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _error_response(not_found())

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as exc:
            return _error_response(exc)
        path = request.match_info["path"]
        for stored in self.state.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return _error_response(not_found())

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        """Record the call, apply any injected fault, then validate and run the method."""
        try:
            self._check_token(request.match_info["token"])
            name = CANONICAL_NAMES.get(request.match_info["method"].lower())
            raw, files = await _read_params(request)
            if name is None:
                self.calls.record(request.match_info["method"], dict(raw))
                raise not_found()
            try:
                params, problem = coerce_params(METHODS[name], raw, files), None
            except ApiError as exc:  # reported after faults, which hit every call
                params, problem = {**raw, **files}, exc
            self.calls.record(name, params)
            attached = {value.removeprefix("attach://") for value in raw.values()}
            for parameter in ignored_parameters(name, set(raw) | set(files), attached):
                self.ignored.append((name, parameter))
            fault = self.faults.take(name)
            if fault is not None and fault.kind == "disconnect":
                if request.transport is not None:
                    request.transport.close()
                return web.Response()  # never reaches the client
            if fault is not None:
                await _apply(fault)
            if name in RATE_LIMITED and problem is None:
                self.limiter.check(params.get("chat_id"))
            try:
                if problem is not None:
                    raise problem
                result = await self.handlers[name](params)
            except ApiError as exc:
                self.refusals.append(
                    Refusal(name, exc.status, exc.description, not about_state(exc), params)
                )
                raise
        except ApiError as exc:
            return _error_response(exc)
        if isinstance(result, Described):
            body = {"ok": True, "result": result.result, "description": result.description}
        else:
            body = {"ok": True, "result": result}
        return _json_response(200, body)


async def _apply(fault: Fault) -> None:
    """Stall before answering, or fail the call with the fault's error (after its seconds)."""
    if fault.kind == "stall":
        await asyncio.sleep(fault.seconds)
    elif fault.error is not None:
        if fault.seconds:
            await asyncio.sleep(fault.seconds)
        raise fault.error


async def _read_params(request: web.Request) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Merge query string and body into string parameters, like the Bot API server does."""
    raw: dict[str, str] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.can_read_body:
        return raw, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON request body must be an Object")
        for key, value in body.items():
            if value is not None:
                raw[key] = value if isinstance(value, str) else json.dumps(value)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                name = _literal_filename(value.headers.get("Content-Disposition", ""))
                files[key] = UploadedFile(name, value.content_type, value.file.read())
            else:
                raw[key] = str(value)
    return raw, files


def _literal_filename(disposition: str) -> str:
    """filename="…" as Telegram's server (tdlib's HttpReader) reads it: the value ends at the
    first «;», loses its surrounding quotes and nothing else (no %-decoding, no unescaping,
    no filename*)."""
    name = ""
    for parameter in disposition.split(";")[1:]:
        key, equals, value = parameter.partition("=")
        value = value.strip()
        if equals and key.strip() == "filename":
            quoted = len(value) > 1 and value[0] == value[-1] == '"'
            name = value[1:-1] if quoted else value
    return name


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def _error_response(error: ApiError) -> web.Response:
    return _json_response(error.status, error.payload())
