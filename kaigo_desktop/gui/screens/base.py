"""The interface every screen of the main window implements; the menu's shortcuts call these."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.gui.context import AppContext


class Screen(QWidget):
    """A page of the main window. Override what applies; the defaults do nothing and say so (False)."""

    title = ""  # navigation label, Japanese

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context

    def activate(self) -> None:
        """Called each time the screen is shown: refresh from the database."""

    def new_record(self) -> bool:  # Ctrl+N
        return False

    def focus_search(self) -> bool:  # Ctrl+F
        return False

    def save(self) -> bool:  # Ctrl+S
        return False

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

    def confirm_leave(self) -> bool:
        """Ask before unsaved edits would be lost: save, discard or stay. True = it is fine to leave."""
        if not self.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self, "未保存の変更", f"{self.title}に保存していない変更があります。保存しますか？",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save() and not self.has_unsaved_changes()
        if answer == QMessageBox.StandardButton.Discard:
            self.discard_changes()
            return True
        return False
