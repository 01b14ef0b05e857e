"""Breaking the lock a crashed or switched-off PC left beside the database, only after a person has seen who
held it and since when and said that PC no longer uses the file. The CLI's `unlock` and the GUI's
「ロックを解除する」 both come here; nothing breaks a lock on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.errors import StorageError

RISK = ("その PC で Kaigo Desktop が使われていないこと（電源が切れた・止まった）を確かめてください。"
        "使用中の PC のロックを解除すると、同時に書き込んでデータが壊れるおそれがあります。")


class LockStillInUseError(StorageError):
    """The holder is a program running on this PC: closing it releases the lock."""

    kind = "lock_still_in_use"


@dataclass(frozen=True)
class LockState:
    holder: lock.LockHolder
    lock_file: Path

    @property
    def readable(self) -> bool:
        return self.holder != lock.UNREADABLE_HOLDER

    @property
    def running_here(self) -> bool:
        return self.readable and lock.running_on_this_pc(self.holder)

    def describe(self) -> str:
        """Who held it and since when, one fact a line."""
        if not self.readable:
            return f"ロックファイルの内容を読めません（{self.lock_file}）"
        holder = self.holder
        who = holder.user or "（記録者名なし）"
        if holder.login and holder.login != holder.user:
            who += f"（ログイン名 {holder.login}）"
        lines = [f"利用者: {who}", f"PC: {holder.host}"]
        if self.running_here:
            lines[-1] += f"（このPC、プロセス {holder.pid}）"
        lines.append(f"開いた日時: {format_since(holder.since)}")
        return "\n".join(lines)


def format_since(since: str) -> str:
    """"令和6年5月1日 09:00（2024-05-01）" from the lock's ISO time; the text as it is when it is not one."""
    try:
        moment = datetime.fromisoformat(since)
        return f"{format_wareki(moment.date())} {moment:%H:%M}（{moment.date().isoformat()}）"
    except (ValueError, TypeError):
        return since or "不明"


def still_running(state: LockState) -> str:
    """Why a lock held by a program running on this PC is not broken."""
    return (f"このPCで動いている Kaigo Desktop（プロセス {state.holder.pid}）がデータベースを開いています。"
            "そのプログラムを閉じればロックは外れます。ロックは解除していません。")


def current_lock(database_path: Path) -> LockState | None:
    """The lock beside the database now, or None when there is none."""
    holder = lock.read_holder(Path(database_path))
    return None if holder is None else LockState(holder, lock.lock_path(Path(database_path)))


def can_break(state: LockState | None) -> bool:
    return state is not None and not state.running_here


def break_confirmed(database_path: Path, shown: LockState) -> LockState | None:
    """Remove the lock the person was shown (and only that one: a lock that changed meanwhile stays,
    lock.LockChangedError). None when it was already gone."""
    if shown.running_here:
        raise LockStillInUseError(still_running(shown))
    if lock.read_holder(Path(database_path)) is None:
        return None
    lock.break_lock(Path(database_path), expected=shown.holder)
    return shown
