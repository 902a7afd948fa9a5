"""A ticket's category from what the citizen typed in answer to "what is it about?":
its number in the list, its label (Arabic or English), or the words people use for it."""

from __future__ import annotations

import re
from typing import Optional

from bot.content import english_labels
from bot.nlu.arabic import normalize
from bot.services.tickets.labels import TICKET_CATEGORIES
from bot.services.verification import validators as v

# Checked in this order: the first category with a word in the message wins, so the
# narrower ones come first ("اقتراح" before anything, the portal before "البيانات").
_CATEGORY_WORDS = [
    ("suggestion", ["اقتراح", "مقترح", "اقترح", "فكره", "ملاحظه تطوير", "suggest", "idea"]),
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
            "portal",
            "website",
            "site",
            "app",
            "login",
            "log in",
            "password",
            "page",
            "technical",
        ],
    ),
    (
        "data",
        ["بيانات", "البيانات", "معلومات", "تحديث", "التابعين", "الدخل", "الايبان", "الحساب البنكي"]
        + ["data", "details", "information", "update", "dependants", "income", "iban", "bank"],
    ),
    ("payment", ["دفعه", "الدفعه", "دفعت", "مبلغ", "المبلغ", "صرف", "ايداع", "الدعم", "نزل"]),
    ("payment", ["payment", "paid", "amount", "deposit", "support", "money"]),
    ("other", ["اخرى", "اخري", "غير ذلك", "شي ثاني", "شي اخر", "موضوع ثاني", "other"]),
]


def parse_category(text: str) -> Optional[str]:
    norm = normalize(text)
    digits = v.only_digits(text)
    keys = list(TICKET_CATEGORIES)
    if digits and len(digits) == 1 and 1 <= int(digits) <= len(keys) and len(norm) <= 3:
        return keys[int(digits) - 1]
    english = english_labels("ticket_category")
    for key, label in TICKET_CATEGORIES.items():
        if norm in (normalize(label), normalize(english.get(key, "")), key):
            return key
    for key, words in _CATEGORY_WORDS:
        if any(_says(norm, w) for w in words):
            return key
    return None


def _says(norm: str, word: str) -> bool:
    """An Arabic word anywhere (it may carry a prefix: "والدفعه"); an English one at the
    start of a word, so "app" is in "apps" but not in "happened"."""
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}", norm) is not None
    return word in norm
