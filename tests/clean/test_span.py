"""stages.clean.span: the body's run of blocks."""
from __future__ import annotations

from stages.clean.span import best_run_from, max_subarray


def test_max_subarray():
    assert max_subarray([-5, 3, -1, 4, -10, 2]) == (1, 3, 6.0)
    assert max_subarray([-1, -2]) == (0, -1, 0.0)
    assert max_subarray([]) == (0, -1, 0.0)


def test_best_run_from_a_start_stops_where_its_total_drops_to_zero():
    scores = [5.0, -1.0, 2.0, -100.0, 50.0]
    assert best_run_from(scores, 1, 2) == (2, 2, 2.0)      # from 1 the total is never positive
    assert best_run_from(scores, 0, 0) == (0, 2, 6.0)      # the 50 beyond the -100 is out of reach
    assert best_run_from(scores, 3, 9) == (4, 4, 50.0)
    assert best_run_from([-1.0], 0, 0) == (0, -1, 0.0)
