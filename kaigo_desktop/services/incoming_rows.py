"""Incoming rows of one table as the exchange merge takes them: a bundle's chunk as it was read (lists in the
order of its columns — a million gatherings without a dict each: only a row the merge reads by name, one
known here or refused by a rule, is made one), or rows held back and retried (dicts, each with its own
columns, as they were stored)."""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Sequence
from typing import Any

ANCESTORS = "_ancestors"  # as services.exchange.ANCESTORS
_SAME_KINDS = (str, int, type(None))  # not float: 0.0 and -0.0 are equal, and stored apart


class ListRows:
    """Rows each holding the values of `columns` in that order. by_column: the same values column by column,
    when the reader has them (the checks read a chunk column by column)."""

    def __init__(self, columns: Sequence[str], rows: list[Sequence[Any]],
                 by_column: Sequence[Sequence[Any]] | None = None):
        self.columns = tuple(columns)
        self.rows = rows
        self.by_column = by_column
        self._positions = {name: index for index, name in enumerate(self.columns)}

    def __len__(self) -> int:
        return len(self.rows)

    def _get(self, name: str) -> Any:
        return operator.itemgetter(self._positions[name])

    def ids(self) -> list[str]:
        return list(map(self._get("id"), self.rows))

    def full(self, index: int) -> dict[str, Any]:
        """The index-th row as a dict (the merge reads a row it compares or holds by column name)."""
        return dict(zip(self.columns, self.rows[index]))

    def but(self, left_out: Collection[int]) -> ListRows:
        """These rows without those at the indexes `left_out`."""
        if not left_out:
            return self
        return ListRows(self.columns, [row for index, row in enumerate(self.rows) if index not in left_out])

    def deleted_first(self) -> list[ListRows]:
        """The rows deleted at their source, then the live ones (a record put in the trash frees its name for
        another arriving with it); no empty group."""
        if "deleted_at" not in self._positions:
            return [self] if self.rows else []
        at = self._positions["deleted_at"]
        deleted = [row for row in self.rows if row[at] is not None]
        if not deleted:
            return [self] if self.rows else []
        live = [row for row in self.rows if row[at] is None]
        return [group for group in (ListRows(self.columns, deleted), ListRows(self.columns, live)) if group.rows]

    def batches(self, left_out: Collection[int]) -> list[ListRows]:
        """The rows but those at `left_out`, in batches of the same columns (here: one)."""
        rest = self.but(left_out)
        return [rest] if rest.rows else []

    def values_of(self, names: Sequence[str]) -> Iterable[Sequence[Any]]:
        """Each row's values of `names` (columns it holds), in that order."""
        if len(names) == 1:
            at = self._positions[names[0]]
            return ((row[at],) for row in self.rows)
        return map(operator.itemgetter(*[self._positions[name] for name in names]), self.rows)

    def same_in_every_row(self, names: Sequence[str]) -> dict[str, Any]:
        """The columns among `names` (but id) holding one value, of one type (text, a whole number or None),
        in every row, with that value: the insert binds it once instead of once per row. A column is first
        looked at in a few rows: most differ there."""
        found: dict[str, Any] = {}
        if len(self.rows) < 2:
            return found
        probes = self.rows[:: max(1, len(self.rows) // 8)]
        for name in names:
            at = self._positions[name]
            first = self.rows[0][at]
            if name == "id" or type(first) not in _SAME_KINDS or any(row[at] != first for row in probes):
                continue
            column = list(map(operator.itemgetter(at), self.rows))
            if column.count(first) == len(column) and set(map(type, column)) == {type(first)}:
                found[name] = first
        return found

    def deleted_count(self) -> int:
        if "deleted_at" not in self._positions:
            return 0
        at = self._positions["deleted_at"]
        return sum(1 for row in self.rows if row[at])

    def bases_with_ancestors(self) -> list[tuple[str, str, list[str], list[str]]]:
        """(id, version, ancestors, []) of the rows whose sender gave them ancestors."""
        if ANCESTORS not in self._positions:
            return []
        ident, at, origin, ancestors = (self._positions[name] for name in ("id", "updated_at", "origin_db", ANCESTORS))
        return [(row[ident], f"{row[at]}|{row[origin]}", row[ancestors], []) for row in self.rows if row[ancestors]]


class DictRows:
    """Rows as dicts, each possibly with columns of its own (rows held back, retried, kept in a conflict)."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def ids(self) -> list[str]:
        return [row["id"] for row in self.rows]

    def full(self, index: int) -> dict[str, Any]:
        return self.rows[index]

    def but(self, left_out: Collection[int]) -> DictRows:
        """These rows without those at the indexes `left_out`."""
        if not left_out:
            return self
        return DictRows([row for index, row in enumerate(self.rows) if index not in left_out])

    def deleted_first(self) -> list[DictRows]:
        """As ListRows.deleted_first: the rows deleted at their source, then the live ones; no empty group."""
        deleted = [row for row in self.rows if row.get("deleted_at") is not None]
        live = [row for row in self.rows if row.get("deleted_at") is None]
        return [DictRows(group) for group in (deleted, live) if group]

    def batches(self, left_out: Collection[int]) -> list[ListRows]:
        """The rows but those at `left_out`, in batches of rows holding the same columns (in their order)."""
        found: dict[tuple[str, ...], list[Sequence[Any]]] = {}
        for index, row in enumerate(self.rows):
            if index not in left_out:
                found.setdefault(tuple(row), []).append(tuple(row.values()))
        return [ListRows(columns, rows) for columns, rows in found.items()]
