"""The audit trail's triggers, made from the tables as they are: one AFTER INSERT / UPDATE / DELETE trigger per
audited table writes an audit_log row, so no write path (form, import, bundle, merge, raw SQL) can skip it.

Which write (tx: its seal holds who, when and which PC) and which operation come from the one-row
audit_context that Database.write() fills at BEGIN and empties before COMMIT; a write outside
Database.write() is still logged (with its time, no name).

The entries are left unsealed and sealed in Python before COMMIT (storage/audit_log.seal), which
also turns their `changes` from the raw form the triggers can write into JSON: SQLite's JSON functions may not
run in a trigger with trusted_schema off (they are not "innocuous" in the SQLite Python ships), quote() may.
The raw form is `name=LITERAL,` per field (insert: the row as it became; erase: as it was) or
`name=LITERAL>LITERAL,` (update: only the changed fields, before>after), each LITERAL as quote() writes it
(NULL, 12, 1.5, 'it''s', X'0A1B'). An insert by the bulk path (imports) holds no fields: what was inserted is
the row itself, its later changes undone by the update entries' befores; its entries are written with one
INSERT … SELECT (insert_entries_sql), which keeps the audit's cost on 100,000 rows within 20 %.

A migration that adds a table or a column calls install(conn) again so that the triggers follow it."""

from __future__ import annotations

import sqlite3

# Tables whose changes are not the user's facts, or are secret: exchange bookkeeping (rewritten by every
# bundle; the records it carries are audited), the change counter, the signing key (a private key).
NOT_AUDITED = frozenset({
    "audit_log", "audit_context", "audit_seals", "audit_received",
    "db_meta", "schema_migrations", "sqlite_sequence", "sqlite_stat1",
    "exchange_destinations", "exchange_sources", "exchange_received", "exchange_base", "exchange_pending",
    "exchange_signing_key",
})

# Stamped on every write; the entry itself says who and when, so they are not listed as changed fields.
BOOKKEEPING = frozenset({"created_at", "updated_at", "updated_by", "origin_db", "change_seq"})

# Never written to the trail, only that they changed (the users part's scrypt hash).
SECRET = frozenset({"password_hash"})
SECRET_CHANGED = "password changed"

TRIGGER_PREFIX = "audit_trail_"  # the guards on audit_log itself are named otherwise


def audited_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        " ORDER BY name").fetchall()
    return [row[0] for row in rows if row[0] not in NOT_AUDITED]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value(row: str, column: str) -> str:
    """A column's value as an SQL literal (quote()), a secret one as '' (none) or 'password changed'."""
    ref = f"{row}.{_quote(column)}"
    if column in SECRET:
        return f"CASE WHEN {ref} = '' THEN {_literal(_literal(''))} ELSE {_literal(_literal(SECRET_CHANGED))} END"
    return f"quote({ref})"


def _record_id(row: str, columns: list[tuple[str, int]]) -> str:
    if any(name == "id" for name, _ in columns):
        return f"CAST({row}.id AS TEXT)"
    keys = [name for name, pk in sorted((c for c in columns if c[1]), key=lambda c: c[1])]
    if not keys:
        return f"CAST({row}.rowid AS TEXT)"
    return " || '|' || ".join(f"coalesce(CAST({row}.{_quote(k)} AS TEXT), '')" for k in keys)


def _fields(columns: list[tuple[str, int]]) -> list[str]:
    return [name for name, _ in columns if name not in BOOKKEEPING]


def _row_raw(row: str, columns: list[tuple[str, int]]) -> str:
    """The row itself (insert: as it became; erase: as it was), without the stamps."""
    return " || ".join(f"{_literal(name + '=')} || {_value(row, name)} || ','" for name in _fields(columns)) \
        or "''"


def _diff_raw(columns: list[tuple[str, int]]) -> str:
    """Only the fields that changed, each as name=before>after (a secret one as name='password changed')."""
    def pair(name: str) -> str:
        if name in SECRET:  # only that it changed
            return _literal(_literal(SECRET_CHANGED))
        return f"{_value('OLD', name)} || '>' || {_value('NEW', name)}"

    return " || ".join(
        f"CASE WHEN OLD.{_quote(name)} IS NOT NEW.{_quote(name)} THEN {_literal(name + '=')} ||"
        f" {pair(name)} || ',' ELSE '' END"
        for name in _fields(columns)) or "''"


def _changed(columns: list[tuple[str, int]]) -> str:
    return " OR ".join(f"OLD.{_quote(name)} IS NOT NEW.{_quote(name)}" for name in _fields(columns)) or "0"


def _entry(table: str, action: str, record_id: str, changes: str, source: str = "(SELECT 1)") -> str:
    # Who, when and which PC are the write's (its seal, through tx), not copied into each entry. LEFT JOIN: a
    # write made outside Database.write() (no context row) is logged all the same, with its own time.
    return (
        "INSERT INTO audit_log (tx, at, action, table_name, record_id, changes, detail)"
        " SELECT c.tx, CASE WHEN c.tx IS NULL THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END,"
        f" {action}, {_literal(table)}, {record_id}, {changes},"
        f" coalesce(c.operation, '') FROM {source} LEFT JOIN audit_context c ON c.id = 1"
    )


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    return [(row[1], row[5]) for row in conn.execute(f"PRAGMA table_info({_quote(table)})")]


def insert_trigger_name(table: str) -> str:
    return f"{TRIGGER_PREFIX}{table}_insert"


def insert_entries_sql(conn: sqlite3.Connection, table: str) -> str:
    """The entries the insert trigger would have made, for every row of `table` whose rowid is above the
    one parameter, in rowid order (the bulk path: storage/audit_log.inserts_logged_in_bulk)."""
    return _entry(table, "'insert'", _record_id("t", _columns(conn, table)), "''",
                  f"(SELECT * FROM {_quote(table)} WHERE rowid > ? ORDER BY rowid) AS t")


def trigger_statements(table: str, columns: list[tuple[str, int]]) -> list[str]:
    """`columns`: (name, position in the primary key or 0) of each column."""
    q = _quote(table)
    if any(name == "deleted_at" for name, _ in columns):
        # a soft delete is a delete for the reader, and its undo a restore
        update_action = ("CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'delete'"
                         " WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'restore'"
                         " ELSE 'update' END")
    else:
        update_action = "'update'"

    def name(event: str) -> str:
        return _quote(f"{TRIGGER_PREFIX}{table}_{event}")

    return [
        f"CREATE TRIGGER {_quote(insert_trigger_name(table))} AFTER INSERT ON {q} BEGIN "
        + _entry(table, "'insert'", _record_id("NEW", columns), _row_raw("NEW", columns)) + "; END",
        f"CREATE TRIGGER {name('update')} AFTER UPDATE ON {q} WHEN {_changed(columns)} BEGIN "
        + _entry(table, update_action, _record_id("NEW", columns), _diff_raw(columns)) + "; END",
        f"CREATE TRIGGER {name('delete')} AFTER DELETE ON {q} BEGIN "
        + _entry(table, "'erase'", _record_id("OLD", columns), _row_raw("OLD", columns)) + "; END",
    ]


def install(conn: sqlite3.Connection) -> None:
    """(Re)make the triggers of every audited table from its columns of now."""
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB ?",
                                (f"{TRIGGER_PREFIX}*",)).fetchall():
        conn.execute(f"DROP TRIGGER {_quote(name)}")
    for table in audited_tables(conn):
        for statement in trigger_statements(table, _columns(conn, table)):
            conn.execute(statement)
