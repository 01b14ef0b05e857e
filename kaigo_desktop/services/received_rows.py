"""Rows that arrive from another PC in an exchange bundle, checked as a record typed here would be before
anything is written: every value of the type its field takes (a count is a whole number, never text, a
fraction or true/false), dates real calendar dates in the stored form (SQLite's `date(x) IS x` lets
2024-02-30 through), times HH:MM, then the rules of validators.validate_received (bounds, sums, reference
lists). A row that fails is held as a problem a person settles, never stored."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import operator
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from kaigo_desktop.domain.text import parse_time
from kaigo_desktop.domain.vocab import PROFESSIONAL_KINDS, PROGRAM_CODES, mask_to_professionals, mask_to_programs
from kaigo_desktop.services.validators import FieldsRule, received_rules, validate_received
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import TABLE_BY_NAME

# Stored as a bit mask in the row, a tuple in the record: (largest mask, mask → tuple).
_MASKS = {"programs": ((1 << len(PROGRAM_CODES)) - 1, mask_to_programs),
          "professionals": ((1 << len(PROFESSIONAL_KINDS)) - 1, mask_to_professionals)}
_TIMES = ("start_time", "end_time")
_TEXT_BOOKKEEPING = ("created_at", "updated_at", "origin_db")  # never empty
_MISSING = object()
ANCESTORS = "_ancestors"  # as services.exchange.ANCESTORS (which imports this module)


@dataclass(frozen=True)
class _Field:
    name: str
    kind: type  # str, int, date or tuple (a mask)
    optional: bool  # None allowed
    default: Any  # _MISSING: the row must hold it


@functools.cache
def _fields(table: str) -> tuple[_Field, ...]:
    """How each field of the table's record is typed, read once from the record's dataclass."""
    record_type = TABLE_BY_NAME[table].record_type
    hints = typing.get_type_hints(record_type)
    found = []
    for item in dataclasses.fields(record_type):
        if item.name in ("id", "meta"):
            continue
        hint = hints[item.name]
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else ()
        optional = type(None) in args
        kind = next((a for a in args if a is not type(None)), hint) if args else hint
        kind = typing.get_origin(kind) or kind
        default = item.default if item.default is not dataclasses.MISSING else (
            _MISSING if item.default_factory is dataclasses.MISSING else item.default_factory())
        found.append(_Field(item.name, kind, optional, default))
    return tuple(found)


@functools.cache
def _plan(table: str) -> tuple[tuple[_Field, str, type | None], ...]:
    """(field, its name, the type a value taken as it is has: None when every value needs a look)."""
    return tuple((field, field.name, None if field.name in _TIMES or field.kind in (date, tuple) else field.kind)
                 for field in _fields(table))


def _label(table: str, field: str) -> str:
    from kaigo_desktop.services.exchange_labels import FIELD_LABELS  # it needs services.exchange, loaded by now

    return FIELD_LABELS.get(table, {}).get(field, field)


@functools.lru_cache(maxsize=4096)  # a bundle holds the same few hundred dates many times
def calendar_date(value: object) -> date | None:
    """A date stored as text: exactly YYYY-MM-DD and a day the calendar has; None otherwise."""
    if type(value) is not str or len(value) != 10:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.isoformat() == value else None


@functools.lru_cache(maxsize=4096)
def _stored_time(value: str) -> bool:
    """HH:MM as stored: what parse_time makes of it is itself."""
    try:
        return parse_time(value) == value
    except ValueError:
        return False


@functools.lru_cache(maxsize=1024)
def _mask(name: str, value: int) -> tuple[str, ...] | None:
    largest, to_tuple = _MASKS[name]
    return to_tuple(value) if 0 <= value <= largest else None


def _value(table: str, field: _Field, value: Any) -> tuple[Any, str | None]:
    """(the record's value, None) or (None, a Japanese message). type() is compared, not isinstance(): a bool
    is no count, and this runs for every value of every incoming row."""
    kind = field.kind
    if value is None:
        return (None, None) if field.optional else (None, f"{_label(table, field.name)}がありません。")
    if kind is str:
        if type(value) is not str:
            return None, f"{_label(table, field.name)}は文字でなければなりません（{value!r}）。"
        if field.name in _TIMES and not _stored_time(value):
            return None, f"{_label(table, field.name)}「{value}」は時刻（時:分）ではありません。"
        return value, None
    if kind is int:
        if type(value) is not int:
            return None, f"{_label(table, field.name)}は整数でなければなりません（{value!r}）。"
        return value, None
    if kind is float:  # height and weight (issue 19): a whole number is a number too
        if type(value) not in (int, float) or not math.isfinite(value):
            return None, f"{_label(table, field.name)}は数でなければなりません（{value!r}）。"
        return float(value), None
    if kind is date:
        parsed = calendar_date(value) if type(value) is str else None
        if parsed is None:
            return None, f"{_label(table, field.name)}「{value}」は存在する日付（年-月-日）ではありません。"
        return parsed, None
    members = _mask(field.name, value) if type(value) is int else None  # a set stored as a bit mask
    if members is None:
        return None, f"{_label(table, field.name)}の値が正しくありません（{value!r}）。"
    return members, None


def _bookkeeping(row: dict[str, Any]) -> list[str]:
    get = row.get
    row_id, created, updated, origin, deleted = (get("id"), get("created_at"), get("updated_at"), get("origin_db"),
                                                 get("deleted_at"))
    if (type(row_id) is str and len(row_id) == 36 and type(created) is str and created and type(updated) is str
            and updated and type(origin) is str and origin and type(get("updated_by", "")) is str
            and (deleted is None or type(deleted) is str and deleted) and type(get("_ancestors", [])) is list):
        return [] if all(type(a) is str for a in row.get("_ancestors") or ()) else ["記録の履歴（_ancestors）が正しくありません。"]
    problems = []
    row_id = row.get("id")
    if not isinstance(row_id, str) or len(row_id) != 36:
        problems.append(f"記録の ID が正しくありません（{row_id!r}）。")
    for column in _TEXT_BOOKKEEPING:
        if not isinstance(row.get(column), str) or not row[column]:
            problems.append(f"記録の管理情報（{column}）が正しくありません（{row.get(column)!r}）。")
    if not isinstance(row.get("updated_by", ""), str):
        problems.append(f"記録の管理情報（updated_by）が正しくありません（{row['updated_by']!r}）。")
    deleted_at = row.get("deleted_at")
    if deleted_at is not None and (not isinstance(deleted_at, str) or not deleted_at):
        problems.append(f"記録の管理情報（deleted_at）が正しくありません（{deleted_at!r}）。")
    ancestors = row.get("_ancestors")
    if ancestors is not None and not (isinstance(ancestors, list) and all(isinstance(a, str) for a in ancestors)):
        problems.append("記録の履歴（_ancestors）が正しくありません。")
    return problems


def row_problems(db: Database, table: str, row: dict[str, Any], today: date | None = None) -> list[str]:
    """Why this incoming row cannot be stored here, as Japanese sentences; [] when it can."""
    problems = _bookkeeping(row)
    values: dict[str, Any] = {}
    for field, name, fast_kind in _plan(table):
        value = row.get(name, _MISSING)
        if type(value) is fast_kind or (value is None and field.optional):  # the usual cases, cheaply
            values[name] = value
            continue
        if value is _MISSING:
            if field.default is _MISSING:
                problems.append(f"{_label(table, name)}がありません。")
            continue
        values[name], problem = _value(table, field, value)
        if problem:
            problems.append(problem)
    if problems:  # the rules below assume values of the right types
        return problems
    record = TABLE_BY_NAME[table].record_type(**values, id=row["id"])
    return [error.message for error in validate_received(db, record, today)]


def _column(rows: list[dict[str, Any]], name: str) -> list[Any]:
    try:
        return list(map(operator.itemgetter(name), rows))  # every row holds every column: the usual case
    except KeyError:
        return [row.get(name, _MISSING) for row in rows]


class _Columns:
    """The rows' values column by column, read in one pass when first asked for (one itemgetter call a row
    for all its fields, turned into columns by zip, instead of one call a value); a column the first row does
    not hold, or rows whose fields differ, are read by _column. `read`: the columns already at hand (a bundle's
    rows come as lists, each holding every column: turned into columns without a look-up per field)."""

    def __init__(self, rows: list[dict[str, Any]], read: dict[str, tuple[Any, ...]] | None = None):
        self._rows = rows
        self._read = read

    def __call__(self, name: str) -> list[Any] | tuple[Any, ...]:
        if self._read is None:
            names = list(self._rows[0]) if self._rows else []
            self._read = {}
            if len(names) > 1:
                try:
                    self._read = dict(zip(names, zip(*map(operator.itemgetter(*names), self._rows))))
                except KeyError:
                    pass
        found = self._read.get(name)
        return _column(self._rows, name) if found is None else found


def _bookkeeping_fine(column: _Columns) -> bool:
    """Whether every row passes _bookkeeping, looked at column by column."""
    ids = column("id")
    if set(map(type, ids)) != {str} or set(map(len, ids)) != {36}:
        return False
    for name in _TEXT_BOOKKEEPING:
        values = column(name)
        if set(map(type, values)) != {str} or "" in values:
            return False
    deleted = column("deleted_at")
    if not set(map(type, deleted)) <= {str, type(None)} or "" in deleted:
        return False
    if not set(map(type, column("updated_by"))) <= {str, type(_MISSING)}:
        return False
    ancestors = column(ANCESTORS)
    kinds = set(map(type, ancestors))
    if not kinds <= {list, type(None), type(_MISSING)}:
        return False
    lists = ancestors if kinds == {list} else [a for a in ancestors if type(a) is list]
    return set(map(type, itertools.chain.from_iterable(lists))) <= {str}


def problems_of_rows(db: Database, table: str, rows: list[dict[str, Any]], today: date | None = None,
                     columns: dict[str, tuple[Any, ...]] | None = None) -> dict[int, list[str]]:
    """row_problems of many rows: {index: problems} for those that have any (see _problems). columns: every
    field's values of the rows, in their order, when the caller has them already (_Columns)."""
    return _problems(db, table, _Columns(rows, columns), rows.__getitem__, len(rows), today)


