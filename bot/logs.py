"""Logging set-up. The bot token is part of every Bot API URL, so it is scrubbed from every
record and the HTTP client's per-request lines are kept out of INFO. Records are formatted
where they happen and written by a background thread, so a slow terminal, pipe or disk never
stalls the event loop (the standard QueueHandler recipe for asyncio programs)."""

from __future__ import annotations

import atexit
import json
import logging
import queue
import sys
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener
from typing import TextIO

# Extra fields a record may carry (`logger.info(..., extra={...})`); the JSON lines keep them.
# Never names or message texts: at INFO a log line says who (Telegram id) and what handler.
FIELDS = (
    "update_id", "user_id", "handler", "duration_ms", "outcome", "pause_ms", "stall_ms", "running"
)  # fmt: skip


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[TOKEN]")
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self._secrets:
                text = text.replace(secret, "[TOKEN]")
            record.exc_info, record.exc_text = None, text
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {name: getattr(record, name) for name in FIELDS if hasattr(record, name)}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


_listener: QueueListener | None = None


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is written, not when logging was set up
    (the CLI run in-process by tests swaps it, and the old one may be closed by then)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        """StreamHandler sets it once; the current `sys.stderr` is used instead."""


@atexit.register
def _flush() -> None:
    """Write what is still queued before the process ends."""
    if _listener is not None:
        _listener.stop()


def setup_logging(
    level: int = logging.INFO, *, secrets: list[str] | None = None, json_lines: bool = False
) -> None:
    global _listener
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    handler = QueueHandler(records)  # formats (and redacts) here, in the caller's thread
    handler.setFormatter(
        JsonLines()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactSecrets(secrets or []))
    writer = _CurrentStderr()
    writer.setFormatter(logging.Formatter("%(message)s"))
    if _listener is not None:
        _listener.stop()
    _listener = QueueListener(records, writer)
    _listener.start()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected while a long send runs.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
