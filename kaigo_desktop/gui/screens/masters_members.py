"""マスタ・設定 › 参加者実人数: the 参加者実人数 of every place active in one 年度 (by sex and age band, 不明 kept as
the rest), beside its 延べ参加者数, edited in a table and saved all rows or none
(services.members_view.save_members). Each row is checked as it is shown or typed (members_view.row_problems);
the table is a model (members_table_model.py), so 10,000 places fill as fast as one."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.gui.operations import QueryOp, Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    EditedTablePage,
    choose_quietly,
    commit_open_editor,
    confirm_discard,
    fill_fiscal_years,
    fill_municipalities,
    year_and_municipality_combos,
)
from kaigo_desktop.gui.screens.members_table_model import COLUMNS, MembersTableModel
from kaigo_desktop.gui.widgets.lock_note import lock_note, show_lock
from kaigo_desktop.services import approval, masters_view, members_view, overview
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.members_view import MembersEntry, MembersRow


class MembersPage(EditedTablePage):
    title = "参加者実人数"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.model = MembersTableModel(on_edit=lambda: self.message.clear_message())
        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("members")
        self.lock_label = lock_note(self, "members_lock_note")
        self.build_page(
            "members", COLUMNS, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&M)", self.municipality_combo)),
            "1年間に参加した人の数（同じ人は1人）を通いの場ごとに入力します。内訳は分かる分だけで構いません"
            "（残りは不明として数えます）。実人数を空欄にして保存すると、その年度の実人数を削除します（ごみ箱に入ります）。",
            below_table=(self.lock_label,), model=self.model)
        self.save_button.setObjectName("members_save")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        # 確認 holds whole sentences: sized to them (the table scrolls sideways at large text) rather than
        # stretched into what the number columns leave, which at 200 % is too little to read them
        self.table.horizontalHeader().setStretchLastSection(False)
        self.fiscal_year_combo.currentIndexChanged.connect(self._choice_changed)
        self.municipality_combo.currentIndexChanged.connect(self._choice_changed)
        self._shown: tuple[int, str | None] | None = None
        self._locked: str | None = None  # why the 年度 shown cannot be changed (提出済み), or None

    # ---- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        today = self.today()
        QueryOp(self, self.context,
                lambda db, _ctx: (masters_view.fiscal_year_choices(db, today), overview.municipalities(db))) \
            .success(lambda result: self._choices_loaded(*result, fiscal_year_of(today))).run_in_background()

    def _choices_loaded(self, years: list[int], municipalities, current: int) -> None:
        fill_fiscal_years(self.fiscal_year_combo, years, self._shown[0] if self._shown else current)
        fill_municipalities(self.municipality_combo, municipalities,
                            self.context.defaults.municipality or None, none_label="全区市町村")
        self.loaded = True
        self.reload()

    def _choice_changed(self, _index: int) -> None:
        if self.has_unsaved_changes() and not confirm_discard(self, "参加者実人数"):
            if self._shown:
                choose_quietly(self.fiscal_year_combo, self._shown[0])
                choose_quietly(self.municipality_combo, self._shown[1])
            return
        self.reload()

    def reload(self) -> None:
        fiscal_year, municipality = self.fiscal_year_combo.currentData(), self.municipality_combo.currentData()
        if fiscal_year is None:
            return
        QueryOp(self, self.context, lambda db, _ctx: (members_view.members_sheet(db, fiscal_year, municipality),
                                                      approval.locked_reason(db, fiscal_year, municipality))) \
            .success(lambda found: self._fill(fiscal_year, municipality, *found)).run_in_background()

    @property
    def rows(self) -> list[MembersRow]:
        return self.model.rows

    def _fill(self, fiscal_year: int, municipality: str | None, rows: list[MembersRow],
              locked: str | None = None) -> None:
        self._shown = (fiscal_year, municipality)
        self._locked = locked
        show_lock(self.lock_label, locked)
        writable = locked is None and not self.context.read_only
        self.save_button.setEnabled(writable)
        self.discard_button.setEnabled(writable)
        self.model.fill(rows, editable=writable)

    # ---- editing -------------------------------------------------------------------------------

    def cell_text(self, row: int, column: int) -> str:
        return self.model.text(row, column)

    def type_cell(self, row: int, column: int, text: str) -> None:
        """What typing `text` into a cell and leaving it does (the tests' and the keyboard's way in)."""
        self.model.setData(self.model.index(row, column), text)

    def row_messages(self, row: int) -> tuple[list[str], list[str]]:
        """(errors, warnings) of one row as typed: what the save would refuse, and what only warns."""
        return self.model.problems(row)

    def has_unsaved_changes(self) -> bool:
        commit_open_editor(self.table)
        return bool(self.model.changed_rows())

    def discard_changes(self) -> None:
        self.model.put_back()
        self.message.clear_message()

    def entries(self) -> tuple[list[MembersEntry], list[str]]:
        entries, problems = [], []
        for row in self.model.changed_rows():
            try:
                entries.append(self.model.entry(row))
            except ValueError as error:
                problems.append(f"{self.rows[row].place_name}: {error}")
        return entries, problems

    def save(self, then: Then | None = None) -> None:
        if self._shown is None or not self.has_unsaved_changes():
            finish(then, True)
            return
        fiscal_year = self._shown[0]
        entries, problems = self.entries()
        today = self.today()
        self.write_edits(then, problems,
                         lambda db, _ctx: members_view.save_members(db, fiscal_year, entries, today),
                         Changes.of("members"), lambda count: f"{count}か所の参加者実人数を保存しました。")
