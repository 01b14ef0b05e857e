"""The approval panel of the 提出前チェック screen: the 年度's state (入力中 / 提出済み), センター確認 per center for
its staff, and 承認してロック / ロック解除（理由…） for administrators — each button enabled only when the current
user may use it now, the reason shown otherwise (services/approval.approval_view decides; the services refuse
anyway). Every step runs as an operation on the database thread and announces what it changed."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.gui.operations import CollectionOp, QueryOp
from kaigo_desktop.services import approval
from kaigo_desktop.services.approval import ApprovalView
from kaigo_desktop.services.changes import Changes

LOCK_CHANGES = "period_locks"  # the kind announced by a lock or unlock (forms of that 年度 look again)
CONFIRM_CHANGES = "center_confirmations"


class ApprovalPanel(QWidget):
    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._today = date.today()
        self.view: ApprovalView | None = None
        self._shown: tuple[int, str] | None = None
        self.status = QLabel(self)
        self.status.setObjectName("approval_status")
        self.center_combo = QComboBox(self)
        self.center_combo.setObjectName("approval_center")
        self.center_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.confirm_button = QPushButton("センター確認", self)
        self.lock_button = QPushButton("承認してロック", self)
        self.unlock_button = QPushButton("ロック解除（理由…）", self)
        self.why = QLabel(self)
        self.why.setObjectName("approval_why")
        self.why.setWordWrap(True)
        self.why.setStyleSheet("color: #555;")
        state_row = QHBoxLayout()  # two rows: at 200 % text one row would squeeze the center's name
        state_row.addWidget(self.status)
        state_row.addStretch(1)
        state_row.addWidget(self.lock_button)
        state_row.addWidget(self.unlock_button)
        center_row = QHBoxLayout()
        center_row.addWidget(QLabel("センター確認", self))
        center_row.addWidget(self.center_combo)
        center_row.addWidget(self.confirm_button)
        center_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(state_row)
        layout.addLayout(center_row)
        layout.addWidget(self.why)
        self.center_combo.currentIndexChanged.connect(lambda _i: self._show_center())
        self.confirm_button.clicked.connect(lambda: self.toggle_confirmation())
        self.lock_button.clicked.connect(lambda: self.lock())
        self.unlock_button.clicked.connect(self._ask_unlock)
        self.show_for(None, None)

    # ---- loading -------------------------------------------------------------------------------

    def show_for(self, fiscal_year: int | None, municipality_code: str | None, today: date | None = None) -> None:
        """The panel for a 年度 and 区市町村 (None: all 区市町村, which are approved one at a time); the screen
        calls it whenever it checks again (after any change, its own steps included)."""
        if fiscal_year is None or not municipality_code:
            self._shown, self.view = None, None
            self.status.setText("")
            self.center_combo.clear()
            for widget in (self.center_combo, self.confirm_button, self.lock_button, self.unlock_button):
                widget.setEnabled(False)
            self.why.setText("承認・ロックは区市町村ごとです。区市町村を選んでください。")
            return
        self._shown = (fiscal_year, municipality_code)
        self._today = today = today or date.today()
        QueryOp(self, self.context, lambda db, _ctx: approval.approval_view(db, fiscal_year, municipality_code, today)) \
            .success(lambda view: self._show(view)).run_in_background()

    def _show(self, view: ApprovalView) -> None:
        status = view.status
        if self._shown != (status.fiscal_year, status.municipality_code):
            return  # another 年度 or 区市町村 was chosen meanwhile
        self.view = view
        self.status.setText(f"<b>{format_fiscal_year(status.fiscal_year)} {status.municipality_name}：{status.label}</b>")
        chosen = self.center_combo.currentData()
        self.center_combo.blockSignals(True)
        self.center_combo.clear()
        for center in status.centers:
            self.center_combo.addItem(f"{center.name}（{'確認済み' if center.confirmed else '未確認'}）",
                                      center.center_id)
        self.center_combo.setCurrentIndex(max(0, self.center_combo.findData(chosen)))
        self.center_combo.blockSignals(False)
        self.center_combo.setEnabled(bool(status.centers))
        self.lock_button.setEnabled(view.lock.ok and not self.context.read_only)
        self.unlock_button.setEnabled(view.unlock.ok and not self.context.read_only)
        self._show_center()

    def _show_center(self) -> None:
        view = self.view
        if view is None:
            return
        center = next((c for c in view.status.centers if c.center_id == self.center_combo.currentData()), None)
        allowed = view.confirm.get(center.center_id) if center else None
        self.confirm_button.setText("センター確認を取り消す" if center and center.confirmed else "センター確認")
        self.confirm_button.setEnabled(bool(allowed and allowed.ok) and not self.context.read_only)
        reasons = []
        if center is None:
            reasons.append("この年度に活動中の通いの場を持つセンターはありません。")
        elif allowed is not None and not allowed.ok:
            reasons.append(allowed.why)
        # 承認してロック's reason (ロック解除's is plain from the state line); said once
        if not view.lock.ok and view.lock.why and not any(view.lock.why in reason for reason in reasons):
            reasons.append(view.lock.why)
        self.why.setText("\n".join(reasons))

    # ---- steps ---------------------------------------------------------------------------------

    def _step(self, job, kind: str) -> None:
        buttons = (self.confirm_button, self.lock_button, self.unlock_button)
        CollectionOp(self, self.context, job, changes=Changes.of(kind)) \
            .disabling(*buttons).run_in_background()

    def toggle_confirmation(self) -> None:
        view, center_id = self.view, self.center_combo.currentData()
        if view is None or center_id is None:
            return
        fiscal_year = view.status.fiscal_year
        confirmed = any(c.center_id == center_id and c.confirmed for c in view.status.centers)
        step = approval.withdraw_confirmation if confirmed else approval.confirm_center
        self._step(lambda db, _ctx: step(db, fiscal_year, center_id), CONFIRM_CHANGES)

    def lock(self) -> None:
        if self._shown is None:
            return
        (fiscal_year, code), today = self._shown, self._today
        self._step(lambda db, _ctx: approval.approve_and_lock(db, fiscal_year, code, today), LOCK_CHANGES)

    def unlock(self, reason: str) -> None:
        if self._shown is None:
            return
        fiscal_year, code = self._shown
        self._step(lambda db, _ctx: approval.unlock(db, fiscal_year, code, reason), LOCK_CHANGES)

    def _ask_unlock(self) -> None:
        reason, ok = QInputDialog.getText(self, "ロック解除", "ロックを解除する理由（必須・記録に残ります）:")
        if ok:
            self.unlock(reason)