class RuleAnswers:
    """What the validators.FieldsRules said of each combination of values met so far: kept over the chunks of
    one import (a rule reads only its fields, the reference lists and today, none of which a bundle changes),
    so a place's id or a day's date is judged once per import, not once per chunk."""

    def __init__(self) -> None:
        self._found: dict[tuple[FieldsRule, date], tuple[dict[Any, list[str]], set[Any]]] = {}

    def of(self, rule: FieldsRule, today: date) -> tuple[dict[Any, list[str]], set[Any]]:
        """(key → the rule's messages, the keys with some) for `rule` judged on `today`."""
        return self._found.setdefault((rule, today), ({}, set()))


def problems_of_received(db: Database, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         by_column: Sequence[Sequence[Any]] | None = None, today: date | None = None,
                         answers: RuleAnswers | None = None) -> dict[int, list[str]]:
    """problems_of_rows of rows as a bundle gives them: each a list of the values of `columns`, in that order
    (no dict per row; a row with a problem is made one to be looked at alone). by_column: the same values
    column by column, when the caller has them (bundle_format.check_rows makes them). answers: what the rules
    said of the chunks before (one per import)."""
    if by_column is None:
        by_column = list(zip(*rows)) if rows else [() for _ in columns]
    present, absent = dict(zip(columns, by_column)), (_MISSING,) * len(rows)
    return _problems(db, table, lambda name: present.get(name, absent),
                     lambda index: dict(zip(columns, rows[index])), len(rows), today, answers)


