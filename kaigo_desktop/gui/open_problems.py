"""What to do when a database file cannot be opened: damaged (restore the newest backup), too new or another
application's file (only explained: nothing of ours may replace it), in use (open read-only) — each explained
in Japanese, each answered by the user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kaigo_desktop import APP_NAME
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import READ_ONLY_FOLDER, READ_ONLY_IN_USE
from kaigo_desktop.gui.error_dialog import logger
from kaigo_desktop.gui.restore_progress import run_restore
from kaigo_desktop.services import unlocking
from kaigo_desktop.storage.errors import (
    DatabaseInUseError,
    FolderNotWritableError,
    ForeignDatabaseError,
    NewerSchemaError,
    NotADatabaseError,
    StorageError,
)

RESTORE_NEWEST = "最新のバックアップから復元"
OPEN_READ_ONLY = "読み取り専用で開く"
BREAK_LOCK = "ロックを解除する"
CONFIRM_BREAK_LOCK = "解除して編集用に開く"
CANCEL = words.CANCEL
EXCHANGE_HINT = ("ほかの人とデータを受け渡すときは、共有フォルダでデータベースを開く代わりに"
                 "「交換用ファイル」の書き出し・取り込みを使ってください。")


@dataclass(frozen=True)
class OpenDecision:
    """Open `path` again, read-only (saying `reason`) or not (after a restore, when `restored_from` is set;
    after the user broke a lock, `unlocked` says whose)."""

    path: Path
    readonly: bool = False
    restored_from: Path | None = None
    reason: str = ""
    unlocked: str = ""


def choose(parent: QWidget | None, icon: QMessageBox.Icon, text: str, options: list[str]) -> str | None:
    """A message box whose buttons are `options` (the last one cancels); the text of the one pressed.
    Tests replace this function to answer it. Nobody is asked when nobody can answer (screenshots)."""
    if QApplication.instance().property("interactive") is False:
        return None
    if options == ["OK"]:  # only to be read: the standard box
        show = QMessageBox.information if icon == QMessageBox.Icon.Information else QMessageBox.warning
        show(parent, APP_NAME, text)
        return "OK"
    box = QMessageBox(icon, APP_NAME, text, parent=parent)
    buttons = {}
    for index, option in enumerate(options):
        last = index == len(options) - 1
        role = QMessageBox.ButtonRole.RejectRole if last and len(options) > 1 else QMessageBox.ButtonRole.AcceptRole
        buttons[box.addButton(option, role)] = option
    box.exec()
    return buttons.get(box.clickedButton())


def resolve(parent: QWidget | None, path: Path, error: BaseException) -> OpenDecision | None:
    """Explain why `path` did not open and offer what can be done; the decision, or None to give up."""
    path = Path(path)
    if isinstance(error, DatabaseInUseError):
        breakable = breakable_lock(path, error)
        text = f"{error}\n\n読み取り専用で開くと、内容を見ることはできますが保存はできません。"
        if breakable is not None:
            text += (f"\n\nその PC が止まったまま（電源が切れた等）で、ロックだけが残っているときは"
                     f"「{BREAK_LOCK}」で編集用に開けます。")
        answer = choose(parent, QMessageBox.Icon.Warning, text,
                        [OPEN_READ_ONLY, BREAK_LOCK, CANCEL] if breakable is not None else [OPEN_READ_ONLY, CANCEL])
        if answer == BREAK_LOCK and breakable is not None:
            return break_lock(parent, path, breakable)
        return OpenDecision(path, readonly=True, reason=READ_ONLY_IN_USE) if answer == OPEN_READ_ONLY else None
    if isinstance(error, FolderNotWritableError):
        answer = choose(parent, QMessageBox.Icon.Warning, str(error), [OPEN_READ_ONLY, CANCEL])
        return OpenDecision(path, readonly=True, reason=READ_ONLY_FOLDER) if answer == OPEN_READ_ONLY else None
    if isinstance(error, ForeignDatabaseError):
        choose(parent, QMessageBox.Icon.Critical, f"データベースを開けません。\n{error}", ["OK"])
        return None
    if isinstance(error, NewerSchemaError):
        choose(parent, QMessageBox.Icon.Critical, f"データベースを開けません。\n{error}", ["OK"])
        return None
    if isinstance(error, NotADatabaseError):
        newest = getattr(error, "newest_backup", None)
        if newest is None:
            choose(parent, QMessageBox.Icon.Critical,
                   f"データベースを開けません。\n{error}\n\n復元できるバックアップが見つかりません。システムの担当者に相談してください。", ["OK"])
            return None
        answer = choose(parent, QMessageBox.Icon.Critical,
                        f"{error}\n\n「{RESTORE_NEWEST}」を押すと {Path(newest).name} の内容に戻します。"
                        "壊れたファイルは別名で残します。", [RESTORE_NEWEST, CANCEL])
        if answer != RESTORE_NEWEST:
            return None
        return _restore(parent, path, Path(newest))
    choose(parent, QMessageBox.Icon.Critical, f"データベースを開けません。\n{error}", ["OK"])
    return None


def breakable_lock(path: Path, error: BaseException) -> unlocking.LockState | None:
    """The lock a person may break: one naming its holder (not a file being opened this second) that is not
    a program running on this PC."""
    if not isinstance(error, DatabaseInUseError) or error.holder is None:
        return None
    state = unlocking.current_lock(path)
    return state if unlocking.can_break(state) else None


def break_lock(parent: QWidget | None, path: Path, state: unlocking.LockState) -> OpenDecision | None:
    """Ask once more, naming who held the lock and since when; break it only on a yes (and only that lock)."""
    answer = choose(parent, QMessageBox.Icon.Warning,
                    f"次のロックを解除します。\n\n{state.describe()}\n\n{unlocking.RISK}\n\n解除しますか？",
                    [CONFIRM_BREAK_LOCK, CANCEL])
    if answer != CONFIRM_BREAK_LOCK:
        return None
    try:
        unlocking.break_confirmed(path, state)
    except (StorageError, OSError) as problem:  # changed meanwhile, running here, a share that refuses
        choose(parent, QMessageBox.Icon.Warning, f"ロックを解除できませんでした。\n{problem}", ["OK"])
        return None
    logger.warning("lock of %s broken by the user: %s", path, state.holder)
    return OpenDecision(path, unlocked=state.describe().replace("\n", "、"))


def _restore(parent: QWidget | None, path: Path, backup: Path) -> OpenDecision | None:
    """Nothing has the file open (it failed to open): the restore runs on its own thread at once, with a
    progress dialog that can cancel it."""
    outcome = run_restore(parent, path, backup)
    if outcome.cancelled:
        choose(parent, QMessageBox.Icon.Information, "復元を取り消しました。ファイルは変更していません。", ["OK"])
        return None
    if outcome.error is not None:
        if not isinstance(outcome.error, (StorageError, OSError)):
            raise outcome.error  # a bug: the exception hook shows and logs it
        choose(parent, QMessageBox.Icon.Critical, f"復元できませんでした。ファイルは変更していません。\n{outcome.error}",
               ["OK"])
        return None
    result = outcome.result
    kept = f"\n元のファイルは {result.kept_copy} に残してあります。" if result.kept_copy else ""
    choose(parent, QMessageBox.Icon.Information, f"{backup.name} から復元しました。{kept}", ["OK"])
    return OpenDecision(path, restored_from=backup)


def warn_about_location(parent: QWidget | None, warnings: list[str]) -> QMessageBox | None:
    """One non-blocking warning for what opening found (a network or cloud-synced folder …)."""
    if not warnings or QApplication.instance().property("interactive") is False:
        return None
    text = "\n\n".join(warnings)
    if "交換" not in text:
        text += "\n\n" + EXCHANGE_HINT
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, text, parent=parent)
    box.setObjectName("location_warning")
    box.setModal(False)
    box.show()
    return box
