"""The rules of the month grid's rows, without Qt: which columns there are, what a row's text means, which rows
become which records when the sheet is saved, and the problems only the sheet can see (no day, a day twice)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.domain.public_holidays import weekday_mark
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.domain.text import is_digits, parse_count
from kaigo_desktop.domain.validation import FieldError, check_attendance, count_units
from kaigo_desktop.domain.vocab import PROGRAM_LABELS
from kaigo_desktop.gui.widgets.count_and_time_edits import ascii_digits
from kaigo_desktop.services.gatherings_view import MonthSheet

# Two-line titles keep the count columns narrow enough for the grid to fit beside the list.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("day", "日"), ("attendance_total", "参加\n者数"), ("male", "男性"), ("female", "女性"),
    ("age_under_65", "65歳\n未満"), ("age_65_74", "65～\n74歳"), ("age_75_plus", "75歳\n以上"),
    ("new_participants", "新規\n参加者"), ("notes", "備考"),
)
COLUMN_OF = {name: index for index, (name, _) in enumerate(COLUMNS)} | {"held_on": 0}
COUNT_FIELDS = tuple(name for name, _ in COLUMNS[1:-1])
LABEL_OF = {name: title.replace("\n", "") for name, title in COLUMNS}
NOTES = len(COLUMNS) - 1
DAY_MESSAGE = "日（1～月末）を入力してください。"

# A row's state, shown in the row header. 「追加」, not 「新規」: that word belongs to the 新規参加者 column.
NEW, CHANGED, SAVED, ERROR = "追加", "変更", "保存済", "エラー"
ROW_STATES = (NEW, CHANGED, SAVED, ERROR)
# The sums a total is checked against, each group alone (see problem_columns).
_SUM_GROUPS = (("male", "female"), ("age_under_65", "age_65_74", "age_75_plus"), ("new_participants",))


@dataclass
class SheetRow:
    """One grid row: the stored gathering it shows (None for a new row) and its cell texts by column name."""

    original: Gathering | None
    texts: dict[str, str]

    def values(self) -> dict:
        """Day and counts as ints (None when blank), notes as text."""
        values: dict = {"notes": self.texts.get("notes", "").strip()}
        text = ascii_digits(self.texts.get("day", "")).strip()
        values["day"] = int(text) if is_digits(text) else None
        for name in COUNT_FIELDS:
            try:  # the cell editor (CountEdit) lets in only what the domain's parser reads
                values[name] = parse_count(self.texts.get(name, ""), field_label="", units=count_units(name))
            except ValueError:
                values[name] = None
        return values

    def has_entry(self) -> bool:
        """A new row counts once anything but its day is typed (suggested days alone are not entries)."""
        return any(self.texts.get(name, "").strip() for name, _ in COLUMNS[1:])

    def is_kept(self) -> bool:
        """Part of the sheet: stored, or typed into."""
        return self.original is not None or self.has_entry()

    def unreadable_cells(self) -> list[tuple[int, str]]:
        """(column, message) of each count cell whose text is no count (pasted text: typing lets in digits only),
        said by the same parser as typing and import."""
        problems = []
        for name in COUNT_FIELDS:
            try:
                parse_count(self.texts.get(name, ""), field_label=LABEL_OF[name], units=count_units(name))
            except ValueError as error:
                problems.append((COLUMN_OF[name], str(error)))
        return problems

    def state(self, has_errors: bool) -> str:
        """The row header's word: one of ROW_STATES, or blank for an untouched new row."""
        if has_errors:
            return ERROR
        if self.original is None:
            return NEW if self.has_entry() else ""
        return CHANGED if self.is_pending() else SAVED

    def is_pending(self) -> bool:
        """Needs writing: a new row with an entry, or a stored one whose cells differ from the record."""
        if self.original is None:
            return self.has_entry()
        return cells_of(self.original) != {name: self.texts.get(name, "").strip() for name, _ in COLUMNS}


def cells_of(g: Gathering) -> dict[str, str]:
    cells = {name: "" if getattr(g, name) is None else str(getattr(g, name)) for name in COUNT_FIELDS}
    return {**cells, "day": str(g.held_on.day), "notes": g.notes}


def day_label(year: int, month: int, text: str) -> str | None:
    """「5（水）」 (「6（水・祝）」 on a public holiday) for a day cell's text, None when it is no day of the month."""
    day = day_of(year, month, text)
    return None if day is None else f"{day.day}（{weekday_mark(day)}）"