def _problems(db: Database, table: str, read: Callable[[str], Sequence[Any]],
              row_at: Callable[[int], dict[str, Any]], count: int, today: date | None,
              answers: RuleAnswers | None = None) -> dict[int, list[str]]:
    """The problems of `count` rows, read column by column (`read`: a field's values, _MISSING where a row
    lacks it): the types are checked column by column (a bundle's rows nearly always have the right ones: a
    look at the set of types of a column is cheap, and dates and masks are read once per distinct value); a
    row with anything odd is looked at alone (row_problems of row_at(index)); every other one goes through
    the record rules — those written as validators.FieldsRules once per distinct combination of their fields'
    values, the others record by record."""
    today = today or date.today()
    record_type, names = TABLE_BY_NAME[table].record_type, []
    suspects = set() if _bookkeeping_fine(read) else {index for index in range(count) if _bookkeeping(row_at(index))}
    values_of: dict[str, Sequence[Any]] = {}
    kinds = {field.name: field.kind for field in _fields(table)}
    for field, name, _ in _plan(table):
        column = raw = read(name)
        allowed = ({str} if field.kind in (str, date) else {int, float} if field.kind is float else {int}) \
            | ({type(None)} if field.optional else set())
        if not set(map(type, column)) <= allowed:
            suspects.update(index for index, value in enumerate(column) if type(value) not in allowed)
        if field.kind is date or field.kind is tuple:
            column = _read_once_each(column, calendar_date if field.kind is date else partial(_mask, name),
                                     str if field.kind is date else int)
            if column.count(None) != (raw.count(None) if field.kind is date else 0):
                suspects.update(index for index, (value, given) in enumerate(zip(column, raw))
                                if value is None and (given is not None or field.kind is tuple))
        elif name in _TIMES:
            wrong = {value for value in _distinct(column) if type(value) is str and not _stored_time(value)}
            if wrong:
                suspects.update(index for index, value in enumerate(column) if type(value) is str and value in wrong)
        names.append(name)
        values_of[name] = column
    found: dict[int, list[str]] = {index: problems for index in sorted(suspects)
                                   if (problems := row_problems(db, table, row_at(index), today))}
    rules = received_rules(record_type)
    if rules is not None:
        answers = answers or RuleAnswers()
        for rule in rules:
            floats = [values_of[name] for name in rule.fields if kinds[name] is float]
            for index, problems in _broken(db, today, rule, [values_of[name] for name in rule.fields], floats,
                                           suspects, *answers.of(rule, today)):
                found.setdefault(index, []).extend(problems)
        return dict(sorted(found.items()))
    columns = [values_of[name] for name in names]
    columns.append(read("id"))
    # The record's fields in order, then its id: the dataclass is built positionally (the cheapest way).
    positional = tuple(f.name for f in dataclasses.fields(record_type))[:-1] == (*names, "id")
    for index, values in enumerate(zip(*columns)):
        if index in suspects:
            continue
        record = record_type(*values) if positional else record_type(**dict(zip((*names, "id"), values)))
        problems = [error.message for error in validate_received(db, record, today)]
        if problems:
            found[index] = problems
    return dict(sorted(found.items()))


