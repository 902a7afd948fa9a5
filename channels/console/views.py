"""What the console's routes need besides HTTP: the period asked for, CSV, tables."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from bot.cleantext import CONTROLS, INVISIBLE
from bot.masking import mask_text
from bot.services.console.stats import Period
from bot.store.turns import RIYADH_OFFSET, riyadh_day
from channels.http import staff_day

STATIC = Path(__file__).resolve().parent / "static"
CHANNELS = ("telegram", "whatsapp", "web", "rest")
MAX_DAYS = 366
DEFAULT_DAYS = 30
_EPOCH = date(1970, 1, 1)
_FORMULA_STARTS = ("=", "+", "-", "@")
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
_LEADING_BLANKS = re.compile(f"[\\s{INVISIBLE}{CONTROLS}]+")


def day_number(value: str) -> Optional[int]:
    """Days since 1970 of a YYYY-MM-DD day the console may ask about (channels/http.py)."""
    day = staff_day(value)
    return None if day is None else (day - _EPOCH).days


def day_label(day: int) -> str:
    return (_EPOCH + timedelta(days=int(day))).isoformat()


def today(now: Optional[datetime] = None) -> int:
    return riyadh_day(now or datetime.now(timezone.utc))


def period_from(args: Mapping[str, Any], now: Optional[datetime] = None) -> Period:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=… (Riyadh days, inclusive); the last 30
    days by default; at most a year; an unknown channel means all channels."""
    last = day_number(_arg(args, "to")) or today(now)
    first = day_number(_arg(args, "from"))
    if first is None or first > last:
        first = last - (DEFAULT_DAYS - 1)
    first = max(first, last - (MAX_DAYS - 1))
    channel = _arg(args, "channel")
    return Period(first, last, channel if channel in CHANNELS else None)


def _arg(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()[:20]


def with_labels(section: str, result: Dict[str, Any]) -> Dict[str, Any]:
    """Day numbers as dates, and any text masked once more before it leaves the server."""
    for table in _tables(result):
        cols = table["columns"]
        for row in table["rows"]:
            for i, col in enumerate(cols):
                if col == "day" and isinstance(row[i], int):
                    row[i] = day_label(row[i])
                elif col in ("text", "comment") and isinstance(row[i], str):
                    row[i] = mask_text(row[i])
    return result


def _tables(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    found = []
    if "columns" in result and "rows" in result:
        found.append(result)
    for value in result.values():
        if isinstance(value, dict) and "columns" in value and "rows" in value:
            found.append(value)
    return found


def table_of(result: Dict[str, Any], name: str) -> Optional[Dict[str, Any]]:
    if not name:
        return result if "columns" in result else None
    value = result.get(name)
    return value if isinstance(value, dict) and "columns" in value else None


def to_csv(table: Dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table["columns"])
    for row in table["rows"]:
        writer.writerow([safe_cell(c) if isinstance(c, str) else c for c in row])
    return "\ufeff" + out.getvalue()  # BOM: spreadsheets then read Arabic as UTF-8


def safe_cell(cell: str) -> str:
    """A text cell a spreadsheet shows as text: one that would run as a formula gets a
    leading apostrophe. Spreadsheets skip leading blanks and invisible marks (U+061C,
    U+200F...) before = + - @, and read full-width ＝ as =: so does this check. A cell
    starting with a tab or a carriage return is escaped too (OWASP's list)."""
    if cell[:1] in _FORMULA_LEADS:
        return "'" + cell
    blanks = _LEADING_BLANKS.match(cell)
    head = cell[blanks.end() if blanks else 0 :][:1]
    if head and unicodedata.normalize("NFKC", head) in _FORMULA_STARTS:
        return "'" + cell
    return cell


__all__ = ["RIYADH_OFFSET", "STATIC", "period_from", "to_csv", "with_labels", "table_of"]
