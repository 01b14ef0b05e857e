"""Many rows in one INSERT statement (`VALUES (?, …), (?, …) …`): a table with triggers or foreign keys makes
SQLite keep a statement journal for each statement, so a bulk write of one row per statement took twice as
long. The bound on the parameters of one statement, and the text of its rows, are here once for every bulk
writer (repository.RowsLoad, a bundle's staged rows, the audit entries received)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

MAX_PARAMETERS = 32_000  # host parameters in one statement (SQLite's limit: 32,766)


def rows_per_statement(width: int, fixed: int = 0) -> int:
    """How many rows of `width` values fit in one statement beside `fixed` parameters bound once."""
    return max(1, (MAX_PARAMETERS - fixed) // width)


def values_sql(width: int, rows: int) -> str:
    """"(?, …), (?, …) …": `rows` rows of `width` parameters."""
    one = "(" + ", ".join("?" * width) + ")"
    return ", ".join([one] * rows)


def statements(rows: Iterable[Sequence[Any]], width: int) -> list[tuple[int, list[Any]]]:
    """The rows (each `width` values) as statements: (how many rows, their values one after the other)."""
    per_statement = rows_per_statement(width)
    made: list[tuple[int, list[Any]]] = []
    values: list[Any] = []
    count = 0
    for row in rows:
        values += row
        count += 1
        if count == per_statement:
            made.append((count, values))
            values, count = [], 0
    if count:
        made.append((count, values))
    return made
