"""storage/many_rows: rows grouped into statements within SQLite's bound on parameters, every row once, in order."""

from __future__ import annotations

import sqlite3

import pytest

from kaigo_desktop.storage import many_rows


@pytest.mark.parametrize(("rows", "expected"), [(0, []), (1, [1]), (4, [4]), (5, [4, 1]), (8, [4, 4])])
def test_rows_go_into_statements_of_at_most_the_bound(monkeypatch: pytest.MonkeyPatch, rows: int,
                                                      expected: list[int]) -> None:
    monkeypatch.setattr(many_rows, "MAX_PARAMETERS", 4 * 3 + 2)  # 4 rows of 3 values a statement
    made = many_rows.statements(((n, f"r{n}", None) for n in range(rows)), 3)
    assert [count for count, _values in made] == expected
    assert [value for _count, values in made for value in values] == [
        value for n in range(rows) for value in (n, f"r{n}", None)]


def test_the_statements_run_as_written() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    for count, values in many_rows.statements([(1, "x"), (2, "y"), (3, "z")], 2):
        conn.execute("INSERT INTO t VALUES " + many_rows.values_sql(2, count), values)
    assert conn.execute("SELECT a, b FROM t ORDER BY rowid").fetchall() == [(1, "x"), (2, "y"), (3, "z")]
    assert many_rows.rows_per_statement(3, fixed=2) == (many_rows.MAX_PARAMETERS - 2) // 3
