"""A throw-away PostgreSQL server for the test session, started from the PostgreSQL binaries
(`initdb`/`pg_ctl`), listening on 127.0.0.1 with a private socket directory."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]) if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    user: str = "minka"

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        """Initialise the data folder and start; a port taken meanwhile gets another (3 tries)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            self.user,
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        for attempt in range(3):
            try:
                self.resume()
                return
            except subprocess.CalledProcessError:
                # `_free_port` only found the port free: another worker may have taken it since.
                if attempt == 2:
                    raise
                self.port = _free_port()

    def resume(self) -> None:
        """Start the (initialised) server again, e.g. after `pause`."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=256MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def pause(self) -> None:
        """Stop the server, keeping its data (an outage the bot must survive)."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


# A server holds its template, the databases of the tests running (each dropped after its
# test) and up to `max_wal_size` of WAL: well under this.
_MEMORY_FOLDER_ROOM = 2 * 2**30


def _memory_folder() -> str | None:
    """/dev/shm when it is a writable tmpfs with room: every `CREATE DATABASE … TEMPLATE` writes
    13 MB of WAL and data that the tests never need on disk. None: the usual temporary folder."""
    folder = "/dev/shm"
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    if not os.access(folder, os.W_OK) or stats.f_bavail * stats.f_frsize < _MEMORY_FOLDER_ROOM:
        return None
    return folder


def start_server() -> PostgresServer | str:
    """A running server, or the reason why none can be started here."""
    bindir = find_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        return "PostgreSQL binaries (initdb, pg_ctl) not found; set PG_BINDIR"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: PostgreSQL cannot be started"
    root = Path(tempfile.mkdtemp(prefix="minka-pg-", dir=_memory_folder()))
    os.chmod(root, 0o755)
    server = PostgresServer(bindir, root, _free_port())
    try:
        server.start()
    except subprocess.CalledProcessError as error:
        shutil.rmtree(root, ignore_errors=True)
        return f"PostgreSQL did not start: {error.stderr.strip()[:300]}"
    return server
