"""Ibis expressions written so that every engine gives the same answer.

Ibis compiles some operations differently per backend, and a few differ at the edges:
a filtered count is ``COUNT(*) FILTER (WHERE p)`` on DuckDB (0 when nothing matches)
but ``SUM(CAST(p AS BIGINT))`` on Spark (NULL when every ``p`` is NULL, or there are no
rows), and a filtered median on Spark filters the percentage too, which Spark refuses.
The helpers here close those gaps; analyses use them instead of the raw forms.
"""

from __future__ import annotations

from typing import Any

__all__ = ["count_where", "median_where"]


def count_where(table: Any, predicate: Any) -> Any:
    """Ibis expression: how many rows of ``table`` (or of each group) satisfy
    ``predicate``; rows where it is NULL do not count, and no rows count 0.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"x": [1, None, 3]})
    >>> int(ibis.duckdb.connect().execute(count_where(t, t.x > 1)))
    1
    """
    return table.count(where=predicate.fill_null(False)).fill_null(0)


def median_where(column: Any, predicate: Any) -> Any:
    """Ibis expression: the median of ``column`` over the rows where ``predicate``
    holds (NULL when there are none).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.memtable({"x": [1.0, 2.0, 10.0, 4.0], "ok": [True, True, False, None]})
    >>> float(ibis.duckdb.connect().execute(median_where(t.x, t.ok)))
    1.5
    """
    import ibis

    return ibis.ifelse(predicate.fill_null(False), column, ibis.null(column.type())).median()
