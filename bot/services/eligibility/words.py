"""The pre-check's own words: what names an answer, a nationality exception, "not Saudi",
"carry on", living with one's family or on one's own. Arabic as people type it, with the
English a citizen writing in English uses beside it (matched word by word after
bot.services.parsing.clean, so "I'm" is "im" and case does not matter).

Numbers, amounts, durations, yes/no and people are read by bot.services.parsing.
"""

from __future__ import annotations

from bot.services.eligibility import rules

# Words that name an answer when the citizen types a correction ("العمر غلط", "age is wrong").
FIELD_WORDS = {
    "saudi": ["الجنسية", "جنسيتي", "جنسية", "سعودي", "سعودية", "nationality", "citizenship"],
    "exc": ["بطاقة التنقل", "الاستثناء", "استثناء", "exception", "mobility card"],
    "age": ["العمر", "عمري", "عمر", "السن", "سني", "age", "my age"],
    "res": ["الاقامة", "اقامة", "اقامتي", "مقيم", "residence", "residency", "resident"],
    "abroad": ["السفر", "سفر", "سفري", "سافرت", "برا", "الخارج", "travel", "abroad", "trip"],
    "shelter": ["ايواء", "الايواء", "السجن", "سجن", "shelter", "prison", "jail"],
    "deps": [
        "التابعين",
        "تابعين",
        "العيال",
        "عيال",
        "الاولاد",
        "اولاد",
        "الابناء",
        "افراد",
        "dependants",
        "dependents",
        "kids",
        "children",
    ],
    "adults": ["اعمار", "الكبار", "اعمارهم", "ages", "adults"],
    "indep": ["السكن", "سكن", "سكني", "مستقل", "housing", "independent", "home"],
    "income": ["الدخل", "دخل", "دخلي", "الراتب", "راتب", "راتبي", "income", "salary"],
    "assets": [
        "اصول",
        "الاصول",
        "عقار",
        "عقارات",
        "العقارات",
        "املاك",
        "assets",
        "property",
        "properties",
        "real estate",
    ],
}

NATIONALITY_WORDS = {
    rules.MOBILITY_CARD: [
        "بطاقة التنقل",
        "بطاقة تنقل",
        "تنقل",
        "بطاقه التنقل",
        "mobility card",
        "mobility",
    ],
    rules.SAUDI_MOTHER: [
        "امي سعودية",
        "ام سعودية",
        "والدتي سعودية",
        "امي مواطنة",
        "ابوي اجنبي",
        "ابي اجنبي",
        "والدي اجنبي",
        "ابوي غير سعودي",
        "mother is saudi",
        "mom is saudi",
        "saudi mother",
        "saudi mom",
        "father is foreign",
        "father is a foreigner",
    ],
    rules.FOREIGN_WIFE: [
        "زوجي سعودي",
        "متزوجة سعودي",
        "متزوجة من سعودي",
        "زوجة سعودي",
        "زوجه اجنبيه",
        "زوجة اجنبية",
        "husband is saudi",
        "married to a saudi",
        "wife of a saudi",
        "foreign wife",
        "saudi husband",
    ],
    rules.NO_EXCEPTION: [
        "ولا وحدة",
        "ولا واحد",
        "ولا شي",
        "ما ينطبق",
        "غير ذلك",
        "مقيم",
        "وافد",
        "لا شي منها",
        "none of them",
        "none of these",
        "none",
        "neither",
        "no exception",
        "expat",
    ],
}
NOT_SAUDI_WORDS = [
    "مو سعودي",
    "مب سعودي",
    "مش سعودي",
    "غير سعودي",
    "لست سعودي",
    "مو سعودية",
    "مب سعودية",
    "غير سعودية",
    "لست سعودية",
    "اجنبي",
    "اجنبية",
    "وافد",
    "مقيم",
    "non saudi",
    "not saudi",
    "not a saudi",
    "foreigner",
    "expat",
]
# Said as a statement of nationality in the message that starts the pre-check.
SAUDI_STATEMENTS = ["سعودي", "سعوديه", "سعودية", "im saudi", "i am saudi", "i am a saudi"]
SAUDI_WORDS = ["سعودي", "سعودية", "سعوديه", "مواطن", "مواطنة", "saudi", "citizen"]
CONTINUE_WORDS = [
    "كمل",
    "نكمل",
    "اكمل",
    "خلنا نكمل",
    "استمر",
    "نستمر",
    "كملي",
    "واصل",
    "continue",
    "go on",
    "carry on",
    "keep going",
]
WITH_FAMILY_WORDS = [
    "مع اهلي",
    "مع ابوي",
    "مع امي",
    "عند اهلي",
    "مع الوالدين",
    "with my family",
    "with my parents",
    "with family",
    "with parents",
]
ON_MY_OWN_WORDS = [
    "لحالي",
    "بروحي",
    "شقة",
    "ايجار",
    "بيتي",
    "مستقل",
    "on my own",
    "alone",
    "by myself",
    "my own place",
    "my own house",
    "apartment",
    "independent",
]
EXCEPTION_WORDS = {k: v for k, v in NATIONALITY_WORDS.items() if k != rules.NO_EXCEPTION}

# "how many are grown up?" answered for all of them: "كلهم صغار", "all of them are young",
# "كلهم الا واحد", "all but one" (bot.services.eligibility.family).
ALL_WORDS = {"كلهم", "كلهن", "جميعهم", "الكل", "كلها", "all", "everyone", "everybody"}
SMALL_WORDS = {"صغار", "صغير", "تحت", "اقل", "قصر", "اطفال", "دون"}
SMALL_WORDS |= {"young", "younger", "small", "under", "minors", "kids", "children", "below"}
EXCEPT_WORDS = ("الا", "غير", "عدا", "ماعدا", "بس", "except", "but", "besides")
