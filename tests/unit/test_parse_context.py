"""bot/patches/parse_context.py and the NLU's use of it: a message the answer selector
reads as the very answer just given is asked of that answer's lines (or said unknown),
not answered with the same text again."""

import asyncio

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.followup_shapes import FollowupShapes
from bot.patches.parse_context import _with_context, context_of
from bot.services.followups.lines import REPEATED
from bot.services.followups.topics import CONTEXT_KEY


def _tracker(*events):
    slots = [TextSlot("language", mappings=[{"type": "custom"}]), TextSlot("last_topic", [])]
    return DialogueStateTracker.from_events("c", list(events), slots)


def _asked(text, intent="faq"):
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def _answered(key):
    return BotUttered("...", metadata={"utter_action": f"utter_faq/{key}"})


def test_the_context_is_the_previous_answer_its_form_language_and_message():
    tracker = _tracker(_asked("كيف اغير جوالي؟"), _answered("change_mobile"))
    context = context_of(tracker)
    assert context == {"topic": "change_mobile", "form": None, "language": None,
                       "text": "كيف اغير جوالي؟"}  # fmt: skip
    tracker.update(SlotSet("language", "en"))
    tracker.update(ActiveLoop("eligibility_form"))
    assert context_of(tracker)["form"] == "eligibility_form"
    assert context_of(tracker)["language"] == "en"


def test_the_context_looks_past_thanks_but_not_further_nor_before_a_session():
    thanks = [_asked("شكرا", "thanks"), BotUttered("العفو")]
    tracker = _tracker(_asked("x"), _answered("working_hours"), *thanks)
    assert context_of(tracker)["topic"] == "working_hours"
    tracker = _tracker(_asked("x"), _answered("working_hours"), _asked("y"), BotUttered("z"))
    assert context_of(tracker)["topic"] is None
    tracker = _tracker(_asked("x"), _answered("working_hours"), SessionStarted())
    assert context_of(tracker)["topic"] is None
    assert context_of(_tracker())["topic"] is None


def test_the_parse_gets_the_context_on_a_copy_of_the_message():
    seen = []

    async def parse(self, message, tracker=None, only_output_properties=True):
        seen.append(message)
        return {}

    patched = _with_context(parse)
    tracker = _tracker(_asked("x"), _answered("working_hours"))
    message = UserMessage("وش الحل؟", sender_id="c", metadata={"from": "widget"})
    asyncio.run(patched(None, message, tracker))
    assert seen[-1].metadata[CONTEXT_KEY]["topic"] == "working_hours"
    assert seen[-1].metadata["from"] == "widget" and message.metadata == {"from": "widget"}
    button = UserMessage("/faq_pick", sender_id="c")
    asyncio.run(patched(None, button, tracker))
    assert seen[-1] is button  # a button's payload is not read against anything
    asyncio.run(patched(None, message, None))
    assert seen[-1] is message  # Rasa's HTTP parse route has no conversation
    # A context a caller sends along is never taken for the conversation's.
    forged = UserMessage("وش الحل؟", sender_id="c", metadata={CONTEXT_KEY: {"topic": "x"}})
    asyncio.run(patched(None, forged, None))
    assert CONTEXT_KEY not in seen[-1].metadata
    asyncio.run(patched(None, forged, tracker))
    assert seen[-1].metadata[CONTEXT_KEY]["topic"] == "working_hours"
    asyncio.run(
        patched(None, UserMessage("/faq_pick", sender_id="c", metadata=forged.metadata), tracker)
    )
    assert CONTEXT_KEY not in seen[-1].metadata


def _message(text, key="change_mobile", context=None, intent="faq", confidence=0.8):
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "metadata": {CONTEXT_KEY: context} if context is not None else {},
            "response_selector": {
                "faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": confidence}}
            },
        }
    )


def _shaped(message):
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    return message


AFTER_MOBILE = {"topic": "change_mobile", "form": None, "language": "ar", "text": "كيف اغير جوالي"}
SAME_AGAIN = "بس الرقم القديم ملغي وما يجيني الرمز، وش الحل؟"


def test_the_answer_just_given_chosen_again_is_asked_of_its_lines():
    message = _shaped(_message(SAME_AGAIN, context=AFTER_MOBILE))
    assert message.get("intent")["name"] == "followup"
    marked = message.get("followup")
    assert marked["kind"] == "ask_line" and marked["group"] == REPEATED
    assert "ملغي" in marked["about"] and marked["intent"] == "faq"


def test_the_same_answer_stays_when_it_is_right_to_give_it_again():
    cases = [
        _message(SAME_AGAIN),  # no context (RASA_PATCHES=off, the parse route)
        _message(SAME_AGAIN, key="password_recovery", context=AFTER_MOBILE),  # another answer
        _message("كيف اغير جوالي", context=AFTER_MOBILE),  # asked again word for word
        _message("how do i change my mobile number?", context=AFTER_MOBILE),  # in English now
        _message(SAME_AGAIN, context={**AFTER_MOBILE, "form": "ticket_form"}),  # in a form
    ]
    for message in cases:
        assert _shaped(message).get("intent")["name"] == "faq", message.get("text")


def test_a_time_asked_of_the_answer_just_given_is_left_to_the_timing():
    message = _shaped(_message("ومتى يتغير عندهم؟", context=AFTER_MOBILE))
    assert (message.get("followup") or {}).get("group") != REPEATED


def test_an_arabizi_followup_is_read_in_arabic_letters():
    message = _shaped(
        _message("w kam yaa5th lin yrdon?", key="dependant_share_minor", confidence=0.3)
    )
    assert message.get("intent")["name"] == "followup"
    assert message.get("followup")["kind"] == "how_long"


def test_an_outcome_told_after_the_how_to_is_that_services_outcome():
    told = "قدمته من اسبوعين وللحين مكتوب تحت الدراسه. وش اسوي الحين؟"
    after_steps = {**AFTER_MOBILE, "topic": "objection_steps"}
    message = _shaped(_message(told, key="eligibility_status", context=after_steps))
    assert message.get("intent")["name"] == "faq_multi"
    selector = message.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/objection_reply_time"]
    assert selector["offer"] == "objection_status"
    # Without the how-to before it, read as it was.
    alone = _shaped(_message(told, key="eligibility_status", context=AFTER_MOBILE))
    assert alone.get("intent")["name"] != "faq_multi"


def test_after_an_answer_a_question_on_its_lines_is_marked_even_when_fairly_sure():
    text = "وكيف اعرف رقم طلبي؟"
    after = {**AFTER_MOBILE, "topic": "sotak_masmoo"}
    marked = _shaped(_message(text, key="eligibility_status", context=after, confidence=0.77))
    assert marked.get("followup")["kind"] == "ask_line"
    alone = _shaped(_message(text, key="eligibility_status", confidence=0.77))
    assert alone.get("intent")["name"] == "faq"  # no answer before: its own answer
