"""A group, condition or age named alone: "والأرملة؟", "وإذا كان مسافر؟", "والزوجة
الأجنبية؟", "واللي فوق ١٨؟", "وإذا عمره ١٢؟" (the second half of bot.services.followups.shapes).

Patterns work on the normalised, dialect-folded body of the message (ة → ه, أ → ا,
digits ASCII), without its lead. Group names are those of bot/content/followups.yml.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

# An article or a preposition glued to the noun: الارمله، للارمله، بالسجن.
_A = r"(?:ال|لل|بال|ل|ب)?"
_ABROAD = rf"(?:برا|بالخارج|خارج {_A}(?:مملكه|سعوديه))"
_DURATION = (
    r"(?: (?:\d+|شهر|شهرين|اشهر|شهور|سنه|سنتين|مده|طويله))*"
    r"(?: (?:لل|ل)?(?:علاج|دراسه|شغل|عمل|سياحه|زياره))?"
)
_CHILD = rf"{_A}(?:عيال|اطفال|ابناء|اولاد|ولد|بنت|بنات|طفل|ابن|ولده|بنته|عياله|عيالها)"

# (group, pattern), tried in order: the more specific first (a foreign wife before a
# wife, a Saudi mother's children before children, no job before a job).
_GROUPS: List[Tuple[str, str]] = [
    (
        "foreign_wife",
        rf"{_A}(?:زوجه|زوجتي|حرمه|حرمتي|مره|مرتي) {_A}(?:اجنبيه|غير سعوديه|مو سعوديه|مقيمه)"
        rf"|{_A}اجنبيه(?: {_A}متزوجه (?:من |ب)?{_A}سعودي)?",
    ),
    (
        "saudi_mother",
        rf"(?:{_CHILD} )?{_A}سعوديه {_A}متزوجه (?:من |ب)?{_A}اجنبي"
        rf"|{_CHILD} {_A}سعوديه(?: (?:من |ب)?{_A}اجنبي)?"
        r"|(?:امي|امه|امها|ام) سعوديه(?: (?:و)?(?:ابوي|ابوه|ابوها) اجنبي)?",
    ),
    ("wife", rf"{_A}(?:زوجه|زوجتي|زوجات|حرمه|حرمتي|مرتي)|ام العيال"),
    ("husband", rf"{_A}زوج|زوجي"),
    ("widow", rf"{_A}(?:ارمله|ارملات|ارامل)"),
    ("divorced", rf"{_A}(?:مطلقه|مطلقات|مطلق|مطلقين)"),
    ("custodian", rf"{_A}(?:حاضنه|حاضنات|حضانه)"),
    (
        "single",
        rf"{_A}(?:اعزب|عزوبي|عزابي|عزاب|عزباء|عزوبيه)|(?:غير|مو) {_A}متزوج(?:ه|ين)?"
        r"|ما (?:تزوجت|تزوج|تزوجت بعد)",
    ),
    (
        "disabled",
        rf"{_A}(?:معاق|معاقه|معاقين|عاجز|عاجزه)"
        rf"|(?:(?:من )?(?:ذوي|ذو) )?{_A}(?:اعاقه|احتياجات {_A}خاصه)",
    ),
    (
        "unemployed",
        rf"{_A}(?:عاطل|عاطله|عاطلين)(?: عن {_A}عمل)?|{_A}بطاله"
        r"|ما (?:يشتغل|اشتغل|تشتغل|عنده وظيفه|عندي وظيفه|عندها وظيفه|له وظيفه)"
        r"|(?:بدون|بلا) (?:وظيفه|عمل|شغل)",
    ),
    (
        "mobility_card",
        rf"(?:(?:حامل|حاملين|حاملي|حاملو|اصحاب|اللي معه|اللي عنده) )?{_A}(?:بطاقه|بطاقات) {_A}تنقل",
    ),
    (
        "social_security",
        rf"(?:(?:مستفيد|مستفيدين|مستفيدي|اللي ياخذ|اللي عليه) )?{_A}ضمان(?: {_A}اجتماعي)?",
    ),
    ("retired", rf"{_A}(?:متقاعد|متقاعده|متقاعدين|تقاعد)"),
    ("student", rf"{_A}(?:طالب|طالبه|طلاب|طالبات|جامعي|جامعيه)"),
    (
        "scholarship",
        rf"{_A}(?:مبتعث|مبتعثه|مبتعثين|ابتعاث)|(?:يدرس|ادرس|تدرس) (?:برا|بالخارج|في {_A}خارج)",
    ),
    (
        "employee",
        rf"{_A}(?:موظف|موظفه|موظفين|عسكري)(?: (?:حكومي|حكوميه|{_A}قطاع {_A}(?:خاص|حكومي)))?"
        r"|يشتغل|اشتغل|تشتغل",
    ),
    (
        "traveller",
        rf"(?:{_A}(?:مسافر|مسافره|مسافرين|سفر)|سافر|سافرت|سافرنا)(?: {_ABROAD})?{_DURATION}"
        rf"|(?:(?:طالع|اعيش|يعيش|تعيش) )?{_ABROAD}{_DURATION}",
    ),
    # "وإذا شهرين بس؟" after the residence rule: a time away, alone after "if".
    (
        "traveller",
        r"(?:اذا|لو) (?:(?:سافرت|سافر|طلعت|طلع|غبت|كانت|كان|المده|مدته|مده السفر) )?"
        r"(?:\d+|شهر|شهرين|اسبوع|اسبوعين|ثلاث|اربع|خمس|ست)(?: (?:شهور|اشهر|شهر|ايام|اسابيع|اسبوع))?"
        r"(?: (?:بس|فقط|بالكثير))?",
    ),
    (
        "prison",
        rf"{_A}(?:مسجون|مسجونه|مسجونين|سجين|سجينه|سجن)|{_A}(?:دار|دور) {_A}(?:ايواء|رعايه)"
        rf"|{_A}(?:ملجا|ملاجي|ايواء)|موقوف",
    ),
    ("foreigner", rf"{_A}(?:اجنبي|اجانب|مقيم|مقيمين|وافد|وافدين)|(?:غير|مو) {_A}سعودي(?:ين)?"),
    (
        "with_family",
        r"(?:(?:ساكن|ساكنه|يسكن|تسكن|اسكن|عايش|عايشه|يعيش|اعيش) )?(?:مع|عند) "
        r"(?:اهله|اهلها|اهلي|اهل|ابوه|ابوي|ابوها|والديه|والدي|والدينه|اسرته|اسرتي|عايلته|عايلتي)",
    ),
    # A day or season asked after the hours: "والجمعة؟", "ورمضان؟".
    ("days", rf"{_A}(?:جمعه|سبت|خميس|رمضان|عيد|اعياد|اجازه|اجازات|ويكند|عطله|نهايه {_A}اسبوع)"),
    ("adult", rf"{_A}(?:بالغ|بالغين|كبار|كبير)"),
    ("minor", rf"{_A}(?:قاصر|قصر|صغار|صغير)"),
    ("child", _CHILD + rf"|(?:عيالي|اولادي|ولدي|بنتي|ابني|اطفالي)|{_A}(?:تابع|تابعين|معالين)"),
    ("parents", rf"{_A}(?:والد|والده|والدين|ابوي|امي|ابوه|امه|اهلي|والدي|والدتي)|{_A}(?:ام|اب)"),
    ("primary", rf"انا|{_A}مستفيد {_A}اساسي|(?:رب|راعي|عائل) {_A}(?:اسره|بيت)"),
    (
        "high_income",
        r"(?:راتبي|دخلي|راتبه|دخله|راتبها|دخلها|دخلنا|الدخل|الراتب)"
        r"(?: (?:عالي|كبير|زاد|مرتفع|فوق|اكثر|يزيد|زايد|\d+|الف|الاف|ريال|k))+",
    ),
    ("high_income", rf"{_A}(?:دخل|راتب|رواتب)(?: {_A}(?:شهري|اسره))?"),
    ("high_income", rf"(?:{_A}(?:دخل|راتب) )?(?:كم |وش )?{_A}حد(?: {_A}(?:مانع|اعلي|دخل))?"),
    (
        "assets",
        rf"(?:(?:عندي|عنده|عندنا|عندها|املك|يملك) )?{_A}(?:عقار|عقارات|بيت|ارض|اراضي|املاك|اصول|فيلا|عماره)"
        r"(?: (?:باسمي|باسمه|باسمها|ملك|كبير|غالي))*",
    ),
]

# Condition words before the group ("اذا كان", "لو عنده", "اللي") and after it
# ("تستفيد؟", "كم نصيبها؟"): the question is still about the group alone.
_BEFORE = (
    r"(?:(?:اذا|لو|ان|بالنسبه|حق|طيب|كان|كانت|كنت|هو|هي|انا|اللي|للي|الي|عنده|عندها|عندي|كم"
    r"|عندنا|فيه|فيها|في|ساكن|ساكنه|الشخص|واحد|وحده|المتقدم|المتقدمه|صار|صارت) )*"
)
_AFTER = (
    r"(?: (?:طيب|يعني|بعد|كمان|كذا|نفس الشي|تستفيد|يستفيد|يستفيدون|يقدر|تقدر|يسجل|تسجل"
    r"|يستحق|تستحق|يستحقون|ينطبق عليه|تنطبق عليها|مشمول|مشموله|مشمولين|يدخل|تدخل|ينحسب"
    r"|تنحسب|ينحسبون|له|لها|لهم|نصيب|نصيبها|نصيبه|نصيبهم|كم|وش|حكمه|حكمها|وضعه|وضعها"
    r"|شي|حق|مثلا|بالضبط|تقريبا))*"
)
# "والمطلقة اللي عندها عيال؟": a few words saying which of the group, still the group.
_WHICH = r"(?: (?:اللي|الي)(?: \S+){1,3})?"
_GROUP_PATTERNS = [
    (group, re.compile(rf"{_BEFORE}(?:{pattern}){_WHICH}{_AFTER}")) for group, pattern in _GROUPS
]

# An age: "فوق 18", "اقل من 18", "عمره 12", "18 وفوق", with whose age it is before it.
_SUBJECT = (
    rf"(?:(?:{_A}(?:ولد|بنت|ولدي|بنتي|ابني|ابن|تابع|طفل|اخوي|اختي|زوجتي|عيالي|اولادي)"
    r"|هو|هي|انا|اللي|للي|الي|واحد|وحده|اذا|لو|كان|كانت|كنت|عندي|عنده|عندها|عندنا|كم) )*"
)
_AGE = re.compile(
    rf"{_SUBJECT}(?P<whose>(?:عمره|عمرها|عمري|عمرهم|عمر|سنه|سنها|سني|اعمارهم) )?"
    r"(?P<cmp>(?:فوق|اكبر من|اكثر من|تحت|اقل من|اصغر من|دون) )?(?:ال|ب)?(?P<n>\d{1,3})"
    r"(?: (?:سنه|سنين|سنوات|عام))?(?: ?(?P<after>(?:و|او) ?(?:فوق|اكثر|اكبر|فما فوق|اقل|تحت|اصغر)))?"
    rf"{_AFTER}"
)
_ABOVE = ("فوق", "اكبر من", "اكثر من")
_BELOW = ("تحت", "اقل من", "اصغر من", "دون")


def read_group(body: str) -> Optional[str]:
    """The group a message names alone, if that is all it does."""
    for group, pattern in _GROUP_PATTERNS:
        if pattern.fullmatch(body):
            return group
    return None


def read_age(body: str, continued: bool) -> Optional[int]:
    """The age a follow-up asks about, as a whole number of years: "فوق 18" → 19,
    "اقل من 18" → 17, "18 وفوق" → 18. `continued`: the message opened with "و" or a lead;
    without it a bare number ("16") is not read, nor is one with nothing saying whose
    age or which side it is."""
    match = _AGE.fullmatch(body)
    if not match:
        return None
    qualified = match.group("whose") or match.group("cmp") or match.group("after")
    named = not body.startswith(match.group("n"))
    if not (continued or qualified or named):
        return None
    n = int(match.group("n"))
    cmp = (match.group("cmp") or "").strip()
    if cmp in _ABOVE:
        return n + 1
    if cmp in _BELOW:
        return max(0, n - 1)
    return n
