"""Lengths of time in months: "شهرين", "٤٥ يوم", "شهر ونص", "ما سافرت", "two months",
"a month and a half", "I didn't travel"."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from bot.services.parsing.answers import _ZERO_TRAVEL, _is_zero, is_unsure
from bot.services.parsing.numbers import (
    _AND,
    _HALF,
    _NEG,
    ARTICLES,
    _classify,
    _evaluate,
    _number_runs,
)
from bot.services.parsing.text import _corrected, _tokens, clean

# ---------------------------------------------------------------------------
# Durations
# ---------------------------------------------------------------------------

# Months per unit as (numerator, denominator), so 90 days is exactly 3 months.
_DAY, _WEEK, _MONTH, _YEAR = (1, 30), (7, 30), (1, 1), (12, 1)
_UNITS: Dict[str, Tuple[Tuple[int, int], Optional[int]]] = {}


def _unit(months: Tuple[int, int], dual: Optional[int], *spellings: str) -> None:
    for spelling in spellings:
        _UNITS[clean(spelling)] = (months, dual)


_unit(_DAY, None, "يوم", "ايام", "يوما", "days", "day")
_unit(_DAY, 2, "يومين", "يومان")
_unit(_WEEK, None, "اسبوع", "اسابيع", "أسبوعا", "weeks", "week")
_unit(_WEEK, 2, "اسبوعين", "اسبوعان")
_unit(_MONTH, None, "شهر", "شهور", "اشهر", "أشهر", "شهرا", "months", "month")
_unit(_MONTH, 2, "شهرين", "شهران")
_unit(_YEAR, None, "سنه", "سنة", "سنين", "سنوات", "عام", "اعوام", "أعوام", "عاما", "years", "year")
_unit(_YEAR, 2, "سنتين", "سنتان", "عامين", "عامان")

_NONE_OF_A_UNIT = ("ولا", "لا", "ما")  # "ولا يوم", "ولا شهر": zero


def _unit_of(token: str) -> Optional[Tuple[Tuple[int, int], Optional[int]]]:
    """(months per unit, implied count for duals) or None; "وشهر", "بشهرين" too."""
    if token in _UNITS:
        return _UNITS[token]
    if token[:1] in ("و", "ب") and token[1:] in _UNITS:
        return _UNITS[token[1:]]
    return None


def _has_number(items: List[Tuple[str, float]]) -> bool:
    return any(kind not in (_AND, _NEG) for kind, _ in items)


def parse_duration_months(text: str) -> Optional[float]:
    """A length of time in months: "3 شهور" → 3, "شهرين" → 2, "٤٥ يوم" → 1.5,
    "شهر ونص" → 1.5, "سنة" → 12, a bare number → months, "ما سافرت" → 0.
    None when there is no duration or the text is ambiguous. "شهرين لا قصدي ٣ شهور" → 3.
    """
    tokens = _corrected(_tokens(text), lambda part: _months_in(part) is not None)
    months = _months_in(tokens)
    if months is not None or _number_runs(tokens):
        return months
    if is_unsure(text):
        return None
    return 0.0 if _is_zero(tokens, _ZERO_TRAVEL) else None


def _months_in(tokens: Sequence[str]) -> Optional[float]:
    """The duration the tokens give, or None when they give none or it is ambiguous."""
    if not tokens:
        return None
    if (
        tokens[0] in _NONE_OF_A_UNIT
        and len(tokens) > 1
        and _unit_of(tokens[1])
        and (len(tokens) == 2 or not _number_runs(tokens[2:]))
    ):
        return 0.0  # "ولا يوم"
    total = 0.0
    found = False
    pending: List[Tuple[str, float]] = []
    last_unit: Optional[Tuple[int, int]] = None
    for token in tokens:
        if token in ARTICLES:  # "a month", "two and a half years"
            continue
        unit = _unit_of(token)
        if unit is not None:
            (num, den), dual = unit
            if _has_number(pending):
                value = _evaluate(pending)
                if value is None:
                    return None
            else:
                value = float(dual or 1)
            total += value * num / den
            found = True
            last_unit = (num, den)
            pending = []
            continue
        items = _classify(token)
        if items and items[-1][0] == _HALF and last_unit and not _has_number(pending):
            total += items[-1][1] * last_unit[0] / last_unit[1]  # "شهر ونص"
            pending = []
        elif items:
            pending.extend(items)
        elif _has_number(pending):
            # A number followed by an ordinary word: months ("3 تقريبا").
            value = _evaluate(pending)
            if value is None:
                return None
            total += value
            found = True
            pending = []
        else:
            pending = []
    if _has_number(pending):
        value = _evaluate(pending)
        if value is None:
            return None
        total += value
        found = True
    return total if found else None
