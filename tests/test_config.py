"""A wrong or missing setting stops Minka with one clear line, and never shows the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

SECRET = "987654321:AAHsecretSECRETsecretSECRETsecret12"


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("BOT_ADMIN_IDS", "12,abc", "BOT_ADMIN_IDS"),
        ("BOT_TIMEZONE", "America/Cusco", "BOT_TIMEZONE"),
        ("DATABASE_URL", "mysql://localhost/minka", "DATABASE_URL"),
        # Issue #15 audit: each of these ended in a traceback, or ran on a database in memory.
        ("DATABASE_URL", "postgresql+asyncpg://m:c@localhost:puerto/m", "DATABASE_URL tiene un"),
        ("DATABASE_URL", "postgresql+asyncpg://m:c@localhost:99999/m", "DATABASE_URL tiene el"),
        ("DATABASE_URL", "postgresql+asyncpg://m:c@ve@localhost/m", "DATABASE_URL tiene más"),
        ("DATABASE_URL", "sqlite+aiosqlite://minka.sqlite3", "DATABASE_URL debe nombrar"),
        ("DATABASE_URL", "sqlite+aiosqlite:///", "DATABASE_URL debe nombrar un archivo"),
        ("BOT_LOCALE", "fr", "BOT_LOCALE"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org", "TELEGRAM_API_BASE_URL"),
    ],
)
def test_bad_setting_is_one_clear_line(
    name: str, value: str, fragment: str, tmp_path: Path
) -> None:
    result = run_cli("db", "upgrade", env={name: value}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuración inválida: " + fragment)
    assert "Traceback" not in result.stderr


def test_a_password_with_an_at_sign_is_explained_not_echoed(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://minka:clave@secreta@localhost/minka"
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2 and "@ es %40" in result.stderr
    assert "secreta" not in result.stderr + result.stdout


def test_malformed_token_is_never_echoed(tmp_path: Path) -> None:
    broken = SECRET.replace(":", "")
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": broken}, cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert broken not in result.stderr + result.stdout


def test_rejected_token_is_reported_without_the_token(tmp_path: Path) -> None:
    # A base URL where nothing listens: the failure must still not print the token.
    result = run_cli(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": SECRET,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}",
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "No se pudo conectar" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert SECRET.split(":")[1] not in result.stderr + result.stdout


@pytest.mark.parametrize("base", ["https://api.telegram.org", "http://[::1/bot"])
def test_a_mistyped_api_address_never_prints_the_token(base: str, tmp_path: Path) -> None:
    """Issue #15 audit, a leak: without «/bot» (or with a broken address) aiohttp's error names
    the whole URL, token included, and `run` printed it to stderr, which is the journal."""
    result = run_cli(
        "run",
        env={
            "TELEGRAM_BOT_TOKEN": SECRET,
            "TELEGRAM_API_BASE_URL": base,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}",
        },
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "TELEGRAM_API_BASE_URL" in result.stderr
    assert SECRET.split(":")[1] not in result.stderr + result.stdout


def test_run_without_token_explains_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "BotFather" in result.stderr


def test_settings_from_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("BOT_ADMIN_IDS=5, 7\nBOT_LOCALE=en\n")
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_ADMIN_IDS", "BOT_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.bot_admin_ids == frozenset({5, 7})
    assert settings.bot_locale == "en"
    assert settings.database_url == "sqlite+aiosqlite:///minka.sqlite3"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert str(settings.timezone) == "America/Lima"


def test_config_error_hides_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token-but-secret")
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    assert "not-a-token-but-secret" not in str(raised.value)


@pytest.mark.parametrize(
    "secret",
    ["short_secret", "x" * 31, "a" * 257, "ñ" * 40, "has spaces in it and is long enough ok"],
)
def test_webhook_secret_must_be_long_and_of_telegrams_alphabet(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert message.startswith("Configuración inválida: WEBHOOK_SECRET") and "\n" not in message
    assert "32" in message and secret not in message


def test_a_long_webhook_secret_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "A-z_0" * 7)
    settings = load_settings(_env_file=None)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "A-z_0" * 7


def test_a_short_webhook_secret_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", "--webhook", env={"WEBHOOK_SECRET": "secreto-corto"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuración inválida: WEBHOOK_SECRET")
    assert "secreto-corto" not in result.stderr + result.stdout


NUMERIC_SETTINGS = [
    (name.upper(), field)
    for name, field in Settings.model_fields.items()
    if field.annotation in (int, float)
]


@pytest.mark.parametrize(("name", "field"), NUMERIC_SETTINGS, ids=[n for n, _ in NUMERIC_SETTINGS])
@pytest.mark.parametrize("value", ["0", "-1", "100000", "abc", "1.5", "inf"])
def test_every_settings_error_is_spanish(
    name: str, field: object, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #15: no pydantic English («Input should be greater than or equal to 1»)."""
    monkeypatch.setenv(name, value)
    try:
        load_settings(_env_file=None)
    except ConfigError as error:
        message = str(error)
    else:
        return  # a valid value for this setting
    assert message.startswith(f"Configuración inválida: {name} debe ser "), message
    assert message.endswith(f"Corrija la variable de entorno {name} o el archivo .env.")
    for english in ("Input", "should", "valid", "number", "greater", "less", "than"):
        assert english not in message, message


