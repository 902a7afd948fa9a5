"""The words for people in a reply about one's household, after clean(): kinds of
people, who is left out, and the little words around them (bot.services.parsing.household
reads them). Arabic first; the English beside it reads "my wife and 3 kids" the same way."""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

from bot.services.parsing.text import _fold_all, clean

# Kinds of people a reply names. YOUNGER/OLDER/ONE_OF/REST describe rather than name
# ("ثنين كبار", "الكبير", "الباقي"); HOUSEHOLD counts the one answering too ("احنا ٥").
WIFE, HUSBAND, CHILD, SON, DAUGHTER = "wife", "husband", "child", "son", "daughter"
MOTHER, FATHER, PARENTS = "mother", "father", "parents"
BROTHER, SISTER, GRANDMOTHER, GRANDFATHER = "brother", "sister", "grandmother", "grandfather"
FAMILY, PERSON, HOUSEHOLD = "family", "person", "household"
OLDER, YOUNGER, ONE_OF, REST = "older", "younger", "one_of", "rest"
_AGES = (OLDER, YOUNGER)


# ---------------------------------------------------------------------------
# Words, after clean(): (kind, how many the word itself says: 1, 2, or None)
# ---------------------------------------------------------------------------

_NOUNS: Dict[str, Tuple[str, Optional[int], bool]] = {}


def _noun(kind: str, size: Optional[int], *spellings: str) -> None:
    for spelling in spellings:
        word = clean(spelling)
        # "زوجتي", "امي", "my wife": one's own, so "٤ زوجتي وعيالي" is 4 in all, not 4 wives.
        own = size == 1 and (word.endswith("ي") or word.startswith("my "))
        _NOUNS[word] = (kind, size, own)


