"""The interface every screen of the main window implements; the menu's shortcuts call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QMessageBox, QWidget

from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import Then



def _ignore(_ok: bool) -> None:
    pass


class ReadOnlyHold(QObject):
    """Keeps the widgets that write disabled while the database is open read-only, whatever the screen's own
    logic enables meanwhile (choosing a row enables 削除), with the reason as their tooltip. An item view
    stays usable but stops being editable in place."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self._held: dict[QWidget, tuple[str, object]] = {}  # widget → (its tooltip, enabled / edit triggers)
        self._forcing = False

    def hold(self, widgets: Iterable[QWidget], reason: str) -> None:
        for widget in widgets:
            if widget in self._held:
                continue
            if isinstance(widget, QAbstractItemView):
                self._held[widget] = (widget.toolTip(), widget.editTriggers())
                widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
                continue  # a tooltip over a whole table would only get in the way
            self._held[widget] = (widget.toolTip(), widget.isEnabled())
            widget.setToolTip(reason)
            widget.installEventFilter(self)
            self._disable(widget)

    def release(self) -> None:
        """Give the widgets back. Their enabled state is the last one the screen asked for, as far as it
        showed (a screen disabling a held widget goes unseen): windows do not leave read-only in practice —
        a writable database gets a new window."""
        held, self._held = self._held, {}
        for widget in held:
            widget.removeEventFilter(self)
        for widget, (tooltip, state) in held.items():
            if isinstance(widget, QAbstractItemView):
                widget.setEditTriggers(state)  # type: ignore[arg-type]
            else:
                widget.setToolTip(tooltip)
                widget.setEnabled(bool(state))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.EnabledChange and not self._forcing and watched in self._held:
            tooltip, _ = self._held[watched]
            self._held[watched] = (tooltip, watched.isEnabled())
            if watched.isEnabled():
                self._disable(watched)
        return False

    def _disable(self, widget: QWidget) -> None:
        self._forcing = True
        try:
            widget.setEnabled(False)
        finally:
            self._forcing = False


class Screen(QWidget):
    """A page of the main window. Override what applies; the defaults do nothing and say so (False)."""

    title = ""  # navigation label, Japanese
    saves_to_database = True  # False: the screen's Ctrl+S writes a file only (a report), fine read-only

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.read_only = False
        self._read_only_hold = ReadOnlyHold(self)

    def write_widgets(self) -> list[QWidget]:
        """The buttons, editors and in-place editable tables that change the database."""
        return []

    def set_read_only(self, read_only: bool) -> None:
        """The database is open read-only: every write widget stays disabled, saying why, and the screen's
        verbs (save, new_record, delete_selected …) refuse. The main window calls this once the screen is
        built; screens with more to stop extend it."""
        self.read_only = read_only
        if read_only:
            self._read_only_hold.hold(self.write_widgets(), self.context.read_only_reason)
        else:
            self._read_only_hold.release()

    def activate(self) -> None:
        """Called each time the screen is shown: refresh from the database."""

    def new_record(self) -> bool:  # Ctrl+N
        return False

    def focus_search(self) -> bool:  # Ctrl+F
        return False

    def save(self, then: Then | None = None) -> None:  # Ctrl+S
        """Returns at once; then(True) once saved (or nothing needed saving), then(False) when refused
        (the problems are shown) or failed. The default has nothing to save."""
        (then or _ignore)(False)

    def print_current(self) -> bool:  # Ctrl+P
        """Print the screen's list as shown; screens with something better to print override this."""
        from PySide6.QtWidgets import QTableView

        from kaigo_desktop.gui.widgets.table_printing import print_table

        tables = [t for t in self.findChildren(QTableView) if t.isVisible() and t.model() is not None]
        if not tables:
            return False
        main_list = max(tables, key=lambda t: t.width() * t.height())  # the list, not a table inside a form
        return print_table(main_list, self.title, self)

    def delete_selected(self) -> bool:  # Delete
        return False

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        """(file stem, function returning the widget to grab) for `kaigo-desktop screenshots`: the screen
        itself and each of its detail forms, filled with a record of the open database."""
        return [(type(self).__name__, lambda: self)]

    def has_unsaved_changes(self) -> bool:
        return False

    def discard_changes(self) -> None:
        """Forget unsaved edits (after the user agreed)."""

    def confirm_leave(self, then: Then) -> None:
        """Ask before unsaved edits would be lost: save, discard or stay. then(True) = it is fine to leave:
        at once when nothing is unsaved or the user discards, after the save when they choose 保存."""
        if not self.has_unsaved_changes():
            then(True)
            return
        answer = QMessageBox.question(
            self, "未保存の変更", f"{self.title}に保存していない変更があります。保存しますか？",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            self.save(then=lambda ok: then(ok and not self.has_unsaved_changes()))
        elif answer == QMessageBox.StandardButton.Discard:
            self.discard_changes()
            then(True)
        else:
            then(False)

    def when_left(self, go_on: Callable[[], None]) -> bool:
        """Run `go_on` once the user has agreed to leave the record shown (confirm_leave). False when they
        stayed; True when it ran or waits for a save."""
        outcome: list[bool] = []

        def left(ok: bool) -> None:
            outcome.append(ok)
            if ok:
                go_on()

        self.confirm_leave(left)
        return outcome != [False]
