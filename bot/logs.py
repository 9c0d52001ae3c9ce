"""Logging set-up. The bot token is part of every Bot API URL, so it is scrubbed from every
record and the HTTP client's per-request lines are kept out of INFO. Records are formatted
where they happen and written by a background thread, so a slow terminal, pipe or disk never
stalls the event loop (the standard QueueHandler recipe for asyncio programs), in batches
(`Writer`)."""

from __future__ import annotations

import atexit
import json
import logging
import queue
import sys
import threading
import time
from datetime import UTC, datetime
from logging.handlers import QueueHandler
from typing import Any, TextIO

# Extra fields a record may carry (`logger.info(..., extra={...})`); the JSON lines keep them.
# Never names or message texts: at INFO a log line says who (Telegram id) and what handler.
FIELDS = (
    "update_id", "user_id", "handler", "duration_ms", "outcome", "pause_ms", "stall_ms", "running",
    # a slow update's time by cause (handlers/dispatch.py `_waited`)
    "transaction_ms", "turn_ms", "commit_ms", "sync_ms", "send_ms",
    # what the loop's thread did during a stall (bot/stalls.py `Usage`)
    "cpu_ms", "waits", "preempted", "faults",
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


# How long the writer lets lines gather before it writes them: a line is written at most this
# long after it was logged (at most twice this after a quiet second).
BATCH_SECONDS = 0.02
QUIET_ROUNDS = 50  # rounds with nothing to write before the writer waits on the queue instead


class Writer:
    """Writes the queued records from a thread of its own, those that came together in one
    write. The standard QueueListener waits on the queue for each record: every line woke its
    thread, and the waking cost the event loop a thread switch while it held the GIL (at full
    load py-spy found 4-5 % of the loop's busy time in the put of the per-update line). Here
    the thread looks at the queue every `BATCH_SECONDS` while lines keep coming (putting one
    wakes nobody), and waits on the queue only after a quiet second."""

    def __init__(self, records: queue.SimpleQueue[Any], handler: logging.Handler) -> None:
        self._records, self._handler = records, handler
        self._turn = threading.Lock()  # one batch written at a time, in the queue's order
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        quiet = 0
        while True:
            if quiet < QUIET_ROUNDS:
                time.sleep(BATCH_SECONDS)
                with self._turn:
                    written, stop = self._write([], mine=True)
            elif (first := self._records.get()) is _STOP:  # the next record wakes it
                break
            else:
                with self._turn:  # a `flush` meanwhile waits, not to write before `first`
                    time.sleep(BATCH_SECONDS)
                    written, stop = self._write([first], mine=True)
            if stop:
                break
            quiet = 0 if written else quiet + 1
        self.flush()

    def _write(self, batch: list[logging.LogRecord], *, mine: bool = False) -> tuple[int, bool]:
        """`batch` and whatever else is queued, in one write: how many, and whether `stop`
        was called (its mark is left for the thread unless `mine`)."""
        stop = False
        while True:
            try:
                record = self._records.get_nowait()
            except queue.Empty:
                break
            if record is _STOP:
                stop = True
                if not mine:
                    self._records.put(_STOP)
                break
            batch.append(record)
        if batch:
            try:
                text = "".join(f"{self._handler.format(record)}\n" for record in batch)
                stream = sys.stderr
                stream.write(text)
                stream.flush()
            except Exception:
                self._handler.handleError(batch[-1])
        return len(batch), stop

    def flush(self) -> None:
        """Write what is queued now (from any thread)."""
        with self._turn:
            self._write([])

    def stop(self) -> None:
        """Write what is queued and end the thread."""
        self._records.put(_STOP)
        self._thread.join()


_STOP = object()  # put in the queue by `Writer.stop`


_listener: Writer | None = None


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


def flush() -> None:
    """Write the lines logged so far (the CLI, before it returns or prints its error)."""
    if _listener is not None:
        _listener.flush()


_shape: tuple[int, bool] = (logging.WARNING, False)  # (level, JSON lines), for worker processes


def shape() -> tuple[int, bool]:
    """The level and format `setup_logging` chose: a spawned worker logs the same way."""
    return _shape


def setup_worker_logging(level: int, json_lines: bool) -> None:
    """In a worker process (bot/workers.py): its rare lines (a check past its safety net)
    written at once, in the bot's format, to the stderr it shares with the bot."""
    handler = _CurrentStderr()
    handler.setFormatter(
        JsonLines()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def setup_logging(
    level: int = logging.INFO, *, secrets: list[str] | None = None, json_lines: bool = False
) -> None:
    global _listener, _shape
    _shape = (level, json_lines)
    records: queue.SimpleQueue[Any] = queue.SimpleQueue()
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
    _listener = Writer(records, writer)
    _listener.start()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected while a long send runs.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
