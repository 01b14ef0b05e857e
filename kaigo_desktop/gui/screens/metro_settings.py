"""設定 (東京都): the マスタ・設定 screen of a metro database keeps only what applies there — the person's own
settings (text size …), the backups and the users; the 区市町村's masters are not its business."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.masters_backup import BackupSettingsPage
from kaigo_desktop.gui.screens.masters_common import MasterPage
from kaigo_desktop.gui.screens.masters_settings import SettingsPage
from kaigo_desktop.gui.screens.masters_users import UsersPage


class MetroSettingsScreen(MastersScreen):
    title = "設定"

    def __init__(self, context, parent=None):  # noqa: D107 - the pages differ, the behaviour is MastersScreen's
        Screen.__init__(self, context, parent)
        self.members = None  # no 参加者実人数 here (page_action asks)
        self.settings_page = SettingsPage(context)
        self.backup_page = BackupSettingsPage(context)
        self.users_page = UsersPage(context)
        self.pages: list[MasterPage] = [self.settings_page, self.backup_page, self.users_page]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("masters_tabs")
        for page in self.pages:
            self.tabs.addTab(page, page.title)
        QVBoxLayout(self).addWidget(self.tabs)
        self._stale = False
        context.changes_did_happen.connect(self._changes_happened)

    def screenshot_views(self):
        return [("metro_settings", lambda: self.show_page(self.settings_page) and self)]