_noun(WIFE, 1, "زوجة", "زوجتي", "الزوجة", "زوجته", "المدام", "مدام", "مدامتي", "الحرمة")
_noun(WIFE, 1, "حرمتي", "مرتي", "ام العيال", "ام عيالي", "ام الاولاد", "ام اولادي", "ام البزران")
_noun(WIFE, 1, "امهم")  # "٣ عيال وامهم": their mother, the wife
_noun(WIFE, 2, "زوجتين", "زوجتان", "زوجتيني")
_noun(WIFE, None, "زوجات", "زوجاتي", "الزوجات")
_noun(HUSBAND, 1, "زوج", "زوجي", "الزوج", "ابو العيال", "ابو عيالي", "ابو الاولاد", "ابوهم")
_noun(CHILD, 1, "طفل", "طفلي", "الطفل", "طفلة", "طفلتي", "بزر", "عيل", "ورع")
_noun(CHILD, 2, "طفلين", "طفلتين", "بزرين", "ورعين")
# Twins are two children: "عندي توأم وامهم" is 3. "توأمين" is said of one pair too.
_noun(CHILD, 2, "توأم", "التوأم", "توأمي", "توأمين", "التوأمين", "توائم", "twins", "my twins")
# The children's siblings are children: "ثنين توأم واخوهم".
_noun(SON, 1, "اخوهم", "اخوهن")
_noun(DAUGHTER, 1, "اختهم", "اختهن")
_noun(CHILD, None, "عيال", "عيالي", "العيال", "عيالنا", "اعيال", "اعيالي", "الاعيال", "عيالى")
_noun(CHILD, None, "اطفال", "اطفالي", "الاطفال", "اطفالنا", "بزران", "بزراني", "البزران")
_noun(CHILD, None, "بزارين", "ابناء", "ابنائي", "الابناء", "ابنائنا", "اولاد", "اولادي")
_noun(CHILD, None, "الاولاد", "اولادنا", "جهال", "جهالي", "ورعان", "ذرية", "ذريتي")
_noun(SON, 1, "ولد", "ولدي", "الولد", "ابن", "ابني", "الابن", "ولدنا")
_noun(SON, 2, "ولدين", "ابنين", "ولدان", "ابنان")
_noun(DAUGHTER, 1, "بنت", "بنتي", "البنت", "ابنتي", "بنتنا")
_noun(DAUGHTER, 2, "بنتين", "ابنتين", "بنتان")
_noun(DAUGHTER, None, "بنات", "بناتي", "البنات", "بناتنا")
_noun(MOTHER, 1, "امي", "الوالدة", "والدتي", "الام", "امي الله يحفظها", "الوالده الله يحفظها")
# "ابي" is left out on purpose: in Gulf Arabic it is mostly "I want".
_noun(FATHER, 1, "ابوي", "الوالد", "والدي", "الاب", "ابويا")
_noun(PARENTS, 2, "الوالدين", "والديني", "والديه")
_noun(BROTHER, 1, "اخوي", "اخي", "الاخ", "اخ")
_noun(BROTHER, 2, "اخوين")
_noun(BROTHER, None, "اخوان", "اخواني", "الاخوان", "اخوتي", "اخوة", "خواني", "اخواننا")
_noun(SISTER, 1, "اختي", "اخت", "الاخت")
_noun(SISTER, 2, "اختين", "اختان")
_noun(SISTER, None, "اخوات", "اخواتي", "خواتي", "الخوات", "الاخوات")
_noun(GRANDMOTHER, 1, "جدتي", "الجدة", "جدة")
_noun(GRANDFATHER, 1, "جدي", "الجد")
_noun(FAMILY, None, "اهلي", "الاهل", "عيلتي")
_noun(PERSON, None, "تابع", "تابعين", "التابعين", "تابعين لي", "افراد", "اشخاص", "شخص")
_noun(PERSON, None, "نفر", "انفار", "انفس", "فرد", "اشخاص", "تابعه", "تابعات")
_noun(HOUSEHOLD, None, "احنا", "نحن", "عددنا", "كلنا", "اسرتي", "الاسرة", "اسرتنا")
_noun(HOUSEHOLD, None, "عايلتي", "العايلة", "عائلتي", "العائلة", "افراد الاسرة")
_noun(OLDER, None, "كبار", "الكبار", "بالغين", "كبير", "كبيرة")
_noun(YOUNGER, None, "صغار", "الصغار", "قصر", "صغير", "صغيرة", "قاصرين", "اصغر", "اصغر منه")
_noun(ONE_OF, 1, "الكبير", "الكبيرة", "الاكبر", "الكبرى", "البكر", "الصغير", "الصغيرة")
_noun(ONE_OF, 1, "الاصغر", "الصغرى", "الوسط", "الاوسط", "الوسطى", "الثاني", "الثانية")
_noun(ONE_OF, 1, "اكبرهم", "اكبرهن", "كبيرهم", "كبيرتهم", "اصغرهم", "اصغرهن", "صغيرهم")
_noun(REST, None, "الباقي", "الباقين", "البقية", "الباقيات")
# English: "my wife and 3 kids", "two sons and a daughter", "me and my mother".
_noun(WIFE, 1, "wife", "my wife", "the wife", "spouse", "my spouse")
_noun(WIFE, None, "wives", "my wives")
_noun(HUSBAND, 1, "husband", "my husband")
_noun(CHILD, 1, "child", "my child", "kid", "my kid", "baby", "my baby")
_noun(CHILD, None, "children", "my children", "kids", "my kids", "the kids", "the children")
_noun(CHILD, None, "babies", "my babies")
_noun(SON, 1, "son", "my son")
_noun(SON, None, "sons", "my sons", "boys", "my boys")
_noun(DAUGHTER, 1, "daughter", "my daughter")
_noun(DAUGHTER, None, "daughters", "my daughters", "girls", "my girls")
_noun(MOTHER, 1, "mother", "my mother", "mom", "my mom", "mum", "my mum")
_noun(FATHER, 1, "father", "my father", "dad", "my dad")
_noun(PARENTS, 2, "parents", "my parents")
_noun(BROTHER, 1, "brother", "my brother")
_noun(BROTHER, None, "brothers", "my brothers")
_noun(SISTER, 1, "sister", "my sister")
_noun(SISTER, None, "sisters", "my sisters", "siblings", "my siblings")
_noun(GRANDMOTHER, 1, "grandmother", "my grandmother", "grandma", "my grandma")
_noun(GRANDFATHER, 1, "grandfather", "my grandfather", "grandpa", "my grandpa")
_noun(PERSON, None, "dependant", "dependants", "dependent", "dependents", "people", "persons")
_noun(PERSON, None, "person", "members", "individuals")
# "we are 5", "5 of us", "a family of 5": the one answering is one of them.
_noun(HOUSEHOLD, None, "we are", "my family", "our family", "my household", "family of", "us")
_noun(OLDER, None, "adults", "adult", "grown", "grown up", "older")
_noun(YOUNGER, None, "minors", "minor", "young", "younger", "small", "little")
_noun(ONE_OF, 1, "the eldest", "the oldest", "the youngest", "eldest", "oldest", "youngest")
_noun(REST, None, "the rest", "the others", "others", "rest")

_SELF = frozenset(_fold_all(["انا", "أنا", "نفسي", "اني", "لحالي", "بروحي"]))
# "I'm married" is the one answering speaking of himself, not someone left out.
_SELF |= frozenset(["me", "myself", "just me", "only me", "im married", "i am married"])

