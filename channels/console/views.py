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
from bot.services.console import stats
from bot.services.console.compare import compare
from bot.services.console.labels import csv_rows, intent, label_table, percent
from bot.services.console.stats import Period
from bot.services.console.topics import outcomes
from bot.services.desk.accounts import agent_names
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
# What /api/stats/<section> serves: the numbers of bot.services.console.stats, the outcome
# per topic, and the comparison of two periods (which takes both).
COMPARE = "compare"
SECTIONS = dict(stats.SECTIONS, topics=outcomes, compare=compare)


def day_number(value: str) -> Optional[int]:
    """Days since 1970 of a YYYY-MM-DD day the console may ask about (channels/http.py)."""
    day = staff_day(value)
    return None if day is None else (day - _EPOCH).days


def day_label(day: int) -> str:
    return (_EPOCH + timedelta(days=int(day))).isoformat()


def today(now: Optional[datetime] = None) -> int:
    return riyadh_day(now or datetime.now(timezone.utc))


class BadPeriod(ValueError):
    """A period that ends before it starts: said so (400), never swapped for another."""


def period_from(
    args: Mapping[str, Any], now: Optional[datetime] = None, suffix: str = ""
) -> Period:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=… (Riyadh days, inclusive); the last 30
    days by default; at most a year (the last year of a longer one); an unknown channel
    means all channels. `suffix` "_b" reads the second period of a comparison (from_b,
    to_b). A `from` after the `to` raises BadPeriod."""
    last = day_number(_arg(args, "to" + suffix)) or today(now)
    first = day_number(_arg(args, "from" + suffix))
    if first is not None and first > last:
        raise BadPeriod("bad_period")
    if first is None:
        first = last - (DEFAULT_DAYS - 1)
    first = max(first, last - (MAX_DAYS - 1))
    channel = _arg(args, "channel")
    return Period(first, last, channel if channel in CHANNELS else None)


def previous_period(period: Period) -> Period:
    """The period of the same length just before `period` (a comparison's default)."""
    days = period.last_day - period.first_day + 1
    return Period(period.first_day - days, period.first_day - 1, period.channel)


def comparison_period(args: Mapping[str, Any], period: Period) -> Period:
    """The second period of a comparison: from_b/to_b when given, else the one before."""
    if not _arg(args, "from_b") and not _arg(args, "to_b"):
        return previous_period(period)
    return period_from(args, suffix="_b")


def _arg(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()[:20]


def with_labels(section: str, result: Dict[str, Any]) -> Dict[str, Any]:
    """Day numbers as dates, any text masked once more before it leaves the server, and
    what a supervisor reads beside the codes (bot.services.console.labels)."""
    for table in _tables(result):
        label_table(table)
        cols = table["columns"]
        for row in table["rows"]:
            for i, col in enumerate(cols):
                if col == "day" and isinstance(row[i], int):
                    row[i] = day_label(row[i])
                elif col in ("text", "comment") and isinstance(row[i], str):
                    row[i] = mask_text(row[i])
    return result


def review_items(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The review queue as a supervisor reads it: the predicted and the labelled intent by
    name, the confidence in percent, who labelled it by display name."""
    names = agent_names()
    for item in items:
        item["intent_label"] = intent(item.get("intent"))
        item["confidence"] = percent(item.get("confidence"))
        chosen = item.get("label")
        if chosen:
            chosen["intent_label"] = intent(chosen.get("intent"))
            chosen["labelled_by_name"] = names.get(
                chosen.get("labelled_by"), chosen.get("labelled_by")
            )
    return items


def new_topic_items(topics: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    names = agent_names()
    for t in topics:
        t["labelled_by_name"] = names.get(t["labelled_by"], t["labelled_by"])
    return topics


def topic_choices(codes: List[str]) -> List[Dict[str, str]]:
    """The label picker's choices: each intent or FAQ answer by name, its code kept."""
    return sorted(({"code": c, "label": intent(c) or c} for c in codes), key=lambda t: t["label"])


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
    for row in csv_rows(table):
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
