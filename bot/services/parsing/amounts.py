"""Money given as parts: "راتبي ٨٠٠٠ وزوجتي ٢٠٠٠", "٥٠٠٠ راتب و٢٠٠٠ ضمان", "٦٠٠٠ + ١٥٠٠".

Asked for the household's monthly income, people often give each earner's or each
source's amount rather than the sum. parse_amount_parts() returns the parts so the
caller can add them up and show them back; several amounts that are not parts of one
income ("بين ٣٠٠٠ و٤٠٠٠", "٣٠٠٠ او ٤٠٠٠") give None, and the question is asked again.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from bot.services.parsing.answers import parse_amount
from bot.services.parsing.numbers import _AND, ARTICLES, _classify, _evaluate
from bot.services.parsing.people import _phrase_at
from bot.services.parsing.text import _corrected, _fold_all, _tokens

# Whose or what an amount is: one label per amount makes several amounts parts.
_SOURCES = frozenset(
    _fold_all(
        [
            "راتب",
            "راتبي",
            "راتبه",
            "راتبها",
            "رواتب",
            "الراتب",
            "دخل",
            "دخلي",
            "دخله",
            "دخلها",
            "معاش",
            "معاشي",
            "تقاعد",
            "تقاعدي",
            "التقاعد",
            "ضمان",
            "الضمان",
            "ايجار",
            "الايجار",
            "ايجارات",
            "مكافاة",
            "مكافأة",
            "المكافاة",
            "حافز",
            "ساند",
            "نفقة",
            "النفقة",
            "اعانة",
            "تجارة",
            "شغل",
            "شغلي",
            "وظيفة",
            "وظيفتي",
            "انا",
            # English: "my salary 8000 and my wife 2000", "6000 pension plus 1500 rent".
            "salary",
            "salaries",
            "income",
            "pension",
            "retirement",
            "wage",
            "wages",
            "rent",
            "allowance",
            "bonus",
            "business",
            "job",
            "work",
            "mine",
            "me",
            "i",
        ]
    )
)
_PLUS = frozenset(_fold_all(["زائد", "مع", "وكمان", "كمان", "plus", "also"]))
_RANGE = frozenset(_fold_all(["بين", "او", "أو", "ولا", "الى", "إلى", "لين", "حتى", "يمكن"]))
_RANGE |= frozenset(["between", "or", "to", "maybe"])
_TOTAL = frozenset(_fold_all(["المجموع", "مجموع", "الاجمالي", "اجمالي", "الكل", "كلها", "يعني"]))
_TOTAL |= frozenset(["total", "altogether", "overall", "sum", "so"])


def _runs(tokens: Sequence[str]) -> Optional[List[Tuple[int, float]]]:
    """(index of its first token, value) for each number in the tokens; None when one
    of them is not one number."""
    runs: List[Tuple[int, float]] = []
    start, items = 0, []
    for index, token in enumerate([*tokens, ""]):
        found = _classify(token) if token else []
        if token in ARTICLES and items and items[-1][0] == _AND:
            continue  # "seven thousand and a half"
        if found and not (found == [(_AND, 0)] and not items):
            if not items:
                start = index
            items.extend(found)
            continue
        while items and items[-1][0] == _AND:
            items.pop()
        if items and items[0][0] == _AND:
            items = items[1:]
        if items:
            value = _evaluate(items)
            if value is None:
                return None
            runs.append((start, value))
        items = []
    return runs


def _is_source(token: str) -> bool:
    """ "راتبي", "وزوجتي", "والضمان", "ولدي", "salary", "wife": a word that says whose or
    what."""
    words = [token] + ([token[1:]] if token[:1] in ("و", "ب", "ل") and len(token) > 2 else [])
    for word in words:
        person = _phrase_at([word])
        if word in _SOURCES or (person is not None and person[1][0] == "noun"):
            return True
    return False


def _parts_in(tokens: Sequence[str]) -> Optional[Tuple[float, ...]]:
    runs = _runs(tokens)
    if runs is None:
        return None
    if len(runs) <= 1:
        amount = parse_amount(" ".join(tokens))
        return None if amount is None else (amount,)
    if any(t in _RANGE for t in tokens):
        return None
    last_start, last_value = runs[-1]
    if last_start and tokens[last_start - 1] in _TOTAL:
        return (last_value,)  # "... يعني المجموع ١٠٠٠٠": the sum, said outright
    sources = sum(1 for t in tokens if _is_source(t))
    pluses = sum(1 for t in tokens if t in _PLUS)
    if sources >= len(runs) or pluses >= len(runs) - 1:
        return tuple(value for _, value in runs)
    return None


def parse_amount_parts(text: str) -> Optional[Tuple[float, ...]]:
    """The amounts that make up one income: "راتبي ٨٠٠٠ وزوجتي ٢٠٠٠" → (8000, 2000),
    "٦٠٠٠ + ١٥٠٠" → (6000, 1500), a single amount → (amount,) as parse_amount reads
    it ("٧ الاف ونص" → (7500,), "ما عندي دخل" → (0,)). None when nothing, or several
    amounts that are not parts of one sum ("بين ٣٠٠٠ و٤٠٠٠")."""
    tokens = _tokens((text or "").replace("+", " زائد "))
    return _parts_in(_corrected(tokens, lambda part: _parts_in(part) is not None))
