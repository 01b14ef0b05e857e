"""The 参加者 entry of the navigation (issue 19): two pages on tabs — the participants (ParticipantsScreen: the
list, a participant's fields, checks, history and cases) and 短期集中予防サービス (ShortTermCasesScreen: every
case of a 年度 and center). The menu's verbs go to the page shown; unsaved edits on either page are kept and
asked about as on any screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import Then
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.participants import ParticipantsScreen
from kaigo_desktop.gui.screens.short_term_cases import ShortTermCasesScreen


class ParticipantPagesScreen(Screen):
    title = "参加者"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.people = ParticipantsScreen(context)
        self.cases = ShortTermCasesScreen(context)
        self.pages = QTabWidget()
        self.pages.setObjectName("participant_pages")
        self.pages.addTab(self.people, "参加者一覧")
        self.pages.addTab(self.cases, "短期集中予防サービス")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.pages.currentChanged.connect(lambda _i: self._page_changed())
        self._size_to_current()

    def _page_changed(self) -> None:
        self._size_to_current()
        self.current_page().activate()

    def _size_to_current(self) -> None:
        """The screen as tall as the page shown needs (a tab widget asks for its tallest page's height, and the
        participants' form at 200 % would make the cases page scroll for nothing)."""
        for page in self.all_pages():
            shown = page is self.pages.currentWidget()
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
            page.updateGeometry()

    def current_page(self) -> Screen:
        page = self.pages.currentWidget()
        assert isinstance(page, Screen)
        return page

    def all_pages(self) -> list[Screen]:
        return [self.people, self.cases]

    def show_page(self, page: Screen) -> Screen:
        self.pages.setCurrentWidget(page)
        return page

    # ---- the Screen interface, passed to the pages ---------------------------------------------

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only  # each page holds its own write widgets
        for page in self.all_pages():
            page.set_read_only(read_only)

    def write_widgets(self) -> list[QWidget]:
        return [widget for page in self.all_pages() for widget in page.write_widgets()]

    def activate(self) -> None:
        self.current_page().activate()

    def new_record(self) -> bool:
        return self.current_page().new_record()

    def focus_search(self) -> bool:
        return self.current_page().focus_search()

    def delete_selected(self) -> bool:
        return self.current_page().delete_selected()

    def print_current(self) -> bool:
        return self.current_page().print_current()

    def save(self, then: Then | None = None) -> None:
        # The edits may be on the page not shown (a participant's form, then a look at the cases).
        unsaved = next((p for p in self.all_pages() if p.has_unsaved_changes()), self.current_page())
        unsaved.save(then)

    def has_unsaved_changes(self) -> bool:
        return any(page.has_unsaved_changes() for page in self.all_pages())

    def discard_changes(self) -> None:
        for page in self.all_pages():
            page.discard_changes()

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        views = []
        for page in self.all_pages():
            for name, make_view in page.screenshot_views():
                views.append((name, self._on_page(page, make_view)))
        return views

    def _on_page(self, page: Screen, make_view: Callable[[], QWidget]) -> Callable[[], QWidget]:
        def view() -> QWidget:
            self.show_page(page)
            shown = make_view()
            return self if shown is page else shown  # the screenshot takes the window around a page
        return view