def test_limits_are_written_as_people_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCURRENT_UPDATES", "0")
    with pytest.raises(ConfigError, match="CONCURRENT_UPDATES debe ser mayor o igual que 1\\."):
        load_settings(_env_file=None)
    monkeypatch.setenv("CONCURRENT_UPDATES", "8")
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT debe ser uno de: text, json\\."):
        load_settings(_env_file=None)
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("RATE_LIMIT_PER_SECOND", "0")
    with pytest.raises(ConfigError, match="RATE_LIMIT_PER_SECOND debe ser mayor que 0\\."):
        load_settings(_env_file=None)


def test_pseudonym_key_is_long_and_otherwise_derived_from_the_token() -> None:
    """A short PSEUDONYM_KEY stops Minka; without one the key comes from the token, so two
    bots with different tokens give different pseudonyms and no key sits in the database."""
    with pytest.raises(ConfigError) as raised:
        load_settings(pseudonym_key="corta", _env_file=None)
    assert "PSEUDONYM_KEY" in str(raised.value) and "corta" not in str(raised.value)
    configured = load_settings(pseudonym_key="k" * 32, _env_file=None)
    assert configured.pseudonym_secret == b"k" * 32
    first = load_settings(telegram_bot_token=SECRET, _env_file=None).pseudonym_secret
    other = load_settings(telegram_bot_token="1" + SECRET, _env_file=None).pseudonym_secret
    assert first != other and SECRET.encode() not in first


@pytest.mark.parametrize("name", [n for n, field in NUMERIC_SETTINGS if field.annotation is float])
def test_no_setting_takes_infinity(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interval or timeout of «inf» would start a job that never runs (KB_RELOAD_SECONDS:
    edits never published) or a wait that never ends: refused at start, in Spanish."""
    monkeypatch.setenv(name, "inf")
    with pytest.raises(ConfigError, match=f"{name} debe ser un número finito"):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    "url", ["https://minka.example.org:8080/telegram", "https://minka.example.org:puerto/t"]
)
def test_a_webhook_url_on_a_port_telegram_refuses_is_one_line(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """setWebhook refuses a URL whose port is not 80, 88, 443 or 8443 (Bot API): start-up
    would have reached Telegram to learn it; the setting says so first, in Spanish."""
    monkeypatch.setenv("WEBHOOK_URL", url)
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert message.startswith("Configuración inválida: WEBHOOK_URL") and "\n" not in message
    assert "443" in message and "8443" in message


@pytest.mark.parametrize("port", ["", ":443", ":8443", ":88", ":80"])
def test_a_webhook_url_on_telegrams_ports_is_accepted(
    port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"https://minka.example.org{port}/telegram"
    monkeypatch.setenv("WEBHOOK_URL", url)
    assert load_settings(_env_file=None).webhook_url == url
