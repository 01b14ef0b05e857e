"""What every kind of import shares: the database, counters and warnings, and finding the municipalities,
places and promoters a row refers to (with their Japanese errors located at the right cell)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.codes import normalize_municipality_code
from kaigo_desktop.domain.fiscal import DateParseError, parse_date, parse_fiscal_year
from kaigo_desktop.domain.text import parse_count, parse_flag, parse_list, parse_time
from kaigo_desktop.domain.validation import ValidationFailed, count_units
from kaigo_desktop.domain.vocab import match_choice
from kaigo_desktop.services import records, rights
from kaigo_desktop.services.importing_table import ErrorSink, ProgressReporter, Row, RowError
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import import_lookups, lookups
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError
from kaigo_desktop.storage.ids import is_uuid

CODE = "区市町村コード"
PLACE_ID = "通いの場ID"
PLACE_NAME = "通いの場名称"
MAX_LISTED_LINES = 10
MAX_MEMO_ENTRIES = 50_000  # distinct cell texts remembered (a million-row file repeats far fewer)


@dataclass
class Context:
    db: Database
    today: date
    sink: ErrorSink
    report: ProgressReporter  # called with the rows done so far
    expected_rows: int = 0  # about how many rows the file holds (its lines), known before the first is read
    added: int = 0
    updated: int = 0
    warnings: list[str] = field(default_factory=list)
    _codes: set[str] | None = None
    _place_by_id: dict[str, str | None] = field(default_factory=dict)
    _place_by_name: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _places_read: bool = False
    _promoter_by_id: dict[str, str | None] = field(default_factory=dict)
    _memo: dict[tuple, tuple[Any, tuple[RowError, ...]]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return self.sink.total > 0

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # ---- cells -----------------------------------------------------------------------------------

    def memo(self, row: Row, header: str, kind: str, read: Callable[[Row], Any]) -> Any:
        """`read(row)` for a reading that depends on the one cell alone (its text and typed value): made once
        per distinct cell and replayed, errors included, on every row holding the same cell. A million-row
        file holds a few thousand distinct dates, counts and times."""
        if row.column_failed(header):
            return read(row)
        text, raw = row.cells.get(header, ""), row.raw(header)
        key = (kind, header, text) if raw is None else (kind, header, text, type(raw), raw)
        found = self._memo.get(key)
        if found is None:
            sink = ErrorSink()
            value = read(Row(row.line, {header: text} if row.has(header) else {}, sink,
                             {header: raw} if raw is not None else None))
            if len(self._memo) >= MAX_MEMO_ENTRIES:
                self._memo.clear()
            found = self._memo[key] = (value, tuple(sink.errors))
        value, errors = found
        for error in errors:
            row.error(error.column, error.message)
        return value

    @staticmethod
    def read_date(row: Row, header: str, *, required: bool = False) -> date | None:
        raw = row.raw(header)
        if raw is not None:  # an Excel date cell, or a number
            return row.value(header, lambda _text: cell_date(raw), required=required)
        return row.value(header, parse_date, required=required)

    @staticmethod
    def read_count(row: Row, header: str, field: str, *, required: bool = False) -> int | None:
        """A count of the record's `field` (its unit may follow the number: 20人, 90分, 1,234円)."""
        units = count_units(field)
        return row.value(header, lambda text: parse_count(text, field_label=header, units=units), required=required)

    def read_choice(self, row: Row, header: str, table: str, *, required: bool = False) -> str | None:
        """One of the reference list `table`, as people type it (see vocab.match_choice)."""
        choices = lookups.vocabulary(self.db, table)
        return row.value(header, lambda text: match_choice(text, choices, label=header), required=required)

    @staticmethod
    def read_choices(row: Row, header: str, choices: Sequence[str]) -> list[str]:
        """A list cell of choices (主な活動内容, 実施プログラム); each unknown item is an error of the cell."""
        found = []
        for item in parse_list(row.text(header)):
            try:
                found.append(match_choice(item, choices, label=header))
            except ValueError as error:
                row.error(header, str(error))
        return [item for item in found if item]

    @staticmethod
    def read_time(row: Row, header: str) -> str | None:
        raw = row.raw(header)
        if isinstance(raw, (datetime, time)) or (isinstance(raw, float) and 0 <= raw < 1):
            return row.value(header, lambda _text: parse_time(raw))
        if isinstance(raw, timedelta) and timedelta(0) <= raw < timedelta(days=1):
            minutes = round(raw.total_seconds() / 60)
            return row.value(header, lambda _text: parse_time(f"{minutes // 60}:{minutes % 60:02d}"))
        return row.value(header, parse_time)

    @staticmethod
    def read_fiscal_year(row: Row, header: str = "年度") -> int | None:
        return row.value(header, parse_fiscal_year, required=True)

    @staticmethod
    def read_flag(row: Row, header: str) -> bool | None:
        """True/False, or None when unreadable (an error is recorded); blank is no."""
        if not row.text(header):
            return False
        return row.value(header, parse_flag)

    @staticmethod
    def read_list(row: Row, header: str) -> list[str]:
        return parse_list(row.text(header))

    def municipality(self, row: Row, header: str = CODE, *, required: bool = True) -> str | None:
        code = row.value(header, normalize_municipality_code, required=required)
        if code is None:
            return None
        if self._codes is None:
            self._codes = {m.code for m in lookups.municipalities(self.db)}
        if code not in self._codes:
            row.error(header, f"区市町村コード {code} は東京都の区市町村にありません。")
            return None
        return code

    # ---- places and promoters -------------------------------------------------------------------

    def _live_places(self) -> None:
        """Every live place by id and by (municipality, name), read in one query the first time a row names a
        place (only for imports that do not add places)."""
        if self._places_read:
            return
        for place_id, code, name in import_lookups.live_places(self.db):
            self._place_by_id[place_id] = code
            self._place_by_name.setdefault((code, name), []).append(place_id)
        self._places_read = True

    def preload_places(self) -> None:
        """Read what place() looks places up in now, so that it reads no database afterwards."""
        self._live_places()
        if self._codes is None:
            self._codes = {m.code for m in lookups.municipalities(self.db)}

    def place_municipality(self, place_id: str) -> str | None:
        """The municipality of a live place, None when there is no such live place."""
        self._live_places()
        return self._place_by_id.get(place_id)

    def places_named(self, code: str, name: str) -> list[str]:
        self._live_places()
        return self._place_by_name.get((code, name), [])

    def place(self, row: Row) -> tuple[str, str] | None:
        """(place id, its municipality) from 通いの場ID or 区市町村コード + 通いの場名称."""
        place_id = row.text(PLACE_ID)
        if place_id:
            place_id = place_id.lower()
            code = self.place_municipality(place_id)
            if code is None:
                row.error(PLACE_ID, words.not_found(f"通いの場ID {place_id} の{words.PLACE}"))
                return None
            return place_id, code
        code = self.municipality(row, required=False)
        name = row.text(PLACE_NAME)
        if code is None or not name:
            if not row.column_failed(CODE):
                row.error(PLACE_NAME if not name else CODE,
                          "通いの場を指定してください（通いの場ID、または区市町村コードと通いの場名称）。")
            return None
        return self.place_in(row, code, name, PLACE_NAME)

    def place_in(self, row: Row, code: str, name: str, column: str) -> tuple[str, str] | None:
        ids = self.places_named(code, name)
        if len(ids) == 1:
            return ids[0], code
        if not ids:
            row.error(column, f"区市町村コード {code} に通いの場「{name}」が見つかりません。")
        else:
            row.error(column, f"区市町村コード {code} に通いの場「{name}」が複数あります。通いの場IDで指定してください。")
        return None

    def promoter_municipality(self, promoter_id: str) -> str | None:
        if promoter_id not in self._promoter_by_id:
            live = is_uuid(promoter_id) and lookups.is_live(self.db, "promoters", promoter_id)
            self._promoter_by_id[promoter_id] = (
                lookups.record_municipality(self.db, "promoters", promoter_id) if live else None)
        return self._promoter_by_id[promoter_id]

    def promoter(self, row: Row, column: str, municipality_code: str | None, *,
                 code_column: str | None = None) -> tuple[str, str] | None:
        """(promoter id, municipality) from a cell holding a 推進員ID or a name; the name is looked up in
        municipality_code when given, else everywhere (ambiguous → an error asking for code_column)."""
        text = row.text(column)
        if is_uuid(text.lower()):
            code = self.promoter_municipality(text.lower())
            if code is None:
                row.error(column, words.not_found(f"推進員ID {text} の{words.PROMOTER}"))
                return None
            return text.lower(), code
        ids = lookups.promoter_ids_by_name(self.db, text, municipality_code)
        if len(ids) == 1:
            return ids[0], self.promoter_municipality(ids[0]) or ""
        where = f"区市町村コード {municipality_code} に" if municipality_code else ""
        if not ids:
            row.error(column, f"{where}推進員「{text}」が見つかりません。")
        elif municipality_code or code_column is None:
            row.error(column, f"{where}推進員「{text}」が複数います。推進員IDで指定してください。")
        else:
            row.error(column, f"推進員「{text}」は複数の区市町村にいます。{code_column}の列で区市町村を指定してください。")
        return None

    # ---- saving ---------------------------------------------------------------------------------

    def check_only(self, row: Row, record: Any, columns: dict[str, str]) -> None:
        """A row that already has errors: report what else the rules find, skipping cells already in error."""
        for error in validate(self.db, record, self.today):
            column = columns.get(error.field, "")
            if column and not row.column_failed(column):
                row.error(column, error.message)

    def save(self, row: Row, record: Any, columns: dict[str, str], *, update: bool = False) -> Any | None:
        """Add or update through the record services (validated); errors land on the row's cells."""
        try:
            if update:
                return records.update(self.db, record, today=self.today)
            return records.add(self.db, record, today=self.today)
        except ValidationFailed as failed:
            for error in failed.errors:
                row.error(columns.get(error.field, ""), error.message)
        except (StorageError, rights.Forbidden) as error:
            row.error("", str(error))
        return None


def cell_date(value: object) -> date:
    """A date from a typed spreadsheet cell: a date cell, an 8-digit number read as YYYYMMDD (20240401), any
    other number as an Excel serial (45383 = 2024-04-01)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 10_000_000 <= value <= 99_999_999 \
            and float(value).is_integer():
        return parse_date(str(int(value)))
    if isinstance(value, timedelta):  # a duration cell is no date
        raise DateParseError(f"日付として読めません: {value}")
    return parse_date(value)


def lines_text(lines: list[int], total: int | None = None) -> str:
    """The first MAX_LISTED_LINES lines and how many more; `total` when only the first lines were kept."""
    total = len(lines) if total is None else total
    shown = "、".join(f"{line}行目" for line in lines[:MAX_LISTED_LINES])
    return shown + (f" ほか{total - MAX_LISTED_LINES}件" if total > MAX_LISTED_LINES else "")
