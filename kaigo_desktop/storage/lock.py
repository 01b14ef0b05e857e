"""One writer per database file: a lock file beside it (`<name>.lock`) saying who has it open for writing.

SQLite's own locks do not protect a WAL database on a shared folder (other PCs do not see the -shm index),
so the app keeps its own: a small text file created atomically (never overwritten), naming the user, PC,
process and time. A lock left by a process that died on this PC (a crash, a power cut) is noticed and
replaced; one from another PC is trusted until the user says that PC is off (`break_lock`)."""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import socket
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from kaigo_desktop.storage.errors import DatabaseInUseError, FolderNotWritableError

LOCK_SUFFIX = ".lock"
# An unreadable lock (a foreign program's, or a file system that lost its contents) younger than this is
# taken as someone opening the file right now; older, as left over.
UNREADABLE_LOCK_GRACE_S = 10.0
# A process whose start differs from the one recorded by more than this is another process with the
# recycled pid (Windows reuses pids quickly, and after a restart every pid is new).
START_TIME_TOLERANCE_S = 2.0


@dataclass(frozen=True)
class LockHolder:
    user: str  # the recorder name given to the app (may be empty)
    login: str  # the operating-system account
    host: str
    pid: int
    since: str  # local time, ISO 8601
    started: float | None = None  # the process's start (epoch seconds) when known

    def describe(self) -> str:
        who = self.user or self.login or "不明な利用者"
        since = self.since.replace("T", " ")[:16]
        if _same_host(self.host):
            where = f"このPC（{self.host}）の別の Kaigo Desktop（プロセス {self.pid}）"
        else:
            where = f"PC「{self.host}」"
        return f"{who}さんが{where}で {since} から"

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "LockHolder | None":
        try:
            raw = json.loads(data.decode("utf-8"))
            return cls(str(raw["user"]), str(raw["login"]), str(raw["host"]), int(raw["pid"]),
                       str(raw["since"]), float(raw["started"]) if raw.get("started") is not None else None)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


# Who holds a lock whose content cannot be read (another program's file, a file system that lost it).
UNREADABLE_HOLDER = LockHolder("", "", "?", 0, "")


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + LOCK_SUFFIX)


def _host() -> str:
    return socket.gethostname() or "?"


def pc_name() -> str:
    """How this PC is named (in the lock file and the audit trail)."""
    return _host()


def _same_host(host: str) -> bool:
    return host.casefold() == _host().casefold()


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no account name is not a reason to refuse opening
        return ""


# ---- processes -----------------------------------------------------------------------------------

def _linux_boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def _linux_process(pid: int) -> tuple[bool, float | None] | None:
    """(alive, start time) from /proc, or None where there is no /proc."""
    if not Path("/proc/self/stat").exists():
        return None
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False, None
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    if fields[0] in ("Z", "X"):  # a zombie has finished; only its exit status is waiting to be read
        return False, None
    boot = _linux_boot_time()
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK") if boot is not None else None
    return True, started


def _windows_process(pid: int) -> tuple[bool, float | None]:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    query_limited, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited, False, pid)
    if not handle:
        # A process we may not look at (another account's) is alive; a missing one is not.
        return ctypes.get_last_error() == access_denied, None
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value != still_active:
            return False, None
        created, exited, kernel, user = (wintypes.FILETIME() for _ in range(4))
        if not kernel32.GetProcessTimes(handle, ctypes.byref(created), ctypes.byref(exited),
                                        ctypes.byref(kernel), ctypes.byref(user)):
            return True, None
        ticks = (created.dwHighDateTime << 32) | created.dwLowDateTime  # 100 ns since 1601-01-01
        return True, ticks / 10_000_000 - 11_644_473_600
    finally:
        kernel32.CloseHandle(handle)


