"""Issue #15: what a deployer installs from deploy/: the systemd units pass `systemd-analyze
verify` without a warning, and the env file lists every setting with its default (so it
cannot drift from bot/config.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ("minka.service", "minka-respaldo.service", "minka-respaldo.timer")
INSTALLED_PYTHON = "/opt/minka/.venv/bin/python"
LINE = re.compile(r"^(#\s?)?([A-Z][A-Z0-9_]+)=(.*)$")
# Set for a server in the example, not left at the default: a database file in the service's
# data folder (the default, minka.sqlite3, is relative to the working directory).
SET_FOR_A_SERVER = {"DATABASE_URL": "sqlite+aiosqlite:////var/lib/minka/minka.sqlite3"}


def _example() -> dict[str, tuple[bool, str]]:
    """NAME → (commented out, value) for every variable line of the example."""
    found: dict[str, tuple[bool, str]] = {}
    for line in (DEPLOY / "minka.env.example").read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            name = match.group(2)
            assert name not in found, f"{name} appears twice in minka.env.example"
            found[name] = (match.group(1) is not None, match.group(3).strip('"'))
    return found


def test_env_example_lists_every_setting() -> None:
    documented = set(_example())
    settings = {name.upper() for name in Settings.model_fields}
    assert not settings - documented, f"add to deploy/minka.env.example: {settings - documented}"
    assert not documented - settings, f"not a setting of bot/config.py: {documented - settings}"


@pytest.mark.parametrize("name", sorted(name.upper() for name in Settings.model_fields))
def test_env_example_shows_each_default(name: str) -> None:
    commented, value = _example()[name]
    field = Settings.model_fields[name.lower()]
    default = field.get_default(call_default_factory=True)
    if name in SET_FOR_A_SERVER:
        assert value == SET_FOR_A_SERVER[name]
        return
    if default is None or default == frozenset():
        assert value == "", f"{name}: no default, so the example must leave it empty"
        return
    parsed = Settings.model_validate({name.lower(): value})
    assert getattr(parsed, name.lower()) == default, f"{name}={value} is not the default"
    assert commented or name == "TELEGRAM_BOT_TOKEN", f"{name}: comment the default out"


def test_env_example_as_installed_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file copied as is, then given a token: Minka starts with these settings."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings(_env_file=DEPLOY / "minka.env.example")  # type: ignore[call-arg]
    assert settings.database_url == SET_FOR_A_SERVER["DATABASE_URL"]
    assert settings.token is None and settings.bot_admin_ids == frozenset()


def test_systemd_units_verify_without_warnings(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("\nsystemd units not verified: systemd-analyze is not installed")
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    # verify checks that ExecStart= exists: point it at this interpreter, nothing else changes.
    for unit in UNITS:
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        (tmp_path / unit).write_text(text.replace(INSTALLED_PYTHON, sys.executable))
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / unit) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings
    service = (DEPLOY / "minka.service").read_text(encoding="utf-8")
    for wanted in (
        "Restart=on-failure",
        "User=minka",
        "EnvironmentFile=/etc/minka/minka.env",
        "WorkingDirectory=/var/lib/minka",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/minka",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        f"ExecStart={INSTALLED_PYTHON} -OO -m bot run",
    ):
        assert f"\n{wanted}\n" in service, wanted


def test_a_broken_unit_is_caught(tmp_path: Path) -> None:
    """The check above would see a typo: systemd-analyze prints it (and still exits 0)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / "roto.service"
    unit.write_text(f"[Service]\nExecStart={sys.executable}\nRestart=a-veces\nProtectSistem=1\n")
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert "ProtectSistem" in result.stderr and "a-veces" in result.stderr


def test_backup_timer_runs_the_rotating_backup() -> None:
    service = (DEPLOY / "minka-respaldo.service").read_text(encoding="utf-8")
    assert "-m bot db respaldo --carpeta /var/backups/minka --conservar 14" in service
    timer = (DEPLOY / "minka-respaldo.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer


def test_env_file_is_also_readable_by_the_shell(tmp_path: Path) -> None:
    """README's `minka()` shell function reads the same file with `set -a; .`."""
    script = (
        f"set -a; . {DEPLOY / 'minka.env.example'}; exec {sys.executable} -c "
        "'from bot.config import load_settings; print(load_settings(_env_file=None).database_url)'"
    )
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        ["sh", "-c", script], env=clean, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SET_FOR_A_SERVER["DATABASE_URL"]


def test_every_line_uncommented_still_reads_as_the_defaults(tmp_path: Path) -> None:
    """A deployer removes the # of any line: systemd, the `.env` reader and README's `minka()`
    (`set -a; .` in sh) must all still read the default. An unquoted value with spaces
    (LEADER_POSITION_WORDS) made sh run «regional,directora» as a command."""
    text = (DEPLOY / "minka.env.example").read_text(encoding="utf-8")
    uncommented = re.sub(r"(?m)^# ([A-Z][A-Z0-9_]+=)", r"\1", text)
    env_file = tmp_path / "minka.env"
    env_file.write_text(
        uncommented.replace("TELEGRAM_BOT_TOKEN=\n", f"TELEGRAM_BOT_TOKEN={TOKEN}\n")
    )
    show = (
        "from bot.config import Settings, load_settings; import sys; "
        "s = load_settings(_env_file=sys.argv[1] if len(sys.argv) > 1 else None); "
        "print(repr({n: getattr(s, n) for n in Settings.model_fields}))"
    )
    clean = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    by_shell = subprocess.run(
        ["sh", "-c", f"set -a; . {env_file}; exec {sys.executable} -c '{show}'"],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    by_dotenv = subprocess.run(
        [sys.executable, "-c", show, str(env_file)],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert by_shell.returncode == 0 and by_shell.stderr == "", by_shell.stderr
    assert by_dotenv.returncode == 0, by_dotenv.stderr
    assert by_shell.stdout == by_dotenv.stdout
    default = Settings.model_fields["leader_position_words"].default
    assert f"'leader_position_words': {default!r}" in by_shell.stdout


def test_readme_installs_the_files_that_exist() -> None:
    """«Puesta en marcha» copies deploy/ files by name: each of them exists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"/opt/minka/deploy/([\w.-]+)", readme))
    assert {"minka.service", "minka-respaldo.service", "minka-respaldo.timer"} <= named
    assert "minka.env.example" in named
    assert not [name for name in named if not (DEPLOY / name).is_file()]
