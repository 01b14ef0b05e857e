"""マスタ・設定 › 設定: the person's own settings (name written as updated_by, the text size of the whole app;
QSettings), the database's defaults (区市町村 and センター new records start on; kept in the database), and
which database file is open (with a way to open another)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui import opening
from kaigo_desktop.gui.error_dialog import default_log_path
from kaigo_desktop.gui.operations import CollectionOp, Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    MasterPage,
    MessageLine,
    fill_municipalities,
    save_refused,
)
from kaigo_desktop.gui.widgets.column_widths import on_font_change
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.services import database_defaults, masters_view, overview
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.database_defaults import DatabaseDefaults

NOT_SET = "（指定なし）"


def apply_text_scale(percent: int) -> None:
    # Imported here: app.py imports the main window, which imports this screen.
    from kaigo_desktop.gui.app import apply_text_scale as apply

    apply(QApplication.instance(), percent)  # type: ignore[arg-type]


class SettingsPage(MasterPage):
    title = "設定"
    saves_to_database = False  # the person's part is changeable even in a read-only database (not the defaults)

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self._centers: dict[str | None, list] = {}
        self.database_path = None

        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("settings_user_name")
        self.user_edit.setPlaceholderText("例: 山田 花子")
        self.municipality_combo = QComboBox()
        self.municipality_combo.setObjectName("settings_municipality")
        self.center_combo = QComboBox()
        self.center_combo.setObjectName("settings_center")
        self.text_scale = QSpinBox()
        self.text_scale.setObjectName("settings_text_scale")
        self.text_scale.setRange(100, 200)
        self.text_scale.setSingleStep(10)
        self.text_scale.setSuffix(" %")
        for combo in (self.municipality_combo, self.center_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(12)

        on_font_change(self.user_edit, lambda: self.user_edit.setMinimumWidth(
            self.user_edit.fontMetrics().horizontalAdvance("あ") * 16))
        # Each box: its fields, then a note across the whole box (a wrapped label in a form row was given one
        # line's height and cut at 200 %).
        user_box = QGroupBox("このパソコンの利用者の設定")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(f"{words.RECORDER}(&U)", self.user_edit)
        form.addRow("文字の大きさ(&Z)", self.text_scale)
        note = QLabel(f"{words.RECORDER}は、保存した記録に「{words.UPDATED_BY}」として残ります。保存するとすぐに反映されます。"
                      "文字の大きさとともに、このパソコンのこの利用者の設定です。")
        note.setWordWrap(True)
        user_layout = QVBoxLayout(user_box)
        user_layout.addLayout(form)
        user_layout.addWidget(note)
        defaults_box = QGroupBox("このデータベースの既定値")
        defaults_form = QFormLayout()
        defaults_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        defaults_form.addRow("既定の区市町村(&M)", self.municipality_combo)
        defaults_form.addRow("既定の地域包括支援センター(&C)", self.center_combo)
        defaults_note = QLabel("新しい記録がはじめに選ぶ値です。このデータベースに保存され、ほかのデータベース（デモなど）"
                               "には影響しません。")
        defaults_note.setWordWrap(True)
        defaults_layout = QVBoxLayout(defaults_box)
        defaults_layout.addLayout(defaults_form)
        defaults_layout.addWidget(defaults_note)
        if context.read_only:
            for combo in (self.municipality_combo, self.center_combo):
                combo.setEnabled(False)
                combo.setToolTip(context.read_only_reason)

        self.database_label = QLabel("")
        self.database_label.setObjectName("settings_database")
        self.database_label.setWordWrap(True)
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_other_button = QPushButton("別のデータベースを開く(&O)…")
        self.open_folder_button = QPushButton("フォルダを開く")
        database_box = QGroupBox("データベース")
        database_layout = QVBoxLayout(database_box)
        database_layout.addWidget(QLabel("開いているファイル:"))
        database_layout.addWidget(self.database_label)
        database_buttons = QHBoxLayout()
        database_buttons.addWidget(self.open_other_button)
        database_buttons.addWidget(self.open_folder_button)
        database_buttons.addStretch(1)
        database_layout.addLayout(database_buttons)
        log_label = QLabel(f"エラーの記録（ログ）: {default_log_path()}")
        log_label.setWordWrap(True)
        log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        database_layout.addWidget(log_label)

        self.save_button = QPushButton("設定を保存(&S)")
        self.save_button.setObjectName("settings_save")
        self.discard_button = QPushButton(words.REVERT)
        self.message = MessageLine()
        stacked(self, user_box, defaults_box, button_row(right=(self.discard_button, self.save_button)), self.message,
                database_box, 1)

        self.municipality_combo.currentIndexChanged.connect(lambda _i: self._fill_centers(None))
        self.save_button.clicked.connect(lambda: self.save())
        self.discard_button.clicked.connect(self.discard_changes)
        self.open_other_button.clicked.connect(self._open_other_database)
        self.open_folder_button.clicked.connect(self._open_folder)
        context.defaults_did_change.connect(lambda _defaults: self.loaded and self._show_settings())
        self._show_settings()

    # ---- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        def job(db, _ctx):
            centers: dict[str | None, list] = {}
            for row in masters_view.center_table(db, None):
                centers.setdefault(row.center.municipality_code, []).append(row.center)
            return overview.municipalities(db), centers, masters_view.database_file(db)
        self.context.run(job, on_done=lambda result: self._loaded(*result))

    def _loaded(self, municipalities, centers, database_path) -> None:
        self._centers = centers
        self.database_path = database_path
        self.database_label.setText(str(database_path))
        fill_municipalities(self.municipality_combo, municipalities, None, none_label=NOT_SET)
        self.loaded = True
        self._show_settings()

    def _fill_centers(self, selected: str | None) -> None:
        self.center_combo.clear()
        self.center_combo.addItem(NOT_SET, None)
        for center in self._centers.get(self.municipality_combo.currentData(), []):
            self.center_combo.addItem(center.name, center.id)
        self.center_combo.setCurrentIndex(max(0, self.center_combo.findData(selected)) if selected else 0)

    def _show_settings(self) -> None:
        settings, defaults = self.context.settings, self.context.defaults
        self.user_edit.setText(settings.user_name)
        self.municipality_combo.blockSignals(True)
        index = self.municipality_combo.findData(defaults.municipality or None)
        self.municipality_combo.setCurrentIndex(max(0, index))
        self.municipality_combo.blockSignals(False)
        self._fill_centers(defaults.center or None)
        self.text_scale.setValue(settings.text_scale_percent)
        self.message.clear_message()

    # ---- the Screen's verbs --------------------------------------------------------------------

    def _form_values(self) -> tuple[str, str, str, int]:
        return (self.user_edit.text().strip(), self.municipality_combo.currentData() or "",
                self.center_combo.currentData() or "", self.text_scale.value())

    def _stored_values(self) -> tuple[str, str, str, int]:
        s, d = self.context.settings, self.context.defaults
        return (s.user_name, d.municipality, d.center, s.text_scale_percent)

    def has_unsaved_changes(self) -> bool:
        if not self.loaded:
            return self.user_edit.text().strip() != self.context.settings.user_name \
                or self.text_scale.value() != self.context.settings.text_scale_percent
        return self._form_values() != self._stored_values()

    def discard_changes(self) -> None:
        self._show_settings()

    def save(self, then: Then | None = None) -> None:
        """The person's own settings are saved at once; the name the database stamps on writes follows on the
        database thread, before any write queued after this one. The database's defaults are written there,
        when they changed."""
        user, municipality, center, scale = self._form_values()
        settings = self.context.settings
        if user != settings.user_name:
            CollectionOp(self, self.context, lambda db, _ctx: masters_view.set_user_name(db, user),
                         changes=Changes()).run_in_background()
        settings.user_name = user
        if scale != settings.text_scale_percent:
            settings.text_scale_percent = scale
            apply_text_scale(scale)
        wanted = DatabaseDefaults(municipality, center)
        if not self.loaded or self.context.read_only or wanted == self.context.defaults:
            self.message.done("設定を保存しました。")
            finish(then, True)
            return

        def saved(defaults: DatabaseDefaults) -> None:
            self.context.set_defaults(defaults)
            self.message.done("設定を保存しました。")
            finish(then, True)

        CollectionOp(self, self.context, lambda db, _ctx: database_defaults.save(db, wanted),
                     changes=Changes.of("settings")) \
            .success(saved).failure(save_refused(self.message, then)).disabling(self.save_button) \
            .run_in_background()

    def _open_other_database(self) -> None:
        window = self.window()
        if hasattr(window, "choose_database"):
            window.choose_database()

    def _open_folder(self) -> None:
        if self.database_path is not None:
            opening.open_folder(self, self.database_path.parent)
