"""Every editable text and fact, under one key per item with an Arabic and (where the
product has one) an English value, and where each lives in the seed files.

Keys: "program.<dotted>" (facts), "faq.<key>" (answers), "faq_title.<key>",
"button.<name>", "message.<dotted>" (system messages: channels, handoff, queue, ratings),
"case.<dotted>" (tickets, objections, one-time codes, notifications), "form.<dotted>"
(the eligibility pre-check's questions and wording), "response.<utter_name>" (replies
written in domain/*.yml), "followup.<answer>" (the answers to a short follow-up, by
`<topic>.<kind>` as followups.yml names them: the name itself has dots).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from bot.content import ARABIC, ENGLISH, seed

DOMAIN_DIR = Path(__file__).resolve().parents[3] / "domain"
GENERATED_DOMAIN = "faq.yml"  # written from faq.yml by bot.content.render

# kind -> (Arabic file, English file, path inside the file for an item's dotted name)
_FILES: Dict[str, Tuple[str, Optional[str]]] = {
    "program": ("program.yml", "en/program.yml"),
    "faq": ("faq.yml", "en/faq.yml"),
    "faq_title": ("faq_titles.yml", "en/faq_titles.yml"),
    "button": ("buttons.yml", "en/buttons.yml"),
    "message": ("messages.yml", "en/messages.yml"),
    "case": ("cases.yml", "en/cases.yml"),
    "form": ("eligibility.yml", "en/eligibility.yml"),
    "followup": ("followups.yml", "en/followups.yml"),
}
KINDS = tuple(_FILES) + ("response",)


def split(key: str) -> Tuple[str, str]:
    kind, _, name = key.partition(".")
    if kind not in KINDS or not name:
        raise KeyError(key)
    return kind, name


def location(key: str, lang: str) -> Optional[Tuple[str, List[str]]]:
    """(seed file, path of keys) holding `key` in `lang`; None for a domain response."""
    kind, name = split(key)
    if kind == "response":
        return None
    arabic, english = _FILES[kind]
    if kind == "followup":  # answers.<topic.kind>: the Arabic with its source, the English bare
        return (
            (english, ["answers", name]) if lang == ENGLISH else (arabic, ["answers", name, "text"])
        )
    parts = name.split(".")
    if lang == ENGLISH:
        return english, parts
    if kind == "faq":
        return arabic, parts + ["text"]
    if kind == "button":
        return arabic, parts + ["title"]
    return arabic, parts


def _get(doc: Any, path: List[str]) -> Any:
    for part in path:
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def _leaves(doc: Dict[str, Any], prefix: str = "") -> Iterator[Tuple[str, Any]]:
    for k, v in doc.items():
        if isinstance(v, dict):
            yield from _leaves(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


@lru_cache(maxsize=1)
def domain_responses() -> Dict[str, Dict[str, str]]:
    """Replies written in domain/*.yml with one Arabic text and at most one English one
    (the `language` slot's variation): {name: {"ar": text, "en": text}}. Read once: the
    domain changes only with a new release of the code; callers copy before changing."""
    found: Dict[str, Dict[str, str]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        if path.name == GENERATED_DOMAIN:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (doc.get("responses") or {}).items():
            texts: Dict[str, List[str]] = {ARABIC: [], ENGLISH: []}
            for v in variations or []:
                if "text" not in v or v.get("channel"):
                    continue
                english = any(c.get("value") == ENGLISH for c in v.get("condition") or [])
                texts[ENGLISH if english else ARABIC].append(v["text"])
            if len(texts[ARABIC]) == 1 and len(texts[ENGLISH]) <= 1:
                found[name] = {lang: t[0] for lang, t in texts.items() if t}
    return found


def _seed_or_empty(name: str) -> Dict[str, Any]:
    try:
        return seed(name)
    except FileNotFoundError:  # a wording file with no English twin yet
        return {}


def seed_items() -> Dict[str, Dict[str, Any]]:
    """{key: {"ar": value, "en": value}} as the seed files have them (facts keep their
    type: a number stays a number)."""
    items: Dict[str, Dict[str, Any]] = {}
    for kind, (arabic, _english) in _FILES.items():
        doc = seed(arabic)
        if kind == "faq":
            names = [(k, v.get("text")) for k, v in doc.items()]
        elif kind == "followup":
            names = [(k, v.get("text")) for k, v in (doc.get("answers") or {}).items()]
        elif kind == "button":
            names = [(k, v.get("title")) for k, v in doc.items()]
        else:
            names = list(_leaves(doc))
        for name, value in names:
            key = f"{kind}.{name}"
            items[key] = {ARABIC: value}
            where = location(key, ENGLISH)
            english = _get(_seed_or_empty(where[0]), where[1])
            if english is not None:
                items[key][ENGLISH] = english
    for name, texts in domain_responses().items():
        items[f"response.{name}"] = dict(texts)
    return items


def current_items(
    published: Dict[str, str], base: Optional[Dict[str, Dict[str, Any]]] = None
) -> Dict[str, Dict[str, Any]]:
    """The seed (or `base`: the seed and the new questions served) with a release's values
    ({"<key>|<lang>": text}) over it."""
    items = {k: dict(v) for k, v in (base or seed_items()).items()}
    for slot, text in published.items():
        key, _, lang = slot.rpartition("|")
        if key in items:
            items[key][lang] = text
    return items


def fact_keys() -> List[str]:
    """Dotted names of the program facts, the placeholders texts may use."""
    return [name for name, _ in _leaves(seed("program.yml"))]


def is_number(key: str) -> bool:
    """A fact that is a number in the seed (computed with, so it must stay one)."""
    kind, name = split(key)
    value = _get(seed("program.yml"), name.split(".")) if kind == "program" else None
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_flag(key: str) -> bool:
    kind, name = split(key)
    return kind == "program" and isinstance(_get(seed("program.yml"), name.split(".")), bool)


# What a supervisor reads instead of a fact's dotted name.
FACT_NAMES = {
    "contact.unified_number": "الرقم الموحد",
    "contact.x_account": "حساب البرنامج في منصة X",
    "contact.working_hours": "ساعات العمل (كما تُكتب للمواطن)",
    "contact.customer_service_number": "رقم خدمة العملاء للاعتراضات والشكاوى",
    "contact.friday_no_calls": "وقت بلا اتصال يوم الجمعة (كما يُكتب للمواطن)",
    "contact.opens_hour": "ساعة بداية الدوام (0–23)",
    "contact.closes_hour": "ساعة نهاية الدوام (0–23)",
    "contact.timezone": "المنطقة الزمنية لساعات العمل",
    "objections.reply_days": "أقصى مدة للرد على الاعتراض (يوم)",
    "eligibility.min_age": "أقل عمر للمتقدم (سنة)",
    "eligibility.max_absence_months": "أقصى مدة سفر خارج المملكة (شهر)",
    "entitlement_shares.primary": "نصيب المستفيد الأساسي (٪)",
    "entitlement_shares.dependant_adult": "نصيب التابع 18 سنة فأكثر (٪)",
    "entitlement_shares.dependant_minor": "نصيب التابع تحت 18 (٪)",
    "program.launched": "تاريخ انطلاق البرنامج",
    "program.ministry": "الجهة التي حددت شروط البرنامج",
    "eligibility_precheck.illustrative_amounts": "التحقق المبدئي: المبالغ تقديرية (true/false)",
    "eligibility_precheck.base_entitlement": "التحقق المبدئي: الاستحقاق الكامل التقديري (ريال)",
    "eligibility_precheck.base_exemption_threshold": "التحقق المبدئي: حد الإعفاء التقديري (ريال)",
    "eligibility_precheck.dependant_adult_age": "التحقق المبدئي: عمر التابع البالغ (سنة)",
    "eligibility_precheck.base_income_cap": "التحقق المبدئي: الحد المانع التقديري (ريال)",
    "eligibility_precheck.min_plausible_age": "التحقق المبدئي: أقل عمر مقبول في الإجابة",
    "eligibility_precheck.max_plausible_age": "التحقق المبدئي: أعلى عمر مقبول في الإجابة",
    "eligibility_precheck.max_dependants": "التحقق المبدئي: أكثر عدد تابعين مقبول",
    "eligibility_precheck.max_monthly_income": "التحقق المبدئي: أعلى دخل شهري مقبول",
    "eligibility_precheck.max_failures_before_offer": "التحقق المبدئي: محاولات خاطئة قبل عرض المساعدة",
}


def name_of(key: str, titles: Dict[str, str]) -> Optional[str]:
    """A readable Arabic name for an item, where one exists: a fact's, or an answer's
    short title (`titles`: FAQ key -> title)."""
    kind, name = split(key)
    if kind == "program":
        return FACT_NAMES.get(name)
    if kind in ("faq", "faq_title"):
        return titles.get(name)
    return None
