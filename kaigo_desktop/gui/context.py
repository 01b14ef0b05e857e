"""What every screen is given: the database worker, the user's settings, and the app-wide signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from kaigo_desktop.domain import roles
from kaigo_desktop.gui.database_worker import DatabaseWorker, JobHandle
from kaigo_desktop.services import database_defaults
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.database_defaults import DatabaseDefaults
from kaigo_desktop.storage.database import Database

# Why a window cannot save, shown in its status bar and on every disabled write button.
READ_ONLY_IN_USE = "読み取り専用で開いています（ほかの人が使用中）"
READ_ONLY_FOLDER = "読み取り専用で開いています（フォルダに書き込めません）"


class UserSettings:
    """The person's own preferences (QSettings: the registry on Windows, an ini file elsewhere): name, text
    size, recent files. What belongs to a database (its default 区市町村 and センター) is kept in it
    (services/database_defaults, AppContext.defaults)."""

    def __init__(self, settings: QSettings | None = None):
        self._settings = settings or QSettings()

    def _get(self, key: str, default: Any) -> Any:
        value = self._settings.value(key, default)
        return type(default)(value) if value is not None else default

    @property
    def user_name(self) -> str:
        return self._get("user/name", "")

    @user_name.setter
    def user_name(self, value: str) -> None:
        self._settings.setValue("user/name", value)

    # Earlier versions kept the defaults here, per person. They are only read to hand them over to a database
    # that has none yet (services/database_defaults.adopt_personal_defaults); nothing else reads them.
    @property
    def default_municipality(self) -> str:
        return self._get("defaults/municipality", "")

    @default_municipality.setter
    def default_municipality(self, value: str) -> None:
        self._settings.setValue("defaults/municipality", value)

    @property
    def default_center(self) -> str:
        return self._get("defaults/center", "")

    @default_center.setter
    def default_center(self, value: str) -> None:
        self._settings.setValue("defaults/center", value)

    @property
    def text_scale_percent(self) -> int:
        return max(100, min(200, self._get("view/text_scale", 100)))

    @text_scale_percent.setter
    def text_scale_percent(self, value: int) -> None:
        self._settings.setValue("view/text_scale", max(100, min(200, int(value))))

    @property
    def recent_databases(self) -> list[str]:
        value = self._settings.value("files/recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in (value or [])]

    def remember_database(self, path: str, keep: int = 8) -> None:
        recent = [path] + [p for p in self.recent_databases if p != path]
        self._settings.setValue("files/recent", recent[:keep])


class AppContext(QObject):
    """Shared by the screens. `changes_did_happen` tells every screen what an operation changed."""

    changes_did_happen = Signal(object)  # a services.changes.Changes, announced once per operation
    status_did_change = Signal(str)
    defaults_did_change = Signal(object)  # the database's DatabaseDefaults, once read and after each save

    def __init__(self, worker: DatabaseWorker, settings: UserSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = worker
        self.settings = settings
        self.read_only_reason = READ_ONLY_IN_USE  # said when read_only; the app sets the real reason
        # Who is logged in (gui/login.py), as the database thread's Database.actor; has_users once known.
        self.actor: roles.Actor = roles.IMPLICIT_ADMIN
        self.has_users = False
        # The database's own defaults, read first thing on its thread: every screen's loading job is queued
        # after this one, so its result is in place before any screen's data arrives.
        self.defaults = DatabaseDefaults()
        municipality, center = settings.default_municipality, settings.default_center
        self.run(lambda db, _ctx: database_defaults.adopt_personal_defaults(db, municipality, center),
                 on_done=self.set_defaults, on_error=lambda _error: None)  # an open failure is told elsewhere

    @property
    def read_only(self) -> bool:
        """The database was opened read-only (another program is writing it, or its folder is read-only):
        screens disable everything that writes, and their verbs refuse."""
        return self.worker.readonly

    def set_defaults(self, defaults: DatabaseDefaults) -> None:
        self.defaults = defaults
        self.defaults_did_change.emit(defaults)

    def announce(self, changes: Changes) -> None:
        """Tell every screen what an operation changed (gui.operations.CollectionOp calls this)."""
        self.changes_did_happen.emit(changes)

    def run(
        self,
        fn: Callable[[Database, Any], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> JobHandle:
        """Run `fn(db, job_context)` on the database thread; callbacks come back on the GUI thread."""
        return self.worker.submit(fn, on_done, on_error, on_progress)
