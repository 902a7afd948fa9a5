"""Is a message an elliptical follow-up, and what does it ask?

A follow-up leans on the answer before it: "وين؟" (where is it), "وش احتاج؟", "كم ياخذ
وقت؟", "طيب وبعدين؟", "ليش؟", "والأرملة؟", "واللي فوق ١٨؟", "وإذا رفضوه؟". What makes it
elliptical is that nothing in it names a subject of its own: after a lead ("طيب", "و")
and the question, every word left is a pronoun, a generic verb ("ألقاها", "يردون") or a
filler. One content word ("وين اسجل؟", "كم نصيب الزوجة؟", "متى ينزل الدعم؟") makes the
message self-contained, and it is left to the NLU as before. A named group, condition or
age alone ("والمطلقة؟", "وإذا كان مسافر؟", "وإذا عمره ١٢؟") is the other elliptical shape.

The reading is deliberately strict (closed word lists, whole-message matches): a
message read as a follow-up is answered from the previous topic, so a false "yes" costs
more than a false "no", which only leaves the message to be read on its own.
Works on the normalised, dialect-folded text (bot.nlu.arabic, bot.nlu.dialect).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Optional, Tuple

from bot.content import followup_content
from bot.nlu.arabic import normalize
from bot.nlu.dialect import fold_dialect
from bot.services.followups.groups import read_age, read_group

# Kinds of follow-up (bot/content/followups.yml answers `<topic>.<kind>`).
WHERE = "where"
WHAT = "what"
HOW_LONG = "how_long"
NEXT = "next"
WHY = "why"
WHY_NOT = "why_not"
HOW = "how"
PHONE = "phone"
COST = "cost"
HOW_MUCH = "how_much"
REJECTED = "rejected"
ACCEPTED = "accepted"
LATE = "late"
NO_SMS = "no_sms"
MOBILE_CHANGED = "mobile_changed"
WHO = "who"
NO_ACCESS = "no_access"  # "وإذا ما اقدر ادخل؟": cannot get into the portal
NOT_DONE = "not_done"  # "وإذا ما حدثت؟": what happens if the step is not done
CALLBACK = "callback"  # "بيتصلون علي؟": whether they get in touch
DELIVERY = "delivery"  # "وين توصلني الكلمة الجديدة؟": where a message arrives
START = "start"  # "ومتى بدأ؟": when the program began
AUTHORITY = "authority"  # "ومين الجهة المسؤولة؟": who set it up
BASIS = "basis"  # "على ايش يحسبون الاهلية؟": what it is worked out on
CHANNEL = "channel"  # "وفيه واتساب؟": a way to reach them the sources do not name
EMAIL = "email"  # "وش ايميل حساب المواطن؟": an e-mail address, which no source gives
COUNT = "count"  # "وكم مرة اقدر اعترض؟": how many times
VISIT = "visit"  # "وهل لازم احضر للمقر؟": whether it needs a visit in person
ABOUT = "about"  # "ونسخة القيد؟": a line of the previous answer (lines.py)
# "وكيف اعرف رقم الطلب؟": a question whose words name one line of the previous answer
# (lines.py); answered from it only when the line names enough of them.
ASK_LINE = "ask_line"
AFTER = "after"  # "وبعد ما اغير كلمة المرور؟": the step after one the answer gave (steps.py)
PAPER = "paper"  # "وش الورقة اللي تثبت اني ساكن لحالي؟": which paper, or where to get it
CORRECTION = "correction"  # "لا قصدي رقم الجوال مو كلمة المرور": not the answer just given
STEP = "step"  # "الخطوه الثانيه وش كانت؟": one step of the answer, by its number (steps.py)
# "وإذا ما عندي ايبان؟": a condition no other shape reads, only after an answer; never
# a request to start a service (bot/nlu/followup_shapes.py).
IF = "if"
# "والأوراق؟", "طيب والايبان؟": another subject named alone, continuing the message
# before; `group` holds the subject (bot/content/followups.yml `subjects`).
SUBJECT = "subject"

# Kinds that ask something of the previous answer rather than tell something: inside
# a form they are never its answer ("وين اتابعها؟" while the ID is asked), whereas an
# age, a group or "ما وصلني الرمز" may be.
ASKING = frozenset(
    {WHERE, WHAT, HOW_LONG, NEXT, WHY, WHY_NOT, HOW, PHONE, COST, CALLBACK, HOW_MUCH, LATE, SUBJECT}
    | {DELIVERY, START, AUTHORITY, BASIS, CHANNEL, COUNT, VISIT, PAPER, EMAIL, CORRECTION}
)

# Where the NLU puts what a marked message asks (bot/nlu/followup_shapes.py) in the parse,
# with the intent it was read as before, for the follow-up action.
FOLLOWUP_KEY = "followup"
ORIGINAL_INTENT_KEY = "intent"
# A story's own topic, when its last question leans on the story (stories.py).
TOPIC_KEY = "topic"
# The FAQ nearest to a question about time that gives no time ("كم ياخذ تغيير الايبان؟"
# read as the IBAN steps): the topic to say so on when the answer before is not its subject.
UNTIMED_KEY = "untimed"

# Longer than this (after the lead) is a question of its own, not a follow-up.
MAX_WORDS = 8


@dataclass(frozen=True)
class Ellipsis:
    """What an elliptical message asks: its kind, and for WHO the group it names or the
    age it gives (the picker decides adult or minor from the program's age)."""

    kind: str
    group: Optional[str] = None
    age: Optional[int] = None
    # The content words of a question that names its subject ("كم ياخذ تغيير
    # الايبان؟"): answered on a topic only when that topic's answer used them.
    about: Tuple[str, ...] = ()

    def as_dict(self) -> dict:
        found = {"kind": self.kind, "group": self.group, "age": self.age}
        return {**found, "about": list(self.about)} if self.about else found

    @classmethod
    def from_dict(cls, data: dict) -> Optional["Ellipsis"]:
        if not data or not data.get("kind"):
            return None
        return cls(data["kind"], data.get("group"), data.get("age"), tuple(data.get("about") or ()))


def _any(words: str) -> str:
    return "(?:" + "|".join(words.split()) + ")"


# Leads and trailing fillers carry no question ("طيب وبعدين؟", "وين بالضبط لو سمحت؟").
_LEADS = set("طيب طب اوك اوكي ok okay تمام زين حلو ممتاز اها امم ايوه يعني بس شكرا مشكور".split())
_TRAIL = re.compile(
    r"(?: (?:طيب|يعني|عاد|اخوي|يا اخوي|يالغالي|يا الغالي|لو سمحت|من فضلك|الله يعافيك"
    r"|الله يحفظك|طال عمرك|بعد|كمان))+$"
)
_PUNCT = set("؟?!.,،؛;:()[]{}\"'…-")

# Words that only point back at the previous answer, by kind.
_WHERE_FILL = _any(
    "القاه القاها الاقيه الاقيها الاقي القي احصله احصلها احصل اشوفه اشوفها اشوف ادخله"
    " ادخلها ادخل اروح اروحله اسويه اسويها اسوي هو هي هذا هذي بالضبط بالتحديد بالزبط"
    " الخيار الخانه الصفحه الزر الرابط رابطه رابطها المكان مكانه مكانها فيه فيها منه منها"
    " مقرهم مقره مقراتهم مكاتبهم فروعهم القي التفاصيل تفاصيله الاسباب"
    " يكون تكون موجود موجوده البوابه بالبوابه في طيب يعني"
)
_WHERE_NOUN = _any(
    "الرابط رابطه المكان مكانه مكانها الخيار الصفحه الزر المقرات المقر المكاتب الفروع"
    " مقراتهم مقرهم مكاتبهم فروعهم"
)
_NEED = _any(
    "احتاج نحتاج يحتاج تحتاج احتاجه احتاجها يبون يبونه يبي يطلبون يطلب يبغون المطلوب"
    " المطلوبه اجهز اجهزه اجيب احضر اكتب اعبي اعطيهم يبونها ارفق ارفع"
)
_WHAT_FILL = _any(
    "مني له لها عشانه عشانها فيه فيها معي معاي معه معها معاه بالضبط يعني طيب هذا هذي اوراق الاوراق"
    " مستندات المستندات اوراقي بيانات البيانات ورق اشياء الاشياء شي بعد بس اللي"
)
_WHEN_VERB = _any(
    "يردون يرد يردو يردوا الرد ردهم يطلع تطلع ينزل تنزل يوصل توصل يوصلني توصلني يجي يجيني"
    " تجيني يصير تصير يتغير يتعدل يتحدث يتفعل يخلص يخلصون تخلص ينقبل يقبلونه يتم يكلموني"
    " يتواصلون يتصلون يبلغوني يتحول يدرسونه ينتهي يبدا ابدا النتيجه"
)
_LONG_FILL = _any(
    "وقت التغيير التعديل الرد ردهم علي عليه عليها بالعاده تقريبا يعني طيب هذا هذي كذا بعد"
    " عندي عندك معي مهله المهله المسموح المسموحه المراجعه الدراسه دراسته مراجعته"
    " الموضوع الطلب طلبي الاجراء معهم مني لين حتي الشي عاده بالضبط اكثر بس القرار"
)
_LONG_UNIT = _any(
    "ياخذ تاخذ بياخذ بتاخذ يطول تطول بيطول يستغرق تستغرق المده مده مدته مدتها يوم ايام"
    " ساعه اسبوع شهر وقت الوقت"
)
_NEXT_WHAT = _any("بعده بعدها بعدين اسوي اسويه المفروض الحل الاجراء يصير بيصير اقدر")
_NEXT_FILL = _any(
    "الحين طيب يعني بعدين بعدها اسوي اذا معهم عاد بالضبط انا يصير وش كذا فيه فيها الطلب طلبي"
    " البيانات الاعتراض اختار اضغط"
)
_WHY_FILL = _any("كذا طيب يعني طلع طلعت لي النتيجه هذا هذي السبب عاد بالضبط صار صارت اصلا الحين")
# "ليش طلعت غير مؤهل؟", "ليش رفضوني؟": why an outcome, answered only on a topic with
# one (a pre-check, an eligibility status, an objection); elsewhere read on its own.
_WHY_NOT = (
    r"(?:(?:انا|طلعت|طلع|صرت|صار|انرفضت|انرفض|رفضوني|رفضوه|رفضوها) )*"
    r"(?:(?:غير|مو|ما) )?(?:مؤهل|مؤهله|مستحق|مستحقه|مرفوض|انقبلت|قبلوني|انرفضت|انرفض|رفضوني|رفضوه)"
)
_HOW_FILL = _any(
    "يعني طيب اسويها اسويه اسوي هذا هذي الطريقه اصلا بالضبط ادخلها ادخله ادخل اتابع اتابعه"
    " ارجعه ارجعها استرجعه استرجعها ارجع"
    " اتابعها الطلب طلبي"
)
_MONEY_FILL = _any(
    "المبلغ المبالغ يعطون يعطوني ياخذ تاخذ ناخذ اخذ ينزل يطلع يصير بيصير بيطلع يجي نصيبه"
    " نصيبها نصيبي نسبته نسبتها النسبه له لها لي ريال بالريال يعني طيب بالضبط تقريبا الحين انا"
    " اللي بينزل بيجيني بيجي يجيني بياخذ باخذ راح كل شهر شهريا"
)
# Not "بلاش" alone: that is also "never mind" (cancel).
_COST = _any("بفلوس مجاني مجانا ببلاش رسوم الرسوم التكلفه يكلف بيكلف")
_COST_FILL = _any("يعني طيب ولا لا الاتصال الخدمه هذا هذي فيه في عليه كم")
_CONDITION = r"(?:(?:اذا|لو|ان|لين) )?(?:(?:كان|صار|طلع|طلعت|انا|هو|هي|اعتراضي|الاعتراض|طلبي|الطلب|النتيجه) )?"
_OUTCOME_FILL = _any("طيب يعني بعد عاد مثلا وش اسوي الحل يصير كيف متي ينزل ينصرف يصرف المبلغ")
_REJECTED = (
    r"(?:انرفض|انرفضت|رفضوه|رفضوها|رفضوني|رفضوا|رفضو|رفض|مرفوض|ما انقبل|ما انقبلت|ما قبلوه"
    r"|ما قبلوها|ما قبلوني|غير مؤهل|مو مؤهل|ما طلعت مؤهل|ما تاهلت|ما اتاهل|غير مستحق|مو مستحق"
    r"|ما استحق)"
)
_ACCEPTED = r"(?:انقبل|انقبلت|قبلوه|قبلوها|قبلوني|مقبول|مؤهل|تاهلت|اتاهلت|مستحق)"
_LATE = (
    r"(?:تاخر|تاخروا|تاخرو|تاخرت|طول|طولوا|طولو|طولت|ما ردوا|ما ردو|ما رد|ما احد رد"
    r"|ما تواصلوا|ما تواصلو|ما اتصلوا|ما كلموني|عدت المده|تعدي|تجاوز|تجاوزت|مرت المده"
    r"|خلصت المده|عدت|فات|فاتت المده|ما جاني رد|ما وصلني رد)(?: علي)?"
)
_NO_SMS = (
    r"(?:ما وصلتني|ما وصلني|ما وصل|ما وصلت|ما جاني|ما جتني|ما يوصلني|ما توصلني|ماوصلني"
    r"|ماوصلتني|ماجاني|ما يجيني|ما تجيني)(?: (?:اي |ولا )?(?:الرساله|رساله|الكود|كود|الرمز|رمز|كلمه"
    r" المرور|الباسورد|شي|اي شي|المسج|مسج|رسائل|الرسايل|sms))?"
)
# "والرسالة ما توصلني": the message named first.
_NO_SMS_NAMED = (
    r"(?:الرساله|رساله|الرسايل|الكود|كود|الرمز|رمز|المسج|الباسورد المؤقت|كلمه المرور المؤقته)"
    r" (?:ما|مو|ماهي|ماهو) (?:توصلني|تجيني|يوصلني|يجيني|وصلتني|وصلني|وصلت|وصل|جات|جاني|جتني"
    r"|توصل|يوصل|تجي|يجي|راضيه توصل|راضي يوصل)(?: لي)?"
)
_MOBILE = r"(?:جوالي|رقمي|الجوال|رقم جوالي|الرقم|شريحتي|الشريحه|رقم الجوال)"
_MOBILE_CHANGED = (
    rf"(?:تغير|غيرت|تغيرت|ضاع|ضايع|انسرق|راح|مقفل|انقفل|ما عندي|ما عاد عندي) {_MOBILE}"
    rf"|{_MOBILE} (?:تغير|تغيرت|ضاع|مقفل|انقفل|راح)"
)


# "بعد ما اخلص", "بعد ما ارسل": a step of the answer done.
_DONE = _any("اخلص اسوي ارسل اقدم احدث اسجل اغير اعدل احفظ اعترض")
# "كم ياخذ وقت عشان توصل الرسالة؟": what the time is for, in a few words.
_PURPOSE = (
    r"(?: (?:عشان|لين|الين|حتي|علي ما|على ما|توصل|يوصل|توصلني|يوصلني|تجي|يجي|تجيني|يجيني)"
    r"(?: \S+){0,3})?"
)


def _fill(words: str) -> str:
    return rf"(?: (?:{words}))*"


# A verb with an object pronoun ("اقدمه", "اغيرها", "ارفعها") points back at the
# previous answer's subject, like a pronoun.
_ANAPHORIC_VERB = r"[ايتن][^ ]{2,5}(?:ه|ها|هم)"


_NOUN_FILL = _any("طيب يعني كم وش بالضبط تقريبا بعد كمان")


# (kind, whole-message pattern), tried in order.
_PATTERNS: List[Tuple[str, "re.Pattern[str]"]] = [
    (k, re.compile(p))
    for k, p in [
        (WHERE, rf"(?:من )?وين(?:ه|ها|هم)?{_fill(_WHERE_FILL + '|' + _ANAPHORIC_VERB)}"),
        (WHERE, r"وش (?:الرابط|رابطه|رابطها)"),
        # "واقدر اتابعها؟": whether, and so where, it is followed up.
        (WHERE, r"(?:(?:هل|اقدر|ممكن|يمديني|فيه مجال) )+(?:اتابعها|اتابعه|اتابع|اشوفها|اشوفه)"),
        (WHERE, rf"{_WHERE_NOUN} وين(?:ه|ها)?{_fill(_WHERE_FILL)}"),
        (WHERE, rf"(?:في |من |ب)?(?:اي|انهي) (?:صفحه|مكان|خيار|قائمه|خانه|زر){_fill(_WHERE_FILL)}"),
        (WHAT, rf"(?:(?:وش|وشو) )?{_NEED}{_fill(_WHAT_FILL + '|' + _ANAPHORIC_VERB)}"),
        # "وش الاوراق اللي احتاجها؟" leans on the topic; "وش المستندات المطلوبة؟" does not.
        (WHAT, rf"وش (?:الاوراق|المستندات|البيانات|الاشياء) اللي {_NEED}{_fill(_WHAT_FILL)}"),
        (
            HOW_LONG,
            rf"(?:كم|قد وش|قديش) {_LONG_UNIT}{_fill('|'.join((_LONG_FILL, _WHEN_VERB, _LONG_UNIT)))}"
            rf"{_PURPOSE}",
        ),
        (HOW_LONG, rf"متي{_fill(_WHEN_VERB + '|' + _LONG_FILL)}"),
        # "وباي يوم بالضبط؟", "واي تاريخ ينزل؟": when, as a day or a date.
        (
            HOW_LONG,
            rf"(?:في |ب)?(?:اي|ايش|وش) (?:يوم|تاريخ|وقت){_fill(_WHEN_VERB + '|' + _LONG_FILL)}",
        ),
        (HOW_LONG, rf"(?:خلال|في|بعد) كم {_LONG_UNIT}{_fill(_LONG_FILL + '|' + _WHEN_VERB)}"),
        (
            HOW_LONG,
            rf"(?:ياخذ|بياخذ|تاخذ|بتاخذ|يطول|بيطول|تطول|بتطول|يستغرق|المده|مدته|مدتها){_fill(_LONG_FILL)}",
        ),
        (NEXT, rf"(?:بعدين|بعدها|بعده|بعد كذا|بعد ذلك|ثم|بعد)(?: وش)?{_fill(_NEXT_FILL)}"),
        # "وبعد ما احدثها؟", "وبعد ما اخلص؟": after doing what the answer said.
        (NEXT, rf"بعد ما (?:{_ANAPHORIC_VERB}|{_DONE})(?: وش)?{_fill(_NEXT_FILL)}"),
        # "وش يصير بعد ما ارفعها؟": the same, asked first.
        (NEXT, rf"وش (?:يصير|بيصير|اسوي|يسوون) بعد ما (?:{_ANAPHORIC_VERB}|{_DONE})"),
        (
            NEXT,
            rf"وش (?:الخطوه|الخطوات) (?:الجايه|الثانيه|التاليه|اللي بعدها|الجاي){_fill(_NEXT_FILL)}",
        ),
        (NEXT, rf"وش {_NEXT_WHAT}{_fill(_NEXT_FILL)}"),
        (NEXT, rf"(?:الحل|والحل|كيف اتصرف){_fill(_NEXT_FILL)}"),
        (NEXT, r"الحين(?: وش)?(?: اسوي)?"),
        (LATE, rf"ليش {_LATE}{_fill(_WHY_FILL)}"),
        (WHY, rf"ليش{_fill(_WHY_FILL)}"),
        (WHY_NOT, rf"ليش {_WHY_NOT}{_fill(_WHY_FILL)}"),
        (WHY, rf"(?:وش )?(?:السبب|الاسباب|سببه|سببها){_fill(_WHY_FILL)}"),
        (WHY, r"(?:على|علي) وش"),
        (HOW, rf"كيف{_fill(_HOW_FILL)}"),
        # "وكيف ارفعها؟": where the documents go up.
        (WHERE, r"كيف (?:ارفعها|ارفعه|ارفعهم|ارفقها|ارفقه|احملها|احمله|اضيفها|اضيفه)"),
        (HOW, r"وش الطريقه"),
        (
            HOW,
            r"كيف (?:اعرف|اشوف|اتابع) (?:وش صار|وين وصل|حالته|حالتها|ردهم)(?: عليه| عليها| فيه)?",
        ),
        (
            CALLBACK,
            r"(?:(?:هل|هم|راح|بعدين) )*(?:بيتصلون|يتصلون|بيكلموني|يكلموني|بيتواصلون|يتواصلون|بيردون|بيرجعون)"
            r"(?: (?:علي|معي|لي))?(?: (?:هم|بنفسهم|طيب|يعني))*",
        ),
        (PHONE, r"(?:(?:وش|كم) )?(?:رقمهم|ارقامهم|رقمكم|تلفونهم|جوالهم)(?: طيب| يعني)?"),
        (PHONE, r"كيف (?:اكلمهم|اتواصل معهم|اتصل عليهم|اوصلهم|اكلمكم)"),
        (
            PHONE,
            r"(?:مين|من|وين) (?:اكلم|اتصل عليه|اتصل فيه|اتواصل معه|اراجع|اكلمه)(?: طيب| يعني)?",
        ),
        (
            CHANNEL,
            r"(?:(?:فيه|في|عندهم|لهم|هل|وش|طيب) )*(?:ايميل|ايميلهم|الايميل|بريد|البريد|بريدهم"
            r"|واتساب|الواتساب|واتس|الواتس|فاكس|سناب|انستقرام|تلقرام|تيليجرام|شات)"
            r"(?: (?:الكتروني|الالكتروني|رسمي|حقهم|لهم|للتواصل|طيب|يعني))*",
        ),
        (PHONE, r"(?:(?:فيه|في|عندهم|هل فيه) )?رقم (?:ثاني|اخر|غيره|غير هذا|ثاني غيره)(?: غيره)?"),
        (
            DELIVERY,
            r"(?:وين|على وش|علي وش|كيف) (?:توصلني|يوصلني|تجيني|يجيني|توصل|يوصل|تجي|يجي|يرسلونها|يرسلونه)"
            r"(?: \S+){0,3}",
        ),
        (
            # "والرمز يجيني على وش؟": what arrives first, then where.
            DELIVERY,
            r"(?:\S+ ){0,2}(?:توصلني|يوصلني|تجيني|يجيني|توصل|يوصل|تجي|يجي|يرسلونها|يرسلونه|يرسلونه لي)"
            r" (?:على|علي|في|فين|وين)(?: (?:وش|ايش|وين|اي))?",
        ),
        (START, r"متي (?:بدا|بدات|بدت|ابتدا|انطلق|انطلقت|نزل|طلع|بدوا|بداو)(?: \S+){0,2}"),
        (
            AUTHORITY,
            r"(?:مين|من|وش|ايش) (?:الجهه|الوزاره|المسؤول|المسؤولين|اللي وراه|اللي وراها|اللي حط"
            r"|وراه|وراها|يديره|يديرها|مسؤول عنه|مسؤول عنها"
            r"|اللي حاط|اللي حطت|اللي حاطه|اللي يحدد|تابع|تابعين|يتبع)(?: \S+){0,3}",
        ),
        (
            BASIS,
            r"(?:على|علي) (?:وش|ايش|اي اساس|اي شي) (?:يحسبون|يحددون|يعتمدون|ينحسب|تنحسب|يقررون"
            r"|يحسبونها|يحسبونه|يعتمد|تعتمد)(?: \S+){0,4}",
        ),
        (COST, rf"(?:(?:فيه|في|عليه|كم|هل) )*{_COST}{_fill(_COST_FILL)}"),
        (COUNT, r"كم (?:مره|مرات|مرا)(?: \S+){0,3}"),
        (
            VISIT,
            r"(?:(?:هل|لازم|يلزم|ضروري|اقدر|ممكن|يعني) )*(?:احضر|اروح|اراجع|ازور|اجي|امر)"
            r"(?: (?:بنفسي|شخصيا))? (?:ل|لل|ال|على )?(?:مقر|مقرهم|مقراتهم|فرع|فروعهم|مكتب|مكاتبهم)"
            r"(?: \S+){0,2}",
        ),
        (HOW_MUCH, rf"(?:كم|بكم){_fill(_MONEY_FILL)}"),
        (REJECTED, rf"{_CONDITION}{_REJECTED}{_fill(_OUTCOME_FILL)}"),
        (ACCEPTED, rf"{_CONDITION}{_ACCEPTED}{_fill(_OUTCOME_FILL)}"),
        (LATE, rf"{_CONDITION}{_LATE}{_fill(_OUTCOME_FILL)}"),
        (NO_SMS, rf"{_CONDITION}{_NO_SMS}{_fill(_OUTCOME_FILL)}"),
        (NO_SMS, rf"{_CONDITION}{_NO_SMS_NAMED}{_fill(_OUTCOME_FILL)}"),
        (MOBILE_CHANGED, rf"{_CONDITION}(?:{_MOBILE_CHANGED}){_fill(_OUTCOME_FILL)}"),
        (
            NO_ACCESS,
            rf"{_CONDITION}(?:ما|مو|ماني) (?:اقدر|قادر|قدرت|اعرف|عرفت) (?:ادخل|اسجل دخول|افتح|ادخلها)"
            r"(?: (?:البوابه|الحساب|حسابي|الموقع|للبوابه|للحساب))?",
        ),
        (
            NOT_DONE,
            r"(?:(?:اذا|لو|ان) )?(?:ما|ماني|مو) (?:حدثت|حدثتها|حدثته|احدث|احدثها|حدثناها|سويت|سويتها"
            rf"|سويته|اسويه|اسويها)(?: (?:البيانات|بياناتي|التحديث))?{_fill(_OUTCOME_FILL)}",
        ),
        # One noun for what the answer did not say: "والموعد؟", "والمبلغ؟", "والرسوم؟".
        (HOW_LONG, rf"(?:الوقت|الموعد|موعده|موعدها|المواعيد){_fill(_NOUN_FILL)}"),
        (HOW_MUCH, rf"(?:المبلغ|المبالغ|مبلغه|مبلغها|الفلوس){_fill(_NOUN_FILL)}"),
        (COST, rf"(?:الرسوم|رسومها|رسومه|التكلفه){_fill(_NOUN_FILL)}"),
        (WHERE, rf"(?:الرابط|الموقع|العنوان|رابطه|رابطها){_fill(_NOUN_FILL)}"),
        (PHONE, rf"(?:الرقم|رقمهم|رقمه|التلفون|الهاتف){_fill(_NOUN_FILL)}"),
    ]
]


def words(text: str) -> List[str]:
    """The message's words, normalised and dialect-folded, without punctuation."""
    return [fold_dialect(w) for w in normalize(text or "").split() if w not in _PUNCT]


def _body(text: str) -> Tuple[str, bool]:
    """The message without its lead and trailing fillers, and whether it opened with a
    conjunction or a lead ("و", "طيب"): the mark of a message continuing another."""
    tokens = words(text)
    led = False
    while tokens and (tokens[0] in _LEADS or tokens[0] in ("و", "ف")):
        tokens, led = tokens[1:], True
    body = _TRAIL.sub("", " ".join(tokens)).strip()
    return body, led


def _unglued(body: str) -> Optional[str]:
    """The body without a conjunction glued to its first word ("والارمله" → "الارمله",
    "واذا كان..." → "اذا كان..."), or None when there is none to take off."""
    if body[:1] in ("و", "ف") and len(body.split(" ", 1)[0]) > 2:
        return body[1:]
    return None


# Around a subject named alone: "وش الاوراق بعد؟", "والايبان طيب؟", "والمستندات المطلوبه؟".
_SUBJECT_BEFORE = r"(?:(?:وش|ايش|عن|بالنسبه ل|بالنسبه|حق|طيب|كم) )?"
_SUBJECT_AFTER = _fill(_any("طيب يعني بعد كمان المطلوبه المطلوب نفس الشي"))


@lru_cache(maxsize=64)
def _subject_pattern(phrases: Tuple[str, ...]) -> "re.Pattern[str]":
    folded = sorted({" ".join(words(p)) for p in phrases}, key=len, reverse=True)
    return re.compile(rf"{_SUBJECT_BEFORE}(?:{'|'.join(map(re.escape, folded))}){_SUBJECT_AFTER}")


def read_subject(body: str) -> Optional[str]:
    """The subject (followups.yml `subjects`) a body names alone, if that is all it does."""
    for name, spec in (followup_content().get("subjects") or {}).items():
        if _subject_pattern(tuple(spec.get("words") or ())).fullmatch(body):
            return name
    return None


def read(text: str) -> Optional[Ellipsis]:
    """What an elliptical message asks, or None when the message is not elliptical."""
    if not text or text.lstrip().startswith("/"):
        return None
    body, led = _body(text)
    if not body or len(body.split()) > MAX_WORDS:
        return None
    unglued = _unglued(body)
    for candidate in (body, unglued):
        if candidate is None:
            continue
        for kind, pattern in _PATTERNS:
            if pattern.fullmatch(candidate):
                return Ellipsis(kind)
        group = read_group(candidate)
        if group:
            return Ellipsis(WHO, group=group)
        # An age alone ("16") is an answer to a form's question; a follow-up about an
        # age continues a message ("و 17؟") or names whose age it is ("اللي فوق 18").
        continued = led or candidate is unglued
        age = read_age(candidate, continued=continued)
        if age is not None:
            return Ellipsis(WHO, age=age)
        # Only a message continuing another: "الاوراق؟" alone is a question of its own.
        subject = read_subject(candidate) if continued else None
        if subject:
            return Ellipsis(SUBJECT, group=subject)
    return None
