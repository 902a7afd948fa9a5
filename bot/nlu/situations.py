"""The situation a message tells, when it tells one the answers speak to.

"انا مطلقة وعيالي في حضانتي، يحق لي؟", "زوجي توفى وكان هو المسجل", "زوجتي توظفت وش
اسوي؟", "I hold a mobility card, can I apply?": the FAQ the answer selector picks for
these (who benefits, the conditions, updating one's data) lists the case among others;
the citizen wants the line about theirs. FaqShapes swaps the answer for the variant of
the situation (bot/content/faq.yml entries with `situation:`) when the chosen FAQ is
one the variant derives from.

Patterns search the normalised message (bot.nlu.arabic.normalize: ة → ه, أ → ا,
lower-case Latin; Arabizi in its Arabic spelling), Arabic and English. They are tried in order, the more specific
first: a foreign wife before a wife's job, a widow before a divorcee.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.nlu.arabic import normalize
from bot.nlu.arabizi import to_arabic

# Arabic words glued to an article or a preposition: الارمله، للمطلقه، بالحضانه.
_A = r"(?:ال|لل|بال|ل|ب|و|وال)?"
_B = r"(?:^|(?<=\s))"  # a word's start
_E = r"(?=$|[\s؟?!.,،])"  # a word's end

WIDOW = "widow"
DIVORCED = "divorced"
INCOME_CHANGE = "income_change"
MOBILITY_CARD = "mobility_card"
SAUDI_MOTHER = "saudi_mother"
FOREIGN_WIFE = "foreign_wife"

_HUSBAND = (
    r"(?:زوجي|رجلي|ابو عيالي|ابو العيال|ابوهم|ابو اولادي|ابوي|والدي|الوالد|رب الاسره|عائل الاسره"
    r"|المسجل|صاحب الطلب)"
)
_DIED = r"(?:توفي|توفى|متوفي|مات|الله يرحمه|رحمه الله|يرحمه الله|انتقل الى رحمه الله|المرحوم)"
_JOB = (
    r"(?:توظف|توظفت|توظفو|توظفوا|اتوظف|اتوظفت|تعين|تعينت|اتعين|اتعينت|اشتغل|اشتغلت"
    r"|لقي وظيفه|لقت وظيفه|حصل وظيفه|حصلت وظيفه|جاته وظيفه|جاتها وظيفه|صار يشتغل|صارت تشتغل"
    r"|صار موظف|صارت موظفه|زاد راتب|زاد راتبي|زاد راتبه|زاد راتبها|زاد دخل|زاد دخلي|زاد دخلنا"
    r"|ارتفع راتب|ارتفع دخل|تغير راتب|تغير راتبي|تغير دخل|تغير دخلي|تغير دخلنا|ترقيت|ترقي"
    r"|زياده (?:في )?(?:راتب|الراتب|دخل|الدخل)|علاوه|صارت تداوم|صار يداوم"
    r"|(?:لقي|لقت|لقيت|حصل|حصلت|جاه|جاها|جاني|بدا|بدت|بديت|بدات|صار له|صار لها|صار عنده|صار عندها)"
    r" (?:شغل|وظيفه|عمل|دوام|راتب|تشتغل|يشتغل|اشتغل|تداوم|يداوم|العمل|الشغل|الدوام))"
)
_JOB_EN = (
    r"(?:got a job|found a job|started (?:a )?(?:new )?(?:job|work|working)|(?:is|are|am) (?:now )?"
    r"working|(?:got|has) (?:a )?(?:raise|promotion|pay rise)|(?:salary|income|pay) (?:has )?"
    r"(?:went up|gone up|increased|rose|changed)|(?:was|got|been) (?:hired|employed))"
)

_SITUATIONS: List[Tuple[str, "re.Pattern[str]"]] = [
    (
        MOBILITY_CARD,
        re.compile(rf"{_B}{_A}(?:بطاقه|بطاقات|كرت) {_A}تنقل|mobility card|movement card|tanaqul"),
    ),
    (
        SAUDI_MOTHER,
        re.compile(
            rf"{_B}(?:و)?(?:امي|امه|امها|امهم|امنا|ام|ابناء|اولاد|عيال|بنت|ولد) {_A}سعوديه"
            rf"|{_B}{_A}سعوديه {_A}(?:متزوجه|وزوجها|زوجها) (?:من |ب)?{_A}(?:اجنبي|غير سعودي)"
            rf"|{_B}انا سعوديه (?:و)?(?:متزوجه|زوجي)"
            rf"|{_B}(?:و)?(?:ابوي|ابونا|ابوه|زوجي) (?:اجنبي|غير سعودي|مو سعودي)"
            r"|(?:mother|mom|mum|mommy|mama) is (?:a )?saudi|saudi (?:mother|mom|mum)"
            r"|(?:son|daughter|child|children|kids) of a saudi (?:woman|mother|mom|mum)"
            r"|(?:father|dad) is (?:not saudi|non-saudi|not a saudi|a foreigner|foreign)"
            r"|saudi (?:woman|wife|mom|mum) married to a (?:foreigner|non-saudi)"
            r"|married to a (?:non-saudi|non saudi|foreign) (?:man|husband)"
            r"|(?:i am|i'm|im) (?:a )?saudi (?:woman |lady |female |mother |mom |mum )?(?:and )?married to"
            r"|husband is (?:not saudi|non-saudi|not a saudi|a foreigner|foreign)"
        ),
    ),
    (
        FOREIGN_WIFE,
        re.compile(
            rf"{_B}(?:و)?{_A}(?:زوجتي|زوجه|حرمتي|مرتي|الزوجه) {_A}(?:اجنبيه|غير سعوديه|مو سعوديه|مب سعوديه)"
            rf"|{_B}انا (?:اجنبيه|غير سعوديه|مقيمه) (?:و)?(?:متزوجه|زوجي)"
            r"|foreign wife|(?:my )?wife is (?:not saudi|non-saudi|a foreigner|foreign|not a saudi)"
            r"|non-saudi wife|married to a saudi|husband is (?:a )?saudi"
            r"|(?:foreign|non-saudi|non saudi|expat) (?:spouse|wife|woman married)"
        ),
    ),
    (
        WIDOW,
        re.compile(
            rf"{_B}{_A}(?:ارمله|ارامل|ترملت){_E}"
            rf"|{_B}(?:و)?{_HUSBAND} (?:\S+ )?(?:و)?{_DIED}|{_B}(?:توفي|توفى|مات) {_HUSBAND}"
            rf"|{_B}وفاه {_HUSBAND}|{_B}{_A}وفاه {_A}زوج|{_B}المرحوم {_HUSBAND}"
            rf"|{_B}(?:فقدت|خسرت) {_HUSBAND}"
            r"|widow|husband (?:has )?(?:died|passed away|is dead|is deceased|passed)"
            r"|(?:death|loss) of (?:my )?husband|late husband|lost my husband"
            r"|(?:husband|father|dad) (?:who was the (?:applicant|registrant) )?(?:died|passed)"
        ),
    ),
    (
        DIVORCED,
        re.compile(
            rf"{_B}{_A}(?:مطلقه|مطلقات|تطلقت|اتطلقت|انطلقت|طلقني|طلقتني|حاضنه|حضانه|حضانتي){_E}"
            rf"|{_B}(?:انفصلت|منفصله) عن {_A}زوج|{_B}(?:بعد |من )?(?:الطلاق|طلاقي|طلاقنا){_E}"
            r"|divorc|custody|separated from my husband|single mother"
        ),
    ),
    (
        INCOME_CHANGE,
        # "ما اشتغل", "ما توظفت": no job is no change to report.
        re.compile(rf"{_B}(?<!ما )(?<!مو )(?<!لا )(?:و)?{_JOB}{_E}|{_JOB_EN}"),
    ),
]


def situation(text: str) -> Optional[str]:
    """The first situation the message tells, or None."""
    # Arabizi is read through its Arabic spelling, as the classifier reads it.
    folded = normalize(to_arabic(text or ""))
    for name, pattern in _SITUATIONS:
        if pattern.search(folded):
            return name
    return None