def process_state(pid: int) -> tuple[bool, float | None]:
    """Whether `pid` runs on this PC, and since when (None when unknown)."""
    if pid <= 0:
        return False, None
    if sys.platform == "win32":
        # Never os.kill(pid, 0) on Windows: it terminates the process.
        return _windows_process(pid)
    linux = _linux_process(pid)
    if linux is not None:
        return linux
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False, None
    except PermissionError:
        return True, None
    return True, None


def _this_process() -> LockHolder:
    return LockHolder("", _login(), _host(), os.getpid(), "", process_state(os.getpid())[1])


def _is_us(holder: LockHolder) -> bool:
    return _same_host(holder.host) and holder.pid == os.getpid()


def is_stale(holder: LockHolder) -> bool:
    """Left behind by a process that is gone. Only decidable on the PC that wrote it."""
    if not _same_host(holder.host):
        return False
    alive, started = process_state(holder.pid)
    if not alive:
        return True
    if holder.started is not None and started is not None:
        return abs(started - holder.started) > START_TIME_TOLERANCE_S
    return False


def running_on_this_pc(holder: LockHolder) -> bool:
    """A program on this very PC holds it and still runs: its lock must never be broken."""
    return _same_host(holder.host) and not is_stale(holder)


# ---- the lock file -------------------------------------------------------------------------------

