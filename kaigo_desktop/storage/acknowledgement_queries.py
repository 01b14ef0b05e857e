"""The 注意 findings someone acknowledged (db/0009_warning_acknowledgements.sql)."""

from __future__ import annotations

from kaigo_desktop.storage.database import Database


def acknowledged_keys(db: Database, fiscal_year: int, municipality_code: str | None) -> dict[str, dict]:
    """finding_key → {acknowledged_at, acknowledged_by, note} for the 年度 (every 区市町村 when None)."""
    sql = ("SELECT finding_key, acknowledged_at, acknowledged_by, note FROM warning_acknowledgements"
           " WHERE fiscal_year = ?")
    params: list = [fiscal_year]
    if municipality_code is not None:
        sql += " AND municipality_code = ?"
        params.append(municipality_code)
    return {row["finding_key"]: {"acknowledged_at": row["acknowledged_at"],
                                 "acknowledged_by": row["acknowledged_by"], "note": row["note"]}
            for row in db.query(sql, params)}


def acknowledge(db: Database, fiscal_year: int, rows: list[tuple[str, str, str]], note: str) -> int:
    """rows: (municipality_code, finding_key, code); one transaction, acknowledged again = kept as first."""
    with db.write() as stamp:
        db.conn.executemany(
            "INSERT INTO warning_acknowledgements (fiscal_year, municipality_code, finding_key, code,"
            " acknowledged_at, acknowledged_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(fiscal_year, municipality, key, code, stamp.at, stamp.by, note) for municipality, key, code in rows])
    return len(rows)


def withdraw(db: Database, fiscal_year: int, keys: list[tuple[str, str]]) -> None:
    """keys: (municipality_code, finding_key)."""
    with db.write():
        db.conn.executemany("DELETE FROM warning_acknowledgements WHERE fiscal_year = ? AND municipality_code = ?"
                            " AND finding_key = ?", [(fiscal_year, m, k) for m, k in keys])
