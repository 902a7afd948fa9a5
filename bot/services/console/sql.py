"""SQL helpers the console's numbers share: run a statement (PostgreSQL's JIT off),
seconds between two timestamps on either database, and percentiles computed by the
database (percentile_disc on PostgreSQL, ORDER BY … OFFSET on SQLite, one definition:
the smallest value with at least p of the values at or below it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import DateTime, bindparam, text

from bot.store import engine


def _rows(sql: str, params: Dict[str, Any]) -> List[List[Any]]:
    statement = text(sql)
    typed = [
        bindparam(k, type_=DateTime(timezone=True))
        for k, v in params.items()
        if isinstance(v, datetime) and f":{k}" in sql
    ]
    if typed:
        statement = statement.bindparams(*typed)
    with engine().connect() as c:
        if c.dialect.name == "postgresql":
            # These queries run in well under a second; PostgreSQL's JIT compiler, which
            # their row estimates trigger, alone takes a quarter of one.
            c.execute(text("SET LOCAL jit = off"))
        return [list(r) for r in c.execute(statement, params)]


def _one(sql: str, params: Dict[str, Any]) -> List[Any]:
    rows = _rows(sql, params)
    return rows[0] if rows else []


def _postgres() -> bool:
    return engine().dialect.name == "postgresql"


def _seconds(later: str, earlier: str) -> str:
    if _postgres():
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def percentiles(values_sql: str, params: Dict[str, Any], ps=(0.5, 0.95)) -> List[Optional[float]]:
    """Percentiles of the single column `x` that `values_sql` selects (NULLs ignored)."""
    if _postgres():
        cols = ", ".join(f"percentile_disc({p}) WITHIN GROUP (ORDER BY v.x)" for p in ps)
        row = _one(f"SELECT {cols} FROM ({values_sql}) v WHERE v.x IS NOT NULL", params)
        return [None if x is None else round(float(x), 1) for x in row]
    n = _one(f"SELECT COUNT(*) FROM ({values_sql}) v WHERE v.x IS NOT NULL", params)[0]
    out: List[Optional[float]] = []
    for p in ps:
        if not n:
            out.append(None)
            continue
        k = max(0, -(-int(p * 1000) * n // 1000) - 1)  # ceil(p * n) - 1 without floats
        row = _one(
            f"SELECT v.x FROM ({values_sql}) v WHERE v.x IS NOT NULL ORDER BY v.x "
            f"LIMIT 1 OFFSET {int(k)}",
            params,
        )
        out.append(round(float(row[0]), 1))
    return out


def _share(part: Any, whole: Any) -> Optional[float]:
    return round(100.0 * float(part or 0) / float(whole), 1) if whole else None
