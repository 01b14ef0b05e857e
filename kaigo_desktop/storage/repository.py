"""Create, read, update, soft-delete and restore any user record; every write stamped and in a transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from kaigo_desktop.storage import audit_log, many_rows, period_queries, sqlite_errors
from kaigo_desktop.storage.database import Database, WriteStamp
from kaigo_desktop.storage.errors import ConstraintError, RecordNotFoundError
from kaigo_desktop.storage.ids import natural_id, new_id, new_ids
from kaigo_desktop.storage.rows import TableSpec, from_row, spec_for, to_row

T = TypeVar("T")


def _constraint_error(db: Database, spec: TableSpec, error: sqlite3.IntegrityError,
                      row: dict[str, Any] | None = None) -> ConstraintError:
    """The ConstraintError for a write of `row` to `spec`'s table: its kind and field from the error's
    result code (sqlite_errors), its Japanese message from the kind."""
    violation = sqlite_errors.constraint_violation(error, conn=db.conn, table=spec.table, row=row)
    if violation.kind == sqlite_errors.PERIOD_LOCKED:
        return period_queries.period_locked_error(db.conn, row)
    if violation.kind == sqlite_errors.DUPLICATE_NAME:
        message = f"同じ名前の{spec.label}が同じ区市町村に既にあります。"
    elif violation.kind == sqlite_errors.DUPLICATE:
        message = f"同じ{spec.label}が既にあります。"
    elif violation.kind == sqlite_errors.UNKNOWN_REFERENCE:
        message = f"{spec.label}が参照している区市町村・通いの場・推進員・区分のいずれかが見つかりません。"
    elif violation.kind == sqlite_errors.CHECK:
        message = f"{spec.label}の値が範囲外です（{error}）。"
    else:
        message = f"{spec.label}を保存できません（{error}）。"
    return ConstraintError(message, kind=violation.kind, field=violation.field)


def _id_for(spec: TableSpec, record: Any) -> str:
    if spec.natural_key:
        return natural_id(spec.table, *(getattr(record, key) for key in spec.natural_key))
    return new_id()


def _stamped(row: dict[str, Any], stamp: WriteStamp, *, created: bool) -> dict[str, Any]:
    row = dict(row)
    if created:
        row["created_at"] = stamp.at
    row.update(updated_at=stamp.at, updated_by=stamp.by, origin_db=stamp.origin_db,
               change_seq=stamp.change_seq, deleted_at=None)
    return row


def _upsert_clause(columns: list[str]) -> str:
    # A natural-key record entered again (even after deletion) is the same record: update it in place.
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("id", "created_at"))
    return f" ON CONFLICT (id) DO UPDATE SET {updates}"


def insert_sql(table: str, columns: Iterable[str], *, upsert: bool = False) -> str:
    columns = list(columns)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(':' + c for c in columns)})")
    return sql + (_upsert_clause(columns) if upsert else "")


def insert(db: Database, record: T) -> T:
    """Store a new record (or, for natural-key records, the existing one with the same key) and
    return it with its id."""
    spec = spec_for(record)
    with db.write() as stamp:
        record = dataclasses.replace(record, id=record.id or _id_for(spec, record))
        row = _stamped(to_row(record), stamp, created=True)
        try:
            db.conn.execute(insert_sql(spec.table, row, upsert=bool(spec.natural_key)), row)
        except sqlite3.IntegrityError as error:
            raise _constraint_error(db, spec, error, row) from error
    return get(db, type(record), record.id)


def insert_many(db: Database, records: list[Any]) -> int:
    """The bulk path: one transaction, one stamp, many rows per statement (insert_table_rows)."""
    if not records:
        return 0
    by_spec: dict[TableSpec, list[Any]] = {}
    for record in records:
        by_spec.setdefault(spec_for(record), []).append(record)
    with db.write():
        for spec, group in by_spec.items():
            if spec.natural_key:  # their id is their key, and a key entered again updates the record
                insert_records_with_ids(db, spec, group)
            else:
                insert_table_rows(db, spec, spec.columns, [tuple(to_row(record).values()) for record in group])
    return len(records)


def insert_records_with_ids(db: Database, spec: TableSpec, records: list[Any]) -> None:
    """Natural-key records: their id is their key, and a key entered again updates the record in place."""
    columns: list[str] = []
    rows = []
    for record in records:
        row = to_row(record)
        row["id"] = record.id or _id_for(spec, record)
        columns = columns or list(row)
        rows.append(tuple(row.values()))
    insert_table_rows(db, spec, columns, rows, upsert=True)


def insert_table_rows(db: Database, spec: TableSpec, columns: Sequence[str], rows: list[tuple], *,
                      upsert: bool = False) -> None:
    """The bulk path for records already in table form: `rows` hold the values of `columns` (to_row's
    columns: id, when the records have none yet, is made here, as are the write's stamps), inserted many per
    statement (RowsLoad). `upsert`: a row whose id is already stored updates that record."""
    if not rows:
        return
    with db.write():
        load = RowsLoad(db, spec, columns, upsert=upsert)
        for row in rows:
            load.add(row)
        load.write(load.take(final=True))


class RowsLoad:
    """Rows of one table in table form (the values of `columns`) inserted many per statement (many_rows) with
    the write's stamps, an id made for each row that has none, and
    their audit entries made in bulk (audit_log.inserts_logged_in_bulk).

    Made inside db.write(). The statements' values are put together by `add` on the caller's thread; `take`
    hands over the statements complete so far and `write` runs them, on any one thread at a time: a bulk
    import reads on while a helper thread writes (services/background_write), and that thread then spends its
    time in SQLite (which lets go of the GIL), not in Python."""

    def __init__(self, db: Database, spec: TableSpec, columns: Sequence[str], *, upsert: bool = False,
                 entries_in_bulk: bool = True):
        """`entries_in_bulk=False`: the caller holds audit_log.inserts_logged_in_bulk around all the writes
        (each write need not look for the trigger again)."""
        self.db, self.spec, self._entries_in_bulk = db, spec, entries_in_bulk
        with db.write() as stamp:  # nested: the caller's transaction and its stamp
            stamps = _stamped({}, stamp, created=True)
        self._stamp_values = list(stamps.values())
        given = list(columns)
        self._id_at = given.index("id") if "id" in given else None
        row_columns = given if self._id_at is not None else [*given, "id"]
        # The stamps are the same for every row: bound once per statement, ahead of the rows (the SELECT's
        # parameters come first in the text), so a million rows bind a quarter fewer values.
        self._head = (f"INSERT INTO {spec.table} ({', '.join([*row_columns, *stamps])})"
                      f" SELECT {', '.join(f'column{n}' for n in range(1, len(row_columns) + 1))},"
                      f" {', '.join('?' * len(stamps))} FROM (VALUES ")
        # WHERE true: an upsert after INSERT … SELECT needs it, or SQLite reads ON as the join's
        self._tail = ") WHERE true" + (_upsert_clause([*row_columns, *stamps]) if upsert else "")
        self._width = len(row_columns)
        self.per_statement = many_rows.rows_per_statement(self._width, fixed=len(stamps))
        self._full_statement = self._sql(self.per_statement)
        self._done: list[tuple[int, list[Any]]] = []  # (rows, values) of each statement complete
        self._values: list[Any] = []
        self._ids: list[str] = []
        self.pending = 0  # rows added and not yet taken

    def _sql(self, rows: int) -> str:
        return self._head + many_rows.values_sql(self._width, rows) + self._tail

    def add(self, row: Sequence[Any]) -> None:
        """One row's values (in `columns` order)."""
        if not self._ids:  # a new statement: its stamps first
            self._ids = new_ids(self.per_statement)
            self._ids.reverse()  # taken from the end
            self._values = self._stamp_values.copy()
        values = self._values
        if self._id_at is None:
            values += row
            values.append(self._ids.pop())
        else:
            start = len(values)
            values += row
            made = self._ids.pop()
            if not row[self._id_at]:
                values[start + self._id_at] = made
        self.pending += 1
        if not self._ids:  # the statement is full
            self._done.append((self.per_statement, values))
            self._values = []

    def take(self, *, final: bool = False) -> list[tuple[int, list[Any]]]:
        """The statements complete so far (with `final`, the last one too, however few its rows)."""
        if final and self._values:
            self._done.append((self.per_statement - len(self._ids), self._values))
            self._values, self._ids = [], []
        taken, self._done = self._done, []
        self.pending -= sum(rows for rows, _values in taken)
        return taken

    def write(self, statements: list[tuple[int, list[Any]]]) -> None:
        """Insert the statements taken (in a savepoint of the caller's transaction)."""
        if not statements:
            return
        conn = self.db.conn
        with self.db.write():
            try:
                with (audit_log.inserts_logged_in_bulk(conn, self.spec.table) if self._entries_in_bulk
                      else contextlib.nullcontext()):
                    for rows, values in statements:
                        conn.execute(self._full_statement if rows == self.per_statement else self._sql(rows),
                                     values)
            except sqlite3.IntegrityError as error:
                raise _constraint_error(self.db, self.spec, error) from error


def update(db: Database, record: T) -> T:
    spec = spec_for(record)
    if not record.id:
        raise RecordNotFoundError(f"{spec.label}の ID がありません。")
    with db.write() as stamp:
        row = to_row(record)
        row.update(updated_at=stamp.at, updated_by=stamp.by, origin_db=stamp.origin_db,
                   change_seq=stamp.change_seq)
        assignments = ", ".join(f"{c} = :{c}" for c in row if c != "id")
        try:
            cursor = db.conn.execute(
                f"UPDATE {spec.table} SET {assignments} WHERE id = :id AND deleted_at IS NULL", row)
        except sqlite3.IntegrityError as error:
            raise _constraint_error(db, spec, error, row) from error
        if cursor.rowcount != 1:
            raise RecordNotFoundError(f"{spec.label}が見つかりません（削除済みの可能性があります）。")
    return get(db, type(record), record.id)


def _set_deleted(db: Database, record_type: type, record_id: str, deleted: bool) -> None:
    spec = spec_for(record_type)
    with db.write() as stamp:
        try:
            cursor = db.conn.execute(
                f"UPDATE {spec.table} SET deleted_at = ?, updated_at = ?, updated_by = ?, origin_db = ?,"
                f" change_seq = ? WHERE id = ? AND deleted_at IS {'NULL' if deleted else 'NOT NULL'}",
                (stamp.at if deleted else None, stamp.at, stamp.by, stamp.origin_db, stamp.change_seq,
                 record_id),
            )
        except sqlite3.IntegrityError as error:
            # Restoring a place whose name has been reused since it was deleted, for instance.
            raise _constraint_error(db, spec, error) from error
        if cursor.rowcount != 1:
            state = "削除されていない" if not deleted else "有効な"
            raise RecordNotFoundError(f"{state}{spec.label}が見つかりません。")


def soft_delete(db: Database, record_type: type, record_id: str) -> None:
    _set_deleted(db, record_type, record_id, True)


def restore(db: Database, record_type: type, record_id: str) -> None:
    _set_deleted(db, record_type, record_id, False)


def get(db: Database, record_type: type[T], record_id: str, *, include_deleted: bool = True) -> T:
    spec = spec_for(record_type)
    row = db.conn.execute(f"SELECT * FROM {spec.table} WHERE id = ?", (record_id,)).fetchone()
    if row is None or (row["deleted_at"] is not None and not include_deleted):
        raise RecordNotFoundError(f"{spec.label}が見つかりません: {record_id}")
    return from_row(record_type, row)


def find(db: Database, record_type: type[T], record_id: str) -> T | None:
    try:
        return get(db, record_type, record_id)
    except RecordNotFoundError:
        return None
