"""The Tool Kit as built (its articles and search index) kept between starts; and the compiled
gettext catalogs (`bot.i18n`), in the same folder, by the same rules (`read`, `write`).

Reading the kit and building its index took ~0.8 CPU s of each start (#17, session 31: a third
of a start, 6,600 past questions read word by word for the example memory), the same work for
the same files every time. It is pickled once into a cache file named by a digest of everything
the build reads: the content folder's files and path, the `knowledge` package's own files (its
code, word lists, calibration) and the versions of Python and the libraries it builds with. Any
edit gives another name, so a stale file is never read; the newest few are kept.

Where: systemd's `CACHE_DIRECTORY` (`CacheDirectory=minka` in deploy/minka.service), else
`$XDG_CACHE_HOME/minka`, else `~/.cache/minka`; never the package's folder. A folder that cannot
be written (a read-only install, no home) only means the kit is built at each start. A file is
read only when it is this user's and nobody else can write it or its folder (unpickling runs
code), and only when its own digest matches (a torn or corrupt file is built again, rewritten).

Nothing kept depends on Python's per-process hash salt: the example memory keys n-grams by
their bytes (`knowledge.examples`), the word lists by a digest (`knowledge.wordset`; unpickled,
each is the process's shared copy), and a bounded `lru_cache` around a method pickles as the
method and its size, its entries left behind (`_PICKLER_TABLE`). `tests/test_toolkit_cache.py`
compares a kit from the cache, in another process, with one built there.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import logging
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).parent
FORMAT = b"minka-cache-1\n"  # changed when the files' layout changes
ABANDONED = 3600  # seconds: a temporary file older than this was left by a killed process
KEEP = 8  # cache files kept: a deploy's kit and a few others (tests' folders, a new release)
_LIBRARIES = ("numpy", "PyStemmer", "PyYAML", "rapidfuzz")
T = TypeVar("T")


def folder() -> Path | None:
    """Where the cache lives, or None when there is nowhere to put it."""
    systemd = os.environ.get("CACHE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "minka"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "minka" if home else None


def _files(root: Path, skip: frozenset[str] = frozenset()) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(root).parts)
    )


def digest(content_dir: Path, package: Path = PACKAGE) -> str:
    """What the built kit depends on, as 32 hex digits: the content (bytes and where it is:
    each article keeps its file's path), the `package`'s files (its code, word lists and
    calibration; not its shipped content, hashed as content when in use), Python's and the
    libraries' versions."""
    h = hashlib.blake2b(FORMAT, digest_size=16)
    h.update(f"{sys.version}\0{sys.flags.optimize}\0".encode())
    for library in _LIBRARIES:
        h.update(f"{library}={version(library)}\0".encode())
    for root, skip in (
        (content_dir.resolve(), {"__pycache__"}),
        (package, {"__pycache__", "content"}),
    ):
        h.update(f"{root}\0".encode())
        for path in _files(root, frozenset(skip)):
            h.update(f"{path.relative_to(root)}\0".encode())
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


def _rebuilt_cache(method: Callable[..., Any], maxsize: int) -> Callable[..., Any]:
    return functools.lru_cache(maxsize=maxsize)(method)


def _reduce_cache(wrapper: Any) -> Any:
    """A bounded cache around a bound method: the method and its size (an empty cache). A
    module's function: by name, as pickle does by default."""
    method = wrapper.__wrapped__
    if getattr(method, "__self__", None) is None:
        return wrapper.__qualname__
    return _rebuilt_cache, (method, wrapper.cache_parameters()["maxsize"])


_PICKLER_TABLE = {**copyreg.dispatch_table, type(functools.lru_cache(1)(len)): _reduce_cache}


def dumps(value: object) -> bytes:
    """`value` pickled, the cache's way (see the module)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _PICKLER_TABLE
    pickler.dump(value)
    return out.getvalue()


def _trusted(path: Path) -> bool:
    """Whether `path` and its folder are ours and nobody else may write them."""
    uid = os.getuid()
    for st in (path.stat(), path.parent.stat()):
        if st.st_uid != uid or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return True


def read(path: Path) -> bytes | None:
    """What `write` kept in `path`, or None when it is missing, not trusted or damaged."""
    try:
        if not _trusted(path):
            log.warning("Cache file %s not read: another user may write it", path)
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.info("Cache file %s not read: %s", path, error)
        return None
    start = len(FORMAT) + 32  # the format's line, then the payload's digest
    head, check, payload = data[: len(FORMAT)], data[len(FORMAT) : start], data[start:]
    if head != FORMAT or hashlib.blake2b(payload, digest_size=32).digest() != check:
        log.warning("Cache file %s damaged: built again", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept by `_prune`
    return payload


def _unpickled(path: Path) -> object | None:
    payload = read(path)
    if payload is None:
        return None
    try:
        return pickle.loads(payload)
    except Exception as error:  # a file that passed its digest yet fails: build, never crash
        log.warning("Cache file %s unreadable (%s): built again", path, error)
        return None


def write(path: Path, payload: bytes) -> None:
    """Keep `payload` in `path` whole or not at all (a temporary file renamed, its digest
    first), then drop the older files of its kind (its name up to the first «-»)."""
    check = hashlib.blake2b(payload, digest_size=32).digest()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(FORMAT + check)
                out.write(payload)  # not joined first: a second copy of the kit's megabytes
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(path.parent, path.name.split("-")[0])
    except OSError as error:
        log.info("Cache not written in %s (%s): built at each start", path.parent, error)


def _prune(where: Path, kind: str = "toolkit") -> None:
    """Keep the `KEEP` most recently used cache files of a `kind`; and drop what a process
    killed while writing left (`ABANDONED` seconds old: another may be writing it now)."""
    found = []
    for path in where.glob(f"{kind}-*"):
        with contextlib.suppress(FileNotFoundError):  # another process pruned it meanwhile
            found.append((path.stat().st_mtime, path))
    for _, path in sorted(found, reverse=True)[KEEP:]:
        path.unlink(missing_ok=True)
    for path in where.glob(".new-*"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < time.time() - ABANDONED:
                path.unlink(missing_ok=True)


def cached(content_dir: Path, build: Callable[[], T], kind: type[T], *, keep: bool = True) -> T:
    """The kit built from `content_dir`, from the cache when it holds it, else `build()` (then
    kept for the next start, if `keep`). Nothing cached is only slower, never wrong."""
    where = folder()
    if where is None:
        return build()
    path = where / f"toolkit-{digest(content_dir)}.pickle"
    found = _unpickled(path)
    if isinstance(found, kind):
        return found
    value = build()
    if keep:
        write(path, dumps(value))
    return value
