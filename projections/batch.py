"""Writing a page's rows in a few statements: new rows in one insert per table, and each row's changes,
merged in log order, in one executemany update per table and set of columns."""

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
        self.changes: dict[tuple[Table, Any], dict[str, Any]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.new[table].append(row)

    def change(self, table: Table, row_id: Any) -> dict[str, Any]:
        """The merged changes of one row so far, to update in place."""
        return self.changes.setdefault((table, row_id), {})

    def write(self, connection: Connection) -> None:
        # An aggregate's first event comes before its others: every new row exists before any update.
        for table, rows in self.new.items():
            connection.execute(insert(table), rows)
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
