"""Suppression with the totals suppressed too (projections/reports/joint_suppression.py), on worked examples."""

from __future__ import annotations

from projections.reports.joint_suppression import suppress_with_totals

M1, M2, E = "monthly_1", "monthly_2", "equity"


def test_a_total_hidden_by_a_move_hides_its_cut_cells_too() -> None:
    # Threshold 3. Total-only fields m1, m2; e is also published per value. Value A: one unit counted in m1
    # and e, four in e and m2; value B: three in m2. m1's total, 1, is hidden; its cheapest move removes that
    # unit (or adds one like it), which changes e's total (5) too: hidden. A's e is 5 and every other e is 0:
    # shown, they would give the hidden total away, so every e cell whose total is hidden is hidden.
    kinds = {
        "A": [frozenset({M1, E})] + [frozenset({E, M2})] * 4,
        "B": [frozenset({M2})] * 3,
        "C": [],
    }
    total, rows = suppress_with_totals(kinds, (M1, M2, E), (E,), 3)

    assert total == {M1: None, M2: 7, E: None, "suppressed": [M1, E]}
    assert rows == [
        {"value": "A", E: None, "suppressed": [E]},
        {"value": "B", E: None, "suppressed": [E]},
        {"value": "C", E: None, "suppressed": [E]},
    ]


def test_totals_shown_leave_the_cut_to_its_own_moves() -> None:
    # Nothing small in the totals: the cut is suppressed as the reports' cuts are (A's 2 and, to hide it, B's 0).
    kinds = {"A": [frozenset({E})] * 2, "B": [], "C": [frozenset({E})] * 12}
    total, rows = suppress_with_totals(kinds, (E,), (E,), 3)

    assert total == {E: 14, "suppressed": []}
    assert [row[E] for row in rows] == [None, None, 12]


def test_a_small_total_alone_is_hidden_with_a_move_that_changes_only_it() -> None:
    # m1's total 2 is small; a unit counted in m1 and m2 trading for one counted in m2 alone changes only m1.
    kinds = {"A": [frozenset({M1, M2})] * 2 + [frozenset({M2})] * 20, "B": []}
    total, rows = suppress_with_totals(kinds, (M1, M2), (), 3)

    assert total == {M1: None, M2: 22, "suppressed": [M1]}
    assert rows == []  # no field is cut
