"""What a supervisor reads instead of the console's internal names: Arabic for intents
(FAQ answers by their titles), form questions, forms, reasons, outcomes and channels,
agents by display name, and column headers. The numbers keep their codes
(bot.services.console.stats); the page and the CSV show these labels, and the CSV keeps
the codes that are worth filtering on in columns of their own (`CODE_COLUMNS`).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from bot.content import eligibility_text, faq_title
from bot.services.desk.accounts import agent_names
from bot.services.eligibility.form import CONFIRM, FIELD_OF_SLOT
from bot.services.handoff import REASONS

FAQ_PREFIX = "faq/"

# The domain's intents (domain/*.yml) as a supervisor would name them.
INTENTS = {
    "affirm": "موافقة (ايه، نعم)",
    "bot_challenge": "يسأل إن كان يكلم آلة",
    "cancel": "إلغاء",
    "check_eligibility": "التحقق من الأهلية",
    "deny": "رفض (لا)",
    "faq": "سؤال شائع",
    "faq_multi": "أكثر من سؤال في رسالة",
    "faq_pick": "اختار سؤالًا شائعًا",
    "goodbye": "وداع",
    "greet": "تحية",
    "human_handoff": "طلب موظف",
    "inform": "إجابة على سؤال",
    "inform_identifier": "أرسل رقمًا (هوية أو بلاغ)",
    "inform_ticket_category": "اختار نوع البلاغ",
    "notifications_resume": "تشغيل الإشعارات",
    "notifications_stop": "إيقاف الإشعارات",
    "objection_status": "حالة اعتراض",
    "open_ticket": "فتح بلاغ صوتك مسموع",
    "out_of_scope": "خارج نطاق البرنامج",
    "resend_code": "إعادة إرسال الرمز",
    "thanks": "شكر",
    "ticket_status": "حالة بلاغ",
    "nlu_fallback": "ما فهم المساعد",
}

FORMS = {
    "eligibility_form": "التحقق من الأهلية",
    "ticket_form": "بلاغ صوتك مسموع",
    "objection_form": "الاستعلام عن اعتراض",
    "ticket_status_form": "حالة بلاغ",
}

# The questions of the forms other than the pre-check (its own come from
# bot/content/eligibility.yml, "fields").
QUESTIONS = {
    CONFIRM: "مراجعة الإجابات قبل النتيجة",
    "ticket_national_id": "رقم الهوية",
    "ticket_mobile": "رقم الجوال",
    "ticket_category": "نوع البلاغ",
    "ticket_description": "وصف البلاغ",
    "ticket_confirm": "تأكيد البلاغ",
    "status_ticket_number": "رقم البلاغ",
    "status_national_id": "رقم الهوية",
    "objection_national_id": "رقم الهوية",
    "objection_number": "رقم الاعتراض",
    "objection_otp": "رمز التحقق",
}

OUTCOMES = {
    "contained": "انحلّت مع المساعد",
    "handed_off": "تحولت لموظف",
    "ended_on_fallback": 'انتهت بـ"ما فهمت"',
    "came_back_within_24h": "رجع خلال 24 ساعة",
}

CHANNELS = {"telegram": "تيليجرام", "whatsapp": "واتساب", "web": "نافذة الموقع", "rest": "REST"}

# What a rating followed (csat_ratings.finished).
FINISHED = {
    "ticket": "بلاغ فُتح",
    "precheck": "نتيجة التحقق",
    "objection": "حالة اعتراض",
    "ticket_status": "حالة بلاغ",
    "agent_closed": "أغلقها موظف",
    "agent_returned": "رجّعها موظف للمساعد",
}

# The key numbers compared between two periods (bot.services.console.compare).
MEASURES = {
    "conversations": "المحادثات",
    "messages": "الرسائل",
    "contained_share": "انحلّت مع المساعد ٪",
    "handoff_rate": "التحويل لموظف ٪",
    "fallback_rate": "ما فهم المساعد ٪",
    "csat_average": "متوسط التقييم (من 5)",
    "ratings": "عدد التقييمات",
    "wait_p50": "انتظار الموظف p50 (ث)",
    "latency_p50_ms": "زمن الرد p50 (ملّي ثانية)",
    "latency_p95_ms": "زمن الرد p95 (ملّي ثانية)",
}

HEADERS = {
    "day": "اليوم",
    "channel": "القناة",
    "conversations": "المحادثات",
    "messages": "الرسائل",
    "outcome": "النتيجة",
    "share": "النسبة ٪",
    "reason": "السبب",
    "handoffs": "التحويلات",
    "agent": "الموظف",
    "wait_p50_s": "الانتظار p50 (ث)",
    "wait_p95_s": "الانتظار p95 (ث)",
    "handling_p50_s": "المعالجة p50 (ث)",
    "handling_p95_s": "المعالجة p95 (ث)",
    "turn": "مراجعة",
    "text": "الرسالة",
    "intent": "الموضوع",
    "topic": "الإجابة أو النموذج",
    "confidence": "الثقة ٪",
    "form": "النموذج",
    "started": "بدأ",
    "completed": "اكتمل",
    "cancelled": "أُلغي",
    "abandoned": "تُرك",
    "last_question": "آخر سؤال",
    "runs": "مرات",
    "avg_confidence": "متوسط الثقة ٪",
    "fallbacks": "ما فهم",
    "avg_rating": "متوسط التقييم",
    "ratings": "تقييمات",
    "finished": "ما انتهى",
    "asked": "سُئل",
    "rated": "قيّم",
    "score": "التقييم",
    "comment": "الملاحظة",
    "p50_ms": "p50 (ملّي ثانية)",
    "p95_ms": "p95 (ملّي ثانية)",
    "contained": "انحلّت مع المساعد",
    "handed_off": "تحولت لموظف",
    "ended_on_fallback": 'انتهت بـ"ما فهمت"',
    "came_back": "رجع خلال 24 ساعة",
    "contained_share": "انحلّت ٪",
    "measure": "المقياس",
    "period_a": "الفترة أ",
    "period_b": "الفترة ب",
    "change": "الفرق (أ − ب)",
    "change_pct": "التغيّر ٪",
}
# Columns whose codes a spreadsheet user may want to filter or join on (with the review
# export, the logs, the back office): the CSV keeps them beside the label.
CODE_COLUMNS = {
    "intent": "رمز الموضوع",
    "topic": "رمز الموضوع",
    "form": "رمز النموذج",
    "last_question": "رمز السؤال",
    "agent": "اسم المستخدم",
}
# Model confidences (0..1) are shown as whole percentages.
PERCENT_COLUMNS = ("confidence", "avg_confidence")


def intent(code: Optional[str]) -> Optional[str]:
    """An intent or FAQ answer ("faq/<key>") as its Arabic name or title."""
    if not code:
        return code
    if code.startswith(FAQ_PREFIX):
        key = code[len(FAQ_PREFIX) :]
        try:
            return faq_title(key)
        except KeyError:  # an answer since removed from the content
            return f"سؤال شائع: {key}"
    return INTENTS.get(code, code)


def question(slot: Optional[str]) -> Optional[str]:
    """A form's question by its slot: the pre-check's by the short names of
    bot/content/eligibility.yml ("fields"), the others from QUESTIONS."""
    if not slot:
        return slot
    if slot in FIELD_OF_SLOT:
        return eligibility_text(f"fields.{FIELD_OF_SLOT[slot]}")
    return QUESTIONS.get(slot, slot)


def topic(code: Optional[str]) -> Optional[str]:
    """An FAQ answer or a form (the console's topic outcomes)."""
    if code in FORMS:
        return FORMS[code]
    return intent(code)


def percent(value: Any) -> Optional[int]:
    return None if value is None else int(round(float(value) * 100))


def _labellers(names: Dict[str, str]) -> Dict[str, Callable[[Any], Any]]:
    def lookup(table: Dict[str, str]) -> Callable[[Any], Any]:
        return lambda v: table.get(v, v)

    return {
        "intent": intent,
        "topic": topic,
        "last_question": question,
        "form": lookup(FORMS),
        "channel": lookup(CHANNELS),
        "outcome": lookup(OUTCOMES),
        "reason": lookup(REASONS),
        "finished": lookup(FINISHED),
        "measure": lookup(MEASURES),
        "agent": lookup(names),
    }


def label_table(table: Dict[str, Any], names: Optional[Dict[str, str]] = None) -> None:
    """Give a {"columns", "rows"} table, in place, its Arabic `headers` and `labels`
    ({column: {code: label}} for the codes in it), and confidences as percentages. The
    rows keep their codes: the page looks them up, `csv_rows` writes both. `names`:
    display names by username (read from the accounts when the table has agents)."""
    columns: List[str] = table["columns"]
    if names is None:
        names = agent_names() if "agent" in columns else {}
    labellers = _labellers(names)
    found: Dict[str, Dict[str, Any]] = {}
    for i, col in enumerate(columns):
        if col in PERCENT_COLUMNS:
            for row in table["rows"]:
                row[i] = percent(row[i])
        elif col in labellers:
            codes = {row[i] for row in table["rows"] if isinstance(row[i], str)}
            found[col] = {code: labellers[col](code) for code in sorted(codes)}
    table["headers"] = [HEADERS.get(c, c) for c in columns]
    table["labels"] = found


def csv_rows(table: Dict[str, Any]) -> List[List[Any]]:
    """The header row and the rows of a labelled table for a spreadsheet: Arabic headers
    and values, each code column of CODE_COLUMNS followed by its code."""
    columns, labels = table["columns"], table.get("labels", {})
    header: List[Any] = []
    for i, col in enumerate(columns):
        header.append(table["headers"][i] if "headers" in table else col)
        if col in CODE_COLUMNS:
            header.append(CODE_COLUMNS[col])
    out = [header]
    for row in table["rows"]:
        cells: List[Any] = []
        for col, value in zip(columns, row):
            cells.append(labels.get(col, {}).get(value, value))
            if col in CODE_COLUMNS:
                cells.append(value)
        out.append(cells)
    return out