# Said of someone named, it leaves them out: married, living elsewhere, dead.
# (condition, how many it speaks of: 1 for "متزوج", None for "متزوجين")
_LEFT_OUT: Dict[str, Optional[int]] = {}
for _words, _size in (
    (["متزوج", "متزوجة", "تزوج", "تزوجت", "معرس", "معرسة", "مملك", "مطلقة", "مستقل"], 1),
    (["مستقلة", "لحاله", "لحالها", "بروحه", "بروحها", "متوفي", "متوفية", "توفي"], 1),
    (["توفت", "مات", "ماتت", "ميت", "ميتة", "يرحمه", "يرحمها", "طالع", "طالعة"], 1),
    (["ما يسكن", "مايسكن", "ما تسكن", "ماتسكن", "مو ساكن", "مب ساكن", "مو ساكنة"], 1),
    (["مب ساكنة", "مو معي", "مب معي", "ماهو معي", "ماهي معي", "مو عايش معي"], 1),
    (["عند امه", "عند امها", "عند ابوه", "عند ابوها", "عند اهلها", "عند اهله"], 1),
    (["عند زوجها", "مع زوجها", "مع امه", "ببيت زوجها", "في بيت زوجها", "ساكن برا"], 1),
    (["متزوجين", "متزوجات", "تزوجوا", "تزوجو", "مستقلين", "لحالهم", "بروحهم"], None),
    (["متوفين", "ماتوا", "يرحمهم", "ما يسكنون", "مايسكنون", "عند امهم", "عند ابوهم"], None),
    (["طالعين", "مع امهم"], None),
    # English "married" says no number: "is" / "are" does ("one is married").
    (["is married", "got married", "passed away", "died", "is dead", "is deceased"], 1),
    (["lives alone", "lives on his own", "lives on her own", "moved out", "is independent"], 1),
    (["doesnt live with me", "does not live with me", "doesnt live with us"], 1),
    (["married", "are married", "live alone", "live on their own", "deceased"], None),
    (["dont live with me", "do not live with me", "dont live with us", "independent"], None),
):
    _LEFT_OUT.update({clean(w): _size for w in _words})

_BUT = frozenset(_fold_all(["بس", "لكن", "الا", "إلا", "عدا", "ما عدا", "غير", "بالاضافة"]))
_BUT |= frozenset(["but", "except", "except for", "apart from", "other than"])
_AMONG = frozenset(_fold_all(["منهم", "منهن", "فيهم", "فيهن", "بينهم", "بينهن"]))
_AMONG |= frozenset(["of them", "among them", "of whom"])
_NOT = frozenset(_fold_all(["ما", "ماعندي", "ماعندنا", "مافي", "مافيه", "بدون", "ولا", "لا"]))
_NOT |= frozenset(_fold_all(["مو", "مب", "ماكو", "ما عندي", "ما عندنا", "ما فيه", "ما في"]))
_NOT |= frozenset(["no", "not", "without", "dont have", "do not have", "none"])
# A number next to these is an age, not a count: "عمره ٢٠", "تحت ١٨", "١٠ سنين".
_AGE_BEFORE = frozenset(_fold_all(["عمر", "عمره", "عمرها", "عمرهم", "اعمارهم", "سن"]))
_AGE_BEFORE |= frozenset(["age", "aged"])
# ... and these also say which side of it: "والباقي تحت" (with or without the age) is
# the rest called young, as "والباقي صغار" is.
_UNDER = frozenset(_fold_all(["تحت", "اقل من", "اصغر من", "دون", "تحت السن"]))
_UNDER |= frozenset(["under", "below", "younger than", "under age"])
_OVER = frozenset(_fold_all(["فوق", "اكثر من", "اكبر من", "فوق السن"]))
_OVER |= frozenset(["over", "above", "older than"])
_AGE_AFTER = frozenset(_fold_all(["سنه", "سنة", "سنين", "سنوات", "عام", "اعوام", "سنتين"]))
_AGE_AFTER |= frozenset(["years", "year", "yrs", "years old", "year old"])
_ONLY = _fold_all(["الا", "إلا", "غير", "سوى"])  # "ما عندي الا ولد": only a son

_PHRASES: Dict[Tuple[str, ...], Tuple[str, object]] = {}
for _text, _item in (
    *((k, ("noun", v)) for k, v in _NOUNS.items()),
    *((k, ("left_out", v)) for k, v in _LEFT_OUT.items()),
    *((k, ("but", None)) for k in _BUT),
    *((k, ("among", None)) for k in _AMONG),
    *((k, ("not", None)) for k in _NOT),
    *((k, ("age_before", None)) for k in _AGE_BEFORE),
    *((k, ("age_before", YOUNGER)) for k in _UNDER),
    *((k, ("age_before", OLDER)) for k in _OVER),
    *((k, ("age_after", None)) for k in _AGE_AFTER),
    *((k, ("self", None)) for k in _SELF),
):
    _PHRASES.setdefault(tuple(_text.split()), _item)
_LONGEST = max(len(k) for k in _PHRASES)

Item = Tuple[str, object]


def _phrase_at(tokens: Sequence[str]) -> Optional[Tuple[int, Item]]:
    """The longest known phrase the tokens start with: (its length, its item)."""
    for n in range(min(_LONGEST, len(tokens)), 0, -1):
        item = _PHRASES.get(tuple(tokens[:n]))
        if item is not None:
            return n, item
    return None
