"""The pre-check's reasons in plain Arabic: each finding's explanation from
bot/content/eligibility.yml (`reasons`), with its amounts and durations as people say them."""

from __future__ import annotations

from fractions import Fraction
from typing import Dict

from bot.content import eligibility_wording
from bot.services.eligibility.rules import Finding, _round


def reasons() -> Dict[str, str]:
    return eligibility_wording()["reasons"]


def round_riyals(amount) -> int:
    """Whole riyals, half up: 1234.5 → 1235."""
    return _round(Fraction(str(amount)))


def format_riyals(amount) -> str:
    """1234.4 → "1,234 ريال"."""
    return f"{round_riyals(amount):,} ريال"


def _months_words(n: int) -> str:
    if n == 1:
        return "شهر"
    if n == 2:
        return "شهرين"
    return f"{n} أشهر" if n <= 10 else f"{n} شهر"


def _days_words(n: int) -> str:
    if n == 1:
        return "يوم"
    if n == 2:
        return "يومين"
    return f"{n} أيام" if n <= 10 else f"{n} يوم"


def format_months(months) -> str:
    """A duration in months as people say it: 0 → "ولا يوم", 2 → "شهرين",
    1.5 → "شهر ونص", 0.5 → "15 يوم", 100 days → "3 أشهر و10 أيام", 24 → "سنتين"."""
    days = _round(Fraction(str(months)) * 30)
    if days <= 0:
        return "ولا يوم"
    whole, rest = divmod(days, 30)
    if rest == 0 and whole >= 12 and whole % 12 == 0:
        years = whole // 12
        return {1: "سنة", 2: "سنتين"}.get(
            years, f"{years} سنوات" if years <= 10 else f"{years} سنة"
        )
    if whole == 0:
        return _days_words(rest)
    if rest == 0:
        return "شهر واحد" if whole == 1 else _months_words(whole)
    if rest == 15:
        return f"{_months_words(whole)} ونص"
    return f"{_months_words(whole)} و{_days_words(rest)}"


def _display(key: str, value) -> str:
    if key in ("income", "cap"):
        return format_riyals(value)
    if key in ("months", "max_months"):
        return format_months(value)
    return str(value)


def reason_text(finding: Finding) -> str:
    template = reasons()[finding.code]
    return template.format(**{k: _display(k, v) for k, v in finding.values.items()})
