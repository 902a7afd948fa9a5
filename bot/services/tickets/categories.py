"""A ticket's category from what the citizen typed in answer to "what is it about?":
its number in the list, its label, or the words people use for it."""

from __future__ import annotations

from typing import Optional

from bot.nlu.arabic import normalize
from bot.services.tickets.labels import TICKET_CATEGORIES
from bot.services.verification import validators as v

# Checked in this order: the first category with a word in the message wins, so the
# narrower ones come first ("اقتراح" before anything, the portal before "البيانات").
_CATEGORY_WORDS = [
    ("suggestion", ["اقتراح", "مقترح", "اقترح", "فكره", "ملاحظه تطوير"]),
    (
        "portal",
        [
            "بوابه",
            "البوابه",
            "الموقع",
            "موقع",
            "تطبيق",
            "التطبيق",
            "ابلكيشن",
            "دخول",
            "كلمه المرور",
            "باسورد",
            "النظام يطلع",
            "خطا في الصفحه",
            # What a technical fault is called in chat: the site "hangs", "won't open".
            "يعلق",
            "معلق",
            "تقني",
            "فني",
            "سيستم",
            "السستم",
            "ما يفتح",
            "ما يشتغل",
            "بطيء",
            "الصفحه",
            "error",
        ],
    ),
    (
        "data",
        ["بيانات", "البيانات", "معلومات", "تحديث", "التابعين", "الدخل", "الايبان", "الحساب البنكي"],
    ),
    ("payment", ["دفعه", "الدفعه", "دفعت", "مبلغ", "المبلغ", "صرف", "ايداع", "الدعم", "نزل"]),
    ("other", ["اخرى", "اخري", "غير ذلك", "شي ثاني", "شي اخر", "موضوع ثاني"]),
]


def parse_category(text: str) -> Optional[str]:
    norm = normalize(text)
    digits = v.only_digits(text)
    keys = list(TICKET_CATEGORIES)
    if digits and len(digits) == 1 and 1 <= int(digits) <= len(keys) and len(norm) <= 3:
        return keys[int(digits) - 1]
    for key, label in TICKET_CATEGORIES.items():
        if normalize(label) == norm or key == norm:
            return key
    for key, words in _CATEGORY_WORDS:
        if any(w in norm for w in words):
            return key
    return None
