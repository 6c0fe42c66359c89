"""The last known value before a row, in one window: ``LAST_VALUE(x IGNORE NULLS)``.

Ibis 12 has no way to say ``IGNORE NULLS`` in a window on DuckDB (``last(include_null=
False)`` compiles to a plain ``LAST_VALUE``). This module adds one operation,
:class:`LastKnown`, and teaches the DuckDB and Spark compilers to write it. Engines use
it in :meth:`~journeymap.engine.base.Engine.previous_known`; analyses never import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import sqlglot.expressions as sge
from ibis.backends.sql.rewrites import LastValue

__all__ = ["LastKnown", "last_known_before", "teach"]


class LastKnown(LastValue):
    """The last non-NULL value of ``arg`` in the window's frame (NULL when there is
    none). A kind of Ibis's ``LAST_VALUE``, so that compilers keep the window's frame
    (Ibis's PySpark compiler drops the frame of other analytic functions)."""


def _duckdb(compiler: Any, op: LastKnown, *, arg: Any) -> Any:
    return sge.IgnoreNulls(this=compiler.f.last_value(arg))


def _spark(compiler: Any, op: LastKnown, *, arg: Any) -> Any:
    return sge.IgnoreNulls(this=compiler.f.last(arg))


def teach(dialect: str) -> None:
    """Let the Ibis compiler of ``dialect`` ("duckdb" or "pyspark") write
    :class:`LastKnown` (done once; harmless again).

    Examples
    --------
    >>> import ibis
    >>> teach("duckdb")
    >>> t = ibis.table({"case": "string", "p": "int64", "team": "string"}, name="t")
    >>> before = ibis.window(group_by=t.case, order_by=t.p, rows=(None, -1))
    >>> sql = ibis.to_sql(t.select(LastKnown(t.team).to_expr().over(before).name("x")),
    ...                   dialect="duckdb")
    >>> "LAST_VALUE(\\"t0\\".\\"team\\" IGNORE NULLS)" in sql
    True
    """
    if dialect == "duckdb":
        from ibis.backends.sql.compilers.duckdb import DuckDBCompiler as compiler

        visit = _duckdb
    elif dialect == "pyspark":
        from ibis.backends.sql.compilers.pyspark import PySparkCompiler as compiler

        visit = _spark
    else:
        raise ValueError(f"no LAST_VALUE ... IGNORE NULLS for {dialect!r}")
    compiler.visit_LastKnown = visit  # the compilers find visit_<operation name>


def last_known_before(dialect: str, value: Any, group_by: Any, order_by: Sequence[Any]) -> Any:
    """Ibis expression: :class:`LastKnown` of ``value`` over the rows before this one in
    its group, in ``order_by`` order, for an engine whose compiler is ``dialect``'s."""
    teach(dialect)
    before = ibis.window(group_by=group_by, order_by=list(order_by), rows=(None, -1))
    return LastKnown(value).to_expr().over(before)
