"""The 集計 screen's figures: headline cards, places by declared/actual frequency, promoters against the cap
per 区市町村 (with the cap warnings), all filled from one FiscalYearStats."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain.fiscal import survey_pending_label
from kaigo_desktop.domain.vocab import FREQUENCY_LABELS
from kaigo_desktop.services.stats import UNSET, FiscalYearStats

WARNING_COLOR = "#b71c1c"
NOT_ENTERED = "未入力"


def _count(value: int | None, unit: str) -> str:
    return NOT_ENTERED if value is None else f"{value:,}{unit}"


# (key, caption) of the cards, in reading order
HEADLINES: tuple[tuple[str, str], ...] = (
    ("places_active", "活動中の通いの場"),
    ("places_survey", "調査対象の通いの場"),
    ("gatherings", "開催回数"),
    ("attendance_total", "延べ参加者数"),
    ("members", "参加者実人数"),
    ("population_65_plus", "65歳以上人口"),
    ("participation_rate", "参加率"),
    ("weekly_participation_rate", "週1回以上活動に参加している人の率"),
    ("promoters", "推進員（配置／上限）"),
    ("places_with_professional", "専門職が関与した通いの場"),
)


def headline_texts(stats: FiscalYearStats, survey_month: int) -> dict[str, tuple[str, str]]:
    """key → (value, note) as the cards show them."""
    rate = "—" if stats.participation_rate is None else f"{stats.participation_rate:.1f}%"
    rate_note = ("65歳以上人口が未入力です（マスタ・設定）" if stats.population_65_plus is None
                 else "参加者実人数（65歳以上）÷ 65歳以上人口")
    weekly = "—" if stats.weekly_participation_rate is None else f"{stats.weekly_participation_rate:.1f}%"
    survey = (_count(stats.places_survey, "か所") if stats.survey.final
              else survey_pending_label(survey_month))
    cap = "上限は人口未入力のため不明" if stats.promoter_cap is None else f"上限 {stats.promoter_cap:,}人"
    return {
        "places_active": (_count(stats.places_active, "か所"), "開催期間が年度に重なる通いの場"),
        "places_survey": (survey, f"{survey_month}月に開催記録がある通いの場"),
        "gatherings": (_count(stats.gatherings, "回"), "年度内の開催記録"),
        "attendance_total": (_count(stats.attendance_total, "人"), "開催ごとの参加者数の合計"),
        "members": (_count(stats.members_total, "人"), f"うち65歳以上 {stats.members_65_plus:,}人"),
        "population_65_plus": (_count(stats.population_65_plus, "人"), "住民基本台帳"),
        "participation_rate": (rate, rate_note),
        "weekly_participation_rate": (weekly, "開催頻度（実績）が週1回以上の通いの場の実人数（65歳以上）"
                                              "÷ 65歳以上人口" if stats.population_65_plus is not None else
                                      "65歳以上人口が未入力です（マスタ・設定）"),
        "promoters": (f"{stats.promoters_placed:,}人", cap),
        "places_with_professional": (
            _count(stats.places_with_professional, "か所"),
            f"うち推進員を除く専門職 {stats.places_with_professional_excluding_promoter:,}か所・"
            f"推進員 {stats.professionals_by_kind.get('推進員', 0):,}か所"),
    }


class FigureCard(QFrame):
    """A caption, a large value and a small note."""

    def __init__(self, key: str, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"card_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.value = QLabel("…")
        self.value.setObjectName(f"value_{key}")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = self.value.font()
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.value.setFont(big)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(mid);")
        for widget in (self.caption, self.value, self.note):
            layout.addWidget(widget)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # The value keeps its larger size relative to the app's text size when that changes.
        if event.type() == event.Type.FontChange:
            big = self.font()
            big.setPointSizeF(big.pointSizeF() * 1.6)
            big.setBold(True)
            self.value.setFont(big)
        super().changeEvent(event)


class HeadlineFigures(QWidget):
    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.cards: dict[str, FigureCard] = {}
        for index, (key, caption) in enumerate(HEADLINES):
            card = FigureCard(key, caption)
            self.cards[key] = card
            layout.addWidget(card, index // self.COLUMNS, index % self.COLUMNS)

    def show_stats(self, stats: FiscalYearStats, survey_month: int) -> None:
        for key, (value, note) in headline_texts(stats, survey_month).items():
            self.cards[key].value.setText(value)
            self.cards[key].note.setText(note)

    def text_of(self, key: str) -> str:
        return self.cards[key].value.text()


class ReadOnlyTable(QTableWidget):
    """A small table sized to its rows (no inner scrolling: the screen scrolls as a whole)."""

    def __init__(self, headers: list[str], parent: QWidget | None = None):
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(headers)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # As wide as its columns: a narrow window at 200 % text must not cut the last one (「人口未入力」).
        return QSize(self.sizeHint().width(), super().minimumSizeHint().height())


def _cell(text: str, numeric: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if numeric:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class FrequencyTable(ReadOnlyTable):
    """Places by 開催頻度: declared (届出) beside actual (実績: gatherings ÷ open months)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(["開催頻度", "届出", "実績"], parent)
        self.horizontalHeader().setStretchLastSection(False)

    def show_stats(self, stats: FiscalYearStats) -> None:
        labels = [*FREQUENCY_LABELS, UNSET]
        self.setRowCount(len(labels))
        for row, label in enumerate(labels):
            declared = stats.places_by_frequency_declared.get(label, 0)
            actual = stats.places_by_frequency_actual.get(label)
            self.setItem(row, 0, _cell(label))
            self.setItem(row, 1, _cell(f"{declared:,}", numeric=True))
            self.setItem(row, 2, _cell("—" if actual is None else f"{actual:,}", numeric=True))


class PromoterCapTable(ReadOnlyTable):
    """Promoters placed per 区市町村 against the subsidy's cap; rows over the cap in red."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(["区市町村", "65歳以上人口", "上限", "配置", "状態"], parent)

    def show_stats(self, stats: FiscalYearStats) -> None:
        rows = stats.promoters_by_municipality
        self.setRowCount(len(rows))
        red = QBrush(QColor(WARNING_COLOR))
        for index, entry in enumerate(rows):
            state = ("上限超過" if entry.cap_exceeded else
                     "人口未入力" if entry.cap is None else "上限内")
            cells = [_cell(entry.name), _cell(_count(entry.population_65_plus, "人"), True),
                     _cell("—" if entry.cap is None else f"{entry.cap}人", True),
                     _cell(f"{entry.placed}人", True), _cell(state)]
            for column, item in enumerate(cells):
                if entry.cap_exceeded:
                    item.setForeground(red)
                self.setItem(index, column, item)
