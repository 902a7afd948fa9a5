"""Ticket categories and statuses: the keys are stored (bot/store/tickets.py), the Arabic
labels shown to citizens, agents and the back office."""

TICKET_CATEGORIES = {
    "payment": "شكوى على دفعة",
    "data": "مشكلة في البيانات",
    "portal": "مشكلة في البوابة",
    "suggestion": "اقتراح",
    "other": "أخرى",
}
TICKET_STATUSES = {
    "open": "مفتوح",
    "in_progress": "قيد المعالجة",
    "resolved": "تم الحل",
    "closed": "مغلق",
}
