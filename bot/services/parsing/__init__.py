"""Read the answers people actually type: numbers, amounts, durations, yes/no, choices.

Citizens answer a question the way they would answer a person: "٥٠٠٠ ريال",
"خمسة آلاف", "5 الاف", "5k", "الف ونص", "ما عندي دخل", "شهرين", "٤٥ يوم",
"ايه", "لا ابد", "مدري". Every parser here takes the raw text and returns a
plain Python value, or None when the text does not answer the question (the
caller then explains and asks again). Nothing here knows about Rasa or about a
particular form, so any feature can reuse it.

    parse_number("خمسة آلاف وخمسمية")   -> 5500.0
    parse_amount("ما عندي دخل")          -> 0.0
    parse_count("ولا واحد")              -> 0
    parse_duration_months("شهر ونص")     -> 1.5
    parse_yes_no("ايه والله")            -> True
    is_unsure("والله ما ادري")           -> True
    parse_choice("امي سعودية", {...})    -> "saudi_mother"
    is_question("وش يعني تابع؟")         -> True
    parse_household("زوجتي و٣ عيال")      -> Household: wife 1, child 3, total 4
    parse_amount_parts("راتبي ٨٠٠٠ وزوجتي ٢٠٠٠") -> (8000.0, 2000.0)

A reply that corrects itself counts as corrected: parse_number("٣ لا قصدي ٥") -> 5.
"""

from bot.services.parsing.amounts import parse_amount_parts
from bot.services.parsing.answers import (
    is_question,
    is_unsure,
    parse_amount,
    parse_choice,
    parse_count,
    parse_yes_no,
)
from bot.services.parsing.durations import parse_duration_months
from bot.services.parsing.household import Household, Member, fill_missing, parse_household
from bot.services.parsing.numbers import parse_number
from bot.services.parsing.text import clean

__all__ = [
    "parse_number",
    "parse_amount",
    "parse_count",
    "parse_duration_months",
    "parse_yes_no",
    "is_unsure",
    "is_question",
    "parse_household",
    "fill_missing",
    "Household",
    "Member",
    "parse_amount_parts",
    "parse_choice",
    "clean",
]
