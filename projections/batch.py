"""Writing a page's rows in a few statements: new rows in one insert per table, and each row's changes,
merged in log order, in one executemany update per table and set of columns. A row new in the page takes
its later changes before it is inserted (the projector merges a column whose SET expression is not the value
itself, as it does for two changes of one row), so a rebuild mostly inserts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, insert, update

#: Builds the SET expression of a column from its bound parameter (default: the value itself).
SetExpression = Callable[[Column[Any], Any], Any]


class PageRows:
    def __init__(self, key: Mapping[Table, str], expressions: Mapping[str, SetExpression] | None = None) -> None:
        self.key, self.expressions = key, expressions or {}
        self.new: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.added: dict[tuple[Table, Any], dict[str, Any]] = {}
        self.changes: dict[tuple[Table, Any], dict[str, Any]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.new[table].append(row)
        self.added[(table, row[self.key[table]])] = row

    def change(self, table: Table, row_id: Any) -> dict[str, Any]:
        """The merged changes of one row so far, to update in place: the new row itself when the page added it."""
        added = self.added.get((table, row_id))
        if added is not None:
            return added
        return self.changes.setdefault((table, row_id), {})

    def write(self, connection: Connection) -> None:
        # An aggregate's first event comes before its others: every new row exists before any update.
        for table, rows in self.new.items():
            # One insert per set of columns: a row that took changes may set more than the others.
            shapes: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                shapes[frozenset(row)].append(row)
            for shaped in shapes.values():
                connection.execute(insert(table), shaped)
        batches: dict[tuple[Table, frozenset[str]], list[dict[str, Any]]] = defaultdict(list)
        for (table, row_id), values in self.changes.items():
            batches[(table, frozenset(values))].append({"row_key": row_id, **values})
        for (table, columns), rows in batches.items():
            connection.execute(self._update(table, columns), rows)

    def _update(self, table: Table, columns: frozenset[str]) -> Any:
        values = {}
        for name in columns:
            expression = self.expressions.get(name)
            values[name] = expression(table.c[name], bindparam(name)) if expression else bindparam(name)
        return update(table).where(table.c[self.key[table]] == bindparam("row_key")).values(values)
