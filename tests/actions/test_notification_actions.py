"""The citizen stops and resumes status notifications from their conversation."""

from bot.actions.notifications import ActionNotificationsResume, ActionNotificationsStop
from bot.content import case_text
from bot.services.notifications import optout
from bot.services.tickets import records as tickets
from bot.store import conversations, session_scope
from tests.support.actions import make_tracker, run_action


def _say(action, sender="telegram:777"):
    tracker = make_tracker([], text="إيقاف التنبيهات", sender=sender)
    messages, _ = run_action(action, tracker, {})
    return [m["text"] for m in messages]


STOPPED, ALREADY_STOPPED, RESUMED, ALREADY_ON = (
    case_text(f"notifications.{key}")
    for key in ("stopped", "already_stopped", "resumed", "already_on")
)


def test_stop_then_resume_from_the_conversation():
    assert _say(ActionNotificationsStop()) == [STOPPED]
    assert optout.is_stopped(conversation_id="telegram:777")
    assert _say(ActionNotificationsStop()) == [ALREADY_STOPPED]
    assert not optout.is_stopped(conversation_id="telegram:778")
    assert _say(ActionNotificationsResume()) == [RESUMED]
    assert _say(ActionNotificationsResume()) == [ALREADY_ON]
    assert not optout.is_stopped(conversation_id="telegram:777")


def test_a_stopped_conversation_gets_no_status_message():
    from sqlalchemy import select

    from bot.store.notifications import Notification

    conversations.record_inbound("telegram:777", "telegram", "777", "ابي افتح بلاغ")
    ticket, _ = tickets.create_ticket(
        "1023456781", "0551234567", "payment", "الدفعة ناقصة", "k", "telegram:777", "telegram"
    )
    _say(ActionNotificationsStop())
    tickets.set_status(ticket.number, "resolved")
    with session_scope() as s:
        assert s.execute(select(Notification.state)).scalar_one() == "skipped"
