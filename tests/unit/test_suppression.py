"""Small-cell suppression, on cuts small enough to check by eye.

Units are episodes; each adds one to `n` and to the fields of its kind, here `a` or `b` (or neither).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from projections.reports.suppression import Dimension, suppress

FIELDS = ("n", "a", "b")


def unit(*fields: str) -> frozenset[str]:
    return frozenset({"n", *fields})


def cut(*cells: tuple[str, Counter[frozenset[str]]], group: str = "g") -> tuple[list[dict[str, Any]], list[Any]]:
    """One row per (sex, units) of group `group`, its counts the sums of its units."""
    rows = [
        {"group": group, "sex": sex, **{name: sum(k for kind, k in units.items() if name in kind) for name in FIELDS}}
        for sex, units in cells
    ]
    return rows, [units for _, units in cells]


def hide(table: tuple[list[dict[str, Any]], list[Any]], **options: Any) -> list[dict[str, Any]]:
    rows, units = table
    sexes = tuple(dict.fromkeys(row["sex"] for row in rows))
    options = {"dimensions": [Dimension(sexes)], **options}
    return suppress(rows, units, group_fields=("group",), cut_field="sex", count_fields=FIELDS, **options)


def cells(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(row["sex"], *(row[name] for name in FIELDS), row["suppressed"]) for row in rows]


def test_nothing_is_hidden_when_every_cell_is_0_or_at_least_the_threshold() -> None:
    rows = hide(cut(("female", Counter({unit("a"): 11})), ("male", Counter({unit("a"): 11, unit("b"): 40}))))

    assert cells(rows) == [("female", 11, 11, 0, []), ("male", 51, 11, 40, [])]


def test_a_small_cell_and_the_cheapest_move_that_changes_it_are_hidden() -> None:
    # female's 3 units of kind a: moving one to the row with the fewest cells to hide, unknown's zeros,
    # changes female n and a and unknown n and a, and nothing published.
    rows = hide(
        cut(
            ("female", Counter({unit("a"): 3, unit("b"): 20})),
            ("male", Counter({unit("a"): 30, unit("b"): 20})),
            ("unknown", Counter()),
        )
    )

    assert cells(rows) == [
        ("female", None, None, 20, ["n", "a"]),
        ("male", 50, 30, 20, []),
        ("unknown", None, None, 0, ["n", "a"]),
    ]


def test_a_trade_of_kinds_hides_only_the_fields_they_differ_in() -> None:
    # female's a is 2 of 40: trading one of her a-units for one of male's b-units changes a and b only.
    rows = hide(
        cut(
            ("female", Counter({unit("a"): 2, unit("b"): 38})),
            ("male", Counter({unit("a"): 30, unit("b"): 20})),
        )
    )

    assert cells(rows) == [("female", 40, None, None, ["a", "b"]), ("male", 50, None, None, ["a", "b"])]


def test_two_small_cells_that_one_move_changes_need_nothing_more() -> None:
    rows = hide(cut(("female", Counter({unit("a"): 2})), ("male", Counter({unit("a"): 5})), ("unknown", Counter())))

    assert cells(rows) == [
        ("female", None, None, 0, ["n", "a"]),
        ("male", None, None, 0, ["n", "a"]),
        ("unknown", 0, 0, 0, []),
    ]


def test_a_subset_trades_with_its_unpublished_rest_and_the_whole_is_never_hidden() -> None:
    # veterans are 2 of the 30 in all: a veteran could have been one of the 28 others, so only the veterans'
    # own cells are hidden; all is the uncut row, published in full.
    rows, units = cut(("all", Counter({unit("a"): 30})), ("veterans", Counter({unit("a"): 2})))

    shown = suppress(
        rows,
        units,
        group_fields=("group",),
        cut_field="sex",
        dimensions=[Dimension(("veterans",), within="all")],
        count_fields=FIELDS,
    )

    assert cells(shown) == [("all", 30, 30, 0, []), ("veterans", None, None, 0, ["n", "a"])]


def test_each_group_is_suppressed_on_its_own() -> None:
    x = cut(("female", Counter({unit(): 5})), ("male", Counter({unit(): 20})), group="x")
    y = cut(("female", Counter({unit(): 30})), ("male", Counter({unit(): 20})), group="y")

    rows = hide((x[0] + y[0], x[1] + y[1]))

    assert [(row["group"], row["n"]) for row in rows] == [("x", None), ("x", None), ("y", 30), ("y", 20)]


def test_derived_fields_are_hidden_with_any_of_their_inputs() -> None:
    rows, units = cut(("female", Counter({unit("a"): 5, unit("b"): 40})), ("male", Counter({unit("a"): 30})))
    rows = [{**row, "rate": rate, "days": 7} for row, rate in zip(rows, (0.1, 0.4), strict=True)]

    shown = hide((rows, units), derived={"rate": ("a",), "days": ("b",)})

    assert [(row["a"], row["rate"], row["days"], row["suppressed"]) for row in shown] == [
        (None, None, None, ["a", "b", "rate", "days"]),
        (None, None, None, ["a", "b", "rate", "days"]),
    ]


def test_the_threshold_is_configurable() -> None:
    table = cut(("female", Counter({unit("a"): 11})), ("male", Counter({unit("a"): 20})))

    assert [row["n"] for row in hide(table, below=21)] == [None, None]
    assert [row["n"] for row in hide(table, below=11)] == [11, 20]


def test_the_rows_given_are_left_as_they_were() -> None:
    rows, units = cut(("female", Counter({unit(): 1})), ("male", Counter({unit(): 20})))

    hide((rows, units))

    assert rows == cut(("female", Counter({unit(): 1})), ("male", Counter({unit(): 20})))[0]


def test_counts_that_are_not_the_sums_of_their_units_are_refused() -> None:
    rows, units = cut(("female", Counter({unit(): 1})), ("male", Counter({unit(): 20})))

    with pytest.raises(ValueError, match="n of row 0 is not the sum of its units"):
        hide(([{**rows[0], "n": 2}, rows[1]], units))


def test_a_dimension_of_one_place_is_refused() -> None:
    with pytest.raises(ValueError, match="two places"):
        hide(cut(("female", Counter({unit(): 1}))))
