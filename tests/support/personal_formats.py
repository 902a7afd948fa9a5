"""Every way the bot accepts a personal number, and a few more it does not accept but must
mask all the same, for the tests that feed them through everything staff read and the log
(tests/unit/test_masking.py, tests/unit/test_privacy_logs.py,
tests/console/test_masking_everywhere.py).

`leaked(text)` says which of the three numbers can still be read in a text: the digits a
mask hides (all but the first and last two) found in one number-like run, whatever the
digits' script and the separators between them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List

from bot.cleantext import INVISIBLE
from bot.services.verification.validators import parse_iban, parse_mobile, parse_national_id

NATIONAL_ID, MOBILE, IBAN = "1087654321", "0559182736", "SA0380000000608010167519"
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# (what was typed, the parser that accepts it)
ACCEPTED = [
    (NATIONAL_ID, parse_national_id),
    (f"هويتي{NATIONAL_ID}", parse_national_id),
    (f"ID{NATIONAL_ID}", parse_national_id),
    (f"{NATIONAL_ID}م", parse_national_id),
    (NATIONAL_ID.translate(ARABIC), parse_national_id),
    ("1087 654 321", parse_national_id),
    ("1-0-8-7-6-5-4-3-2-1", parse_national_id),
    (MOBILE, parse_mobile),
    ("055 918 2736", parse_mobile),
    ("055-918-2736", parse_mobile),
    ("055.918.2736", parse_mobile),
    ("+966 55 918 2736", parse_mobile),
    ("+966559182736", parse_mobile),
    ("00966559182736", parse_mobile),
    ("966559182736", parse_mobile),
    ("+966 055 918 2736", parse_mobile),
    ("559182736", parse_mobile),
    ("٠٥٥ ٩١٨ ٢٧٣٦", parse_mobile),
    (f"جوالي{MOBILE}", parse_mobile),
    (IBAN, parse_iban),
    ("SA03 8000 0000 6080 1016 7519", parse_iban),
    ("SA03-8000-0000-6080-1016-7519", parse_iban),
    ("sa0380000000608010167519", parse_iban),
]
# Not taken by the parsers, masked all the same.
ALSO_MASKED = [
    NATIONAL_ID.translate(FULL_WIDTH),
    "1 0 8 7 6 5 4 3 2 1",
    "1087\u200b654321",
    "1087\u00a0654\u00a0321",
    "055\t918\t2736",
    f"{MOBILE}x{NATIONAL_ID}",
    "SA03.8000.0000.6080.1016.7519",
]
FORMATS: List[str] = [typed for typed, _ in ACCEPTED] + ALSO_MASKED

_SEPARATORS = re.compile(rf"[\s\-./_()\u2010-\u2015\u2212\uff0d{INVISIBLE}]+")
_HIDDEN = {
    "national ID": NATIONAL_ID[2:-2],
    "mobile": MOBILE[2:-2],
    "IBAN": IBAN[4:-2],
}


def _digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else c
        for c in unicodedata.normalize("NFKC", text)
    )


def leaked(text: str) -> List[str]:
    """Which numbers can be read in `text` (an empty list: none)."""
    compact = _SEPARATORS.sub("", _digits(text)).upper()
    return [name for name, hidden in _HIDDEN.items() if hidden in compact]