def read_holder(database_path: Path) -> LockHolder | None:
    """Who holds the lock now (stale or not); None when nobody does."""
    try:
        data = lock_path(database_path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        data = b""
    return LockHolder.from_bytes(data) or UNREADABLE_HOLDER


def writer_active(database_path: Path) -> bool:
    """Someone (this process included) has the file open for writing right now."""
    try:
        data = lock_path(database_path).read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    holder = LockHolder.from_bytes(data)
    if holder is None:
        return _age(lock_path(database_path)) < UNREADABLE_LOCK_GRACE_S
    return not is_stale(holder)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _write_new(path: Path, data: bytes) -> bool:
    """Create `path` holding `data`, only if it does not exist; False when it does. The content is written
    to a private file first and hard-linked into place, so nobody ever sees a half-written lock; where
    the file system has no hard links (FAT USB sticks), an exclusive create does."""
    private = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        _write_file(private, data, exclusive=True)
        try:
            os.link(private, path)
            _fsync_dir(path.parent)
            return True
        except FileExistsError:
            return False
        except OSError:
            pass  # no hard links here
    finally:
        with contextlib.suppress(OSError):
            private.unlink()
    try:
        _write_file(path, data, exclusive=True)
    except FileExistsError:
        return False
    return True


def _write_file(path: Path, data: bytes, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o644)
    try:
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync on Windows; NTFS journals the rename
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_if_unchanged(path: Path, expected: bytes) -> bool:
    """Remove the lock only if it still holds `expected`: moved aside first (atomic), so that a lock another
    process has just written in its place is put back instead of lost."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.old")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return True
    try:
        data = aside.read_bytes()
    except OSError:
        data = b""
    if data == expected:
        aside.unlink(missing_ok=True)
        return True
    _write_new(path, data)  # someone else's fresh lock: back where it was (unless replaced again meanwhile)
    aside.unlink(missing_ok=True)
    return False


_mutex = threading.Lock()
_held: dict[str, tuple[int, int]] = {}  # path key → (opens, pid) of locks this process holds


def _key(database_path: Path) -> str:
    return os.path.normcase(str(database_path.resolve()))


class DatabaseLock:
    """The lock of one open database. Opening the same file again inside one process shares the lock
    (the app's worker thread and a check on the GUI thread are one writer)."""

    def __init__(self, database_path: Path, holder: LockHolder):
        self.database_path = database_path
        self.holder = holder
        self._released = False

    def release(self) -> None:
        with _mutex:
            if self._released:
                return
            self._released = True
            key = _key(self.database_path)
            opens, pid = _held.get(key, (0, 0))
            if pid == os.getpid() and opens > 1:
                _held[key] = (opens - 1, pid)
                return
            _held.pop(key, None)
            path = lock_path(self.database_path)
            try:
                current = path.read_bytes()
            except OSError:
                return
            holder = LockHolder.from_bytes(current)
            if holder is not None and _is_us(holder):
                _remove_if_unchanged(path, current)


def acquire(database_path: Path, user: str = "") -> DatabaseLock:
    """Take the write lock of `database_path`, or raise DatabaseInUseError naming who has it."""
    database_path = Path(database_path)
    key = _key(database_path)
    path = lock_path(database_path)
    with _mutex:
        opens, pid = _held.get(key, (0, 0))
        if opens and pid == os.getpid():
            holder = read_holder(database_path)
            if holder is not None and _is_us(holder):
                _held[key] = (opens + 1, pid)
                return DatabaseLock(database_path, holder)
            _held.pop(key, None)  # our lock was broken by someone else: take it anew below
        me = _this_process()
        holder = LockHolder(user, me.login, me.host, me.pid,
                            datetime.now().astimezone().isoformat(timespec="seconds"), me.started)
        for _ in range(3):
            try:
                if _write_new(path, holder.to_bytes()):
                    _held[key] = (1, os.getpid())
                    return DatabaseLock(database_path, holder)
            except OSError as error:
                if isinstance(error, PermissionError) or error.errno == errno.EROFS:
                    raise FolderNotWritableError(
                        f"フォルダに書き込めないため、データベースを編集用に開けません: {database_path.parent}"
                        "（読み取り専用で開くことはできます）") from error
                raise FolderNotWritableError(
                    f"データベースのロックファイルを作れません: {path}（{error.strerror or error}）") from error
            try:
                current = path.read_bytes()
            except FileNotFoundError:
                continue  # released meanwhile
            except OSError:
                current = b""
            other = LockHolder.from_bytes(current)
            if other is None:
                if _age(path) < UNREADABLE_LOCK_GRACE_S:
                    raise DatabaseInUseError(
                        f"別のプログラムがこのデータベースを開いているところです: {database_path}"
                        "（しばらく待ってからもう一度開いてください）", path=database_path)
                _remove_if_unchanged(path, current)
                continue
            if is_stale(other):
                _remove_if_unchanged(path, current)
                continue
            raise DatabaseInUseError(
                f"このデータベースは{other.describe()}開いています: {database_path}。"
                "同時に書き込むとデータが壊れるおそれがあるため、編集用には開けません。"
                "読み取り専用で開くことはできます。", path=database_path, holder=other)
        raise DatabaseInUseError(f"データベースのロックを取得できません: {database_path}", path=database_path)


class LockChangedError(DatabaseInUseError):
    """The lock is no longer the one the user agreed to break (someone else opened the file meanwhile)."""

    kind = "lock_changed"


def break_lock(database_path: Path, expected: LockHolder | None = None) -> LockHolder | None:
    """Remove someone else's lock once the user confirms that program is no longer running (a PC that
    was switched off). Returns who held it. With `expected` (the holder the user was shown), a lock that
    now names someone else is left in place: LockChangedError."""
    path = lock_path(Path(database_path))
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return None
    holder = LockHolder.from_bytes(current)
    if expected is not None and (holder or UNREADABLE_HOLDER) != expected:
        raise LockChangedError(
            f"ロックの内容が変わったため解除しませんでした: {database_path}。"
            "ほかの人が開いたところかもしれません。もう一度確かめてください。", path=Path(database_path),
            holder=holder)
    if not _remove_if_unchanged(path, current):
        raise LockChangedError(
            f"ロックの内容が変わったため解除しませんでした: {database_path}。もう一度確かめてください。",
            path=Path(database_path), holder=holder)
    return holder


def held_here(database_path: Path) -> bool:
    """This process has the file open for writing (a Database not closed yet)."""
    with _mutex:
        opens, pid = _held.get(_key(Path(database_path)), (0, 0))
        return bool(opens) and pid == os.getpid()
