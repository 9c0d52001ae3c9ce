"""Settings, read once at start-up from the environment or a `.env` file.

A wrong setting must stop Minka with one clear line that names the setting and the fix, and the
bot token must never appear in a log line or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from knowledge.loader import CONTENT_DIR
from storage.db import Timeouts

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
SUPPORTED_LOCALES = ("es", "en")
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is meant for the person starting Minka."""


# Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -; fewer than 32 can be guessed.
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
MIN_SECRET_LENGTH = 32
# The ports setWebhook accepts in its URL (None: https's own, 443).
WEBHOOK_PORTS = (None, 80, 88, 443, 8443)
# Database connections kept open beside one per update handled at once: the outbox, the
# heartbeat, the checkpoint and the other jobs of the scheduler.
BACKGROUND_CONNECTIONS = 4


class Settings(BaseSettings):
    """Minka's configuration. Field names map to the upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = "sqlite+aiosqlite:///minka.sqlite3"
    bot_admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    bot_timezone: str = "America/Lima"
    bot_locale: str = "es"
    outbox_interval_seconds: float = Field(default=5.0, gt=0, allow_inf_nan=False)
    log_format: Literal["text", "json"] = "text"
    # Anti-flood: more than FLOOD_LIMIT updates from one person in FLOOD_WINDOW_SECONDS are
    # dropped (with one notice).
    # Telegram's limit for the whole bot is about 30 messages per second.
    rate_limit_per_second: float = Field(default=29.5, gt=0, allow_inf_nan=False)
    flood_limit: int = Field(default=20, ge=1)
    flood_window_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    # A press still waiting this long (behind the person's previous update, or for its own
    # slow handler) is answered silently there and then: Telegram takes an answer for ~15 s.
    press_early_seconds: float = Field(default=8.0, gt=0, le=14, allow_inf_nan=False)
    # Updates handled at once (one person's always one after another). More is not faster:
    # every database round trip waits for the event loop, and SQLite writes take turns.
    concurrent_updates: int = Field(default=8, ge=1, le=256)
    # Each process records that it is alive this often; replicas share the message rate.
    heartbeat_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    # Retention (days): the daily scheduler job deletes processed-update records, finished
    # outbox rows (sent, failed, skipped, unknown) and audit entries older than these.
    retention_updates_days: int = Field(default=7, ge=1, le=3650)
    retention_outbox_days: int = Field(default=30, ge=1, le=3650)
    retention_audit_days: int = Field(default=400, ge=1, le=3650)
    # Webhook mode (`python -m bot run --webhook`): Telegram posts updates to WEBHOOK_URL (the
    # public HTTPS address, usually a load balancer) which forwards to HOST:PORT.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    # Polling mode: serve GET /metrics (Prometheus) on HOST:METRICS_PORT; webhook mode serves
    # it on PORT, with the webhook.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # `run` waits this long for an unreachable database (a service that starts before
    # PostgreSQL), retrying with backoff, before giving up with one clear line.
    db_startup_timeout: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    # PostgreSQL limits (seconds, 0: none) so a stuck lock cannot hang every handler.
    db_statement_timeout: float = Field(default=30.0, ge=0, le=3600, allow_inf_nan=False)
    db_lock_timeout: float = Field(default=10.0, ge=0, le=3600, allow_inf_nan=False)
    db_connect_timeout: float = Field(default=10.0, gt=0, le=600, allow_inf_nan=False)
    # `/indicadores`: seconds a report's small-cell checks may take, all together; past them,
    # indicator 3's exact check hides every region, sex and total it has not read yet, so
    # the coordinator gets the report (with more «—») instead of a worker busy for minutes.
    report_seconds: float = Field(default=300.0, gt=0, le=3600, allow_inf_nan=False)
    # How far the report workers (bot/workers.py) yield the CPU to the bot's replies (nice).
    # The tests set 0: several bots share the cores there, and a worker at 10 starved behind
    # the other tests' processes, none of them its bot (a report timed out at load).
    worker_nice: int = Field(default=10, ge=0, le=19)
    # The Tool Kit's folder (a copy of knowledge/content kept by the specialists); empty: the
    # content shipped with Minka. `python -m bot kb recargar` publishes edits without a restart;
    # each process looks for that request every KB_RELOAD_SECONDS.
    kb_dir: Path | None = None
    kb_reload_seconds: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    # Study visits: a participant whose position holds every word of one of these entries
    # (comma-separated; accents and case ignored) counts as a regional leader.
    leader_position_words: str = (
        "gobernador,gobernadora,vicegobernador,vicegobernadora,gerente,gerenta,"
        "director regional,directora regional,director drem,directora drem,"
        "director grem,directora grem"
    )
    # Tests only: how far Minka's clock (the bot's and the CLI's) runs from the machine's, so
    # that a test reads the calendar of the day it chose whatever day it runs (tests' `now`
    # marker); a restarted Minka goes on where the last left off. 0: the machine's.
    clock_offset_seconds: float = Field(default=0.0, allow_inf_nan=False)
    # The key of the keyed hash that replaces an erased person's Telegram id in the audit log.
    pseudonym_key: SecretStr | None = None

    @property
    def clock_offset(self) -> timedelta:
        return timedelta(seconds=self.clock_offset_seconds)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN_RE.match(value.strip()):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError("no tiene la forma de un token de BotFather (números:letras)")
        return value.strip()

    @field_validator("telegram_api_base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("debe empezar por http:// o https://")
        if not value.endswith("/bot"):  # the token follows it: …/bot123:AA…/getMe
            raise ValueError(f"debe terminar en /bot, como {DEFAULT_API_BASE_URL}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_shape(cls, value: str) -> str:
        problem = database_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_shape(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("debe ser una dirección https:// (Telegram solo envía a HTTPS)")
        if value:
            # setWebhook refuses any other port («Webhook can be set up only on ports 80,
            # 88, 443 or 8443»): said here, before start-up calls Telegram.
            try:
                port = urlsplit(value).port
            except ValueError:
                port = -1
            if port not in WEBHOOK_PORTS:
                raise ValueError(
                    "debe usar el puerto 443 (el de https:// sin puerto), 80, 88 u 8443: "
                    "Telegram no envía a otros; el servidor de Minka (PORT) puede escuchar en "
                    "otro, detrás de un proxy"
                )
        return value or None

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if (
            not isinstance(value, str)
            or not _SECRET_RE.fullmatch(value)
            or len(value) < MIN_SECRET_LENGTH
        ):
            # Never echo the value: it is a secret.
            raise ValueError(
                f"debe tener de {MIN_SECRET_LENGTH} a 256 caracteres, solo letras sin tilde, "
                "números, _ y - (genere uno con: openssl rand -hex 32)"
            )
        return value

    @field_validator("kb_dir", mode="before")
    @classmethod
    def _kb_folder(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not (Path(str(value)) / "topics.yaml").is_file():
            raise ValueError(
                "no es una carpeta del Tool Kit (le falta topics.yaml): copie allí "
                "knowledge/content de Minka y edite esa copia"
            )
        return value

    @field_validator("pseudonym_key", mode="before")
    @classmethod
    def _pseudonym_key_length(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or len(value) < 32:
            raise ValueError("debe tener al menos 32 caracteres (p. ej., openssl rand -hex 32)")
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """`METRICS_PORT=` (the example's line with its # removed) means no listener."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("leader_position_words")
    @classmethod
    def _some_leader_words(cls, value: str) -> str:
        if not any(part.strip() for part in value.split(",")):
            raise ValueError("indique al menos un cargo, p. ej. «gobernador, gerente»")
        return value

    @field_validator("bot_admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError(
                    "debe ser una lista de ids numéricos de Telegram separados por comas"
                )
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                "no es una zona horaria IANA válida (por ejemplo America/Lima)"
            ) from exc
        return value

    @field_validator("bot_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"debe ser uno de: {', '.join(SUPPORTED_LOCALES)}")
        return value

    @cached_property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def content_dir(self) -> Path:
        """Where the Tool Kit is read from: KB_DIR, or the content shipped with Minka."""
        return self.kb_dir or CONTENT_DIR

    @property
    def db_timeouts(self) -> Timeouts:
        return Timeouts(self.db_statement_timeout, self.db_lock_timeout, self.db_connect_timeout)

    @property
    def db_pool_size(self) -> int:
        """Database connections the bot keeps open (storage.db.create_engine says why)."""
        return self.concurrent_updates + BACKGROUND_CONNECTIONS

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @cached_property
    def pseudonym_secret(self) -> bytes:
        """PSEUDONYM_KEY, or else a key derived from the bot token: never stored in the
        database, so a copy of the database alone cannot turn pseudonyms (audit log) or
        digests of processed updates back into Telegram ids."""
        if self.pseudonym_key is not None:
            return self.pseudonym_key.get_secret_value().encode()
        seed = (self.token or "minka-demo").encode()
        return hmac.new(seed, b"minka audit pseudonyms", hashlib.sha256).digest()


def database_url_problem(value: str) -> str | None:
    """What is wrong with a database URL, in Spanish (None: nothing). Caught here, a typo
    would otherwise end in SQLAlchemy's or asyncio's traceback, or (`sqlite+aiosqlite:///`
    with no file) run Minka on a database in memory that vanishes at each restart."""
    shapes = (
        "debe ser postgresql+asyncpg://usuario:clave@host/base o "
        "sqlite+aiosqlite:///archivo.sqlite3"
    )
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return shapes
    try:
        url = make_url(value)
        port = url.port
    except (ArgumentError, ValueError):
        return "tiene un puerto que no es un número (host:5432) o no se entiende: " + shapes
    if url.drivername.startswith("sqlite"):
        if url.host or not url.database:
            return (
                "debe nombrar un archivo con tres barras: sqlite+aiosqlite:///minka.sqlite3 "
                "(relativo a la carpeta de trabajo) o cuatro si la ruta es absoluta: "
                "sqlite+aiosqlite:////var/lib/minka/minka.sqlite3"
            )
        return None
    if port is not None and not 1 <= port <= 65535:
        return f"tiene el puerto {port}: debe estar entre 1 y 65535 (PostgreSQL usa 5432)"
    if url.host and "@" in url.host:
        return (
            "tiene más de una @: si la contraseña lleva @, :, / o #, escríbalos codificados "
            "(@ es %40, : es %3A, / es %2F, # es %23) o elija una contraseña de letras y números"
        )
    return None


def _number(value: object) -> str:
    """2.0 → 2, 0.5 → 0.5: limits read as people write them."""
    return f"{value:g}" if isinstance(value, float) else str(value)


# pydantic's error types → Spanish. Our own validators already raise Spanish `ValueError`s.
_REASONS = {
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "greater_than": "debe ser mayor que {gt}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "less_than": "debe ser menor que {lt}",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero, sin decimales",
    "float_parsing": "debe ser un número (con punto decimal, por ejemplo 2.5)",
    "float_type": "debe ser un número (con punto decimal, por ejemplo 2.5)",
    "finite_number": "debe ser un número finito",
    "bool_parsing": "debe ser true o false",
    "literal_error": "debe ser uno de: {expected}",
    "string_type": "debe ser un texto",
}


def spanish_reason(error: ErrorDetails) -> str:
    """The reason of one pydantic error, in Spanish (never pydantic's English)."""
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    template = _REASONS.get(error["type"])
    if template is None:
        return "tiene un valor no válido"
    context = {key: _number(value) for key, value in (error.get("ctx") or {}).items()}
    if "expected" in context:
        context["expected"] = context["expected"].replace("'", "").replace(" or ", ", ")
    return template.format(**context)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable `ConfigError` line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "configuración"
        reason = spanish_reason(error)
        raise ConfigError(
            f"Configuración inválida: {name} {reason}. Corrija la variable de entorno {name} "
            "o el archivo .env."
        ) from None