def _distinct(column: Sequence[Any]) -> set[Any]:
    """The column's distinct values, but a list or an object (a held row read again), which no set holds."""
    try:
        return set(column)
    except TypeError:
        return {value for value in column if type(value) in (str, int, float, type(None))}


def _read_once_each(column: Sequence[Any], read: Callable[[Any], Any], kind: type) -> list[Any]:
    """read(value) of each value of `kind` in the column, once per distinct value (a bundle's million gatherings
    hold a few hundred dates); None for a value of another kind (a suspect: its row is looked at alone)."""
    found = {value: read(value) for value in _distinct(column) if type(value) is kind}
    try:
        return list(map(found.get, column))
    except TypeError:  # a list or an object in the column (a held row read again): no key
        return [found[value] if type(value) is kind else None for value in column]


_SUSPECT = object()  # in _broken: a row looked at alone, whose values may be of any type


def _broken(db: Database, today: date, rule: FieldsRule, columns: list[Sequence[Any]],
            floats: list[Sequence[Any]], suspects: set[int], said: dict[Any, list[str]],
            broken: set[Any]) -> Iterator[tuple[int, list[str]]]:
    """(index, the rule's messages) of the rows, not suspects, that break `rule`: asked once per distinct
    combination of its fields' values (`said`: its answers so far, `broken`: those with messages; both grow
    here). The rows' values are of their field's type (the suspects are left out), so values equal as Python
    keys (1 and 1.0, True and 1) get the same answer — except a float field's 1 and 1.0 (`floats`: those
    fields' values), told apart by their type. A rule of one field is keyed by the value itself."""
    alone = len(columns) == 1 and not floats
    keys: Sequence[Any] = columns[0] if alone else list(zip(*columns, *[map(type, column) for column in floats]))
    if suspects:
        keys = list(keys)
        for index in suspects:
            keys[index] = _SUSPECT
    distinct = set(keys)
    distinct.discard(_SUSPECT)
    width = len(rule.fields)
    for key in distinct - said.keys():
        problems = [error.message for error in (rule.check(db, today, key) if alone else
                                                 rule.check(db, today, *key[:width]))]
        said[key] = problems
        if problems:
            broken.add(key)
    if not broken.isdisjoint(distinct):
        for index, key in enumerate(keys):
            if key in broken and key is not _SUSPECT:
                yield index, said[key]
