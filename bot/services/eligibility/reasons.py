"""The pre-check's reasons in plain words: each finding's explanation from
bot/content/eligibility.yml (`reasons`, or en/eligibility.yml in English), with its
amounts and durations as people say them in that language."""

from __future__ import annotations

from fractions import Fraction
from typing import Dict

from bot.content import ARABIC, ENGLISH, eligibility_wording
from bot.services.eligibility.rules import Finding, _round


def reasons(lang: str = ARABIC) -> Dict[str, str]:
    return eligibility_wording(lang)["reasons"]


def round_riyals(amount) -> int:
    """Whole riyals, half up: 1234.5 → 1235."""
    return _round(Fraction(str(amount)))


def format_riyals(amount, lang: str = ARABIC) -> str:
    """1234.4 → "1,234 ريال" ("1,234 riyals")."""
    whole = round_riyals(amount)
    if lang == ENGLISH:
        return f"{whole:,} riyal" + ("" if whole == 1 else "s")
    return f"{whole:,} ريال"


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


def _english(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")


def _days(months) -> int:
    """A duration in months in days, to the nearest day (30 a month)."""
    return _round(Fraction(str(months)) * 30)


def format_months(months, lang: str = ARABIC) -> str:
    """A duration in months as people say it: 0 → "ولا يوم", 2 → "شهرين",
    1.5 → "شهر ونص", 0.5 → "15 يوم", 100 days → "3 أشهر و10 أيام", 24 → "سنتين";
    in English "no time at all", "2 months", "1 and a half months", "15 days",
    "3 months and 10 days", "2 years"."""
    if lang == ENGLISH:
        return _format_months_english(months)
    days = _days(months)
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


def _format_months_english(months) -> str:
    days = _days(months)
    if days <= 0:
        return "no time at all"
    whole, rest = divmod(days, 30)
    if rest == 0 and whole >= 12 and whole % 12 == 0:
        return _english(whole // 12, "year")
    if whole == 0:
        return _english(rest, "day")
    if rest == 0:
        return _english(whole, "month")
    if rest == 15:
        return f"{whole} and a half months"
    return f"{_english(whole, 'month')} and {_english(rest, 'day')}"


def _display(key: str, value, lang: str) -> str:
    if key in ("income", "cap"):
        return format_riyals(value, lang)
    if key in ("months", "max_months"):
        return format_months(value, lang)
    return str(value)


def reason_text(finding: Finding, lang: str = ARABIC) -> str:
    template = reasons(lang)[finding.code]
    return template.format(**{k: _display(k, v, lang) for k, v in finding.values.items()})