def day_of(year: int, month: int, text: str) -> date | None:
    """The date a day cell's text names, None when it is no day of the month."""
    try:
        return date(year, month, int(ascii_digits(text).strip()))
    except ValueError:
        return None


def problem_columns(problem: FieldError, values: dict) -> list[int]:
    """The cells a problem of check_attendance is about: its own field, and for a sum that does not add up
    (reported on the total) the total and the filled cells of that sum. Which sum is found by asking the same rule
    about each group alone, with and without the total, so the rule stays in domain.validation."""
    names = {problem.field}
    for group in _SUM_GROUPS:
        parts = {name: values[name] for name in group}
        if (problem in check_attendance(attendance_total=values["attendance_total"], **parts)
                and problem not in check_attendance(attendance_total=None, **parts)):
            names |= {"attendance_total", *(name for name in group if parts[name] is not None)}
    return sorted(COLUMN_OF[name] for name in names)


def live_problems(row: SheetRow, year: int, month: int) -> list[tuple[list[int], str]]:
    """What is wrong with a kept row as it stands, before saving: no day of the month, cells that are no count,
    and the sums of its counts; each as (the columns of the wrong cells, message)."""
    problems: list[tuple[list[int], str]] = []
    if day_of(year, month, row.texts.get("day", "")) is None:
        problems.append(([0], DAY_MESSAGE))
    unreadable = row.unreadable_cells()
    problems += [([column], message) for column, message in unreadable]
    values = row.values()
    if not unreadable and values["attendance_total"] is not None:  # the same sums as saving checks
        problems += [(problem_columns(p, values), p.message)
                     for p in check_attendance(**{name: values[name] for name in COUNT_FIELDS})]
    return problems


def routine_text(sheet: MonthSheet) -> str:
    """What new rows are saved with besides their counts (「前回と同じ」), in words."""
    prefill = sheet.prefill
    if prefill is None:
        return ""
    parts = ["・".join(PROGRAM_LABELS[p] for p in prefill.programs) or "プログラムなし"]
    if prefill.start_time or prefill.end_time:
        parts.append(f"{prefill.start_time or ''}～{prefill.end_time or ''}")
    if prefill.professionals:
        parts.append("専門職 " + "、".join(prefill.professionals))
    if sheet.promoter_name:
        parts.append(f"推進員 {sheet.promoter_name}")
    source = f"前回（{format_wareki(prefill.from_date)}）" if prefill.from_date else "通いの場の登録内容"
    return f"新しい行は{source}と同じ内容で保存します：" + "、".join(parts)


def records_to_save(sheet: MonthSheet, rows: list[SheetRow]
                    ) -> tuple[list[Gathering], list[int], dict[int, list[tuple[int, str]]]]:
    """The records to write (new rows take the sheet's routine parts), the row each came from, and the
    problems found per row as (column, message)."""
    kept = [index for index, row in enumerate(rows) if row.is_kept()]
    days = Counter(rows[index].values()["day"] for index in kept)
    routine = {} if sheet.prefill is None else {
        "programs": sheet.prefill.programs, "start_time": sheet.prefill.start_time,
        "end_time": sheet.prefill.end_time, "professionals": sheet.prefill.professionals,
        "promoter_id": sheet.prefill.promoter_id}
    pending: list[Gathering] = []
    positions: list[int] = []
    problems: dict[int, list[tuple[int, str]]] = {}
    for index in kept:
        row = rows[index]
        values = row.values()
        try:
            held_on = date(sheet.year, sheet.month, values["day"] or 0)
        except ValueError:
            problems.setdefault(index, []).append((0, DAY_MESSAGE))
            continue
        if days[values["day"]] > 1:
            problems.setdefault(index, []).append((0, f"{values['day']}日の行が2つ以上あります。"))
        if unreadable := row.unreadable_cells():  # else saved as blank: a pasted 「十二」 must not vanish
            problems.setdefault(index, []).extend(unreadable)
        if not row.is_pending():
            continue
        counts = {name: values[name] for name in COUNT_FIELDS}
        if row.original is not None:
            record = dataclasses.replace(row.original, held_on=held_on, notes=values["notes"], **counts)
        else:
            record = Gathering(sheet.place_id, held_on, notes=values["notes"], **counts, **routine)
        pending.append(record)
        positions.append(index)
    return pending, positions, problems
