"""What the simulated citizens of `make bench-load` say: the mix of conversations
(bench/load.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Tuple

# --- the mix ---------------------------------------------------------------------------

FAQS = [
    "وش شروط حساب المواطن",
    "كيف اغير الايبان",
    "نسيت كلمة المرور وش اسوي",
    "رقم خدمة العملاء",
    "ليش نقص الدعم حقي",
    "كم ياخذ الرد على الاعتراض",
    "كيف اسجل في حساب المواطن",
    "متى الدوام",
    "وش المستندات المطلوبة للتسجيل",
    "كيف احدث بياناتي",
    "ابي اغير رقم جوالي",
    "وش هي خدمة صوتك مسموع",
]
OPENERS = ["السلام عليكم", "هلا", "مرحبا"]
CLOSERS = ["شكرا", "مشكور", "مع السلامة"]


@dataclass
class Flow:
    name: str
    weight: float
    requires: Tuple[str, ...]  # intents the model's domain must have
    make: Callable[[random.Random], List[str]]


def _faq_chat(rng: random.Random) -> List[str]:
    return [rng.choice(OPENERS)] + rng.sample(FAQS, 2) + [rng.choice(CLOSERS)]


def _faq_single(rng: random.Random) -> List[str]:
    return [rng.choice(FAQS)]


def _eligibility(rng: random.Random) -> List[str]:
    # The pre-check's questions in order (bot/actions/eligibility.py): Saudi, age, resident,
    # time abroad, shelter/prison, dependants, how many adults, income, assets, confirm.
    return [
        "ابي اتحقق من اهليتي",
        "نعم",
        str(rng.randint(20, 60)),
        "نعم",
        "ما سافرت",
        "لا",
        str(rng.randint(1, 5)),
        "كلهم أقل من 18",
        str(rng.randrange(3000, 12000, 500)),
        "لا",
        "نعم",
    ]


def _national_id(rng: random.Random) -> str:
    """A 10-digit ID that passes the Luhn check the ticket form applies."""
    digits = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _ticket(rng: random.Random) -> List[str]:
    # "صوتك مسموع" complaint: ID, mobile, category (by number), description, confirm.
    return [
        "ابي افتح بلاغ صوتك مسموع",
        _national_id(rng),
        "05" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
        str(rng.randint(1, 5)),
        "الدعم ما نزل لي هالشهر مع اني مسجل ومستحق وبياناتي محدثة",
        "نعم",
    ]


FLOWS = [
    Flow("faq_chat", 0.45, ("faq",), _faq_chat),
    Flow("faq_single", 0.25, ("faq",), _faq_single),
    Flow("eligibility", 0.15, ("check_eligibility",), _eligibility),
    Flow("ticket", 0.15, ("open_ticket",), _ticket),
]


def model_intents(model: Path) -> List[str]:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return list(LocalModelStorage.metadata_from_archive(model).domain.intents)


def usable_flows(intents: List[str]) -> List[Flow]:
    return [f for f in FLOWS if all(i in intents for i in f.requires)]
