"""Small-cell suppression, on cuts small enough to check by eye."""

from __future__ import annotations

from typing import Any

from projections.reports.suppression import suppress


def cut(*cells: tuple[str, int, int], group: str = "g") -> list[dict[str, Any]]:
    """One row per (sex, a, b) cell of the cut of group `group`."""
    return [{"group": group, "sex": sex, "a": a, "b": b} for sex, a, b in cells]


def hide(rows: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    return suppress(rows, group_fields=("group",), count_fields=("a", "b"), **options)


def test_counts_from_1_to_10_are_hidden_but_0_and_11_are_shown() -> None:
    # a: 0, 1, 11 -> 1 hidden alone, so its smallest shown non-zero neighbour 11 goes too; 0 stays.
    # b: 10, 11, 0 -> 10 hidden alone, so 11 (the only non-zero one left) goes too.
    rows = hide(cut(("female", 0, 10), ("male", 1, 11), ("unknown", 11, 0)))

    assert rows == [
        {"group": "g", "sex": "female", "a": 0, "b": None, "suppressed": ["b"]},
        {"group": "g", "sex": "male", "a": None, "b": None, "suppressed": ["a", "b"]},
        {"group": "g", "sex": "unknown", "a": None, "b": 0, "suppressed": ["a"]},
    ]


def test_nothing_is_hidden_when_every_cell_is_0_or_at_least_11() -> None:
    rows = hide(cut(("female", 0, 11), ("male", 11, 40)))

    assert [row["suppressed"] for row in rows] == [[], []]
    assert [(row["a"], row["b"]) for row in rows] == [(0, 11), (11, 40)]


def test_one_hidden_cell_in_a_row_also_hides_the_next_smallest_non_zero_cell() -> None:
    # a: 3 is hidden; total 3 + 0 + 12 + 30 would give it back, so the smallest shown non-zero cell, 12, goes.
    rows = hide(cut(("female", 3, 20), ("male", 0, 20), ("refused", 12, 20), ("unknown", 30, 20)))

    assert [row["a"] for row in rows] == [None, 0, None, 30]
    assert [row["suppressed"] for row in rows] == [["a"], [], ["a"], []]


def test_the_next_smallest_cell_is_a_zero_when_no_other_cell_is_non_zero() -> None:
    rows = hide(cut(("female", 4, 0), ("male", 0, 0)))

    assert [row["a"] for row in rows] == [None, None]


def test_a_row_with_two_hidden_cells_needs_nothing_more() -> None:
    rows = hide(cut(("female", 2, 0), ("male", 5, 0), ("unknown", 50, 0)))

    assert [row["a"] for row in rows] == [None, None, 50]


def test_a_lone_cell_has_no_other_cell_to_hide() -> None:
    rows = hide(cut(("female", 6, 30)))

    assert rows == [{"group": "g", "sex": "female", "a": None, "b": 30, "suppressed": ["a"]}]


def test_each_group_is_a_row_of_its_own() -> None:
    # Group x: a's 5 is hidden alone and takes 20 with it; group y has nothing small.
    rows = hide(cut(("female", 5, 0), ("male", 20, 0), group="x") + cut(("female", 30, 0), ("male", 20, 0), group="y"))

    assert [row["a"] for row in rows] == [None, None, 30, 20]


def test_derived_fields_are_hidden_with_any_of_their_inputs() -> None:
    rows = [
        {"group": "g", "sex": "female", "a": 5, "b": 40, "rate": 0.1, "days": 7},
        {"group": "g", "sex": "male", "a": 30, "b": 40, "rate": 0.4, "days": 9},
        {"group": "g", "sex": "unknown", "a": 30, "b": 40, "rate": 0.5, "days": 9},
    ]

    shown = hide(rows, derived={"rate": ("a", "b"), "days": ("b",)})

    assert [(row["a"], row["rate"], row["days"]) for row in shown] == [(None, None, 7), (None, None, 9), (30, 0.5, 9)]
    assert shown[0]["suppressed"] == ["a", "rate"]


def test_the_threshold_is_configurable() -> None:
    rows = hide(cut(("female", 11, 5), ("male", 20, 5)), below=21)

    assert [(row["a"], row["b"]) for row in rows] == [(None, None), (None, None)]
    assert [(row["a"], row["b"]) for row in hide(cut(("female", 11, 5), ("male", 20, 5)), below=5)] == [
        (11, 5),
        (20, 5),
    ]


def test_the_rows_given_are_left_as_they_were() -> None:
    rows = cut(("female", 1, 0), ("male", 20, 0))

    hide(rows)

    assert rows == cut(("female", 1, 0), ("male", 20, 0))


def test_a_lone_hidden_part_of_a_total_within_a_row_hides_another_part() -> None:
    # Row female: total 23 = a 3 + b 20; a (3) is hidden, 23 - 20 would give it back, so b goes too.
    # Across the cut, b 20 is now alone hidden in its column, so b of male (the only other cell) goes:
    # then male's total 40 = a 15 + b 25 has b alone hidden, so male's a goes as well.
    rows = suppress(
        [
            {"g": 1, "sex": "female", "total": 23, "a": 3, "b": 20},
            {"g": 1, "sex": "male", "total": 40, "a": 15, "b": 25},
        ],
        group_fields=("g",),
        count_fields=("total", "a", "b"),
        totals={"total": ("a", "b")},
    )

    assert [row["suppressed"] for row in rows] == [["a", "b"], ["a", "b"]]
    assert rows[0]["total"] == 23 and rows[1]["total"] == 40
