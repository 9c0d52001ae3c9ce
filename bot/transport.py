"""Minka's HTTP client for the Bot API: python-telegram-bot's `BaseRequest` on aiohttp.

PTB's default client (httpx) costs about 1.5 ms of CPU per Bot API call on our 2-core
reference machine; aiohttp, which Minka already uses for its webhook server, about 0.5 ms
(measured: `python -m bench.throughput`). Every update costs two or three calls, so this is the
largest single saving in a busy process. Timeouts and errors keep PTB's meaning: `TimedOut`
when Telegram did not answer in time (the call may or may not have taken effect),
`NetworkError` for anything else that went wrong on the way.
"""

from __future__ import annotations

import json
import re

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import metrics

MEDIA_WRITE_TIMEOUT = 20.0  # seconds to upload a file (PTB's default)


class NotSent(NetworkError):
    """The request never left: no connection could be made, or none was free in time. Safe to
    repeat, even for a message."""


def may_have_arrived(error: TelegramError) -> bool:
    """The request went out and no answer came back (a read timeout, a dropped connection):
    Telegram may have acted on it. Not so for an answer (a 5xx, a 400) or for `NotSent`."""
    return (
        isinstance(error, NetworkError)
        and not isinstance(error, NotSent)
        and isinstance(error.__cause__, aiohttp.ClientError | TimeoutError)
    )


class AiohttpRequest(BaseRequest):
    """One connection pool; PTB uses one instance for getUpdates and one for everything else.

    PTB's four timeouts map onto aiohttp's: `pool_timeout` waits for a free connection,
    `connect_timeout` for the socket, `read_timeout` between two reads of the answer; aiohttp
    has no write timeout, so an upload gets a total budget instead."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        connect = self._connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        pool = self._pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        files = request_data is not None and request_data.contains_files
        total = None
        if files:
            write = write_timeout
            if write is BaseRequest.DEFAULT_NONE:
                write = MEDIA_WRITE_TIMEOUT
            total = sum(t for t in (write, read, connect, pool) if t is not None) or None
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=(pool or 0) + (connect or 0) or None,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                headers=_JSON if request_data and not request_data.multipart_data else _PLAIN,
                timeout=timeout,
            ) as response:
                body = await response.read()
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as error:
            metrics.bot_api_call(url, "network")
            raise NotSent(f"aiohttp.{type(error).__name__}: {error}") from error
        except TimeoutError as error:  # also aiohttp's ServerTimeoutError
            metrics.bot_api_call(url, "network")
            raise TimedOut from error
        except aiohttp.ClientError as error:
            metrics.bot_api_call(url, "network")
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        metrics.bot_api_call(url, str(response.status))
        return response.status, body


_PLAIN = {"User-Agent": AiohttpRequest.USER_AGENT}
_JSON = {**_PLAIN, "Content-Type": "application/json"}


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """A JSON object (the Bot API's cheapest form to build and to read), or multipart with the
    fields as PTB prepares them (each value already JSON) when there are files."""
    if request_data is None:
        return None
    if not request_data.multipart_data:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode()
    # File names go as UTF-8, as browsers send them: Telegram's server reads filename="…"
    # literally (aiohttp's default %-encoding showed «Guía» as «Gu%C3%ADa»).
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
    for name, (filename, content, *mime_type) in request_data.multipart_data.items():
        form.add_field(
            name,
            content,
            filename=filename and _literal(filename),
            content_type=next(iter(mime_type), None),
        )
    return form


def _literal(filename: str) -> str:
    """A file name Telegram's multipart parser reads back as written: it ends the value at
    «;» and at the closing quote and does not undo escapes, so those become look-alikes."""
    return re.sub(r"[\r\n]", " ", filename).translate(_LOOK_ALIKES)


_LOOK_ALIKES = str.maketrans({'"': "'", ";": ",", "\\": "-"})
