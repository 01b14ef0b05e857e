"""0002: load the reference lists from db/reference/*.csv (one file per table, header = columns)."""

import csv
from pathlib import Path

TABLES = (
    "municipalities", "program_types", "qualifications", "operator_kinds", "venue_kinds",
    "activity_kinds", "frequency_buckets", "main_activity_kinds", "professional_kinds",
    "expense_categories",
)


def migrate(conn, db_dir: Path) -> None:
    for table in TABLES:
        with open(db_dir / "reference" / f"{table}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        columns = list(rows[0])
        placeholders = ", ".join("?" for _ in columns)
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[row[c] if row[c] != "" else None for c in columns] for row in rows],
        )
